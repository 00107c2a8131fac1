/**
 * npm run bench:interop
 *
 * iperf3 TCP throughput host to host (d1 -> a1, one stream) through two
 * gateways, in one run, four ways, each its own lab (scripts/bench-interop/):
 *   routers, ESP        two emulated routers, static crypto maps: our agents'
 *                       userspace ESP on both ends, plain ESP (protocol 50);
 *   routers, NAT-T      the same routers with a NAT between them (the
 *                       nat-static-peer design): IKE and ESP in UDP 4500;
 *   strongSwan          two strongSwan 5.9.8 gateways, charon with
 *                       kernel-libipsec (userspace ESP in C, always in UDP
 *                       4500), the anchor;
 *   strongSwan, NAT     the same through the same NAT, so both UDP 4500
 *                       cases cross the same path.
 * strongSwan's crypto plugin is pinned (openssl loaded first, so it
 * implements AES, DES, HMAC-SHA-1 and HMAC-MD5; the routers' native ESP
 * module uses OpenSSL too) and recorded with the plugin list; the MTUs of
 * every gateway interface, and the MSS and path MTU d1's TCP used (`ss -ti`
 * halfway through each run), are measured, as are the fragments the
 * gateways made and UDP receive-buffer drops.
 * Clear text through the same containers first (routers without their
 * crypto maps, strongSwan before its tunnel starts). Then per suite
 * (AES-128/SHA-1, DES/MD5), every lab's runs in one random order. Medians,
 * min-max, spread ((max - min) / median), and the ratios ours / strongSwan.
 *
 *   node --openssl-legacy-provider dist/scripts/bench-interop.js [--runs N] [--seconds S] [--clear-runs N] [--quick] [--json]
 */
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Lab } from '../src/orchestrator/index.js';
import { loadAverage, median } from './lib/bench.js';
import { gatewayDeltas, iperfRun, labBenchArgs, linkMtus, type IperfRun, type KernelCounters } from './lib/lab-bench.js';
import { PIN_OPENSSL, SWAN_TERMINATE, swanCrypto, swanSettings, type SwanCrypto } from './lib/strongswan-bench.js';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const { runs: RUNS, seconds: SECONDS, json: asJson } = labBenchArgs(argv, quick ? { runs: 2, seconds: 5 } : { runs: 5, seconds: 20 });
const CLEAR_RUNS = argv.includes('--clear-runs') ? Number(argv[argv.indexOf('--clear-runs') + 1]) : quick ? 1 : 3;
const dir = fileURLToPath(new URL('../../scripts/bench-interop/', import.meta.url));
const log = (s: string) => process.stderr.write(`${s}\n`);
const tag = process.pid.toString(36);

interface Suite {
  name: string;
  transform: string;
  esp: string;
}
const SUITES: Suite[] = [
  { name: 'AES-128/SHA-1', transform: 'esp-aes esp-sha-hmac', esp: 'aes128-sha1' },
  { name: 'DES/MD5', transform: 'esp-des esp-md5-hmac', esp: 'des-md5' },
];

/** One of the four labs: how to build its tunnel, check a run went through it, and run it in clear. */
interface Case {
  key: string;
  name: string;
  ours: boolean;
  encapsulation: string;
  topology: string;
  gateways: [string, string];
  lab?: Lab;
  /** The crypto maps on the two routers (routers only). */
  maps?: [string, string];
}

const CASES: Case[] = [
  {
    key: 'routers-esp',
    name: 'routers (our agents), ESP',
    ours: true,
    encapsulation: 'ESP',
    topology: 'router-pair.yaml',
    gateways: ['daphne', 'fred'],
    maps: ['fred-map', 'daphne-map'],
  },
  {
    key: 'routers-natt',
    name: 'routers (our agents), NAT-T',
    ours: true,
    encapsulation: 'UDP 4500 via NAT',
    topology: 'router-nat.yaml',
    gateways: ['daphne', 'fred'],
    maps: ['fred-map', 'wan-map'],
  },
  {
    key: 'strongswan',
    name: 'strongSwan kernel-libipsec',
    ours: false,
    encapsulation: 'UDP 4500',
    topology: 'strongswan-pair.yaml',
    gateways: ['sun', 'moon'],
  },
  {
    key: 'strongswan-nat',
    name: 'strongSwan kernel-libipsec, NAT',
    ours: false,
    encapsulation: 'UDP 4500 via NAT',
    topology: 'strongswan-nat.yaml',
    gateways: ['sun', 'moon'],
  },
];

const labOf = (c: Case) => c.lab!;

async function cryptoMaps(c: Case, on: boolean): Promise<void> {
  await Promise.all(
    c.gateways.map((r, i) => labOf(c).ios(r, 'configure terminal', 'interface FastEthernet0/0', `${on ? '' : 'no '}crypto map ${c.maps![i]}`, 'end')),
  );
}

