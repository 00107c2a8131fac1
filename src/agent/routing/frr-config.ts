/**
 * The IOS routing configuration translated into FRR's (pure). One section per
 * FRR node (`router ospf`, `router eigrp 100`, `router rip`, `interface
 * eth1`), its lines in FRR's syntax, with every value IOS would pick by
 * itself written out, so FRR behaves as the 2600 does:
 *
 * - OSPF: the router ID (FRR would pick its own), the cost of every interface
 *   (IOS truncates 10^8/bandwidth, FRR rounds), point-to-point on serial links
 *   and point-to-point sub-interfaces (Ethernet underneath is broadcast to
 *   FRR); adjacency changes always logged in detail (the agent translates
 *   them into IOS's messages and decides what to print).
 * - EIGRP: the router ID, each interface's bandwidth and delay (FRR's default
 *   is a FastEthernet's for every interface); only for interfaces in the
 *   process, which is all FRR accepts them for. No `passive-interface`:
 *   eigrpd 8.4 accepts it and ignores it; the kernel enforces it
 *   (passive-filter.ts).
 * - RIP: IOS's default version behaviour (send 1, receive 1 and 2) per
 *   interface when no `version` is set.
 * - Static routes are kernel routes to zebra (the agent installs them), so
 *   `redistribute static` is `redistribute kernel`.
 *
 * The agent applies the difference between two of these (frr-diff.ts).
 */
import {
  classfulLength,
  effectiveBandwidth,
  effectiveDelay,
  inPrefix,
  interfaceType,
  isPassive,
  isSubinterface,
  ospfCost,
  parseIpv4,
  wildcardPrefix,
  type EigrpProcess,
  type InterfaceConfig,
  type Ipv4,
  type OspfProcess,
  type RouterConfig,
} from '../../ios/index.js';

export type Daemon = 'ospfd' | 'eigrpd' | 'ripd';

export interface FrrSection {
  /** What identifies the section when two configurations are compared; the header when absent. */
  key?: string;
  /** `router ospf`, `interface eth1` ... */
  header: string;
  lines: string[];
}

export interface FrrConfig {
  daemons: Daemon[];
  sections: FrrSection[];
}

export interface FrrInput {
  config: RouterConfig;
  /** IOS interface name -> Linux device, for the interfaces that have one. */
  devices: ReadonlyMap<string, string>;
  ospfRouterId: Ipv4 | null;
  eigrpRouterId: Ipv4 | null;
}

interface Prefix {
  address: string;
  length: number;
}

const prefixText = (p: Prefix) => `${p.address}/${p.length}`;

function covers(p: Prefix, address: string): boolean {
  return inPrefix(parseIpv4(address), parseIpv4(p.address), p.length);
}

function addresses(i: InterfaceConfig): string[] {
  return [i.address, ...i.secondary].filter((a) => a !== null).map((a) => a!.address);
}

function eigrpPrefixes(p: EigrpProcess): Prefix[] {
  return p.networks.flatMap((n) => {
    if (n.wildcard === null) return [{ address: n.address, length: classfulLength(parseIpv4(n.address)) }];
    const w = wildcardPrefix(n.address, n.wildcard);
    return w ? [w] : [];
  });
}

function ospfPrefixes(p: OspfProcess): (Prefix & { area: string })[] {
  return p.networks.flatMap((n) => {
    const w = wildcardPrefix(n.address, n.wildcard);
    return w ? [{ ...w, area: n.area }] : [];
  });
}

/** The OSPF network type IOS gives the interface unless told: point-to-point on serial and tunnel links. */
function ospfNetworkType(i: InterfaceConfig): string | null {
  if (i.ospf.network === 'point-to-point' || i.ospf.network === 'broadcast') return i.ospf.network;
  const type = interfaceType(i.name)?.name;
  if (type === 'Tunnel') return 'point-to-point';
  if (type !== 'Serial') return null;
  if (isSubinterface(i.name)) return i.wan.subinterfaceType === 'point-to-point' ? 'point-to-point' : null;
  return i.wan.encapsulation?.kind === 'frame-relay' ? null : 'point-to-point';
}

/** IOS 12.2's default `timers spf 5 10` (Cisco IOS in a Nutshell, 2001, "timers spf": delay 5 s, hold 10 s). */
export const IOS_SPF = { delayMs: 5000, holdMs: 10000 } as const;

function ospfRouter(p: OspfProcess, routerId: Ipv4 | null): FrrSection {
  const lines: string[] = [];
  if (routerId) lines.push(`ospf router-id ${routerId}`);
  lines.push('log-adjacency-changes detail');
  // IOS 12.2's SPF schedule (`timers spf 5 10`, the default): 5 s from a change to the SPF run, then
  // at least 10 s between runs. FRR's own default (0 ms, then 50 ms doubling to 5 s) reroutes
  // seconds sooner than the router it stands for. A fixed hold: FRR's initial and maximum hold equal.
  lines.push(`timers throttle spf ${IOS_SPF.delayMs} ${IOS_SPF.holdMs} ${IOS_SPF.holdMs}`);
  if (p.passive.default) lines.push('passive-interface default');
  for (const a of p.areas) {
    if (a.stub) lines.push(`area ${a.id} stub${a.noSummary ? ' no-summary' : ''}`);
    if (a.authentication) lines.push(`area ${a.id} authentication${a.authentication === 'message-digest' ? ' message-digest' : ''}`);
  }
  for (const r of p.redistribute.filter((x) => x.subnets)) {
    const metric = `${r.metric !== null ? ` metric ${r.metric}` : ''}${r.metricType !== null ? ` metric-type ${r.metricType}` : ''}`;
    lines.push(`redistribute ${r.protocol === 'static' ? 'kernel' : 'connected'}${metric}`);
  }
  const d = p.defaultInformation;
  if (d)
    lines.push(
      `default-information originate${d.always ? ' always' : ''}${d.metric !== null ? ` metric ${d.metric}` : ''}${d.metricType !== null ? ` metric-type ${d.metricType}` : ''}`,
    );
  // the networks last: every setting is in place when OSPF starts on an interface (no hello leaves a passive one)
  for (const n of ospfPrefixes(p)) lines.push(`network ${prefixText(n)} area ${n.area}`);
  return { header: 'router ospf', lines };
}

