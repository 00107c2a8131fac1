/**
 * Quick Mode proxies (IDci/IDcr, RFC 2409 5.5) and crypto ACLs: the proxies
 * an initiator proposes come from the ACL entry that matched the packet
 * (IOS: "local_proxy= 13.13.13.0/255.255.255.0/0/0 (type=4)"); a responder
 * accepts proposed proxies that fall inside one of its permit entries, seen
 * from its side (the mirror image).
 */
import { formatIpv4, isContiguousMask, maskToPrefix, parseIpv4, prefixToMask } from '../../codecs/net/address.js';
import { addressPrefix } from '../../ios/acl/match.js';
import type { AclAddress, AclRule, PortMatch } from '../../ios/config/types.js';
import { formatIpv4Id, type Ipv4Id } from '../../codecs/isakmp/id.js';
import type { ProxyId, Proxies } from './types.js';

/** A proxy for one ACL address: host -> IPV4_ADDR, any/wildcard -> IPV4_ADDR_SUBNET (the smallest prefix when not contiguous). */
export function proxyFromAcl(a: AclAddress, protocol: number, port: number): ProxyId {
  if (a.kind === 'host') return { idType: 1, address: a.address, protocol, port };
  if (a.kind === 'any') return { idType: 4, address: '0.0.0.0', mask: '0.0.0.0', protocol, port };
  const mask = ~parseIpv4(a.wildcard) >>> 0;
  const len = isContiguousMask(mask) ? maskToPrefix(mask) : -1;
  if (len === 32) return { idType: 1, address: a.address, protocol, port };
  if (len >= 0) return { idType: 4, address: a.address, mask: formatIpv4(prefixToMask(len)), protocol, port };
  const p = addressPrefix(a);
  return { idType: 4, address: p.prefix, mask: formatIpv4(prefixToMask(p.length)), protocol, port };
}

function portOf(p: PortMatch | null): number {
  return p && p.op === 'eq' ? p.port : 0;
}

/** The proxies an initiator proposes for an ACL permit entry: source = local, destination = remote. */
export function proxiesFromRule(rule: AclRule): Proxies {
  const protocol = rule.protocol === 'ip' ? 0 : rule.protocol;
  return {
    local: proxyFromAcl(rule.source, protocol, portOf(rule.sourcePort)),
    remote: proxyFromAcl(rule.destination, protocol, portOf(rule.destinationPort)),
  };
}

/** The IKE endpoint as a proxy (the default when Quick Mode carries no IDs). */
export function hostProxy(address: string): ProxyId {
  return { idType: 1, address, protocol: 0, port: 0 };
}

/** The first and last address a proxy covers, as unsigned numbers. */
export function proxyRange(p: ProxyId): readonly [number, number] {
  switch (p.idType) {
    case 1: {
      const a = parseIpv4(p.address);
      return [a, a];
    }
    case 4: {
      const mask = parseIpv4(p.mask);
      const start = (parseIpv4(p.address) & mask) >>> 0;
      return [start, (start | ~mask) >>> 0];
    }
    case 7:
      return [parseIpv4(p.start), parseIpv4(p.end)];
  }
}

function aclCovers(a: AclAddress, range: readonly [number, number]): boolean {
  if (a.kind === 'any') return true;
  if (a.kind === 'host') return range[0] === range[1] && range[0] === parseIpv4(a.address);
  const care = ~parseIpv4(a.wildcard) >>> 0;
  const value = (parseIpv4(a.address) & care) >>> 0;
  return (range[0] & care) >>> 0 === value && (range[1] & care) >>> 0 === value;
}

function portCovers(m: PortMatch | null, port: number): boolean {
  if (m === null) return true;
  switch (m.op) {
    case 'eq':
      return port === m.port;
    case 'neq':
      return port !== 0 && port !== m.port;
    case 'lt':
      return port !== 0 && port < m.port;
    case 'gt':
      return port !== 0 && port > m.port;
    case 'range':
      return port !== 0 && port >= m.from && port <= m.to;
  }
}

/**
 * Whether a permit entry covers a flow seen from this router: `local` inside
 * the entry's source, `remote` inside its destination, protocol and ports
 * compatible ('ip' covers every protocol; no port match covers every port).
 */
export function ruleCovers(rule: AclRule, proxies: Proxies): boolean {
  if (rule.action !== 'permit') return false;
  const { local, remote } = proxies;
  if (rule.protocol !== 'ip' && (local.protocol !== rule.protocol || remote.protocol !== rule.protocol)) return false;
  if (local.protocol !== remote.protocol && local.protocol !== 0 && remote.protocol !== 0) return false;
  if (!aclCovers(rule.source, proxyRange(local)) || !aclCovers(rule.destination, proxyRange(remote))) return false;
  return portCovers(rule.sourcePort, local.port) && portCovers(rule.destinationPort, remote.port);
}

/** Whether a permit entry covers a host pair (TED: the probe's source host and target, protocol and ports ignored). */
export function ruleCoversHosts(rule: AclRule, local: string, remote: string): boolean {
  if (rule.action !== 'permit') return false;
  const l = parseIpv4(local);
  const r = parseIpv4(remote);
  return aclCovers(rule.source, [l, l]) && aclCovers(rule.destination, [r, r]);
}

/** Whether `inner` lies inside `outer` (addresses; protocol and port equal or `outer`'s are 0). */
export function proxyWithin(inner: ProxyId, outer: ProxyId): boolean {
  const [is, ie] = proxyRange(inner);
  const [os, oe] = proxyRange(outer);
  if (is < os || ie > oe) return false;
  if (outer.protocol !== 0 && outer.protocol !== inner.protocol) return false;
  return outer.port === 0 || outer.port === inner.port;
}

/** Same type, addresses, protocol and port. */
export function sameProxy(a: Ipv4Id, b: Ipv4Id): boolean {
  return a.idType === b.idType && a.protocol === b.protocol && a.port === b.port && formatIpv4Id(a) === formatIpv4Id(b);
}

/** A stable key for a flow: "13.13.13.0/255.255.255.0:0:0>12.12.12.0/255.255.255.0:0:0". */
export function flowKey(p: Proxies): string {
  const one = (x: ProxyId) => `${formatIpv4Id(x)}:${x.protocol}:${x.port}`;
  return `${one(p.local)}>${one(p.remote)}`;
}

/** Swap sides: what the peer calls local is our remote. */
export function mirror(p: Proxies): Proxies {
  return { local: p.remote, remote: p.local };
}
