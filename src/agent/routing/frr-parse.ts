/**
 * FRR's answers read into typed data (pure): zebra's routes (`show ip route
 * json`), OSPF's route types, neighbours and interfaces (JSON), and the
 * EIGRP and RIP tables, which FRR 8.4 prints as text only. Linux device names
 * are translated back to IOS names by the caller's `ios(dev)`; what names no
 * IOS interface is dropped.
 */
import { prefixToMask, formatIpv4, type LearnedCode, type Route } from '../../ios/index.js';

/** FRR's uptimes: `00:00:13`, `1d02h03m`, `01w2d03h`. Seconds; 0 when unreadable. */
export function frrUptimeSeconds(text: string | undefined): number {
  if (!text) return 0;
  const hms = /^(\d+):(\d+):(\d+)$/.exec(text);
  if (hms) return Number(hms[1]) * 3600 + Number(hms[2]) * 60 + Number(hms[3]);
  const dhm = /^(\d+)d(\d+)h(\d+)m$/.exec(text);
  if (dhm) return Number(dhm[1]) * 86400 + Number(dhm[2]) * 3600 + Number(dhm[3]) * 60;
  const wdh = /^(\d+)w(\d+)d(\d+)h$/.exec(text);
  if (wdh) return Number(wdh[1]) * 604800 + Number(wdh[2]) * 86400 + Number(wdh[3]) * 3600;
  return 0;
}

interface ZebraNexthop {
  ip?: string;
  interfaceName?: string;
  active?: boolean;
}

interface ZebraEntry {
  prefix: string;
  prefixLen: number;
  protocol: string;
  distance: number;
  metric: number;
  uptime?: string;
  nexthops?: ZebraNexthop[];
}

/** `show ip ospf route json`: the route type of each prefix (`N`, `N IA`, `N E2` ...). */
export type OspfRouteTypes = Record<string, { routeType?: string }>;

const OSPF_CODES: Record<string, LearnedCode> = { N: 'O', 'N IA': 'O IA', 'N E1': 'O E1', 'N E2': 'O E2', 'N N1': 'O N1', 'N N2': 'O N2' };

function codeOf(e: ZebraEntry, ospf: OspfRouteTypes): LearnedCode | null {
  switch (e.protocol) {
    case 'ospf':
      return OSPF_CODES[(ospf[`${e.prefix}`]?.routeType ?? 'N').trim()] ?? 'O';
    case 'eigrp':
      return e.distance === 170 ? 'D EX' : 'D';
    case 'rip':
      return 'R';
    default:
      return null;
  }
}

/**
 * The routes the protocols hold in zebra, selected or not (the router's table
 * chooses among them and its static routes by distance, as IOS does). FRR's
 * RIP metric counts the hop to the neighbour, IOS's does not: one less.
 * Routes without a next hop (an OSPF route to a network of the router's own)
 * are left out: IOS shows those as connected.
 */
export function learnedRoutes(zebra: Record<string, ZebraEntry[]>, ospf: OspfRouteTypes, ios: (dev: string) => string | undefined, now: number): Route[] {
  const out: Route[] = [];
  for (const entries of Object.values(zebra)) {
    for (const e of entries) {
      const code = codeOf(e, ospf);
      if (!code) continue;
      const paths = (e.nexthops ?? [])
        .filter((n) => n.active !== false && n.ip && n.interfaceName && ios(n.interfaceName))
        .map((n) => ({ nextHop: n.ip!, interface: null, outInterface: ios(n.interfaceName!)!, gateway: n.ip! }));
      if (paths.length === 0) continue;
      const [address] = e.prefix.split('/');
      out.push({
        source: e.protocol as Route['source'],
        code,
        learnedAt: now - frrUptimeSeconds(e.uptime) * 1000,
        prefix: address!,
        mask: formatIpv4(prefixToMask(e.prefixLen)),
        length: e.prefixLen,
        distance: e.distance,
        metric: e.protocol === 'rip' ? Math.max(0, e.metric - 1) : e.metric,
        paths,
      });
    }
  }
  return out;
}

// ------------------------------------------------------------------ OSPF

export interface OspfNeighbor {
  routerId: string;
  priority: number;
  /** IOS's words: FULL, 2WAY, INIT, EXSTART, EXCHANGE, LOADING, DOWN, ATTEMPT. */
  state: string;
  /** DR, BDR, DROTHER, or '-' (point-to-point). */
  role: string;
  deadSeconds: number;
  address: string;
  interface: string;
  /** Seconds since the adjacency came up (FRR's upTimeInMsec). */
  upSeconds: number;
}

const NSM_STATES: Record<string, string> = {
  Full: 'FULL',
  '2-Way': '2WAY',
  Init: 'INIT',
  ExStart: 'EXSTART',
  Exchange: 'EXCHANGE',
  Loading: 'LOADING',
  Down: 'DOWN',
  Attempt: 'ATTEMPT',
  Deleted: 'DOWN',
  'Depend-Upon': 'DOWN',
};

