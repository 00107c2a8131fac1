/**
 * Inside source NAT, as IOS 12.2 does it: a packet routed from an inside
 * interface out of an outside interface has its source translated (static
 * mapping, then an existing translation, then the first dynamic mapping whose
 * access list or route map permits it, which allocates one); a packet that
 * arrives by an outside interface for an inside global address has its
 * destination translated back. ICMP errors are translated with the packet
 * they quote. Packets are changed in place. Pure: the clock comes in through
 * the deps, and `debug ip nat` lines go out through them.
 *
 * Where NAT sits among the other steps (before the crypto map check on the
 * way out, after decryption on the way in) is the caller's business: see
 * nat-order.ts.
 */
import { formatIpv4 } from '../../../codecs/net/address.js';
import type { PacketTuple } from '../../../ios/acl/match.js';
import type { NatMapping, NatPolicy } from './policy.js';
import {
  ICMP_ERRORS,
  ICMP_QUERIES,
  icmpId,
  quotedPacket,
  rewriteQuoted,
  setDestination,
  setDestinationPort,
  setIcmpId,
  setSource,
  setSourcePort,
} from './rewrite.js';
import { NatTable, type FlowKey, type NatEntry } from './table.js';

const TCP = 6;
const UDP = 17;
const ICMP = 1;
const TCP_FIN = 0x01;
const TCP_RST = 0x04;

export interface NatDeps {
  now(): number;
  /** A `debug ip nat` line (the caller prints it only while debugging is on). */
  debug(line: string): void;
  /** The router's own addresses (PAT never hands out UDP 500 or 4500 on them). */
  isRouterAddress(address: number): boolean;
}

export type NatVerdict = 'translated' | 'untranslated' | 'drop';

/** The fields of a whole IPv4 packet NAT and access lists look at. */
export interface Flow extends PacketTuple {
  source: number;
  destination: number;
  /** Ports; the identifier (both) for ICMP queries; 0 when absent. */
  sport: number;
  dport: number;
  tcpFlags: number;
  ipId: number;
}

/** Reads the flow of a whole (unfragmented) IPv4 packet. */
export function flowOf(p: Buffer): Flow {
  const ihl = (p[0]! & 0x0f) * 4;
  const protocol = p[9]!;
  const flow: Flow = { protocol, source: p.readUInt32BE(12), destination: p.readUInt32BE(16), sport: 0, dport: 0, tcpFlags: 0, ipId: p.readUInt16BE(4) };
  if ((protocol === TCP || protocol === UDP) && p.length >= ihl + 4) {
    flow.sport = flow.sourcePort = p.readUInt16BE(ihl);
    flow.dport = flow.destinationPort = p.readUInt16BE(ihl + 2);
    if (protocol === TCP && p.length >= ihl + 14) {
      flow.tcpFlags = p[ihl + 13]!;
      flow.tcpEstablished = (flow.tcpFlags & 0x14) !== 0;
    }
  } else if (protocol === ICMP && p.length >= ihl + 8) {
    flow.icmpType = p[ihl]!;
    flow.icmpCode = p[ihl + 1]!;
    if (ICMP_QUERIES.has(flow.icmpType)) flow.sport = flow.dport = icmpId(p);
  }
  return flow;
}

const ip = formatIpv4;

export class Nat {
  private policy: NatPolicy | null = null;
  readonly table: NatTable;
  /** Allocation failures per pool ("misses" of show ip nat statistics' pool lines). */
  readonly poolMisses = new Map<string, number>();

  constructor(private readonly deps: NatDeps) {
    this.table = new NatTable(deps.isRouterAddress);
  }

  get current(): NatPolicy | null {
    return this.policy;
  }

  /** A new configuration: the static entries follow it; dynamic translations stay until they time out or are cleared. */
  setPolicy(policy: NatPolicy): void {
    this.policy = policy;
    this.table.setStatics(policy.statics, this.deps.now());
  }

  /** Whether a packet from outside to this address may be NAT's business. */
  isGlobal(address: number): boolean {
    const p = this.policy;
    if (!p?.active) return false;
    if (this.table.holdsGlobal(address)) return true;
    if (p.statics.some((s) => s.global === address)) return true;
    if (p.mappings.some((m) => m.pool && address >= m.pool.start && address <= m.pool.end)) return true;
    return p.mappings.some((m) => m.iface !== null && p.interfaceAddress(m.iface) === address);
  }

