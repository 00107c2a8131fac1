/**
 * The impairment planner: settings and the link endpoints they name in, one
 * shell script per node out, which a helper container sharing the node's
 * network namespace runs (apply.ts). Pure.
 *
 * Where each knob acts, for an endpoint's interface D and a direction:
 *
 * | knob | out (what D sends) | in (what D receives) |
 * | --- | --- | --- |
 * | loss | iptables mangle POSTROUTING -o D, statistic random, DROP | mangle PREROUTING -i D, the same |
 * | delay, jitter, reorder | mangle POSTROUTING -o D -> NFQUEUE -> tb-impair | PREROUTING -i D -> NFQUEUE -> tb-impair |
 * | duplicate | tb-impair's packet socket on D: frames D sends | the same on every other endpoint of the link, frames to D's MAC |
 * | rate | tbf as D's root qdisc | ingress of D redirected (mirred) to an ifb device with a tbf |
 *
 * POSTROUTING and the egress qdisc see everything that leaves by D, a
 * router's own IKE and ESP included (the agent writes them into its tun
 * device and the kernel routes them out of D); PREROUTING and the ingress
 * qdisc see everything that arrives. Where the kernel has netem (probed by
 * the script at run time) one netem qdisc does all of it instead: on D's
 * root for `out`, on the ifb device for `in`.
 *
 * A whole-link setting is the `out` of every endpoint, so a packet crossing
 * the link meets it once. An endpoint's own setting overrides the link's,
 * knob by knob.
 */
import { activeKnobs, type ImpairSetting, type Knobs } from './spec.js';

export interface ImpairEndpoint {
  link: string;
  node: string;
  /** The interface as the topology names it (FastEthernet0/0, eth1). */
  interface: string;
  /** Its MAC address in the container: the script finds the Linux device by it. */
  mac: string;
}

export interface Hook {
  node: string;
  link: string;
  interface: string;
  mac: string;
  direction: 'in' | 'out';
  knobs: Knobs;
}

export interface NodeImpairPlan {
  node: string;
  hooks: Hook[];
  /** Commands when the kernel has netem. */
  netem: string[];
  /** Commands without netem (iptables, tc tbf, ifb). */
  netfilter: string[];
  /** tb-impair's arguments without netem (none: it does not run). */
  helperArgs: string[];
  /** The MACs of the devices the commands name: $D0 is the first. */
  macs: string[];
}

export const CHAIN = { out: 'TB-IMPAIR-OUT', in: 'TB-IMPAIR-IN' } as const;
const HOOK_CHAIN = { out: 'POSTROUTING', in: 'PREROUTING' } as const;
export const FIRST_QUEUE = 7100;

/** Is this setting meaningful for these links? An error text, or null. */
export function checkSetting(s: ImpairSetting, links: ReadonlyMap<string, string[]>): string | null {
  const nodes = links.get(s.link);
  if (!nodes) return `no link named "${s.link}" (links: ${[...links.keys()].join(', ')})`;
  if (s.endpoint === null && s.direction !== 'both') return `direction ${s.direction} needs an endpoint: a whole link's setting applies to both directions`;
  if (s.endpoint !== null && !nodes.includes(s.endpoint)) return `${s.endpoint} is not on link ${s.link} (it joins ${nodes.join(', ')})`;
  return null;
}

/** The knobs in force at each interface and direction. Endpoints not given (a cut link) get nothing. */
export function impairHooks(settings: ImpairSetting[], endpoints: ImpairEndpoint[]): Hook[] {
  const hooks = new Map<string, Hook & { base: Knobs; own: Knobs }>();
  const at = (ep: ImpairEndpoint, direction: 'in' | 'out') => {
    const key = `${ep.node}/${ep.mac}/${direction}`;
    let h = hooks.get(key);
    if (!h) {
      h = { node: ep.node, link: ep.link, interface: ep.interface, mac: ep.mac, direction, knobs: {}, base: {}, own: {} };
      hooks.set(key, h);
    }
    return h;
  };
  for (const s of settings) {
    for (const ep of endpoints.filter((e) => e.link === s.link)) {
      if (s.endpoint === null) Object.assign(at(ep, 'out').base, s.knobs);
      else if (ep.node === s.endpoint) {
        if (s.direction !== 'in') Object.assign(at(ep, 'out').own, s.knobs);
        if (s.direction !== 'out') Object.assign(at(ep, 'in').own, s.knobs);
      }
    }
  }
  return [...hooks.values()].map(({ base, own, ...h }) => ({ ...h, knobs: activeKnobs({ ...base, ...own }) })).filter((h) => Object.keys(h.knobs).length > 0);
}

