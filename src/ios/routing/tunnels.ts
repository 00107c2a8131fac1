/**
 * The line protocol of GRE tunnel interfaces, from the configuration, the
 * links' carrier and the keepalives. Pure.
 *
 * IOS keeps a GRE tunnel's line protocol up while it has a valid source (an
 * address of the router, or an interface that is up and has one) and a
 * destination with a route in the routing table, whatever gave it (connected,
 * static, or learned by a routing protocol); the route must not lead through
 * the tunnel itself (recursive routing: %TUN-5-RECURDOWN), and with
 * keepalives on, the far end must answer (docs/research/ios-12.2-notes.md,
 * section 3). The routes depend on which tunnels are up (a connected, static
 * or learned route through a tunnel exists only while it is), so the
 * evaluation runs to a fixed point:
 * every tunnel that passes the static checks starts up, and tunnels whose
 * destination then routes through themselves, or nowhere, go down until
 * nothing changes.
 */
import { parseIpv4, type Ipv4 } from '../../codecs/net/address.js';
import { isTunnel } from '../config/interface-names.js';
import { TUNNEL_MODE_GRE_IP, type InterfaceConfig, type RouterConfig } from '../config/types.js';
import { computeRoutes, interfaceStatus, lookupRoute, type LinkState, type Route } from './routes.js';

export type TunnelDownReason =
  /** `tunnel mode` other than gre ip: not emulated. */
  | 'mode'
  /** No `tunnel source`, or an address that is not the router's, or an interface without an address. */
  | 'no-source'
  /** The source interface is down. */
  | 'source-down'
  | 'no-destination'
  /** No route to the destination. */
  | 'unroutable'
  /** The route to the destination leads through the tunnel itself. */
  | 'recursive'
  /** Keepalives went unanswered `retries` times. */
  | 'keepalive';

export interface TunnelState {
  name: string;
  /** Line protocol up (the interface itself is up unless shut down). */
  up: boolean;
  /** Why the line protocol is down (null when up or shut down). */
  reason: TunnelDownReason | null;
  /** The source address in use; null when there is none. */
  source: Ipv4 | null;
  /** `tunnel source IFACE`: that interface. */
  sourceInterface: string | null;
  destination: Ipv4 | null;
  /** The interface the route to the destination leaves by, while the tunnel is up. */
  transport: string | null;
}

/** GRE over IPv4: 20 bytes of outer IP header and 4 of GRE header; a key and a checksum add 4 each. */
export function greOverhead(i: InterfaceConfig): number {
  return 24 + (i.tunnel?.key !== null && i.tunnel?.key !== undefined ? 4 : 0) + (i.tunnel?.checksum ? 4 : 0);
}

function linkOf(link: LinkState | undefined, name: string): boolean {
  if (link === undefined) return true;
  return typeof link === 'function' ? link(name) : (link[name] ?? true);
}

/** The source address of a tunnel, or why there is none. */
function sourceOf(
  config: RouterConfig,
  t: InterfaceConfig,
  link: (name: string) => boolean,
): { address: Ipv4 | null; iface: string | null; reason: TunnelDownReason | null } {
  const src = t.tunnel?.source ?? null;
  if (src === null) return { address: null, iface: null, reason: 'no-source' };
  if (src.kind === 'interface') {
    const i = config.interfaces.find((x) => x.name === src.name);
    const address = i?.address?.address ?? null;
    if (!i || interfaceStatus(i, link) !== 'up') return { address, iface: src.name, reason: 'source-down' };
    return { address, iface: src.name, reason: address === null ? 'no-source' : null };
  }
  const owner = config.interfaces.find((i) => [i.address, ...i.secondary].some((a) => a?.address === src.address));
  if (!owner) return { address: src.address, iface: null, reason: 'no-source' };
  return { address: src.address, iface: null, reason: interfaceStatus(owner, link) === 'up' ? null : 'source-down' };
}

/**
 * The state of every Tunnel interface. `link` is the carrier of the other
 * interfaces; `keepaliveDown` says which tunnels' keepalives went unanswered;
 * `learned` are the routes the routing protocols hold (Router.setLearned).
 */
export function tunnelStates(
  config: RouterConfig,
  link?: LinkState,
  keepaliveDown: (name: string) => boolean = () => false,
  learned: readonly Route[] = [],
): TunnelState[] {
  const physical = (name: string) => !isTunnel(name) && linkOf(link, name);
  const tunnels = config.interfaces.filter((i) => isTunnel(i.name));
  const states = new Map<string, TunnelState>();
  const up = new Set<string>();
  for (const t of tunnels) {
    const source = sourceOf(config, t, physical);
    const destination = t.tunnel?.destination ?? null;
    let reason: TunnelDownReason | null = null;
    if ((t.tunnel?.mode ?? TUNNEL_MODE_GRE_IP) !== TUNNEL_MODE_GRE_IP) reason = 'mode';
    else if (source.reason) reason = source.reason;
    else if (destination === null) reason = 'no-destination';
    else if (keepaliveDown(t.name)) reason = 'keepalive';
    states.set(t.name, {
      name: t.name,
      up: false,
      reason: t.shutdown ? null : reason,
      source: source.address,
      sourceInterface: source.iface,
      destination,
      transport: null,
    });
    if (!t.shutdown && reason === null) up.add(t.name);
  }
  let routes: Route[] = [];
  for (let round = 0; round <= tunnels.length; round++) {
    routes = computeRoutes(config, (name) => (isTunnel(name) ? up.has(name) : physical(name)), learned);
    let changed = false;
    for (const name of [...up]) {
      const s = states.get(name)!;
      const hit = lookupRoute(routes, parseIpv4(s.destination!));
      const reason: TunnelDownReason | null = !hit ? 'unroutable' : hit.path.outInterface === name ? 'recursive' : null;
      if (reason) {
        up.delete(name);
        s.reason = reason;
        changed = true;
      } else {
        s.transport = hit!.path.outInterface;
      }
    }
    if (!changed) break;
  }
  for (const name of up) states.get(name)!.up = true;
  return tunnels.map((t) => states.get(t.name)!);
}

/** The IP MTU of a tunnel: `ip mtu`, or its transport interface's IP MTU less the GRE overhead (1476 over Ethernet). */
export function tunnelIpMtu(config: RouterConfig, t: InterfaceConfig, state: TunnelState | undefined): number {
  if (t.ipMtu !== null) return t.ipMtu;
  const transport = state?.transport ? config.interfaces.find((i) => i.name === state.transport) : undefined;
  const base = transport ? (transport.ipMtu ?? transport.mtu ?? 1500) : 1500;
  return base - greOverhead(t);
}
