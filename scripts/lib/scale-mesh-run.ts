/**
 * bench:scale's full mesh, driven from inside the lab: the driver
 * (scale-mesh.ts) is copied into every host and started there once, all
 * with one common start time; the bench then only watches the coordinator's
 * output file (one `cat` every 2 s) until the sweep is over, and collects the
 * results and the routers' time lines afterwards.
 */
import { readFile } from 'node:fs/promises';
import type { Engine } from '../../src/orchestrator/docker/engine.js';
import { cpuNs } from './scale-cgroup.js';
import { SHOW_TABLES } from '../../src/orchestrator/show/index.js';
import type { MeshConfig, MeshResult } from './scale-mesh.js';

export interface MeshNode {
  name: string;
  id: string;
  ip: string;
}

export interface MeshOptions {
  intervalMs: number;
  /** Peers each host asks at once while the mesh forms (default MESH_INFLIGHT). */
  inflight?: number;
  deadlineMs: number;
  /** The sweep's pace: requests per second over the whole lab (default MAX_RATE). */
  maxRate?: number;
  port?: number;
  log?: (line: string) => void;
}

export interface MeshReport {
  hosts: number;
  pairs: number;
  /** Epoch ms of the earliest first request, and how many hosts started late. */
  firstPacket: number;
  lateHosts: number;
  /** Per unordered pair: ms from the first packet to the first answer either way; null: never. */
  formedMs: (number | null)[];
  /** Ms from the first packet until the last pair had answered both ways. */
  bothWaysMs: number | null;
  lastTunnelMs: number | null;
  sweepAnswered: number;
  sweepExpected: number;
  /** Ordered pairs (from -> to, host addresses) whose sweep requests went unanswered. */
  sweepMissing: [string, string][];
  sweepFrom: string[];
  /** Ms from a sweep request to its answer: median, 99th percentile and most, over every answer. */
  sweepRtt: { p50: number; p99: number; max: number } | null;
  requestsSent: number;
  routers: RouterTimes;
  /** CPU seconds the routers and the hosts used from the first packet to the end of the sweep (cgroup cpuacct), and that span. */
  cpu: { routersS: number; hostsS: number; spanS: number } | null;
  /** Packets lost on the way, counted where they were dropped (after the sweep). */
  drops: MeshDrops;
}

export interface MeshDrops {
  /** The routers' tun device `ipsec0`: packets the kernel could not queue for the agent (its TX dropped), summed, and the most on one router. */
  tunTotal: number;
  tunMax: number;
  /** The hosts' UDP sockets: datagrams dropped for a full receive buffer (/proc/net/snmp RcvbufErrors), summed. */
  hostRcvbuf: number;
}

export interface RouterTimes {
  /** Ms from the first packet: the first acquire and the last IPsec SA installed, over every router's time line. */
  firstAcquireMs: number | null;
  lastInstallMs: number | null;
  installs: number;
  /** Routers whose time line left events out between its first and its last 1000 (src/agent/router/timeline.ts). */
  truncated: number;
  /** ISAKMP SAs each router shows at the end (`show crypto isakmp sa`, QM_IDLE rows). */
  isakmpSas: number[];
  /**
   * From the sweep's start on: packets that found no SA (acquires: a pair gone or not yet there), pairs
   * installed, and the ESP errors the routers' SAs counted at the end (`#send errors` + `#recv errors`).
   */
  sweep: { acquires: number; installs: number; espErrors: number };
  /** Flows whose current outbound SPI the peer router holds no inbound SA for (`unmatchedSpis`): a black hole one way. */
  unmatched: UnmatchedSpi[];
}

/** One router's `show crypto ipsec sa` flows, as far as the SPI check needs them. */
export interface SaFlow {
  local: string;
  peer: string;
  outboundSpi: number;
  inboundSpis: number[];
}

export interface UnmatchedSpi {
  from: string;
  to: string;
  spi: number;
}

/**
 * The flows whose current outbound SPI the router at the other end does not
 * hold as an inbound SA for that peer: their packets are dropped there
 * (IOS 12.2 has no invalid-SPI recovery). Flows to an address no router
 * here owns, and flows without an SA yet (SPI 0), are not judged.
 */