const ppm = (p: number) => Math.round(p * 1e6);
const prob = (p: number) => p.toFixed(8);
const us = (ms: number) => Math.round(ms * 1000);

/** tbf sized for the rate: a burst of 10 ms (at least a full frame), a queue of 100 ms. */
function tbf(dev: string, bps: number): string {
  const bytesPerSec = bps / 8;
  const burst = Math.max(1600, Math.ceil(bytesPerSec / 100));
  const limit = Math.max(2 * burst, Math.ceil(bytesPerSec / 10));
  return `tc qdisc replace dev ${dev} root tbf rate ${bps}bit burst ${burst} limit ${limit}`;
}

function netemArgs(k: Knobs): string {
  const parts: string[] = [];
  if (k.delayMs || k.jitterMs) parts.push(`delay ${us(k.delayMs ?? 0)}us${k.jitterMs ? ` ${us(k.jitterMs)}us` : ''}`);
  if (k.loss) parts.push(`loss ${(k.loss * 100).toFixed(4)}%`);
  if (k.duplicate) parts.push(`duplicate ${(k.duplicate * 100).toFixed(4)}%`);
  if (k.reorder) parts.push(`reorder ${(k.reorder * 100).toFixed(4)}%`);
  if (k.rateBps) parts.push(`rate ${k.rateBps}bit`);
  return parts.join(' ');
}

/** The shell variable holding the Linux device with this MAC (the script sets it). */
export function devVar(macs: string[], mac: string): string {
  return `$D${macs.indexOf(mac)}`;
}

/** One plan per node that has something to do. */
export function planImpairment(settings: ImpairSetting[], endpoints: ImpairEndpoint[]): NodeImpairPlan[] {
  const hooks = impairHooks(settings, endpoints);
  const nodes = [...new Set(hooks.map((h) => h.node))];
  // duplication of what an endpoint receives is done by the other endpoints of its link
  const dupIn = hooks.filter((h) => h.direction === 'in' && h.knobs.duplicate);
  for (const h of dupIn) for (const ep of endpoints) if (ep.link === h.link && ep.node !== h.node && !nodes.includes(ep.node)) nodes.push(ep.node);
  return nodes.sort().map((node) => {
    const mine = hooks.filter((h) => h.node === node);
    const macs = [...new Set([...mine.map((h) => h.mac), ...endpoints.filter((e) => e.node === node).map((e) => e.mac)])];
    const dev = (mac: string) => devVar(macs, mac);
    const netem: string[] = [];
    const netfilter: string[] = [];
    const helperArgs: string[] = [];
    let ifb = 0;
    let queue = FIRST_QUEUE;
    const chains = new Set<'in' | 'out'>();
    for (const h of mine) {
      const d = dev(h.mac);
      const k = h.knobs;
      const flag = h.direction === 'out' ? '-o' : '-i';
      // netem: everything in one qdisc
      if (h.direction === 'out') netem.push(`tc qdisc replace dev ${d} root netem ${netemArgs(k)}`);
      else {
        const ifname = `tbifb${ifb}`;
        netem.push(...redirectToIfb(d, ifname), `tc qdisc replace dev ${ifname} root netem ${netemArgs(k)}`);
      }
      // netfilter, tc and tb-impair
      const ipt = (rule: string) => `iptables -w -t mangle -A ${CHAIN[h.direction]} ${flag} ${d} ${rule}`;
      if (k.loss) netfilter.push(ipt(`-m statistic --mode random --probability ${prob(k.loss)} -j DROP`));
      if (k.delayMs || k.jitterMs || k.reorder) {
        netfilter.push(ipt(`-j NFQUEUE --queue-num ${queue} --queue-bypass`));
        helperArgs.push('-q', `${queue}:${us(k.delayMs ?? 0)}:${us(k.jitterMs ?? 0)}:${ppm(k.reorder ?? 0)}`);
        queue++;
      }
      if (k.loss || k.delayMs || k.jitterMs || k.reorder) chains.add(h.direction);
      if (k.rateBps) {
        if (h.direction === 'out') netfilter.push(tbf(d, k.rateBps));
        else netfilter.push(...redirectToIfb(d, `tbifb${ifb}`), tbf(`tbifb${ifb}`, k.rateBps));
      }
      if (k.duplicate && h.direction === 'out') {
        netfilter.push(`ethtool -K ${d} tso off gso off >/dev/null 2>&1 || true`);
        helperArgs.push('-d', `${d}:${ppm(k.duplicate)}`);
      }
      if (h.direction === 'in') ifb++;
    }
    for (const h of dupIn.filter((x) => x.node !== node)) {
      for (const ep of endpoints.filter((e) => e.node === node && e.link === h.link)) {
        netfilter.push(`ethtool -K ${dev(ep.mac)} tso off gso off >/dev/null 2>&1 || true`);
        helperArgs.push('-d', `${dev(ep.mac)}:${ppm(h.knobs.duplicate!)}:${h.mac}`);
      }
    }
    const chainSetup = [...chains]
      .sort()
      .flatMap((dir) => [`iptables -w -t mangle -N ${CHAIN[dir]}`, `iptables -w -t mangle -A ${HOOK_CHAIN[dir]} -j ${CHAIN[dir]}`]);
    return { node, hooks: mine, netem, netfilter: [...chainSetup, ...netfilter], helperArgs, macs };
  });
}

