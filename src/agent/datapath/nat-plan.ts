/**
 * The NAT part of the steering plan (plan.ts): which packets the kernel
 * hands to the agent's NAT tun device, so that NAT runs where IOS runs it
 * (nat-order.ts) and the kernel translates nothing. Pure.
 *
 *   pref 105  iif INSIDE lookup NAT-EGRESS              routed out of an outside interface -> NAT tun
 *   pref 106  iif OUTSIDE to GLOBAL ipproto P lookup NAT  static and pool globals (P: ICMP, TCP, UDP, GRE, ESP, AH)
 *   pref 113  iif OUTSIDE to OWN ipproto P lookup NAT     the router's own addresses that overload (P: ICMP, TCP, UDP)
 *   NAT-EGRESS  PREFIX dev NATTUN | throw PREFIX        per route; throw for the router's own and global addresses
 *
 * Rules 105 and 106 come before the ESP and IKE rules (110-112), so that an
 * inside host's own IPsec is translated too. The rules name protocols
 * (never "any protocol") because the kernel's route check for an ARP
 * request has protocol 0: it must still reach the local table, or the router
 * would stop answering ARP for those addresses. UDP 500 and 4500 to the
 * router's own address stay IKE's (rules 111, 112); PAT never hands them out
 * there (nat/table.ts).
 */
import { broadcastAddress, networkAddress, parseIpv4, maskToPrefix } from '../../codecs/net/address.js';
import type { Route } from '../../ios/routing/routes.js';
import type { NatPolicy } from './nat/policy.js';
import { globalAddresses } from './nat/policy.js';

export interface NatPrefix {
  address: number;
  length: number;
}

export interface NatSteering {
  inside: string[];
  outside: string[];
  /** Static and pool global addresses, as prefixes covering exactly them. */
  globals: NatPrefix[];
  /** The router's own addresses that are globals (overload to an interface, static to an interface). */
  own: number[];
  /** Every address of the router, and the subnet broadcast and network of each: never NAT's (throw in the egress table). */
  router: number[];
}

/** The smallest set of prefixes that covers exactly the addresses start..end. */
export function rangePrefixes(start: number, end: number): NatPrefix[] {
  const out: NatPrefix[] = [];
  let a = start;
  while (a <= end) {
    let length = 32;
    while (length > 0) {
      const size = 2 ** (32 - (length - 1));
      if (a % size !== 0 || a + size - 1 > end) break;
      length--;
    }
    out.push({ address: a, length });
    a += 2 ** (32 - length);
  }
  return out;
}

/** What the plan needs to know about NAT, from the NAT policy and the interface addresses (IOS name -> address, mask). */
export function natSteering(policy: NatPolicy, addresses: readonly { name: string; address: string; mask: string }[]): NatSteering | null {
  if (!policy.active) return null;
  const router = new Set<number>();
  for (const a of addresses) {
    const ip = parseIpv4(a.address);
    const len = maskToPrefix(parseIpv4(a.mask));
    router.add(ip);
    if (len < 31) {
      router.add(networkAddress(ip, len));
      router.add(broadcastAddress(ip, len));
    }
  }
  const own = new Set(addresses.map((a) => parseIpv4(a.address)));
  const g = globalAddresses(policy);
  const globals: NatPrefix[] = [
    ...g.static.filter((a) => !own.has(a)).map((address) => ({ address, length: 32 })),
    ...g.pools.flatMap((p) => rangePrefixes(p.start, p.end)),
  ];
  return {
    inside: [...policy.inside],
    outside: [...policy.outside],
    globals,
    own: [...new Set([...g.interfaces, ...g.static.filter((a) => own.has(a))])],
    router: [...router],
  };
}

/** The NAT egress table: prefixes routed out of an outside interface lead into the NAT tun device, everything else is thrown back. */
export function natEgress(nat: NatSteering, routes: readonly Route[]): { prefix: NatPrefix; target: 'tun' | 'throw' }[] {
  const outside = new Set(nat.outside);
  return [
    ...routes.map((r) => ({
      prefix: { address: parseIpv4(r.prefix), length: r.length },
      target: r.paths.some((p) => outside.has(p.outInterface)) ? ('tun' as const) : ('throw' as const),
    })),
    ...[...nat.router, ...nat.own].map((address) => ({ prefix: { address, length: 32 }, target: 'throw' as const })),
    ...nat.globals.map((prefix) => ({ prefix, target: 'throw' as const })),
  ];
}

/** Protocols a static or pool global takes through NAT; the router's own address takes only these three (ESP, IKE and GRE for it are its own). */
export const NAT_GLOBAL_PROTOCOLS = [1, 6, 17, 47, 50, 51] as const;
export const NAT_OWN_PROTOCOLS = [1, 6, 17] as const;
