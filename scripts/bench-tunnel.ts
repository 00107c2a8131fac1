/**
 * npm run bench:tunnel
 *
 * (a) Tunnel setup latency, ours next to strongSwan's, in one run, from the
 *     captures. Per suite (the seed's IKE DES/SHA/group 1 with esp-des
 *     esp-md5-hmac; IKE AES-128/SHA/group 14 with esp-aes esp-sha-hmac and
 *     PFS group 14) two labs: the two routers with TED (the seed lab or its
 *     AES variant) and two strongSwan 5.9.8 gateways with the same suite
 *     (scripts/bench-tunnel/). UDP datagrams from d1 to a1, one every
 *     millisecond whether answered or not (scripts/lib/udp-trigger.ts; not a
 *     ping, which sends one per 10 ms while unanswered), run during every
 *     setup; a setup ends at the first datagram on the far LAN (the first one
 *     that crossed the tunnel, decrypted; nothing crosses the WAN in clear).
 *     It starts
 *       - at Main Mode message 1 on the WAN, for both (like with like), and
 *       - for the routers also at the datagram that triggered TED (probe and
 *         reply included; exactly one probe per setup is checked).
 *     Ours runs with the Diffie-Hellman pool (the router's behaviour: key
 *     pairs made ahead of time) and with a fresh key pair per exchange
 *     (`ios --dh-pool fresh`, what strongSwan does). Warm setups: the three
 *     (ours pooled, ours fresh, strongSwan) in a new random order every
 *     round, each after the same reset and the same 1 s pause. Cold: the
 *     first setup after boot, one fresh lab per sample, the two kinds of lab
 *     in random order, right after `up` returned.
 * (b) iperf3 TCP host to host through the routers' tunnel and in clear text
 *     through the same containers (crypto map removed), as a ratio.
 *
 *   node --openssl-legacy-provider dist/scripts/bench-tunnel.js [--runs N] [--cold N] [--seconds S] [--quick] [--json]
 */
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Lab } from '../src/orchestrator/index.js';
import { loadAverage, median } from './lib/bench.js';
import { iperfMbps, labBenchArgs } from './lib/lab-bench.js';
import { setupTimes, type SetupTimes } from './lib/setup-window.js';
import { UDP_TRIGGER_PORT, udpTriggerCommand } from './lib/udp-trigger.js';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const { runs: RUNS, seconds: SECONDS, json: asJson } = labBenchArgs(argv, quick ? { runs: 3, seconds: 2 } : { runs: 15, seconds: 5 });
const COLD = argv.includes('--cold') ? Number(argv[argv.indexOf('--cold') + 1]) : quick ? 3 : 15;
const root = fileURLToPath(new URL('../../', import.meta.url));
const log = (s: string) => process.stderr.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The same pause before every warm setup, whoever's turn it is. */
const SETTLE_MS = 1000;
/** The traffic that runs through every setup: a UDP datagram every millisecond until a1 answers (at most 8 s). */
const TRAFFIC = udpTriggerCommand('12.12.12.13', 8000);
const FLOW = { src: '13.13.13.4', dst: '12.12.12.13', udpPort: UDP_TRIGGER_PORT };

interface Suite {
  key: string;
  name: string;
  routers: string;
  strongswan: string;
}

const SUITES: Suite[] = [
  {
    key: 'seed',
    name: 'seed: IKE DES/SHA/group 1, esp-des esp-md5-hmac',
    routers: `${root}topologies/daphne-fred.yaml`,
    strongswan: `${root}scripts/bench-tunnel/strongswan-seed.yaml`,
  },
  {
    key: 'aes',
    name: 'IKE AES-128/SHA/group 14, esp-aes esp-sha-hmac, PFS group 14',
    routers: `${root}tests/fixtures/topologies/ted-aes-pfs.yaml`,
    strongswan: `${root}scripts/bench-tunnel/strongswan-aes.yaml`,
  },
];

type Impl = 'ours-pooled' | 'ours-fresh' | 'strongswan';

