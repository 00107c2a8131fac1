/** Shared by the benchmarks that run real labs (bench:tunnel, bench:interop). */
import type { Lab } from '../../src/orchestrator/index.js';

/** `--runs N`, `--seconds S` and `--json` from the command line, with the script's defaults. */
export function labBenchArgs(argv: readonly string[], defaults: { runs: number; seconds: number }): { runs: number; seconds: number; json: boolean } {
  const opt = (name: string, def: number) => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : def;
  };
  return { runs: opt('--runs', defaults.runs), seconds: opt('--seconds', defaults.seconds), json: argv.includes('--json') };
}

export interface IperfRun {
  /** Mbit/s received. */
  mbps: number;
  /** TCP retransmissions the sender counted. */
  retransmits: number;
  /** d1's view of the connection halfway through (`ss -ti`): segment size and path MTU; null when ss did not show it. */
  mss: number | null;
  pmtu: number | null;
}

/**
 * mss and pmtu from `ss -tin` output: of the connection that sent the most data (iperf3 also keeps a
 * control connection to the same port, which never sends a full-size segment and so may keep the
 * path MTU it started with).
 */
export function parseSsTcpInfo(text: string): { mss: number | null; pmtu: number | null } {
  const num = (block: string, re: RegExp) => {
    const m = re.exec(block);
    return m ? Number(m[1]) : null;
  };
  const blocks = text.split(/\n(?=\S)/).filter((b) => /\bmss:\d+/.test(b));
  const busiest = blocks.sort((a, b) => (num(b, /\bbytes_acked:(\d+)/) ?? 0) - (num(a, /\bbytes_acked:(\d+)/) ?? 0))[0];
  if (!busiest) return { mss: null, pmtu: null };
  return { mss: num(busiest, /\bmss:(\d+)/), pmtu: num(busiest, /\bpmtu:(\d+)/) };
}

/** One iperf3 TCP run d1 -> a1 (12.12.12.13) of `seconds`, one stream, with the segment size and path MTU d1 used. */
export async function iperfRun(lab: Lab, seconds: number): Promise<IperfRun> {
  await lab.exec('a1', 'pkill iperf3; iperf3 -s -D -1');
  // wait until the server listens (at most 2 s)
  for (let i = 0; i < 20 && (await lab.exec('a1', 'ss -ltn | grep -q :5201')).exitCode !== 0; i++) await new Promise((r) => setTimeout(r, 100));
  const client = lab.sh('d1', `iperf3 -c 12.12.12.13 -t ${seconds} -J`, (seconds + 30) * 1000);
  await new Promise((r) => setTimeout(r, (seconds * 1000) / 2));
  const ss = parseSsTcpInfo((await lab.exec('d1', 'ss -tin dst 12.12.12.13 dport = :5201')).stdout);
  const json = JSON.parse(await client) as { end: { sum_received: { bits_per_second: number }; sum_sent: { retransmits?: number } } };
  return { mbps: json.end.sum_received.bits_per_second / 1e6, retransmits: json.end.sum_sent.retransmits ?? 0, ...ss };
}

/** One iperf3 TCP run d1 -> a1 (12.12.12.13) of `seconds`; Mbit/s received. */
export async function iperfMbps(lab: Lab, seconds: number): Promise<number> {
  return (await iperfRun(lab, seconds)).mbps;
}

/**
 * The kernel counters of a gateway that show where packets are lost: fragments made and reassembled, UDP
 * receive-buffer drops, ICMP unreachables sent (fragmentation needed among them) (/proc/net/snmp), and
 * packets the tun device ipsec0 dropped because its reader fell behind (its tx_dropped: the queue towards
 * the agent or charon).
 */
export interface KernelCounters {
  fragCreates: number;
  reasmOKs: number;
  udpRcvbufErrors: number;
  udpInErrors: number;
  icmpOutDestUnreachs: number;
  tunDropped: number;
}

const ZERO: KernelCounters = { fragCreates: 0, reasmOKs: 0, udpRcvbufErrors: 0, udpInErrors: 0, icmpOutDestUnreachs: 0, tunDropped: 0 };

/** Reads the "Ip:" and "Udp:" header/value line pairs of /proc/net/snmp. */
export function parseSnmp(text: string): KernelCounters {
  const table = (name: string) => {
    const lines = text.split('\n').filter((l) => l.startsWith(`${name}:`));
    const keys = lines[0]?.split(/\s+/).slice(1) ?? [];
    const values = lines[1]?.split(/\s+/).slice(1).map(Number) ?? [];
    return (k: string) => values[keys.indexOf(k)] ?? 0;
  };
  const ip = table('Ip');
  const udp = table('Udp');
  const icmp = table('Icmp');
  return {
    fragCreates: ip('FragCreates'),
    reasmOKs: ip('ReasmOKs'),
    udpRcvbufErrors: udp('RcvbufErrors'),
    udpInErrors: udp('InErrors'),
    icmpOutDestUnreachs: icmp('OutDestUnreachs'),
    tunDropped: 0,
  };
}

/**
 * A shell command in a node's container whatever its kind (a router's exec is IOS): for the
 * benchmarks' readings of the container's kernel (counters, links). Throws on a non-zero exit.
 */
export async function containerSh(lab: Lab, node: string, command: string): Promise<string> {
  const info = lab.info.nodes.find((n) => n.name === node);
  if (!info) throw new Error(`lab ${lab.name} has no node ${node}`);
  const r = await lab.engine.exec(info.container, ['sh', '-c', command]);
  if (r.exitCode !== 0) throw new Error(`${node}: ${command}: exit ${r.exitCode}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

export async function kernelCounters(lab: Lab, node: string): Promise<KernelCounters> {
  const out = await containerSh(lab, node, 'cat /proc/net/snmp; echo "tun_dropped $(cat /sys/class/net/ipsec0/statistics/tx_dropped 2>/dev/null || echo 0)"');
  return { ...parseSnmp(out), tunDropped: Number(/^tun_dropped (\d+)/m.exec(out)?.[1] ?? 0) };
}

export async function linkMtus(lab: Lab, node: string): Promise<Record<string, number>> {
  return parseLinkMtus(await containerSh(lab, node, 'ip -o link'));
}

const KEYS = Object.keys(ZERO) as (keyof KernelCounters)[];

/** b - a, counter by counter. */
export function counterDelta(a: KernelCounters, b: KernelCounters): KernelCounters {
  return Object.fromEntries(KEYS.map((k) => [k, b[k] - a[k]])) as unknown as KernelCounters;
}

/** Counters added up (both gateways of a run). */
export function counterSum(xs: readonly KernelCounters[]): KernelCounters {
  return Object.fromEntries(KEYS.map((k) => [k, xs.reduce((s, x) => s + x[k], 0)])) as unknown as KernelCounters;
}

/** Both gateways' counters over `work`, added up. */
export async function gatewayDeltas<T>(lab: Lab, gateways: readonly string[], work: () => Promise<T>): Promise<{ result: T; kernel: KernelCounters }> {
  const before = await Promise.all(gateways.map((g) => kernelCounters(lab, g)));
  const result = await work();
  const after = await Promise.all(gateways.map((g) => kernelCounters(lab, g)));
  return { result, kernel: counterSum(before.map((b, i) => counterDelta(b, after[i]!))) };
}

/** Interface name -> MTU from `ip -o link`. */
export function parseLinkMtus(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^\d+: ([^:@\s]+)(?:@\S+)?: .*?\bmtu (\d+)/gm)) if (m[1] !== 'lo') out[m[1]!] = Number(m[2]);
  return out;
}