/** Build (or rebuild) the tunnel of a case with a suite, and check its encapsulation. */
async function tunnel(c: Case, suite: Suite): Promise<void> {
  const lab = labOf(c);
  if (c.ours) {
    await Promise.all(
      c.gateways.map((r) =>
        lab.ios(r, 'configure terminal', `crypto ipsec transform-set bench-ts ${suite.transform}`, 'end', 'clear crypto sa', 'clear crypto isakmp'),
      ),
    );
    await lab.exec('d1', 'ping -c 3 -W 2 12.12.12.13');
    const sa = await lab.ios('daphne', 'show crypto ipsec sa');
    if (!sa.includes(`transform: ${suite.transform} ,`)) throw new Error(`${c.name}: no ${suite.transform} tunnel:\n${sa}`);
    const udp = sa.includes('in use settings ={Tunnel UDP-Encaps, }');
    if (udp !== c.encapsulation.startsWith('UDP')) throw new Error(`${c.name}: the SA is ${udp ? '' : 'not '}UDP-encapsulated:\n${sa}`);
    return;
  }
  for (const n of c.gateways) {
    await lab.sh(n, `sed -i 's/esp_proposals = .*/esp_proposals = ${suite.esp}/' /etc/swanctl/swanctl.conf && swanctl --load-all --noprompt >/dev/null`);
    await lab.sh(n, SWAN_TERMINATE);
  }
  await lab.sh('sun', 'swanctl --initiate --child lan --timeout 30 >/dev/null');
  const sas = await lab.sh('sun', 'swanctl --list-sas');
  if (!/INSTALLED, TUNNEL-in-UDP/.test(sas)) throw new Error(`${c.name}: no tunnel in UDP:\n${sas}`);
}