  private timeoutOf(e: NatEntry): number | null {
    const t = this.policy!.timeouts;
    if (e.kind === 'simple') return t.timeout;
    switch (e.protocol) {
      case TCP:
        return e.closing ? t.finrst : e.synOnly ? t.syn : t.tcp;
      case UDP:
        return e.insideLocalPort === 53 || e.outsidePort === 53 ? t.dns : t.udp;
      case ICMP:
        return t.icmp;
      default:
        return t.timeout;
    }
  }

  private touch(e: NatEntry, f: Flow, fromOutside: boolean): void {
    if (e.static && e.kind === 'simple') return;
    e.used = this.deps.now();
    if (e.protocol === TCP) {
      if (f.tcpFlags & (TCP_FIN | TCP_RST)) e.closing = true;
      if (fromOutside) e.synOnly = false;
    }
    if (!e.static) e.timeout = this.timeoutOf(e);
  }

  // ------------------------------------------------------------ outbound

  /** Inside to outside, leaving by `egress`: translate the source, or say why not. */
  outbound(p: Buffer, egress: string): NatVerdict {
    const policy = this.policy;
    if (!policy?.active || !policy.outside.has(egress)) return 'untranslated';
    const f = flowOf(p);
    if (f.protocol === ICMP && f.icmpType !== undefined && ICMP_ERRORS.has(f.icmpType)) return this.outboundError(p, f);
    const key: FlowKey = { protocol: f.protocol, local: f.source, localPort: f.sport, outside: f.destination, outsidePort: f.dport };
    let entry = this.table.findOutbound(key);
    let created = false;
    if (entry) {
      this.table.counters.hits++;
    } else {
      const mapping = policy.mappings.find((m) => m.matches(f, egress));
      if (!mapping) return 'untranslated';
      this.table.counters.misses++;
      entry = this.allocate(key, mapping) ?? undefined;
      if (!entry) {
        if (mapping.pool) this.poolMisses.set(mapping.pool.name, (this.poolMisses.get(mapping.pool.name) ?? 0) + 1);
        this.deps.debug(`NAT: failed to allocate address for ${ip(f.source)}, list/map ${mapping.matchName}`);
        this.deps.debug(`NAT: translation failed (A), dropping packet s=${ip(f.source)} d=${ip(f.destination)}`);
        return 'drop';
      }
      created = true;
    }
    this.touch(entry, f, false);
    setSource(p, entry.insideGlobal);
    if (entry.kind === 'extended') {
      if (f.protocol === TCP || f.protocol === UDP) setSourcePort(p, entry.insideGlobalPort);
      else if (f.protocol === ICMP) setIcmpId(p, entry.insideGlobalPort);
    }
    this.deps.debug(`${created ? 'NAT' : 'NAT*'}: s=${ip(f.source)}->${ip(entry.insideGlobal)}, d=${ip(f.destination)} [${f.ipId}]`);
    return 'translated';
  }

  private allocate(key: FlowKey, m: NatMapping): NatEntry | null {
    const policy = this.policy!;
    const now = this.deps.now();
    const globals: number[] = [];
    if (m.pool) for (let a = m.pool.start; a <= m.pool.end; a++) globals.push(a);
    else if (m.iface) {
      const a = policy.interfaceAddress(m.iface);
      if (a !== null) globals.push(a);
    }
    if (globals.length === 0) return null;
    if (m.overload) return this.table.allocateExtended(key, globals, m, now, this.extendedTimeout(key));
    if (m.pool) return this.table.allocateSimple(key.local, m.pool, m, now, policy.timeouts.timeout);
    return this.table.allocateSimple(
      key.local,
      { name: m.iface!, start: globals[0]!, end: globals[0]!, netmask: 0xffffffff, size: 1 },
      m,
      now,
      policy.timeouts.timeout,
    );
  }

  private extendedTimeout(k: FlowKey): number | null {
    const t = this.policy!.timeouts;
    if (k.protocol === TCP) return t.syn;
    if (k.protocol === UDP) return k.localPort === 53 || k.outsidePort === 53 ? t.dns : t.udp;
    if (k.protocol === ICMP) return t.icmp;
    return t.timeout;
  }