/** FRR's NSM state name in IOS's words. */
export function iosNsmState(frr: string): string {
  return NSM_STATES[frr] ?? frr.toUpperCase();
}

const ROLES: Record<string, string> = { DR: 'DR', Backup: 'BDR', DROther: 'DROTHER' };

interface FrrOspfNeighbor {
  nbrPriority?: number;
  priority?: number;
  state?: string;
  nbrState?: string;
  deadTimeMsecs?: number;
  routerDeadIntervalTimerDueMsec?: number;
  ifaceAddress?: string;
  address?: string;
  ifaceName?: string;
  upTimeInMsec?: number;
}

/** `show ip ospf neighbor json`. */
export function ospfNeighbors(json: { neighbors?: Record<string, FrrOspfNeighbor[]> }, ios: (dev: string) => string | undefined): OspfNeighbor[] {
  const out: OspfNeighbor[] = [];
  for (const [routerId, list] of Object.entries(json.neighbors ?? {})) {
    for (const n of list) {
      const dev = (n.ifaceName ?? '').split(':')[0]!;
      const name = ios(dev);
      if (!name) continue;
      const [state = '', role = ''] = (n.nbrState ?? n.state ?? '').split('/');
      out.push({
        routerId,
        priority: n.nbrPriority ?? n.priority ?? 1,
        state: iosNsmState(state),
        role: ROLES[role] ?? '-',
        deadSeconds: Math.round((n.deadTimeMsecs ?? n.routerDeadIntervalTimerDueMsec ?? 0) / 1000),
        address: n.ifaceAddress ?? n.address ?? '',
        interface: name,
        upSeconds: Math.round((n.upTimeInMsec ?? 0) / 1000),
      });
    }
  }
  return out;
}

export interface OspfInterfaceState {
  /** DR, BDR, DROTHER, WAITING, POINT_TO_POINT, LOOPBACK, DOWN */
  state: string;
  networkType: string;
  cost: number;
  area: string;
  routerId: string;
  priority: number;
  drId: string | null;
  drAddress: string | null;
  bdrId: string | null;
  bdrAddress: string | null;
  hello: number;
  dead: number;
  wait: number;
  retransmit: number;
  helloDueSeconds: number | null;
  neighbors: number;
  adjacent: number;
  passive: boolean;
}

interface FrrOspfInterface {
  state?: string;
  networkType?: string;
  cost?: number;
  area?: string;
  routerId?: string;
  priority?: number;
  drId?: string;
  drAddress?: string;
  bdrId?: string;
  bdrAddress?: string;
  timerMsecs?: number;
  timerDeadSecs?: number;
  timerWaitSecs?: number;
  timerRetransmitSecs?: number;
  timerHelloInMsecs?: number;
  timerPassiveIface?: boolean;
  nbrCount?: number;
  nbrAdjacentCount?: number;
}

const ISM_STATES: Record<string, string> = {
  DR: 'DR',
  Backup: 'BDR',
  DROther: 'DROTHER',
  Waiting: 'WAITING',
  'Point-To-Point': 'POINT_TO_POINT',
  Loopback: 'LOOPBACK',
  Down: 'DOWN',
};

/** `show ip ospf interface json`, by Linux device. */
export function ospfInterfaces(json: { interfaces?: Record<string, FrrOspfInterface> }): Map<string, OspfInterfaceState> {
  const out = new Map<string, OspfInterfaceState>();
  for (const [dev, i] of Object.entries(json.interfaces ?? {})) {
    out.set(dev, {
      state: ISM_STATES[i.state ?? ''] ?? (i.state ?? 'DOWN').toUpperCase(),
      networkType: i.networkType === 'POINTOPOINT' ? 'POINT_TO_POINT' : (i.networkType ?? 'BROADCAST'),
      cost: i.cost ?? 0,
      area: i.area ?? '0.0.0.0',
      routerId: i.routerId ?? '0.0.0.0',
      priority: i.priority ?? 1,
      drId: i.drId ?? null,
      drAddress: i.drAddress ?? null,
      bdrId: i.bdrId ?? null,
      bdrAddress: i.bdrAddress ?? null,
      hello: Math.round((i.timerMsecs ?? 10000) / 1000),
      dead: i.timerDeadSecs ?? 40,
      wait: i.timerWaitSecs ?? 40,
      retransmit: i.timerRetransmitSecs ?? 5,
      helloDueSeconds: i.timerHelloInMsecs !== undefined ? Math.ceil(i.timerHelloInMsecs / 1000) : null,
      neighbors: i.nbrCount ?? 0,
      adjacent: i.nbrAdjacentCount ?? 0,
      passive: i.timerPassiveIface === true,
    });
  }
  return out;
}

// ----------------------------------------------------------------- EIGRP

export interface EigrpNeighbor {
  handle: number;
  address: string;
  interface: string;
  holdSeconds: number;
  srtt: number;
  rto: number;
  queue: number;
  seq: number;
}