export function unmatchedSpis(routers: readonly (readonly SaFlow[])[]): UnmatchedSpi[] {
  const inbound = new Map<string, Set<number>>();
  const owned = new Set<string>();
  for (const flows of routers)
    for (const f of flows) {
      owned.add(f.local);
      const key = `${f.local}>${f.peer}`;
      const set = inbound.get(key) ?? new Set<number>();
      for (const spi of f.inboundSpis) set.add(spi);
      inbound.set(key, set);
    }
  const out: UnmatchedSpi[] = [];
  for (const flows of routers)
    for (const f of flows) {
      if (f.outboundSpi === 0 || !owned.has(f.peer)) continue;
      if (!inbound.get(`${f.peer}>${f.local}`)?.has(f.outboundSpi)) out.push({ from: f.local, to: f.peer, spi: f.outboundSpi });
    }
  return out;
}

const FILES = { script: '/tmp/tb-mesh.mjs', config: '/tmp/tb-mesh.json', out: '/tmp/tb-mesh.out' };

/** Run `fn` over `items`, at most `width` at a time. */
export async function pool<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

/**
 * The other hosts in the order `h` sends to them: starting after `h` and wrapping round. Every host
 * spreads a round over this list, so at each moment the hosts send to different peers (each host and
 * its router get one request per slot); in one common order all of them would send to the same host
 * at once, and its router's queue would take a burst of N-1 at every slot.
 */
export function rotated<T>(hosts: readonly T[], h: T): T[] {
  const i = hosts.indexOf(h);
  return [...hosts.slice(i + 1), ...hosts.slice(0, i)];
}

/** Peers a host's driver asks and waits for at once while the mesh forms (scale-mesh.ts `Formation`). */
export const MESH_INFLIGHT = 4;

/** How long a host awaits answers after its last sweep round (an answer later than that counts as none). */
export const SWEEP_TAIL_MS = 5000;

/**
 * Requests per second the whole lab sends at most in a sweep round. Each request and its answer cross four
 * router agents (ESP out and in, both ways): at 2,000/s (8,000 agent passes a second on two cores, before
 * d0f816a) answers took 1-3 s and most of them were lost; at 500/s every pair of a 100-spoke lab answered.
 */
export const MAX_RATE = 500;

/** A sweep round's length: every ordered pair once, at most `maxRate` requests per second over the lab, and at least 1 s. */
export function sweepRoundMs(hosts: number, maxRate: number): number {
  return Math.max(1000, Math.ceil(((hosts * (hosts - 1)) / maxRate) * 1000));
}

/** Median, 99th percentile and maximum of `xs` (null when empty). */
export function percentiles(xs: readonly number[]): { p50: number; p99: number; max: number } | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { p50: at(0.5), p99: at(0.99), max: s[s.length - 1]! };
}

