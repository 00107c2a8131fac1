/**
 * Interface access groups (`ip access-group N in|out`) for the packets the
 * agent handles: the kernel filters what it forwards and delivers itself
 * (acl-rules.ts), but a decrypted packet comes out of the agent, and a
 * packet steered to the agent leaves by an interface the kernel never saw it
 * leave by. IOS 12.2 checks the inbound access group on the ESP and again on
 * the decrypted packet, and the outbound one on the clear packet before
 * encryption, never on the ESP (Cisco Field Notice 29690; docs/architecture.md).
 *
 * The first matching line decides (an access list with lines and no match
 * denies; one that is not defined, or has no lines, permits); each match is
 * counted for `show access-lists`. A non-initial fragment has no ports: a
 * line that names ports or ICMP types matches it when it permits and is
 * skipped when it denies, as IOS does with fragments. A denied packet is
 * answered with ICMP administratively prohibited, at most one every 500 ms
 * (IOS's `ip icmp rate-limit unreachable` default). Pure but for the deps.
 */
import { encodeIcmpError, ICMP_CODE_ADMIN_PROHIBITED, ICMP_DEST_UNREACHABLE } from '../../codecs/net/icmp.js';
import { encodeIpv4, IPPROTO_ICMP } from '../../codecs/net/ipv4.js';
import { matchingEntry, type PacketTuple } from '../../ios/acl/match.js';
import type { AccessList, AclRule, RouterConfig } from '../../ios/config/types.js';
import { AclLogger } from './acl-log.js';
import { peekIpv4 } from './packet.js';

export const UNREACHABLE_INTERVAL_MS = 500;

export interface AclFilterDeps {
  config(): RouterConfig;
  /** The address of the interface a reply to this source leaves by (the ICMP's source). */
  sourceFor(destination: number): number | null;
  /** Send a packet the router makes (an ICMP unreachable). */
  send(packet: Buffer): void;
  log(text: string): void;
  now(): number;
}

/** Matches per access list name and line (sequence number). */
export type MatchCounts = Map<string, Map<number, number>>;

function tupleOf(p: Buffer): PacketTuple & { fragment: boolean } {
  const h = peekIpv4(p)!;
  const t: PacketTuple & { fragment: boolean } = { protocol: h.protocol, source: h.source, destination: h.destination, fragment: h.laterFragment };
  if (h.sourcePort !== undefined) t.sourcePort = h.sourcePort;
  if (h.destinationPort !== undefined) t.destinationPort = h.destinationPort;
  if (!h.laterFragment && h.protocol === 1 && p.length >= h.headerLength + 2) {
    t.icmpType = p[h.headerLength]!;
    t.icmpCode = p[h.headerLength + 1]!;
  }
  if (!h.laterFragment && h.protocol === 6 && p.length >= h.headerLength + 14) t.tcpEstablished = (p[h.headerLength + 13]! & 0x14) !== 0;
  return t;
}

const layer4 = (r: AclRule) => r.sourcePort !== null || r.destinationPort !== null || r.icmp !== null || r.established;

/** The line of `acl` that decides for a packet (null: the implicit deny), with IOS's reading of non-initial fragments. */
export function decidingLine(acl: AccessList, t: PacketTuple & { fragment?: boolean }): AclRule | null {
  if (!t.fragment) return matchingEntry(acl, t);
  const rules = acl.entries.filter((e): e is AclRule => e.type === 'rule');
  for (const r of rules) {
    if (layer4(r)) {
      if (r.action === 'deny') continue;
      const l3 = { ...r, sourcePort: null, destinationPort: null, icmp: null, established: false };
      if (matchingEntry({ ...acl, entries: [l3] }, t)) return r;
      continue;
    }
    if (matchingEntry({ ...acl, entries: [r] }, t)) return r;
  }
  return null;
}

export class AclFilter {
  readonly counts: MatchCounts = new Map();
  readonly logger: AclLogger;
  /** Packets denied (and dropped) by the agent's checks. */
  denied = 0;
  private lastUnreachable = -Infinity;

  constructor(private readonly deps: AclFilterDeps) {
    this.logger = new AclLogger(deps.log);
  }

  private count(acl: string, seq: number): void {
    let lines = this.counts.get(acl);
    if (!lines) this.counts.set(acl, (lines = new Map()));
    lines.set(seq, (lines.get(seq) ?? 0) + 1);
  }

  /** Whether the access group of `iface` in direction `dir` lets the packet through; a denied packet is dropped here and answered. */
  permits(packet: Buffer, iface: string, dir: 'in' | 'out'): boolean {
    const config = this.deps.config();
    const i = config.interfaces.find((x) => x.name === iface);
    const name = dir === 'in' ? i?.accessGroupIn : i?.accessGroupOut;
    if (!name) return true;
    const acl = config.accessLists.find((a) => a.name === name);
    if (!acl || !acl.entries.some((e) => e.type === 'rule')) return true;
    const t = tupleOf(packet);
    const rule = decidingLine(acl, t);
    if (rule) {
      this.count(acl.name, rule.seq);
      if (rule.log)
        this.logger.note(
          { acl: acl.name, standard: acl.kind === 'standard', action: rule.action, input: rule.log === 'log-input' && dir === 'in' ? iface : null },
          { ...t, source: packet.readUInt32BE(12), destination: packet.readUInt32BE(16) },
          this.deps.now(),
        );
      if (rule.action === 'permit') return true;
    }
    this.denied++;
    this.unreachable(packet);
    return false;
  }

  /** ICMP administratively prohibited to the sender, at most one per 500 ms; never about an ICMP error. */
  private unreachable(packet: Buffer): void {
    const h = peekIpv4(packet)!;
    if (h.protocol === IPPROTO_ICMP && !h.laterFragment && [3, 4, 5, 11, 12].includes(packet[h.headerLength] ?? -1)) return;
    const now = this.deps.now();
    if (now - this.lastUnreachable < UNREACHABLE_INTERVAL_MS) return;
    const from = this.deps.sourceFor(h.source);
    if (from === null) return;
    this.lastUnreachable = now;
    const icmp = encodeIcmpError(ICMP_DEST_UNREACHABLE, ICMP_CODE_ADMIN_PROHIBITED, packet.subarray(0, h.totalLength));
    this.deps.send(encodeIpv4({ protocol: IPPROTO_ICMP, source: from, destination: h.source, ttl: 255 }, icmp));
  }

  /** `clear access-list counters [name]`. */
  clear(name: string | null): void {
    if (name === null) this.counts.clear();
    else this.counts.delete(name);
  }
}