function eigrpRouter(p: EigrpProcess, routerId: Ipv4 | null): FrrSection {
  const lines: string[] = [];
  if (routerId) lines.push(`eigrp router-id ${routerId}`);
  for (const n of eigrpPrefixes(p)) lines.push(`network ${prefixText(n)}`);
  return { header: `router eigrp ${p.as}`, lines };
}

/** Linux devices of the interfaces a process treats as passive (`default` spelled out: ripd, and the EIGRP filter, name them). */
export function passiveDevices(config: RouterConfig, passive: OspfProcess['passive'], devices: ReadonlyMap<string, string>): string[] {
  const out = new Set<string>();
  for (const i of config.interfaces) {
    const dev = devices.get(i.name);
    if (dev && isPassive(passive, i.name)) out.add(dev);
  }
  return [...out];
}

function ripRouter(config: RouterConfig, devices: ReadonlyMap<string, string>): FrrSection {
  const p = config.routing.rip!;
  const lines: string[] = [];
  if (p.version !== null) lines.push(`version ${p.version}`);
  for (const dev of passiveDevices(config, p.passive, devices)) lines.push(`passive-interface ${dev}`);
  if (p.defaultInformation) lines.push('default-information originate');
  for (const n of p.networks) lines.push(`network ${n}/${classfulLength(parseIpv4(n))}`);
  return { header: 'router rip', lines };
}

/** The FRR configuration for an IOS configuration (see the top of this file). */
export function frrConfig({ config, devices, ospfRouterId, eigrpRouterId }: FrrInput): FrrConfig {
  const ospf = config.routing.ospf[0];
  const eigrp = config.routing.eigrp[0];
  const rip = config.routing.rip;
  const daemons: Daemon[] = [...(ospf ? (['ospfd'] as const) : []), ...(eigrp ? (['eigrpd'] as const) : []), ...(rip ? (['ripd'] as const) : [])];
  // interface settings first, so they are in place before a network statement starts a protocol on the interface;
  // EIGRP's come after its router section, since eigrpd takes them only for interfaces already in the process
  const interfaces: FrrSection[] = [];
  const eigrpInterfaces: FrrSection[] = [];
  const eigrpNets = eigrp ? eigrpPrefixes(eigrp) : [];
  const ripNets = rip ? rip.networks.map((n) => ({ address: n, length: classfulLength(parseIpv4(n)) })) : [];
  const seen = new Set<string>();
  for (const i of config.interfaces) {
    const dev = devices.get(i.name);
    if (!dev || seen.has(dev)) continue;
    seen.add(dev);
    const lines: string[] = [];
    if (ospf) {
      lines.push(`ip ospf cost ${ospfCost(i)}`);
      const o = i.ospf;
      if (o.hello !== null) lines.push(`ip ospf hello-interval ${o.hello}`);
      if (o.dead !== null) lines.push(`ip ospf dead-interval ${o.dead}`);
      const type = ospfNetworkType(i);
      if (type) lines.push(`ip ospf network ${type}`);
      if (o.priority !== null) lines.push(`ip ospf priority ${o.priority}`);
      if (o.authentication) lines.push(`ip ospf authentication${o.authentication === 'simple' ? '' : ` ${o.authentication}`}`);
      if (o.authenticationKey !== null) lines.push(`ip ospf authentication-key ${o.authenticationKey}`);
      for (const k of o.messageDigestKeys) lines.push(`ip ospf message-digest-key ${k.id} md5 ${k.key}`);
      const passive = isPassive(ospf.passive, i.name);
      if (passive && !ospf.passive.default) lines.push('ip ospf passive');
      if (!passive && ospf.passive.default) lines.push('no ip ospf passive');
    }
    if (rip && rip.version === null && addresses(i).some((a) => ripNets.some((n) => covers(n, a)))) {
      lines.push('ip rip send version 1', 'ip rip receive version 1 2');
    }
    if (lines.length) interfaces.push({ header: `interface ${dev}`, lines });
    if (eigrp && addresses(i).some((a) => eigrpNets.some((n) => covers(n, a)))) {
      eigrpInterfaces.push({
        key: `interface ${dev} (eigrp)`,
        header: `interface ${dev}`,
        lines: [`eigrp bandwidth ${effectiveBandwidth(i)}`, `delay ${effectiveDelay(i)}`],
      });
    }
  }
  const sections: FrrSection[] = [...interfaces];
  if (ospf) sections.push(ospfRouter(ospf, ospfRouterId));
  if (eigrp) sections.push(eigrpRouter(eigrp, eigrpRouterId));
  if (rip) sections.push(ripRouter(config, devices));
  sections.push(...eigrpInterfaces);
  return { daemons, sections };
}

/** The text of a configuration, as a file FRR reads. */
export function frrText(c: FrrConfig): string {
  return c.sections.map((s) => [s.header, ...s.lines.map((l) => ` ${l}`), 'exit'].join('\n')).join('\n!\n') + '\n';
}