/** Math.min/max without spreading: a hundred routers' time lines hold too many events for the call stack. */
const smallest = (xs: readonly number[]) => xs.reduce((a, b) => (b < a ? b : a), Infinity);
const largest = (xs: readonly number[]) => xs.reduce((a, b) => (b > a ? b : a), -Infinity);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runMesh(engine: Engine, hosts: MeshNode[], routers: MeshNode[], opts: MeshOptions): Promise<MeshReport> {
  const log = opts.log ?? (() => undefined);
  const script = await readFile(new URL('./scale-mesh.js', import.meta.url));
  const coordinator = hosts[0]!;
  // time enough to copy and start the driver everywhere before anyone sends
  const start = Date.now() + 5000 + 150 * hosts.length;
  await pool(hosts, 10, async (h) => {
    const cfg: MeshConfig = {
      self: h.ip,
      peers: rotated(hosts, h).map((x) => x.ip),
      coordinator: coordinator.ip,
      port: opts.port ?? 7777,
      start,
      intervalMs: opts.intervalMs,
      inflight: opts.inflight ?? MESH_INFLIGHT,
      deadlineMs: opts.deadlineMs,
      sweepProbes: 3,
      sweepRoundMs: sweepRoundMs(hosts.length, opts.maxRate ?? MAX_RATE),
      sweepTailMs: SWEEP_TAIL_MS,
    };
    await engine.putFiles(h.id, [
      { path: FILES.script, content: script },
      { path: FILES.config, content: JSON.stringify(cfg) },
    ]);
    const r = await engine.exec(h.id, ['sh', '-c', `rm -f ${FILES.out}; node ${FILES.script} ${FILES.config} >${FILES.out} 2>&1 &`]);
    if (r.exitCode !== 0) throw new Error(`${h.name}: cannot start the mesh driver: ${r.stderr}`);
  });
  log(`mesh: drivers started in ${hosts.length} hosts, first packets in ${((start - Date.now()) / 1000).toFixed(1)} s`);
  const dropsBefore = await countDrops(engine, hosts, routers);
  await sleep(Math.max(0, start - Date.now()));
  const cpuBefore = await cpuOf(hosts, routers);
  // the coordinator's line ends the run (its sweep is the last); every other host finishes at the same time
  const until = start + opts.deadlineMs + 30000;
  for (;;) {
    const r = await engine.exec(coordinator.id, ['cat', FILES.out]);
    if (r.stdout.includes('"sweepMissing"')) break;
    if (Date.now() > until) throw new Error(`the coordinator ${coordinator.name} never finished: ${r.stdout}${r.stderr}`);
    await sleep(2000);
  }
  const cpuAfter = await cpuOf(hosts, routers);
  await sleep(3000);
  const results = await pool(hosts, 10, async (h) => {
    const r = await engine.exec(h.id, ['cat', FILES.out]);
    const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
    if (!line) throw new Error(`${h.name}: no result from the mesh driver: ${r.stdout}${r.stderr}`);
    return JSON.parse(line) as MeshResult;
  });
  const firstPacket = Math.min(...results.map((r) => r.firstSent));
  const byIp = new Map(results.map((r) => [r.self, r]));
  const formedMs: (number | null)[] = [];
  let bothWays: number | null = 0;
  for (let i = 0; i < hosts.length; i++) {
    for (let j = i + 1; j < hosts.length; j++) {
      const a = byIp.get(hosts[i]!.ip)!.first[hosts[j]!.ip];
      const b = byIp.get(hosts[j]!.ip)!.first[hosts[i]!.ip];
      const got = [a, b].filter((x): x is number => x !== undefined);
      formedMs.push(got.length ? Math.min(...got) - firstPacket : null);
      bothWays = got.length === 2 && bothWays !== null ? Math.max(bothWays, Math.max(...got) - firstPacket) : null;
    }
  }
  const formed = formedMs.filter((x): x is number => x !== null);
  const sweepStart = Math.min(...results.map((r) => r.sweepAt));
  const routerTimes = await routerTimelines(engine, routers, firstPacket, sweepStart);
  const dropsAfter = await countDrops(engine, hosts, routers);
  const tun = dropsAfter.tun.map((n, i) => n - (dropsBefore.tun[i] ?? 0));
  return {
    hosts: hosts.length,
    pairs: formedMs.length,
    firstPacket,
    lateHosts: results.filter((r) => r.late).length,
    formedMs,
    bothWaysMs: bothWays,
    lastTunnelMs: formed.length === formedMs.length ? largest(formed) : null,
    sweepAnswered: results.reduce((n, r) => n + r.sweepAnswered.length, 0),
    sweepExpected: hosts.length * (hosts.length - 1),
    sweepMissing: results.flatMap((r) => r.sweepMissing.map((to): [string, string] => [r.self, to])),
    sweepFrom: [...new Set(results.map((r) => r.sweepFrom))],
    sweepRtt: percentiles(results.flatMap((r) => r.sweepRtts)),
    requestsSent: results.reduce((n, r) => n + r.requestsSent, 0),
    routers: routerTimes,
    cpu:
      cpuBefore && cpuAfter
        ? {
            routersS: (cpuAfter.routers - cpuBefore.routers) / 1e9,
            hostsS: (cpuAfter.hosts - cpuBefore.hosts) / 1e9,
            spanS: (cpuAfter.at - cpuBefore.at) / 1000,
          }
        : null,
    drops: { tunTotal: tun.reduce((a, b) => a + b, 0), tunMax: Math.max(0, ...tun), hostRcvbuf: dropsAfter.rcvbuf - dropsBefore.rcvbuf },
  };
}