function redirectToIfb(dev: string, ifb: string): string[] {
  return [
    `ip link add ${ifb} type ifb`,
    `ip link set ${ifb} up`,
    `tc qdisc add dev ${dev} handle ffff: ingress`,
    `tc filter add dev ${dev} parent ffff: protocol all prio 1 u32 match u32 0 0 action mirred egress redirect dev ${ifb}`,
  ];
}

/** Removes whatever an earlier script set up (also one whose helper was killed). */
export const TEARDOWN = `teardown() {
  for c in ${CHAIN.out}:POSTROUTING ${CHAIN.in}:PREROUTING; do
    iptables -w -t mangle -D \${c#*:} -j \${c%%:*} 2>/dev/null; iptables -w -t mangle -F \${c%%:*} 2>/dev/null; iptables -w -t mangle -X \${c%%:*} 2>/dev/null
  done
  for d in /sys/class/net/*; do
    n=\${d##*/}
    case $n in
      tbifb*) ip link del "$n" 2>/dev/null ;;
      lo) ;;
      *) tc qdisc del dev "$n" root 2>/dev/null; tc qdisc del dev "$n" ingress 2>/dev/null ;;
    esac
  done
  return 0
}`;

/**
 * The helper's whole script: find the devices by MAC, remove what an
 * earlier helper left, probe for netem, set up, say "impair-ready PATH",
 * run tb-impair when needed, and on SIGTERM remove everything again.
 */
export function helperScript(plan: NodeImpairPlan): string {
  // a command that may fail (`|| true`) runs as it is; any other failure removes everything and stops
  const run = (cmds: string[]) => cmds.map((c) => (c.endsWith('|| true') ? `  ${c}` : `  run ${c}`)).join('\n') || '  :';
  const devs = plan.macs.map((m, i) => `D${i}=$(dev ${m}) || exit 1`).join('\n');
  return `set -u
dev() { for d in /sys/class/net/*; do [ "$(cat "$d/address" 2>/dev/null)" = "$1" ] && { echo "\${d##*/}"; return 0; }; done; echo "impair: no interface with MAC $1 (a cut link?)" >&2; return 1; }
${TEARDOWN}
run() { "$@" || { echo "impair: failed: $*" >&2; teardown; exit 1; }; }
${devs}
teardown
child=""
stop() { teardown; [ -n "$child" ] && kill -TERM "$child" 2>/dev/null && wait "$child"; exit 0; }
trap stop TERM INT
if tc qdisc add dev lo root netem delay 0ms 2>/dev/null; then
  tc qdisc del dev lo root
  path=netem
${run(plan.netem)}
else
  path=netfilter
${run(plan.netfilter)}
${plan.helperArgs.length ? `  tb-impair ${plan.helperArgs.map((a) => `"${a}"`).join(' ')} &\n  child=$!` : ''}
fi
echo "impair-ready $path"
while :; do sleep 3600 & wait $!; done
`;
}
