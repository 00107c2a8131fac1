/**
 * The steering plan: which packets the kernel hands to the agent, as data
 * (Linux policy rules and the routes of the agent's tables), derived from
 * the crypto maps, the interfaces they are applied to and the routing table.
 * Pure: steering.ts prints it as `ip -batch` lines, the unit tests evaluate
 * it the way Linux does.
 *
 * IOS applies a crypto map only to packets that leave by the interface
 * carrying it (docs/architecture.md). A policy rule cannot see where a
 * packet will leave, so the candidate rules (`from LOCAL to REMOTE`, one per
 * permit line) look up the egress table, a copy of the routing table in
 * which prefixes routed out of a crypto-map interface lead into the agent's
 * tun device and every other prefix is thrown back to the next rule. The
 * router's own addresses (and the kernel's route check for ARP) meet the
 * local table before any crypto rule. Deny lines become exemptions where
 * that is certainly right for every entry (see `neverPermits`); the rest
 * is left to the agent, which checks every packet exactly (crypto-policy.ts).
 *
 *   pref 100/101  iif TUN: local, then main         what the agent writes back is routed normally
 *   pref 110-112  iif IF ESP, UDP 500, UDP 4500     for the router's own addresses (own table) -> agent;
 *                                                   crossing it -> main (forwarded by the kernel, as the
 *                                                   agent did: it applies no crypto map to them), except
 *                                                   UDP 500 on a router with a TED entry -> agent (a
 *                                                   probe crossing it may be its to answer)
 *   pref 113      iif IF to SRC ipproto 47          GRE for a tunnel source address -> agent (gre.ts)
 *   pref 115      lookup local                      the router's own addresses: never diverted
 *   pref 120      iif CRYPTO-IF from B to A         deny lines, mirrored -> main (exempt)
 *   pref 130      iif CRYPTO-IF from REMOTE to LOCAL  clear text that should have been ESP -> drop tun
 *   pref 200      from A to B                       deny lines -> main (exempt)
 *   pref 210      from LOCAL to REMOTE              permit lines -> egress table
 *   egress table  PREFIX dev TUN | throw PREFIX     per route of the routing table
 *   own table     ADDRESS/32 dev TUN                per address of the router (no default: the rest
 *                                                   goes on to the next rule)
 */
import { addressPrefix, type AclPrefix } from '../../ios/acl/match.js';
import type { AccessList, AclRule, RouterConfig } from '../../ios/config/types.js';
import type { Route } from '../../ios/routing/routes.js';
import { inPrefix, parseIpv4 } from '../../codecs/net/address.js';
import type { CryptoMapPolicy, IkePolicy } from '../ike/policy.js';
import { NAT_GLOBAL_PROTOCOLS, NAT_OWN_PROTOCOLS, natEgress, type NatSteering } from './nat-plan.js';

/** Everything into the agent's tun device (ESP and IKE). */
export const TUN_TABLE = 200;
/** Everything into the drop tun device. */
export const DROP_TABLE = 201;
/** The routing table, with routes out of crypto-map interfaces leading into the tun device. */
export const EGRESS_TABLE = 202;
/** The routing table with routes out of NAT outside interfaces leading into the NAT tun device (nat-plan.ts). */
export const NAT_EGRESS_TABLE = 203;
/** Everything into the NAT tun device. */
export const NAT_TABLE = 204;
/** The router's own addresses into the tun device, nothing else (ESP and IKE for the router). */
export const OWN_TABLE = 205;
/** `iif` of the rules for what the agent writes back. */
export const TUN_IIF = '@tun';

export const PREF = {
  tunLocal: 100,
  tunMain: 101,
  natInside: 105,
  natGlobal: 106,
  esp: 110,
  ike: 111,
  natT: 112,
  natOwn: 113,
  gre: 114,
  local: 115,
  inboundExempt: 120,
  inboundDrop: 130,
  exempt: 200,
  candidate: 210,
} as const;

export interface Prefix {
  /** Network address as an unsigned 32-bit number. */
  address: number;
  length: number;
}

export interface PlanRule {
  pref: number;
  /** IOS interface name, or TUN_IIF. */
  iif?: string;
  from?: Prefix;
  to?: Prefix;
  protocol?: number;
  dport?: number;
  table: 'local' | 'main' | typeof TUN_TABLE | typeof OWN_TABLE | typeof DROP_TABLE | typeof EGRESS_TABLE | typeof NAT_EGRESS_TABLE | typeof NAT_TABLE;
}

export interface PlanRoute {
  prefix: Prefix;
  /** Into the tun device, or back to the next rule. */
  target: 'tun' | 'throw';
}