/** CPU ns of all routers and all hosts now (null where the cgroup v1 files are missing). */
async function cpuOf(hosts: MeshNode[], routers: MeshNode[]): Promise<{ routers: number; hosts: number; at: number } | null> {
  try {
    const sum = async (xs: MeshNode[]) => (await Promise.all(xs.map((x) => cpuNs(x.id)))).reduce((a, b) => a + b, 0);
    return { routers: await sum(routers), hosts: await sum(hosts), at: Date.now() };
  } catch {
    return null;
  }
}

/** Each router's ipsec0 TX dropped, and the hosts' UDP RcvbufErrors summed. */
async function countDrops(engine: Engine, hosts: MeshNode[], routers: MeshNode[]): Promise<{ tun: number[]; rcvbuf: number }> {
  const tun = await pool(routers, 10, async (r) => {
    const x = await engine.exec(r.id, ['cat', '/sys/class/net/ipsec0/statistics/tx_dropped']);
    return Number(x.stdout.trim()) || 0;
  });
  const rcv = await pool(hosts, 10, async (h) => {
    const x = await engine.exec(h.id, ['cat', '/proc/net/snmp']);
    const udp = x.stdout.split('\n').filter((l) => l.startsWith('Udp:'));
    if (udp.length < 2) return 0;
    const names = udp[0]!.split(/\s+/);
    const values = udp[1]!.split(/\s+/);
    return Number(values[names.indexOf('RcvbufErrors')]) || 0;
  });
  return { tun, rcvbuf: rcv.reduce((a, b) => a + b, 0) };
}

/** The routers' IPsec time lines (`ios --timeline`) and their ISAKMP SAs, read after the run. */
async function routerTimelines(engine: Engine, routers: MeshNode[], firstPacket: number, sweepStart: number): Promise<RouterTimes> {
  const lines = await pool(routers, 10, async (r) => {
    const t = await engine.exec(r.id, ['ios', '--timeline']);
    const sa = await engine.exec(r.id, ['ios', 'show crypto isakmp sa']);
    const ipsec = SHOW_TABLES.ipsec_sa.parse((await engine.exec(r.id, ['ios', 'show crypto ipsec sa'])).stdout, []);
    const errors = ipsec.reduce((n, x) => n + Number(x.send_errors ?? 0) + Number(x.recv_errors ?? 0), 0);
    const flows: SaFlow[] = ipsec.map((x) => ({
      local: String(x.local_endpoint ?? x.local_addr ?? ''),
      peer: String(x.peer ?? ''),
      outboundSpi: Number(x.outbound_spi ?? 0),
      inboundSpis: ((x.inbound_spis ?? []) as unknown[]).map(Number),
    }));
    return {
      flows,
      timeline: JSON.parse(t.stdout) as { event: string; at: number }[],
      isakmp: sa.stdout.split('\n').filter((l) => /\sQM_IDLE\s/.test(l)).length,
      errors,
    };
  });
  const afterSweep = (event: string) => lines.reduce((n, l) => n + l.timeline.filter((e) => e.event === event && e.at >= sweepStart).length, 0);
  const acquires = lines.flatMap((l) => l.timeline.filter((e) => e.event === 'acquire').map((e) => e.at));
  const installs = lines.flatMap((l) => l.timeline.filter((e) => e.event === 'install').map((e) => e.at));
  return {
    firstAcquireMs: acquires.length ? smallest(acquires) - firstPacket : null,
    lastInstallMs: installs.length ? largest(installs) - firstPacket : null,
    installs: installs.length,
    truncated: lines.filter((l) => l.timeline.some((e) => e.event === 'dropped')).length,
    isakmpSas: lines.map((l) => l.isakmp),
    sweep: { acquires: afterSweep('acquire'), installs: afterSweep('install'), espErrors: lines.reduce((n, l) => n + l.errors, 0) },
    unmatched: unmatchedSpis(lines.map((l) => l.flows)),
  };
}
