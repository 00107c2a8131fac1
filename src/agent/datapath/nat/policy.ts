/**
 * The NAT policy, compiled from the configuration: which interfaces are
 * inside and outside, the static mappings, the dynamic mappings in the order
 * written (each with its condition: an access list or a route map, and where
 * its global addresses come from: a pool or an interface), the pools and the
 * timeouts. Pure.
 *
 * A dynamic mapping translates a packet routed from an inside interface out
 * of an outside interface when its condition permits the untranslated
 * packet: for `list N`, the first matching line of access list N is a permit;
 * for `route-map M`, the first entry (in sequence order) whose match clauses
 * all hold (`match ip address A B`: one of the lists permits; `match
 * interface X Y`: the packet leaves by one of them) is a permit entry. An
 * access list that is not defined permits nothing (the emulator's reading;
 * docs/research/ios-12.2-notes.md, section 1).
 */
import { parseIpv4 } from '../../../codecs/net/address.js';
import { matchingEntry, type PacketTuple } from '../../../ios/acl/match.js';
import type { AccessList, NatPool, NatTimeouts, RouterConfig, RouteMapEntry } from '../../../ios/config/types.js';

export interface NatPoolPolicy {
  name: string;
  start: number;
  end: number;
  netmask: number;
  size: number;
}

export interface NatStatic {
  /** null: every protocol (a simple, address-only mapping); 6 or 17 with ports. */
  protocol: number | null;
  local: number;
  localPort: number;
  /** null when the global is an interface without an address. */
  global: number | null;
  globalPort: number;
}

export interface NatMapping {
  /** Position among the dynamic mappings, from 1 (show ip nat statistics). */
  id: number;
  /** `access-list 1 pool net-208`, `route-map NONAT interface FastEthernet0/0`. */
  label: string;
  overload: boolean;
  pool: NatPoolPolicy | null;
  /** The interface whose address is the global address (`interface X`), or null for a pool. */
  iface: string | null;
  /** The access list named in `list N` or `match ip address` (for `debug ip nat`'s list/map). */
  matchName: string;
  /** Whether the mapping translates this packet, leaving by `egress`. */
  matches(packet: PacketTuple, egress: string): boolean;
}

/** Milliseconds; null never expires. */
export type NatTimeoutsMs = { [K in keyof NatTimeouts]: number | null };

export interface NatPolicy {
  inside: ReadonlySet<string>;
  outside: ReadonlySet<string>;
  statics: readonly NatStatic[];
  mappings: readonly NatMapping[];
  pools: ReadonlyMap<string, NatPoolPolicy>;
  timeouts: NatTimeoutsMs;
  /** The address of each interface that has one (overload to an interface, static to an interface). */
  interfaceAddress(name: string): number | null;
  /** Whether anything can be translated at all (an inside and an outside interface, and a rule). */
  active: boolean;
}

function aclPermits(acls: ReadonlyMap<string, AccessList>, name: string, packet: PacketTuple): boolean {
  const acl = acls.get(name);
  if (!acl) return false;
  return matchingEntry(acl, packet)?.action === 'permit';
}

/** The route map's verdict for a packet: permit, deny, or null when no entry matches (not translated). */
export function routeMapVerdict(
  entries: readonly RouteMapEntry[],
  acls: ReadonlyMap<string, AccessList>,
  packet: PacketTuple,
  egress: string,
): 'permit' | 'deny' | null {
  for (const e of entries) {
    if (e.matchAddress.length > 0 && !e.matchAddress.some((n) => aclPermits(acls, n, packet))) continue;
    if (e.matchInterface.length > 0 && !e.matchInterface.includes(egress)) continue;
    return e.action;
  }
  return null;
}

function poolPolicy(p: NatPool): NatPoolPolicy {
  const start = parseIpv4(p.start);
  const end = parseIpv4(p.end);
  return { name: p.name, start, end, netmask: parseIpv4(p.netmask), size: end - start + 1 };
}

