/**
 * The IP routing table computed from the configuration: connected routes of
 * interfaces that are up, routes learned by the routing protocols (OSPF,
 * EIGRP, RIP: what FRR holds, src/agent/routing), static routes whose next
 * hop resolves (recursively) through them, the lowest administrative
 * distance per prefix, equal-cost paths kept together. Used by `show ip
 * route`, to program the kernel's static routes and to steer IPsec.
 */
import { formatIpv4, ipv4Number, maskToPrefix, networkOf, parseIpv4, type Ipv4 } from '../../codecs/net/address.js';
import { isAlwaysUp } from '../config/interface-names.js';
import type { InterfaceConfig, RouterConfig, StaticRoute } from '../config/types.js';

/** Link (carrier) state per interface name; interfaces not listed are up. */
export type LinkState = Readonly<Record<string, boolean>> | ((iface: string) => boolean);

export interface RoutePath {
  /** As configured (static) or null for connected routes. */
  nextHop: Ipv4 | null;
  /** As configured: the connected interface, or the interface of `ip route P M IFACE`. */
  interface: string | null;
  /** Where packets leave, after recursive resolution. */
  outInterface: string;
  /** The neighbour to send to (ARP target); null when the destination is on the link. */
  gateway: Ipv4 | null;
}

/** IOS's code for a learned route: `O`, `O IA`, `O E2`, `D`, `D EX`, `R` ... (the `*` of a default is added when printed). */
export type LearnedCode = 'O' | 'O IA' | 'O E1' | 'O E2' | 'O N1' | 'O N2' | 'D' | 'D EX' | 'R';

export interface Route {
  source: 'connected' | 'static' | 'ospf' | 'eigrp' | 'rip';
  /** Learned routes: their IOS code, and when they were learned (ms since the epoch). */
  code?: LearnedCode;
  learnedAt?: number;
  prefix: Ipv4;
  mask: Ipv4;
  length: number;
  distance: number;
  metric: number;
  paths: RoutePath[];
}

export type InterfaceStatus = 'up' | 'down' | 'administratively down';

function linkUp(link: LinkState | undefined, name: string): boolean {
  if (isAlwaysUp(name) || link === undefined) return true;
  if (typeof link === 'function') return link(name);
  return link[name] ?? true;
}

/** Line status as `show ip interface brief` prints it; the protocol is up only when the status is. */
export function interfaceStatus(iface: InterfaceConfig, link?: LinkState): InterfaceStatus {
  if (iface.shutdown) return 'administratively down';
  return linkUp(link, iface.name) ? 'up' : 'down';
}

function connectedRoutes(config: RouterConfig, link?: LinkState): Route[] {
  const out: Route[] = [];
  for (const iface of config.interfaces) {
    if (interfaceStatus(iface, link) !== 'up') continue;
    for (const a of [iface.address, ...iface.secondary]) {
      if (!a) continue;
      const mask = parseIpv4(a.mask);
      const prefix = formatIpv4(networkOf(parseIpv4(a.address), mask));
      if (out.some((r) => r.prefix === prefix && r.mask === a.mask)) continue;
      out.push({
        source: 'connected',
        prefix,
        mask: a.mask,
        length: maskToPrefix(mask),
        distance: 0,
        metric: 0,
        paths: [{ nextHop: null, interface: iface.name, outInterface: iface.name, gateway: null }],
      });
    }
  }
  return out;
}

function contains(route: Route, address: number): boolean {
  return networkOf(address, parseIpv4(route.mask)) === parseIpv4(route.prefix);
}

/** Longest-prefix match; among equal lengths the table order (lowest distance first). */
function bestRoute(routes: readonly Route[], address: number): Route | undefined {
  let best: Route | undefined;
  for (const r of routes) {
    if (contains(r, address) && (!best || r.length > best.length)) best = r;
  }
  return best;
}