/** What went through the tunnel so far: packets the router encapsulated, or bytes out of sun's CHILD_SA. */
async function tunnelCount(c: Case): Promise<number> {
  if (c.ours) return Number(/#pkts encaps: (\d+)/.exec(await labOf(c).ios('daphne', 'show crypto ipsec sa'))?.[1] ?? 0);
  return Number(/out +\w+, +(\d+) bytes/.exec(await labOf(c).sh('sun', 'swanctl --list-sas'))?.[1] ?? 0);
}

interface Run extends IperfRun {
  /** Both gateways' kernel counters over the run, added up. */
  kernel: KernelCounters;
}

async function run(c: Case, through: boolean): Promise<Run> {
  const lab = labOf(c);
  const count0 = through ? await tunnelCount(c) : 0;
  const { result, kernel } = await gatewayDeltas(lab, c.gateways, () => iperfRun(lab, SECONDS));
  const count1 = through ? await tunnelCount(c) : 0;
  // a count that went down means a new SA (a rekey) during the run: the configs rule out volume rekeys, so say so
  if (through && count1 - count0 < (c.ours ? 1000 : 1e6))
    throw new Error(`${c.name}: the iperf3 run did not go through the tunnel (tunnel count ${count0} before, ${count1} after)`);
  return { ...result, kernel };
}

function shuffle<T>(xs: T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

interface Row {
  case: string;
  name: string;
  suite: string;
  runs: Run[];
}

interface Setup {
  mtus: Record<string, Record<string, number>>;
  strongswan: SwanCrypto | null;
}

async function main(): Promise<void> {
  try {
    for (const c of CASES) c.lab = await Lab.up(`${dir}${c.topology}`, { name: `bi-${c.key}-${tag}`.slice(0, 24) });
    await measure();
  } finally {
    for (const c of CASES) await c.lab?.down();
  }
}

async function measure(): Promise<void> {
  const loadBefore = loadAverage();
  log(
    `bench:interop  ${cpus()[0]?.model ?? ''} x${cpus().length}, Node ${process.version}; ${RUNS} runs of iperf3 TCP ${SECONDS} s per case, ${CLEAR_RUNS} in clear; load ${loadBefore}`,
  );
  // strongSwan: the crypto plugin pinned (openssl first), then recorded
  const swans = CASES.filter((c) => !c.ours);
  for (const c of swans) await swanSettings(labOf(c), c.gateways, PIN_OPENSSL);
  const setup: Record<string, Setup> = {};
  for (const c of CASES) {
    const mtus = Object.fromEntries(await Promise.all(c.gateways.map(async (g) => [g, await linkMtus(labOf(c), g)] as const)));
    setup[c.key] = { mtus, strongswan: c.ours ? null : await swanCrypto(labOf(c), 'sun') };
  }
  const rows: Row[] = [];

  // clear text: the routers without crypto maps, strongSwan before its tunnel; runs in random order
  for (const c of CASES.filter((x) => x.ours)) await cryptoMaps(c, false);
  const clearName = (c: Case) => `clear text, ${c.ours ? 'router' : 'strongSwan'} containers${c.encapsulation.includes('NAT') ? ', NAT' : ''}`;
  const clear = new Map(CASES.map((c) => [c.key, { case: c.key, name: clearName(c), suite: 'clear', runs: [] as Run[] }]));
  for (const c of shuffle(CASES.flatMap((x) => Array.from({ length: CLEAR_RUNS }, () => x)))) {
    const r = await run(c, false);
    clear.get(c.key)!.runs.push(r);
    log(`  clear, ${c.key}: ${r.mbps.toFixed(0)} Mbit/s, mss ${r.mss}`);
  }
  rows.push(...clear.values());
  for (const c of CASES.filter((x) => x.ours)) await cryptoMaps(c, true);

  for (const suite of SUITES) {
    for (const c of CASES) await tunnel(c, suite);
    const byCase = new Map(CASES.map((c) => [c.key, { case: c.key, name: c.name, suite: suite.name, runs: [] as Run[] }]));
    for (const c of shuffle(CASES.flatMap((x) => Array.from({ length: RUNS }, () => x)))) {
      const r = await run(c, true);
      byCase.get(c.key)!.runs.push(r);
      log(
        `  ${suite.name}, ${c.key}: ${r.mbps.toFixed(0)} Mbit/s, mss ${r.mss}, pmtu ${r.pmtu}, retransmits ${r.retransmits}, fragments ${r.kernel.fragCreates}, UDP rcvbuf drops ${r.kernel.udpRcvbufErrors}, tun drops ${r.kernel.tunDropped}, unreachables ${r.kernel.icmpOutDestUnreachs}`,
      );
    }
    rows.push(...byCase.values());
  }
  const load = `${loadBefore} at the start, ${loadAverage()} at the end (1, 5, 15 min)`;

  const med = (key: string, suite: string) => median(rows.find((r) => r.case === key && r.suite === suite)!.runs.map((x) => x.mbps));
  const ratios = SUITES.map((s) => ({
    suite: s.name,
    espOverStrongswan: med('routers-esp', s.name) / med('strongswan', s.name),
    nattOverStrongswanNat: med('routers-natt', s.name) / med('strongswan-nat', s.name),
    nattOverStrongswan: med('routers-natt', s.name) / med('strongswan', s.name),
  }));
  if (asJson) {
    console.log(JSON.stringify({ runs: RUNS, seconds: SECONDS, clearRuns: CLEAR_RUNS, load, setup, rows, ratios }, null, 2));
    return;
  }
  const f0 = (x: number) => x.toFixed(0);
  console.log(
    `\nbench:interop  ${cpus()[0]?.model ?? ''} x${cpus().length}, Node ${process.version}; iperf3 TCP d1 -> a1, one stream, ${SECONDS} s runs, in random order`,
  );
  console.log(`load: ${load}`);
  console.log(
    '\nMbit/s: median [min-max] spread; every run; then (medians per run) the MSS / path MTU d1 used, sender retransmissions, and at the two gateways: fragments made, UDP receive-buffer drops, tun queue drops, ICMP unreachables sent',
  );
  for (const r of rows) {
    const m = r.runs.map((x) => x.mbps);
    const mid = median(m);
    const k = (f: (x: Run) => number | null) => {
      const v = r.runs.map(f).filter((x): x is number => x !== null);
      return v.length ? f0(median(v)) : '-';
    };
    console.log(
      `${`${r.suite === 'clear' ? '' : `${r.suite}  `}${r.name}`.padEnd(52)} ${f0(mid).padStart(6)} [${f0(Math.min(...m))}-${f0(Math.max(...m))}] ${Math.round(((Math.max(...m) - Math.min(...m)) / mid) * 100)}%  (${m.map(f0).join(', ')})  mss ${k((x) => x.mss)} pmtu ${k((x) => x.pmtu)} retr ${k((x) => x.retransmits)} frag ${k((x) => x.kernel.fragCreates)} rcvbuf ${k((x) => x.kernel.udpRcvbufErrors)} tun ${k((x) => x.kernel.tunDropped)} unreach ${k((x) => x.kernel.icmpOutDestUnreachs)}`,
    );
  }
  console.log('\nratios, ours / strongSwan (medians)');
  for (const r of ratios)
    console.log(
      `${r.suite.padEnd(14)} routers ESP / strongSwan ${r.espOverStrongswan.toFixed(2)};  routers NAT-T / strongSwan through the same NAT ${r.nattOverStrongswanNat.toFixed(2)};  routers NAT-T / strongSwan direct ${r.nattOverStrongswan.toFixed(2)}`,
    );
  console.log('\nsetup');
  for (const c of CASES) {
    const s = setup[c.key]!;
    console.log(
      `${c.name.padEnd(34)} ${c.encapsulation.padEnd(18)} MTUs ${Object.entries(s.mtus)
        .map(
          ([g, m]) =>
            `${g} ${Object.entries(m)
              .map(([i, v]) => `${i}=${v}`)
              .join(' ')}`,
        )
        .join('; ')}`,
    );
    if (s.strongswan)
      console.log(
        `${''.padEnd(53)} ESP crypto: ${Object.entries(s.strongswan.esp)
          .map(([a, p]) => `${a}[${p}]`)
          .join(' ')}; plugins: ${s.strongswan.plugins}`,
      );
  }
}

main().catch((e: unknown) => {
  console.error(`bench:interop: ${(e as Error).stack ?? (e as Error).message}`);
  process.exitCode = 1;
});