const PROTOCOL = { tcp: 6, udp: 17 } as const;

export function natPolicy(config: RouterConfig): NatPolicy {
  const acls = new Map(config.accessLists.map((a) => [a.name, a]));
  const addresses = new Map(config.interfaces.filter((i) => i.address && !i.shutdown).map((i) => [i.name, parseIpv4(i.address!.address)]));
  const interfaceAddress = (name: string) => addresses.get(name) ?? null;
  const pools = new Map(config.nat.pools.filter((p) => !p.rotary).map((p) => [p.name, poolPolicy(p)]));
  const statics: NatStatic[] = [];
  const mappings: NatMapping[] = [];
  for (const r of config.nat.rules) {
    if (r.kind === 'static') {
      statics.push({
        protocol: r.protocol ? PROTOCOL[r.protocol] : null,
        local: parseIpv4(r.local),
        localPort: r.localPort ?? 0,
        global: r.global.kind === 'address' ? parseIpv4(r.global.address) : interfaceAddress(r.global.name),
        globalPort: r.globalPort ?? 0,
      });
      continue;
    }
    const pool = r.target.kind === 'pool' ? (pools.get(r.target.pool) ?? null) : null;
    if (r.target.kind === 'pool' && !pool) continue; // an undefined (or rotary) pool: nothing to allocate from
    const target = r.target.kind === 'pool' ? `pool ${r.target.pool}` : `interface ${r.target.name}`;
    const m = r.match;
    const matches =
      m.kind === 'list'
        ? (packet: PacketTuple) => aclPermits(acls, m.acl, packet)
        : (packet: PacketTuple, egress: string) =>
            routeMapVerdict(
              config.routeMaps.filter((e) => e.name === m.name),
              acls,
              packet,
              egress,
            ) === 'permit';
    const matchName = m.kind === 'list' ? m.acl : (config.routeMaps.find((e) => e.name === m.name && e.matchAddress.length > 0)?.matchAddress[0] ?? m.name);
    mappings.push({
      id: mappings.length + 1,
      label: `${m.kind === 'list' ? `access-list ${m.acl}` : `route-map ${m.name}`} ${target}`,
      overload: r.overload,
      pool,
      iface: r.target.kind === 'interface' ? r.target.name : null,
      matchName,
      matches,
    });
  }
  const inside = new Set(config.interfaces.filter((i) => i.nat === 'inside').map((i) => i.name));
  const outside = new Set(config.interfaces.filter((i) => i.nat === 'outside').map((i) => i.name));
  const ms = (s: number | null) => (s === null ? null : s * 1000);
  const t = config.nat.timeouts;
  return {
    inside,
    outside,
    statics,
    mappings,
    pools,
    timeouts: {
      timeout: ms(t.timeout),
      udp: ms(t.udp),
      dns: ms(t.dns),
      tcp: ms(t.tcp),
      finrst: ms(t.finrst),
      icmp: ms(t.icmp),
      syn: ms(t.syn),
      pptp: ms(t.pptp),
    },
    interfaceAddress,
    active: inside.size > 0 && outside.size > 0 && (statics.length > 0 || mappings.length > 0),
  };
}

/**
 * The global addresses packets from outside may be addressed to: static
 * globals, pool addresses and the addresses of interfaces that overload
 * (the steering plan hands the agent what arrives for them).
 */
export function globalAddresses(policy: NatPolicy): { static: number[]; pools: NatPoolPolicy[]; interfaces: number[] } {
  const iface = policy.mappings.flatMap((m) => (m.iface ? [policy.interfaceAddress(m.iface)] : [])).filter((a): a is number => a !== null);
  return {
    static: [...new Set(policy.statics.map((s) => s.global).filter((a): a is number => a !== null))],
    pools: policy.mappings.flatMap((m) => (m.pool ? [m.pool] : [])).filter((p, i, all) => all.findIndex((q) => q.name === p.name) === i),
    interfaces: [...new Set(iface)],
  };
}