export interface SteeringPlan {
  /** In order: by preference, and in insertion order within one preference (as Linux keeps them). */
  rules: PlanRule[];
  /** The egress table. */
  egress: PlanRoute[];
  /** The NAT egress table (empty without NAT). */
  natEgress: PlanRoute[];
  /** The own table: the router's addresses (unsigned 32-bit), sorted. */
  own: number[];
}

export interface PlanInput {
  policy: IkePolicy;
  /** The routing table (computeRoutes). */
  routes: readonly Route[];
  /** IOS names of the interfaces on lab links. */
  links: readonly string[];
  /** The router's own addresses (every interface's, secondaries too), unsigned 32-bit: ESP and IKE to them is the agent's. */
  own: Iterable<number>;
  /** NAT, when the router translates (nat-plan.ts). */
  nat?: NatSteering | null;
  /** Source addresses of the GRE tunnels: GRE to them goes to the agent, which has the tunnels. */
  greEndpoints?: readonly string[];
}

interface Selector {
  from: Prefix;
  to: Prefix;
  /** null: every protocol. */
  protocol: number | null;
}

interface Line {
  rule: AclRule;
  source: AclPrefix;
  destination: AclPrefix;
  protocol: number | null;
  /** No ports, ICMP type or `established`: the line is its addresses and protocol. */
  plain: boolean;
}

const prefixOf = (p: AclPrefix): Prefix => ({ address: parseIpv4(p.prefix), length: p.length });

function lineOf(rule: AclRule): Line {
  return {
    rule,
    source: addressPrefix(rule.source),
    destination: addressPrefix(rule.destination),
    protocol: rule.protocol === 'ip' ? null : rule.protocol,
    plain: rule.sourcePort === null && rule.destinationPort === null && rule.icmp === null && !rule.established,
  };
}

function linesOf(acl: AccessList): Line[] {
  return acl.entries.filter((e): e is AclRule => e.type === 'rule').map(lineOf);
}

export function prefixContains(outer: Prefix, inner: Prefix): boolean {
  return outer.length <= inner.length && inPrefix(inner.address, outer.address, outer.length);
}

function overlaps(a: Prefix, b: Prefix): boolean {
  return prefixContains(a, b) || prefixContains(b, a);
}

function protocolsMeet(a: number | null, b: number | null): boolean {
  return a === null || b === null || a === b;
}

/**
 * Whether `acl` permits none of the packets `sel` selects: a deny line that
 * covers the whole selector comes before every permit line that could match
 * one of them (non-contiguous wildcards count as their covering prefix, so
 * the answer errs towards "may permit").
 */
export function neverPermits(acl: AccessList, sel: Selector): boolean {
  for (const l of linesOf(acl)) {
    if (!protocolsMeet(l.protocol, sel.protocol)) continue;
    const src = prefixOf(l.source);
    const dst = prefixOf(l.destination);
    if (!overlaps(src, sel.from) || !overlaps(dst, sel.to)) continue;
    if (l.rule.action === 'permit') return false;
    const covers = l.plain && l.source.exact && l.destination.exact && (l.protocol === null || l.protocol === sel.protocol);
    if (covers && prefixContains(src, sel.from) && prefixContains(dst, sel.to)) return true;
  }
  return true;
}

/** The router's own addresses: every interface's, secondaries too (what ESP and IKE may be addressed to). */
export function ownAddresses(config: RouterConfig): Set<number> {
  return new Set(config.interfaces.flatMap((i) => [i.address, ...i.secondary].flatMap((a) => (a ? [parseIpv4(a.address)] : []))));
}

/** Maps that are applied to an interface and have an entry with an access list. */
function activeMaps(policy: IkePolicy): CryptoMapPolicy[] {
  return policy.cryptoMaps.filter((m) => m.interfaces.length > 0 && m.entries.some((e) => e.acl !== null));
}

function aclsOf(map: CryptoMapPolicy): AccessList[] {
  return map.entries.map((e) => e.acl).filter((a): a is AccessList => a !== null);
}

function selectorOf(l: Line): Selector {
  return { from: prefixOf(l.source), to: prefixOf(l.destination), protocol: l.protocol };
}

const mirror = (s: Selector): Selector => ({ from: s.to, to: s.from, protocol: s.protocol });
const selectorKey = (s: Selector) => `${s.from.address}/${s.from.length} ${s.to.address}/${s.to.length} ${s.protocol ?? ''}`;

function unique(sels: Selector[]): Selector[] {
  const seen = new Map<string, Selector>();
  for (const s of sels) if (!seen.has(selectorKey(s))) seen.set(selectorKey(s), s);
  return [...seen.values()];
}

const selOverlaps = (a: Selector, b: Selector) => protocolsMeet(a.protocol, b.protocol) && overlaps(a.from, b.from) && overlaps(a.to, b.to);