function resolveStatic(s: StaticRoute, table: readonly Route[], config: RouterConfig, link: LinkState | undefined): RoutePath | null {
  if (s.interface !== null) {
    const iface = config.interfaces.find((i) => i.name === s.interface);
    const up = iface !== undefined && interfaceStatus(iface, link) === 'up';
    if (!up && !s.permanent) return null;
    return { nextHop: s.nextHop, interface: s.interface, outInterface: s.interface, gateway: s.nextHop };
  }
  // Recursive lookup of the next hop (never through a route to the same
  // prefix); routes installed earlier are already resolved.
  const self = `${s.prefix}/${s.mask}`;
  const via = bestRoute(
    table.filter((r) => `${r.prefix}/${r.mask}` !== self),
    parseIpv4(s.nextHop!),
  );
  if (!via) return null;
  const p = via.paths[0]!;
  return { nextHop: s.nextHop, interface: null, outInterface: p.outInterface, gateway: p.gateway ?? s.nextHop };
}

function install(table: Route[], route: Route): void {
  const same = table.find((r) => r.prefix === route.prefix && r.mask === route.mask);
  if (!same) {
    table.push(route);
  } else if (route.distance < same.distance) {
    table.splice(table.indexOf(same), 1, route);
  } else if (route.distance === same.distance && route.source === same.source) {
    same.paths.push(...route.paths);
  }
}

/**
 * The routing table for a configuration, the links' carrier state and the
 * routes the protocols learned. Static routes are resolved against the table
 * until it no longer changes, so a route may depend on another static written
 * after it, or on a learned route.
 */
export function computeRoutes(config: RouterConfig, link?: LinkState, learned: readonly Route[] = []): Route[] {
  const connected = connectedRoutes(config, link);
  // a learned route whose interface went down is gone (FRR withdraws it a moment later)
  const usable = learned
    .map((r) => ({ ...r, paths: r.paths.filter((p) => linkUp(link, p.outInterface) && !config.interfaces.find((i) => i.name === p.outInterface)?.shutdown) }))
    .filter((r) => r.paths.length > 0);
  const base: Route[] = structuredClone(connected);
  for (const r of usable) install(base, structuredClone(r));
  let table: Route[] = base;
  for (let round = 0; round <= config.staticRoutes.length; round++) {
    const next: Route[] = structuredClone(base);
    for (const s of config.staticRoutes) {
      const path = resolveStatic(s, table, config, link);
      if (!path) continue;
      install(next, {
        source: 'static',
        prefix: s.prefix,
        mask: s.mask,
        length: maskToPrefix(parseIpv4(s.mask)),
        distance: s.distance,
        metric: 0,
        paths: [path],
      });
    }
    const stable = JSON.stringify(next) === JSON.stringify(table);
    table = next;
    if (stable) break;
  }
  return table;
}

export interface RouteLookup {
  route: Route;
  path: RoutePath;
}

/** Longest-prefix lookup of a destination; null when there is no route (not even a default). */
export function lookupRoute(routes: readonly Route[], destination: Ipv4 | number): RouteLookup | null {
  const route = bestRoute(routes, ipv4Number(destination));
  if (!route) return null;
  return { route, path: route.paths[0]! };
}

/**
 * The routing table indexed by prefix length and network, for lookups whose
 * work does not grow with the number of routes (a hub has a route per
 * spoke): at most one map probe per prefix length in use. Same answers as
 * lookupRoute (among equal prefixes the first in table order).
 */
export class RouteIndex {
  private readonly byKey = new Map<number, Route>();
  private readonly lengths: number[];

  constructor(routes: readonly Route[]) {
    const lengths = new Set<number>();
    for (const r of routes) {
      const key = r.length * 0x1_0000_0000 + parseIpv4(r.prefix);
      if (!this.byKey.has(key)) this.byKey.set(key, r);
      lengths.add(r.length);
    }
    this.lengths = [...lengths].sort((a, b) => b - a);
  }

  lookup(destination: Ipv4 | number): RouteLookup | null {
    const address = ipv4Number(destination);
    for (const len of this.lengths) {
      const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
      const route = this.byKey.get(len * 0x1_0000_0000 + ((address & mask) >>> 0));
      if (route) return { route, path: route.paths[0]! };
    }
    return null;
  }
}
