/**
 * Linux policy routing over a steering plan, for the tests: the rules in
 * order, each one's selector (iif, from, to, ipproto, dport), and what its
 * table says (a route ends the search; no route or a throw route goes on to
 * the next rule), followed by the rules the agent leaves in place (local
 * at 32000, main at 32766). Packets are described the way the kernel's
 * route lookup sees them: the kernel's check for an ARP request has the
 * sender and target addresses, the interface it came in by and protocol 0;
 * the router's own packets come in by `lo`.
 */
import { formatIpv4, inPrefix, parseIpv4 } from '../../../../src/codecs/net/address.js';
import { peekIpv4, type Peek } from '../../../../src/agent/datapath/packet.js';
import {
  DROP_TABLE,
  EGRESS_TABLE,
  NAT_EGRESS_TABLE,
  NAT_TABLE,
  OWN_TABLE,
  TUN_TABLE,
  type PlanRoute,
  type PlanRule,
  type Prefix,
  type SteeringPlan,
} from '../../../../src/agent/datapath/plan.js';
import { lookupRoute, type Route } from '../../../../src/ios/index.js';

export interface SimPacket {
  /** IOS interface name, TUN_IIF, or 'lo' for what the router itself sends. */
  iif: string;
  source: string;
  destination: string;
  /** 0 for the ARP check. */
  protocol: number;
  dport?: number;
}

/** local: delivered to the router; main: routed in clear; agent: into the tun device; drop: into the drop tun device; nat: into the NAT tun device. */
export type Verdict = 'local' | 'main' | 'agent' | 'drop' | 'nat' | 'unreachable';

export interface SimRouter {
  local: ReadonlySet<number>;
  routes: readonly Route[];
}

const within = (p: Prefix | undefined, a: number) => p === undefined || inPrefix(a, p.address, p.length);

function selects(r: PlanRule, pkt: SimPacket, src: number, dst: number): boolean {
  if (r.iif !== undefined && r.iif !== pkt.iif) return false;
  if (!within(r.from, src) || !within(r.to, dst)) return false;
  if (r.protocol !== undefined && r.protocol !== pkt.protocol) return false;
  if (r.dport !== undefined && r.dport !== pkt.dport) return false;
  return true;
}

function egress(table: readonly PlanRoute[], dst: number): 'tun' | 'throw' | null {
  let best: { length: number; target: 'tun' | 'throw' } | null = null;
  for (const r of table) {
    if (inPrefix(dst, r.prefix.address, r.prefix.length) && (!best || r.prefix.length > best.length)) best = { length: r.prefix.length, target: r.target };
  }
  return best?.target ?? null;
}

export function kernelVerdict(plan: SteeringPlan, pkt: SimPacket, router: SimRouter): Verdict {
  const src = parseIpv4(pkt.source);
  const dst = parseIpv4(pkt.destination);
  const rules: PlanRule[] = [...plan.rules, { pref: 32000, table: 'local' }, { pref: 32766, table: 'main' }];
  for (const r of rules) {
    if (!selects(r, pkt, src, dst)) continue;
    switch (r.table) {
      case 'local':
        if (router.local.has(dst)) return 'local';
        break;
      case 'main':
        if (lookupRoute(router.routes, dst)) return 'main';
        break;
      case TUN_TABLE:
        return 'agent';
      case OWN_TABLE:
        if (plan.own.includes(dst)) return 'agent';
        break;
      case DROP_TABLE:
        return 'drop';
      case EGRESS_TABLE:
        if (egress(plan.egress, dst) === 'tun') return 'agent';
        break;
      case NAT_TABLE:
        return 'nat';
      case NAT_EGRESS_TABLE:
        if (egress(plan.natEgress, dst) === 'tun') return 'nat';
        break;
    }
  }
  return 'unreachable';
}

/**
 * One IPv4 packet arriving at a router's kernel by `iif`: its header, where
 * the steering plan sends it, and a copy for the caller to pass on (the
 * labs' step before they hand it to a tun device, deliver it or route it).
 */
export function kernelStep(plan: SteeringPlan, iif: string, packet: Buffer, router: SimRouter): { header: Peek; verdict: Verdict; copy: Buffer } {
  const header = peekIpv4(packet)!;
  const pkt: SimPacket = {
    iif,
    source: formatIpv4(header.source),
    destination: formatIpv4(header.destination),
    protocol: header.protocol,
    ...(header.destinationPort !== undefined ? { dport: header.destinationPort } : {}),
  };
  return { header, verdict: kernelVerdict(plan, pkt, router), copy: Buffer.from(packet) };
}
