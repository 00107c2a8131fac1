/**
 * The exact per-packet crypto decision, as IOS makes it: only the crypto map
 * of the interface a packet leaves by is consulted; its entries are tried in
 * sequence order (a dynamic map's entries at the place of the entry that
 * names it); an entry protects the packet when the first line of its access
 * list that matches is a permit. A deny line (or no match) exempts the
 * packet from that entry only, and the next entry is tried: "If all the
 * crypto map entries for that interface deny this traffic, it is not
 * protected" (Cisco, see docs/architecture.md). Pure.
 */
import { matchingEntry, type PacketTuple } from '../../ios/acl/match.js';
import type { AclRule } from '../../ios/config/types.js';
import type { CryptoMapEntryPolicy, CryptoMapPolicy, IkePolicy } from '../ike/policy.js';

export interface CryptoMatch {
  map: CryptoMapPolicy;
  entry: CryptoMapEntryPolicy;
  rule: AclRule;
}

/** The crypto map applied to an interface, if any. */
export function mapOn(policy: IkePolicy, iface: string): CryptoMapPolicy | undefined {
  return policy.cryptoMaps.find((m) => m.interfaces.some((i) => i.name === iface));
}

/** The entry that protects a packet leaving by `iface`, or null when none does (the packet goes in clear). */
export function outboundEntry(policy: IkePolicy, iface: string, packet: PacketTuple): CryptoMatch | null {
  const map = mapOn(policy, iface);
  if (!map) return null;
  for (const entry of map.entries) {
    if (!entry.acl) continue;
    const rule = matchingEntry(entry.acl, packet);
    if (rule?.action === 'permit') return { map, entry, rule };
  }
  return null;
}

/**
 * The entry under which a clear-text packet that arrived by `iface` should
 * have been ESP: the entry that would protect its mirror image on the way
 * out (IOS checks inbound traffic against the same access lists, mirrored).
 */
export function inboundEntry(policy: IkePolicy, iface: string, packet: PacketTuple): CryptoMatch | null {
  const mirror: PacketTuple = {
    protocol: packet.protocol,
    source: packet.destination,
    destination: packet.source,
    ...(packet.destinationPort === undefined ? {} : { sourcePort: packet.destinationPort }),
    ...(packet.sourcePort === undefined ? {} : { destinationPort: packet.sourcePort }),
  };
  return outboundEntry(policy, iface, mirror);
}
