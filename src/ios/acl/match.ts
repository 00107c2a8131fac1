/**
 * Access-list evaluation: first matching entry wins; a list with rules and no
 * match denies (the implicit `deny any`). Wildcards need not be contiguous.
 */
import { formatIpv4, ipv4Number, parseIpv4, prefixToMask, type Ipv4 } from '../../codecs/net/address.js';
import type { AccessList, AclAddress, AclRule, PortMatch } from '../config/types.js';

/** The fields of a packet an access list looks at. */
export interface PacketTuple {
  protocol: number;
  source: Ipv4 | number;
  destination: Ipv4 | number;
  /** TCP/UDP ports; absent for other protocols and non-first fragments. */
  sourcePort?: number;
  destinationPort?: number;
  icmpType?: number;
  icmpCode?: number;
  /** TCP segment with ACK or RST set (what `established` matches). */
  tcpEstablished?: boolean;
}

interface CompiledAddress {
  value: number;
  /** Bits that must match (the inverse of the wildcard). */
  care: number;
}

interface CompiledRule {
  rule: AclRule;
  source: CompiledAddress;
  destination: CompiledAddress;
}

const cache = new WeakMap<AccessList, { entries: AccessList['entries']; rules: CompiledRule[] }>();

function compileAddress(a: AclAddress): CompiledAddress {
  switch (a.kind) {
    case 'any':
      return { value: 0, care: 0 };
    case 'host':
      return { value: parseIpv4(a.address), care: 0xffffffff };
    case 'wildcard': {
      const care = ~parseIpv4(a.wildcard) >>> 0;
      return { value: (parseIpv4(a.address) & care) >>> 0, care };
    }
  }
}

function compile(acl: AccessList): CompiledRule[] {
  const hit = cache.get(acl);
  if (hit && hit.entries === acl.entries) return hit.rules;
  const rules = acl.entries
    .filter((e): e is AclRule => e.type === 'rule')
    .map((rule) => ({ rule, source: compileAddress(rule.source), destination: compileAddress(rule.destination) }));
  cache.set(acl, { entries: acl.entries, rules });
  return rules;
}

function addressMatches(a: CompiledAddress, value: number): boolean {
  return (value & a.care) >>> 0 === a.value;
}

function portMatches(p: PortMatch | null, port: number | undefined): boolean {
  if (!p) return true;
  if (port === undefined) return false;
  switch (p.op) {
    case 'eq':
      return port === p.port;
    case 'neq':
      return port !== p.port;
    case 'lt':
      return port < p.port;
    case 'gt':
      return port > p.port;
    case 'range':
      return port >= p.from && port <= p.to;
  }
}

function ruleMatches(c: CompiledRule, pkt: PacketTuple, src: number, dst: number): boolean {
  const r = c.rule;
  if (r.protocol !== 'ip' && r.protocol !== pkt.protocol) return false;
  if (!addressMatches(c.source, src) || !addressMatches(c.destination, dst)) return false;
  if (!portMatches(r.sourcePort, pkt.sourcePort) || !portMatches(r.destinationPort, pkt.destinationPort)) return false;
  if (r.icmp) {
    if (pkt.icmpType !== r.icmp.type) return false;
    if (r.icmp.code !== null && pkt.icmpCode !== r.icmp.code) return false;
  }
  if (r.established && !pkt.tcpEstablished) return false;
  return true;
}

/** The first entry matching the packet, or null (the implicit deny). */
export function matchingEntry(acl: AccessList, pkt: PacketTuple): AclRule | null {
  const src = ipv4Number(pkt.source);
  const dst = acl.kind === 'standard' ? 0 : ipv4Number(pkt.destination);
  for (const c of compile(acl)) {
    if (ruleMatches(c, pkt, src, dst)) return c.rule;
  }
  return null;
}

/**
 * 'permit' or 'deny' from the first matching entry; 'deny' when no entry
 * matches (implicit deny); null when the list has no rules at all, which IOS
 * treats as no filter.
 */
export function aclMatches(acl: AccessList, pkt: PacketTuple): 'permit' | 'deny' | null {
  if (compile(acl).length === 0) return null;
  return matchingEntry(acl, pkt)?.action ?? 'deny';
}

export interface AclPrefix {
  prefix: Ipv4;
  length: number;
  /** False when the wildcard is not contiguous: the prefix then covers more than the entry. */
  exact: boolean;
}

/** An address of an entry as the smallest prefix that contains it (for kernel policy routing). */
export function addressPrefix(a: AclAddress): AclPrefix {
  if (a.kind === 'any') return { prefix: '0.0.0.0', length: 0, exact: true };
  if (a.kind === 'host') return { prefix: a.address, length: 32, exact: true };
  const wildcard = parseIpv4(a.wildcard);
  let length = 0;
  while (length < 32 && ((wildcard >>> (31 - length)) & 1) === 0) length++;
  const exact = ((wildcard + 1) & wildcard) === 0 || wildcard === 0xffffffff;
  const prefix = formatIpv4((parseIpv4(a.address) & prefixToMask(length)) >>> 0);
  return { prefix, length, exact };
}

/** Source and destination of an entry as prefixes: a superset filter when a wildcard is not contiguous. */
export function entryPrefixes(rule: AclRule): { source: AclPrefix; destination: AclPrefix } {
  return { source: addressPrefix(rule.source), destination: addressPrefix(rule.destination) };
}