/** Deny lines of `acls` that exempt for certain in every ACL of `judges` and overlap one of `candidates`. */
function exemptions(acls: AccessList[], judges: AccessList[], candidates: Selector[]): Selector[] {
  const denies = acls.flatMap(linesOf).filter((l) => l.rule.action === 'deny' && l.plain && l.source.exact && l.destination.exact);
  return unique(denies.map(selectorOf)).filter((s) => candidates.some((c) => selOverlaps(c, s)) && judges.every((acl) => neverPermits(acl, s)));
}

function rule(pref: number, s: Selector, table: PlanRule['table'], iif?: string): PlanRule {
  return { pref, ...(iif ? { iif } : {}), from: s.from, to: s.to, ...(s.protocol === null ? {} : { protocol: s.protocol }), table };
}

/** The plan for a policy, a routing table and the interfaces on lab links. */
export function steeringPlan({ policy, routes, links, own, nat, greEndpoints = [] }: PlanInput): SteeringPlan {
  const rules: PlanRule[] = [
    { pref: PREF.tunLocal, iif: TUN_IIF, table: 'local' },
    { pref: PREF.tunMain, iif: TUN_IIF, table: 'main' },
  ];
  const maps = activeMaps(policy);
  // a TED probe crossing the router is its to answer when an entry with `discover` protects the pair (discovery.ts)
  const answersProbes = maps.some((m) => m.entries.some((e) => e.discover));
  for (const iif of links) {
    // for the router: the agent; crossing it: forwarded as they are (the agent did no more with them)
    const ownThenMain = (pref: number, protocol: number, dport?: number) => {
      const sel = { pref, iif, protocol, ...(dport ? { dport } : {}) };
      rules.push({ ...sel, table: OWN_TABLE }, { ...sel, table: 'main' });
    };
    ownThenMain(PREF.esp, 50);
    if (answersProbes) rules.push({ pref: PREF.ike, iif, protocol: 17, dport: 500, table: TUN_TABLE });
    else ownThenMain(PREF.ike, 17, 500);
    ownThenMain(PREF.natT, 17, 4500);
    for (const a of new Set(greEndpoints)) rules.push({ pref: PREF.gre, iif, to: { address: parseIpv4(a), length: 32 }, protocol: 47, table: TUN_TABLE });
  }
  if (nat) rules.push(...natRules(nat, links));
  rules.push({ pref: PREF.local, table: 'local' });

  const allAcls = maps.flatMap(aclsOf);
  const permits = (acls: AccessList[]) =>
    unique(
      acls
        .flatMap(linesOf)
        .filter((l) => l.rule.action === 'permit')
        .map(selectorOf),
    );

  for (const map of maps) {
    const acls = aclsOf(map);
    const drops = permits(acls).map(mirror);
    const exempt = exemptions(acls, acls, permits(acls)).map(mirror);
    for (const iface of map.interfaces) {
      if (!links.includes(iface.name)) continue;
      for (const s of exempt) rules.push(rule(PREF.inboundExempt, s, 'main', iface.name));
      for (const s of drops) rules.push(rule(PREF.inboundDrop, s, DROP_TABLE, iface.name));
    }
  }

  const candidates = permits(allAcls);
  for (const s of exemptions(allAcls, allAcls, candidates)) rules.push(rule(PREF.exempt, s, 'main'));
  for (const s of candidates) rules.push(rule(PREF.candidate, s, EGRESS_TABLE));
  rules.sort((a, b) => a.pref - b.pref);

  const cryptoIfaces = new Set(maps.flatMap((m) => m.interfaces.map((i) => i.name)));
  const egress: PlanRoute[] =
    candidates.length === 0
      ? []
      : routes.map((r) => ({
          prefix: { address: parseIpv4(r.prefix), length: r.length },
          target: r.paths.some((p) => cryptoIfaces.has(p.outInterface)) ? 'tun' : 'throw',
        }));
  return { rules, egress, natEgress: nat ? natEgress(nat, routes) : [], own: [...new Set(own)].sort((a, b) => a - b) };
}

/** NAT's rules (nat-plan.ts): inside interfaces into the NAT egress table, globals from outside into the NAT tun device. */
function natRules(nat: NatSteering, links: readonly string[]): PlanRule[] {
  const rules: PlanRule[] = [];
  for (const iif of nat.inside.filter((i) => links.includes(i))) rules.push({ pref: PREF.natInside, iif, table: NAT_EGRESS_TABLE });
  for (const iif of nat.outside.filter((i) => links.includes(i))) {
    for (const to of nat.globals) for (const protocol of NAT_GLOBAL_PROTOCOLS) rules.push({ pref: PREF.natGlobal, iif, to, protocol, table: NAT_TABLE });
    for (const address of nat.own)
      for (const protocol of NAT_OWN_PROTOCOLS) rules.push({ pref: PREF.natOwn, iif, to: { address, length: 32 }, protocol, table: NAT_TABLE });
  }
  return rules;
}