/** `show ip eigrp neighbors` (text in FRR 8.4): `0   10.0.0.2   eth0   14   0   0   2   0   2`. */
export function eigrpNeighbors(text: string, ios: (dev: string) => string | undefined): EigrpNeighbor[] {
  const out: EigrpNeighbor[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+)\s+(\d+\.\d+\.\d+\.\d+)\s+(\S+)\s+(\d+)\s+\S+\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/.exec(line);
    if (!m) continue;
    const name = ios(m[3]!);
    if (!name) continue;
    out.push({
      handle: Number(m[1]),
      address: m[2]!,
      interface: name,
      holdSeconds: Number(m[4]),
      srtt: Number(m[5]),
      rto: Number(m[6]),
      queue: Number(m[7]),
      seq: Number(m[8]),
    });
  }
  return out;
}

export interface EigrpTopologyEntry {
  state: string;
  prefix: string;
  successors: number;
  fd: number;
  vias: { nextHop: string | null; fd: number | null; rd: number | null; interface: string }[];
}

/**
 * `show ip eigrp topology` (text): `P  10.0.0.0/24, 1 successors, FD is 28160, serno: 0`
 * then `via Connected, eth0` or `via 10.0.0.2 (30720/28160), eth0`. Repeated
 * vias (FRR 8.4 repeats a connected one after an interface parameter change)
 * are kept once.
 */
export function eigrpTopology(text: string, ios: (dev: string) => string | undefined): EigrpTopologyEntry[] {
  const out: EigrpTopologyEntry[] = [];
  let cur: EigrpTopologyEntry | null = null;
  for (const line of text.split('\n')) {
    const head = /^([PAUQRrs])\s+(\d+\.\d+\.\d+\.\d+\/\d+), (\d+) successors, FD is (\d+)/.exec(line);
    if (head) {
      cur = { state: head[1]!, prefix: head[2]!, successors: Number(head[3]), fd: Number(head[4]), vias: [] };
      out.push(cur);
      continue;
    }
    const via = /^\s+via (Connected|\d+\.\d+\.\d+\.\d+)(?: \((\d+)\/(\d+)\))?, (\S+)\s*$/.exec(line);
    if (!via || !cur) continue;
    const name = ios(via[4]!);
    if (!name) continue;
    const v = { nextHop: via[1] === 'Connected' ? null : via[1]!, fd: via[2] ? Number(via[2]) : null, rd: via[3] ? Number(via[3]) : null, interface: name };
    if (v.nextHop === '0.0.0.0') continue; // a stale entry of FRR's, not a path
    if (!cur.vias.some((x) => x.nextHop === v.nextHop && x.interface === v.interface)) cur.vias.push(v);
  }
  for (const e of out) e.successors = Math.min(e.successors, Math.max(1, e.vias.length));
  return out.filter((e) => e.vias.length > 0);
}

// ------------------------------------------------------------------- RIP

export interface RipRoute {
  prefix: string;
  length: number;
  /** IOS's metric (FRR's less one: FRR counts the hop to the neighbour). */
  metric: number;
  nextHop: string | null;
  interface: string | null;
  /** Seconds since the last update, for learned routes. */
  age: number | null;
  connected: boolean;
}

/**
 * `show ip rip` (text): `C(i) 10.0.0.0/24   0.0.0.0   1 self   0` and
 * `R(n) 192.168.5.0/24   10.0.0.2   2 10.0.0.2   0 02:52` (the last column is
 * the time left before the route times out, 180 s after its last update).
 */
export function ripRoutes(text: string, ios: (dev: string) => string | undefined, devOf: (address: string) => string | undefined): RipRoute[] {
  const out: RipRoute[] = [];
  for (const line of text.split('\n')) {
    const m = /^([RCSOBK])\((\w)\)\s+(\d+\.\d+\.\d+\.\d+)\/(\d+)\s+(\d+\.\d+\.\d+\.\d+)\s+(\d+)\s+(\S+)\s+\d+\s*(\d+:\d+)?/.exec(line);
    if (!m) continue;
    const connected = m[1] === 'C';
    const nextHop = connected ? null : m[5]!;
    const dev = nextHop ? devOf(nextHop) : undefined;
    const left = m[8] ? Number(m[8].split(':')[0]) * 60 + Number(m[8].split(':')[1]) : null;
    out.push({
      prefix: m[3]!,
      length: Number(m[4]),
      metric: Math.max(0, Number(m[6]) - 1),
      nextHop,
      interface: dev ? (ios(dev) ?? null) : null,
      age: left === null ? null : Math.max(0, 180 - left),
      connected,
    });
  }
  return out;
}

/** `show ip rip status`: the routing information sources (gateway, seconds since its last update). */
export function ripSources(text: string): { gateway: string; age: number }[] {
  const out: { gateway: string; age: number }[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s+(\d+\.\d+\.\d+\.\d+)\s+\d+\s+\d+\s+\d+\s+(\d+:\d+:\d+)\s*$/.exec(line);
    if (m) out.push({ gateway: m[1]!, age: frrUptimeSeconds(m[2]) });
  }
  return out;
}