  /** An ICMP error from inside about a packet that came from outside through a translation. */
  private outboundError(p: Buffer, f: Flow): NatVerdict {
    const inner = quotedPacket(p);
    if (inner === null) return 'untranslated';
    const q = quotedFlow(p, inner);
    const entry = this.table.findOutbound({ protocol: q.protocol, local: q.destination, localPort: q.dport, outside: q.source, outsidePort: q.sport });
    if (!entry) return 'untranslated';
    this.table.counters.hits++;
    setSource(p, entry.insideGlobal);
    rewriteQuoted(p, inner, 'destination', entry.insideGlobal, entry.kind === 'extended' ? entry.insideGlobalPort : null);
    this.deps.debug(`NAT*: s=${ip(f.source)}->${ip(entry.insideGlobal)}, d=${ip(f.destination)} [${f.ipId}]`);
    return 'translated';
  }

  // ------------------------------------------------------------ inbound

  /** Outside to inside: translate the destination back when it is an inside global address with a translation. */
  inbound(p: Buffer): NatVerdict {
    if (!this.policy?.active) return 'untranslated';
    const f = flowOf(p);
    if (f.protocol === ICMP && f.icmpType !== undefined && ICMP_ERRORS.has(f.icmpType)) return this.inboundError(p, f);
    const entry = this.table.findInbound(f.protocol, f.destination, f.dport, f.source, f.sport);
    if (!entry) return 'untranslated';
    this.table.counters.hits++;
    this.touch(entry, f, true);
    setDestination(p, entry.insideLocal);
    if (entry.kind === 'extended') {
      if (f.protocol === TCP || f.protocol === UDP) setDestinationPort(p, entry.insideLocalPort);
      else if (f.protocol === ICMP) setIcmpId(p, entry.insideLocalPort);
    }
    this.deps.debug(`NAT*: s=${ip(f.source)}, d=${ip(f.destination)}->${ip(entry.insideLocal)} [${f.ipId}]`);
    return 'translated';
  }

  /** An ICMP error from outside about a packet that left translated. */
  private inboundError(p: Buffer, f: Flow): NatVerdict {
    const inner = quotedPacket(p);
    if (inner === null) return 'untranslated';
    const q = quotedFlow(p, inner);
    const entry = this.table.findInbound(q.protocol, q.source, q.sport, q.destination, q.dport);
    if (!entry) return 'untranslated';
    this.table.counters.hits++;
    setDestination(p, entry.insideLocal);
    rewriteQuoted(p, inner, 'source', entry.insideLocal, entry.kind === 'extended' ? entry.insideLocalPort : null);
    this.deps.debug(`NAT*: s=${ip(f.source)}, d=${ip(f.destination)}->${ip(entry.insideLocal)} [${f.ipId}]`);
    return 'translated';
  }

  // ------------------------------------------------------------ upkeep

  sweep(now: number): number {
    return this.table.sweep(now);
  }

  /** `clear ip nat translation *`. */
  clear(): number {
    return this.table.clearDynamic();
  }

  /** `clear ip nat statistics`. */
  clearStatistics(): void {
    Object.assign(this.table.counters, { hits: 0, misses: 0, expired: 0, tableFull: 0 });
    this.poolMisses.clear();
  }
}

/** The flow of the packet an ICMP error quotes (ports from its first 8 bytes). */
function quotedFlow(p: Buffer, inner: number): { protocol: number; source: number; destination: number; sport: number; dport: number } {
  const ihl = (p[inner]! & 0x0f) * 4;
  const protocol = p[inner + 9]!;
  const l4 = inner + ihl;
  let sport = 0;
  let dport = 0;
  if ((protocol === TCP || protocol === UDP) && p.length >= l4 + 4) {
    sport = p.readUInt16BE(l4);
    dport = p.readUInt16BE(l4 + 2);
  } else if (protocol === ICMP && p.length >= l4 + 8 && ICMP_QUERIES.has(p[l4]!)) {
    sport = dport = p.readUInt16BE(l4 + 4);
  }
  return { protocol, source: p.readUInt32BE(inner + 12), destination: p.readUInt32BE(inner + 16), sport, dport };
}