interface PoolCounts {
  hits: number;
  misses: number;
  fresh: number;
}

interface Sample {
  impl: Impl;
  /** Main Mode message 1 to the first decrypted datagram on the far LAN. */
  mmMs: number;
  /** Routers: the TED trigger to the same end. */
  tedMs: number | null;
  /** To the far host's first answer (port unreachable) back at d1. */
  replyMs: number | null;
  /** Routers' time lines: Daphne's acquire to the later of the two SA pairs in the datapath. */
  agentMs: number | null;
  mm1Count: number;
  /** DH key pairs both routers took during the setup. */
  pool: PoolCounts | null;
}

const ROUTERS = ['daphne', 'fred'];

/** `ios --status` or `ios --dh-pool MODE` on a router (agent data, not IOS): its DH pool's counts. */
async function statusOf(lab: Lab, router: string, args: string[]): Promise<PoolCounts> {
  const r = await lab.exec(router, args);
  if (r.exitCode !== 0) throw new Error(`${router}: ios ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  return (JSON.parse(r.stdout) as { dhPool: PoolCounts }).dhPool;
}

async function poolCounts(lab: Lab, args: string[]): Promise<PoolCounts> {
  const all = await Promise.all(ROUTERS.map((r) => statusOf(lab, r, args)));
  return all.reduce((a, b) => ({ hits: a.hits + b.hits, misses: a.misses + b.misses, fresh: a.fresh + b.fresh }), { hits: 0, misses: 0, fresh: 0 });
}

interface Event {
  event: string;
  at: number;
}

async function agentMs(lab: Lab, since: number): Promise<number | null> {
  const [d, f] = await Promise.all(ROUTERS.map(async (r) => JSON.parse((await lab.exec(r, ['--timeline'])).stdout) as Event[]));
  const acquire = d!.find((e) => e.event === 'acquire' && e.at >= since);
  if (!acquire) return null;
  const installs = [d!, f!].map((list) => list.find((e) => e.event === 'install' && e.at >= acquire.at));
  return installs.every((i) => i) ? Math.max(...installs.map((i) => i!.at)) - acquire.at : null;
}

async function captures(lab: Lab, near: string, far: string) {
  // tcpdump writes packet by packet (-U); give the last ones a moment to reach the files
  await sleep(150);
  const [n, w, f] = await Promise.all([lab.packets(near), lab.packets('wan'), lab.packets(far)]);
  return { near: n, wan: w, far: f };
}

function check(t: SetupTimes | { problem: string }, what: string): SetupTimes {
  if ('problem' in t) throw new Error(`${what}: ${t.problem}`);
  return t;
}

/** One setup through the routers. `mode` null: the first setup after boot, nothing reset or switched before it. */
async function oursSample(lab: Lab, mode: 'pooled' | 'fresh' | null): Promise<Sample> {
  let before: PoolCounts = { hits: 0, misses: 0, fresh: 0 };
  if (mode) {
    before = await poolCounts(lab, ['--dh-pool', mode]);
    for (const r of ROUTERS) await lab.ios(r, 'clear crypto sa', 'clear crypto isakmp');
    await sleep(SETTLE_MS);
  }
  const since = Date.now();
  const traffic = await lab.exec('d1', TRAFFIC, 20_000);
  if (traffic.exitCode !== 0) throw new Error(`routers: the traffic got no answer through the tunnel: ${traffic.stdout}${traffic.stderr}`);
  const t = check(setupTimes(await captures(lab, 'lan-daphne', 'lan-fred'), since / 1000, { ...FLOW, probes: 1 }), `routers (${mode ?? 'first setup'})`);
  const after = await poolCounts(lab, ['--status']);
  return {
    impl: mode === 'fresh' ? 'ours-fresh' : 'ours-pooled',
    mmMs: (t.end - t.mm1) * 1000,
    tedMs: (t.end - t.trigger) * 1000,
    replyMs: t.reply === null ? null : (t.reply - t.trigger) * 1000,
    agentMs: await agentMs(lab, since),
    mm1Count: t.mm1Count,
    pool: { hits: after.hits - before.hits, misses: after.misses - before.misses, fresh: after.fresh - before.fresh },
  };
}

const TERMINATE =
  'for id in $(swanctl --list-sas --raw | grep -o "uniqueid=[0-9]*" | cut -d= -f2); do swanctl --terminate --ike-id $id --force >/dev/null; done; true';

async function swanEmpty(lab: Lab): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const left = await Promise.all(['sun', 'moon'].map((n) => lab.sh(n, 'swanctl --list-sas --raw | grep -c uniqueid || true')));
    if (left.every((x) => x.trim() === '0')) return;
    await sleep(100);
  }
  throw new Error('strongSwan: SAs left after terminate');
}

/**
 * Before its tunnel is up, sun has no route to a1's LAN and would answer the traffic with "net
 * unreachable", which ends the sender (an error on its socket); the routers drop those packets silently. A blackhole
 * route does the same on sun; once the CHILD_SA is installed, kernel-libipsec's route into its
 * tun device (table 220, looked up before main) takes the traffic.
 */
async function prepareSwan(lab: Lab): Promise<void> {
  await lab.sh('sun', 'ip route replace blackhole 12.12.12.0/24');
}

/** One setup through the strongSwan pair. `cold`: the first after boot, nothing reset before it. */
async function swanSample(lab: Lab, cold: boolean): Promise<Sample> {
  if (!cold) {
    for (const n of ['sun', 'moon']) await lab.sh(n, TERMINATE);
    await swanEmpty(lab);
    await sleep(SETTLE_MS);
  }
  const since = Date.now();
  const sending = lab.exec('d1', TRAFFIC, 20_000);
  // the traffic must be running before Main Mode starts (checked below from the captures)
  await sleep(300);
  const init = await lab.exec('sun', 'swanctl --initiate --child lan --timeout 10');
  const p = await sending;
  if (init.exitCode !== 0 || p.exitCode !== 0) throw new Error(`strongSwan: no tunnel: ${init.stdout}${init.stderr}\n${p.stdout}${p.stderr}`);
  const t = check(setupTimes(await captures(lab, 'lan-sun', 'lan-moon'), since / 1000, { ...FLOW, probes: 0 }), 'strongSwan');
  if (t.trigger > t.mm1) throw new Error('strongSwan: the traffic started after Main Mode');
  return { impl: 'strongswan', mmMs: (t.end - t.mm1) * 1000, tedMs: null, replyMs: null, agentMs: null, mm1Count: t.mm1Count, pool: null };
}

function shuffle<T>(xs: T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

interface SuiteResult {
  suite: string;
  warm: Sample[];
  cold: Sample[];
  tunnelMbps: number;
  clearMbps: number;
}

const tag = process.pid.toString(36);

async function runSuite(suite: Suite): Promise<SuiteResult> {
  const warm: Sample[] = [];
  let tunnelMbps = NaN;
  let clearMbps = NaN;
  {
    await using routers = await Lab.up(suite.routers, { name: `bt-${suite.key}-r-${tag}`, capture: true });
    await using swans = await Lab.up(suite.strongswan, { name: `bt-${suite.key}-s-${tag}`, capture: true });
    await prepareSwan(swans);
    // the routers' work after boot is over before the first warm setup; one setup on each, not counted
    for (const r of ROUTERS) await statusOf(routers, r, ['--status', '--wait', '60000']);
    await oursSample(routers, null);
    await swanSample(swans, true);
    for (let i = 0; i < RUNS; i++) {
      for (const impl of shuffle<Impl>(['ours-pooled', 'ours-fresh', 'strongswan'])) {
        const s = impl === 'strongswan' ? await swanSample(swans, false) : await oursSample(routers, impl === 'ours-pooled' ? 'pooled' : 'fresh');
        warm.push(s);
        log(
          `  ${suite.key} warm ${i + 1}/${RUNS} ${impl}: ${s.mmMs.toFixed(1)} ms from Main Mode${s.tedMs === null ? '' : `, ${s.tedMs.toFixed(1)} ms from the trigger; DH pairs ${JSON.stringify(s.pool)}`}`,
        );
      }
    }
    // (b) throughput: captures stopped first (tcpdump would compete for the CPU)
    await routers.stopCapture();
    await routers.exec('d1', 'ping -c 2 -W 1 12.12.12.13');
    tunnelMbps = await iperfMbps(routers, SECONDS);
    if (!/#pkts encaps: [1-9]/.test(await routers.ios('daphne', 'show crypto ipsec sa'))) throw new Error('the iperf3 run did not go through the tunnel');
    for (const r of ROUTERS) await routers.ios(r, 'configure terminal', 'interface FastEthernet0/0', 'no crypto map tedtag', 'end');
    clearMbps = await iperfMbps(routers, SECONDS);
  }
  const cold: Sample[] = [];
  for (let i = 0; i < COLD; i++) {
    for (const kind of shuffle(['ours', 'strongswan'] as const)) {
      if (kind === 'ours') {
        await using lab = await Lab.up(suite.routers, { name: `bt-${suite.key}-rc-${tag}`, capture: true });
        cold.push(await oursSample(lab, null));
      } else {
        await using lab = await Lab.up(suite.strongswan, { name: `bt-${suite.key}-sc-${tag}`, capture: true });
        await prepareSwan(lab);
        cold.push(await swanSample(lab, true));
      }
      const s = cold.at(-1)!;
      log(
        `  ${suite.key} cold ${i + 1}/${COLD} ${s.impl}: ${s.mmMs.toFixed(1)} ms from Main Mode${s.tedMs === null ? '' : `, ${s.tedMs.toFixed(1)} ms from the trigger; DH pairs ${JSON.stringify(s.pool)}`}`,
      );
    }
  }
  return { suite: suite.name, warm, cold, tunnelMbps, clearMbps };
}

const f1 = (n: number) => (Number.isNaN(n) ? '-' : n.toFixed(1));
function stat(xs: number[]): string {
  return xs.length ? `${f1(median(xs))} [${f1(Math.min(...xs))}-${f1(Math.max(...xs))}]` : '-';
}
const pick = (ss: Sample[], impl: Impl, k: 'mmMs' | 'tedMs' | 'agentMs' | 'replyMs') => ss.filter((s) => s.impl === impl && s[k] !== null).map((s) => s[k]!);

async function main(): Promise<void> {
  const loadBefore = loadAverage();
  const results: SuiteResult[] = [];
  for (const s of SUITES) {
    log(`bench:tunnel: ${s.name}`);
    results.push(await runSuite(s));
  }
  const load = `${loadBefore} at the start, ${loadAverage()} at the end (1, 5, 15 min)`;
  if (asJson) {
    console.log(JSON.stringify({ runs: RUNS, cold: COLD, seconds: SECONDS, load, results }, null, 2));
    return;
  }
  console.log(
    `bench:tunnel  ${cpus()[0]?.model ?? ''} x${cpus().length}, Node ${process.version}; ${RUNS} warm rounds, ${COLD} fresh labs per suite and kind, iperf3 ${SECONDS} s`,
  );
  console.log(`load: ${load}`);
  console.log('\n(a) setup, to the first datagram decrypted on the far LAN (UDP every 1 ms), from the captures; ms, median [min-max]');
  console.log(
    'warm: ours with the DH pool, ours with a fresh DH pair per exchange and strongSwan 5.9.8 in random order each round, same reset and 1 s pause before each',
  );
  for (const r of results) {
    console.log(`\n${r.suite}`);
    console.log(`  from Main Mode message 1 (like with like)`);
    console.log(`    ours, DH pool          ${stat(pick(r.warm, 'ours-pooled', 'mmMs'))}`);
    console.log(`    ours, fresh DH pair    ${stat(pick(r.warm, 'ours-fresh', 'mmMs'))}`);
    console.log(`    strongSwan 5.9.8       ${stat(pick(r.warm, 'strongswan', 'mmMs'))}`);
    console.log(`  ours from the datagram that triggered TED (probe, reply, Main Mode, Quick Mode, first datagram across)`);
    console.log(
      `    DH pool                ${stat(pick(r.warm, 'ours-pooled', 'tedMs'))}   to a1's answer at d1 ${stat(pick(r.warm, 'ours-pooled', 'replyMs'))}`,
    );
    console.log(
      `    fresh DH pair          ${stat(pick(r.warm, 'ours-fresh', 'tedMs'))}   to a1's answer at d1 ${stat(pick(r.warm, 'ours-fresh', 'replyMs'))}`,
    );
    console.log(
      `    agents' time lines, acquire to both SA pairs in the datapath: pool ${stat(pick(r.warm, 'ours-pooled', 'agentMs'))}, fresh ${stat(pick(r.warm, 'ours-fresh', 'agentMs'))}`,
    );
    const pooled = r.warm.filter((s) => s.impl === 'ours-pooled');
    const fresh = r.warm.filter((s) => s.impl === 'ours-fresh');
    const per = (ss: Sample[], k: keyof PoolCounts) => (ss.reduce((a, x) => a + x.pool![k], 0) / Math.max(1, ss.length)).toFixed(1);
    console.log(
      `    DH key pairs per setup, both routers: with the pool ${per(pooled, 'hits')} ready, ${per(pooled, 'misses')} made on the spot; fresh ${per(fresh, 'fresh')} made on the spot, ${per(fresh, 'hits')} from a pool`,
    );
    console.log(`  first setup after boot, ${COLD} fresh labs each, right after up`);
    console.log(`    ours from Main Mode    ${stat(pick(r.cold, 'ours-pooled', 'mmMs'))}   from the trigger ${stat(pick(r.cold, 'ours-pooled', 'tedMs'))}`);
    console.log(`    strongSwan from Main Mode ${stat(pick(r.cold, 'strongswan', 'mmMs'))}`);
    const retrans = [...r.warm, ...r.cold].filter((s) => s.mm1Count > 1).length;
    if (retrans) console.log(`  note: ${retrans} setups retransmitted Main Mode message 1`);
  }
  console.log('\n(b) iperf3 TCP host to host through the routers (Mbit/s)');
  for (const r of results)
    console.log(
      `${r.suite.padEnd(62)} tunnel ${f1(r.tunnelMbps).padStart(7)}  clear ${f1(r.clearMbps).padStart(8)}  ratio ${(r.tunnelMbps / r.clearMbps).toFixed(3)}`,
    );
  const worst = Math.max(...results.map((r) => median(pick(r.warm, 'ours-fresh', 'tedMs'))));
  const worstPooled = Math.max(...results.map((r) => median(pick(r.warm, 'ours-pooled', 'tedMs'))));
  console.log(
    `\ntarget: setup < 10 ms, trigger to the first decrypted datagram, TED included, warm median: with the DH pool ${worstPooled < 10 ? 'met' : 'NOT met'} (worst suite ${f1(worstPooled)} ms), with fresh DH pairs ${worst < 10 ? 'met' : 'NOT met'} (worst suite ${f1(worst)} ms)`,
  );
  for (const r of results) {
    const ours = median(pick(r.warm, 'ours-fresh', 'mmMs'));
    const theirs = median(pick(r.warm, 'strongswan', 'mmMs'));
    console.log(
      `anchor strongSwan 5.9.8 (same run, same suite, Main Mode 1 to the first decrypted datagram): ${r.suite.split(',')[0]}: ours with fresh DH pairs ${(ours / theirs).toFixed(2)}x its time`,
    );
  }
}

main().catch((e: unknown) => {
  console.error(`bench:tunnel failed: ${(e as Error).stack ?? e}`);
  process.exitCode = 1;
});
