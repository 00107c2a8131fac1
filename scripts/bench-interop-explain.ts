/**
 * npm run bench:interop-explain
 *
 * Why strongSwan's kernel-libipsec reaches the throughput it does in
 * bench:interop (and not the ~305 Mbit/s a separate harness noted for the
 * same kind of machine): candidate explanations tested one at a time. Two
 * strongSwan pair labs (scripts/bench-interop/strongswan-pair.yaml, AES-128/
 * SHA-1) are up at once: A always runs the configuration of bench:interop
 * (openssl plugin pinned), B one variant (a fresh lab per variant, so no
 * state of an earlier one, such as a learnt path MTU, carries over); their
 * iperf3 runs alternate in a random order per round, so each variant is
 * judged against a baseline measured in the same minutes. Every run also
 * records d1's MSS and path MTU, TCP retransmissions, the gateways'
 * fragments, UDP receive-buffer and tun queue drops, and the CPU time of
 * charon's busiest threads on each gateway.
 *
 *   node --openssl-legacy-provider dist/scripts/bench-interop-explain.js [--runs N] [--seconds S] [--quick] [--json] [--only KEY,...]
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Lab } from '../src/orchestrator/index.js';
import { loadAverage, median } from './lib/bench.js';
import { containerSh, gatewayDeltas, iperfRun, labBenchArgs, type IperfRun, type KernelCounters } from './lib/lab-bench.js';
import { busiestThreads, charonThreadTicks, PIN_OPENSSL, SWAN_TERMINATE, swanCrypto, swanSettings, type SwanCrypto } from './lib/strongswan-bench.js';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const { runs: RUNS, seconds: SECONDS, json: asJson } = labBenchArgs(argv, quick ? { runs: 2, seconds: 5 } : { runs: 5, seconds: 20 });
const ONLY = argv.includes('--only') ? argv[argv.indexOf('--only') + 1]!.split(',') : null;
const dir = fileURLToPath(new URL('../../scripts/bench-interop/', import.meta.url));
const topology = `${dir}strongswan-pair.yaml`;
const log = (s: string) => process.stderr.write(`${s}\n`);
const GATEWAYS = ['sun', 'moon'] as const;

interface Variant {
  key: string;
  what: string;
  /** strongswan.conf fragment for B (A always has PIN_OPENSSL). */
  conf: string;
  /** On B's gateways before charon restarts with `conf`. */
  before?: (lab: Lab) => Promise<void>;
  /** After charon restarted on B, before its tunnel. */
  after?: (lab: Lab) => Promise<void>;
}

/** Builds scripts/bench-interop/rcvbuf-preload.c in the gateways (the image has gcc) and preloads it into every process there, charon included. */
async function preloadRcvbuf(lab: Lab): Promise<void> {
  const source = readFileSync(`${dir}rcvbuf-preload.c`, 'utf8');
  for (const g of GATEWAYS) {
    await lab.sh(
      g,
      `cat > /tmp/rcvbuf-preload.c <<'EOF'\n${source}EOF\ngcc -O2 -Wall -shared -fPIC -o /usr/local/lib/rcvbuf-preload.so /tmp/rcvbuf-preload.c -ldl && echo /usr/local/lib/rcvbuf-preload.so > /etc/ld.so.preload`,
    );
  }
}

/** The receive buffer (bytes) of charon's UDP 4500 socket on moon, the receiving end: ss's skmem rb. */
async function rcvbufOf(lab: Lab): Promise<number | null> {
  const m = /rb(\d+)/.exec(await containerSh(lab, 'moon', "ss -uamn 'sport = :4500'"));
  return m ? Number(m[1]) : null;
}

const QUIET_LOG =
  'charon {\n  filelog {\n    console {\n' +
  ['default', 'ike', 'cfg', 'knl', 'net', 'enc', 'esp', 'chd', 'lib'].map((s) => `      ${s} = -1\n`).join('') +
  '    }\n  }\n}\n';

const VARIANTS: Variant[] = [
  { key: 'plugins-debian', what: "Debian's plugin order (nothing pinned)", conf: '' },
  {
    key: 'tun-mtu-1500',
    what: "tun device MTU 1500 instead of kernel-libipsec's 1400 (MSS 1448, ESP-in-UDP datagrams over 1500 bytes)",
    conf: PIN_OPENSSL,
    after: async (lab) => {
      for (const g of GATEWAYS) await lab.sh(g, 'ip link set ipsec0 mtu 1500');
    },
  },
  {
    key: 'rcvbuf-8m',
    what: "charon's UDP sockets with a receive buffer of 8 MiB (SO_RCVBUF 4 MiB, doubled by the kernel) instead of the machine's default 208 KiB (a preloaded bind(); strongSwan 5.9.8 has no setting)",
    conf: PIN_OPENSSL,
    before: preloadRcvbuf,
  },
  { key: 'threads-32', what: 'charon.threads = 32 (default 16)', conf: PIN_OPENSSL.replace('charon {\n', 'charon {\n  threads = 32\n') },
  {
    key: 'log-quiet',
    what: 'charon logging off (the strongswan node logs ike at level 2, the rest at 1, to the container console)',
    conf: PIN_OPENSSL.replace(/}\n$/, '') + QUIET_LOG.replace('charon {\n', ''),
  },
];

async function tunnel(lab: Lab): Promise<void> {
  for (const n of GATEWAYS) await lab.sh(n, SWAN_TERMINATE);
  await lab.sh('sun', 'swanctl --initiate --child lan --timeout 30 >/dev/null');
  if (!/INSTALLED, TUNNEL-in-UDP/.test(await lab.sh('sun', 'swanctl --list-sas'))) throw new Error(`${lab.name}: no tunnel`);
}

interface Run extends IperfRun {
  kernel: KernelCounters;
  /** Per gateway, charon's busiest threads as shares of one core. */
  threads: Record<string, number[]>;
}

async function run(lab: Lab): Promise<Run> {
  const { result, kernel } = await gatewayDeltas(lab, GATEWAYS, async () => {
    const ticks0 = await Promise.all(GATEWAYS.map((g) => charonThreadTicks(lab, g)));
    const t0 = Date.now();
    const r = await iperfRun(lab, SECONDS);
    const elapsed = (Date.now() - t0) / 1000;
    const ticks1 = await Promise.all(GATEWAYS.map((g) => charonThreadTicks(lab, g)));
    return { ...r, threads: Object.fromEntries(GATEWAYS.map((g, i) => [g, busiestThreads(ticks0[i]!, ticks1[i]!, elapsed, 4)])) };
  });
  return { ...result, kernel };
}

interface Result {
  variant: string;
  what: string;
  baseline: Run[];
  variantRuns: Run[];
  crypto: { baseline: SwanCrypto; variant: SwanCrypto };
  mtus: { baseline: string; variant: string };
  rcvbuf: { baseline: number | null; variant: number | null };
}

async function main(): Promise<void> {
  const tag = process.pid.toString(36);
  const loadBefore = loadAverage();
  const results: Result[] = [];
  let a: Lab | undefined;
  let b: Lab | undefined;
  try {
    a = await Lab.up(topology, { name: `bx-a-${tag}` });
    await swanSettings(a, GATEWAYS, PIN_OPENSSL);
    await tunnel(a);
    for (const [i, v] of VARIANTS.filter((x) => !ONLY || ONLY.includes(x.key)).entries()) {
      log(`variant ${v.key}: ${v.what}`);
      await b?.down();
      b = await Lab.up(topology, { name: `bx-b${i}-${tag}` });
      await v.before?.(b);
      await swanSettings(b, GATEWAYS, v.conf);
      await v.after?.(b);
      await tunnel(b);
      const res: Result = {
        variant: v.key,
        what: v.what,
        baseline: [],
        variantRuns: [],
        crypto: { baseline: await swanCrypto(a, 'sun'), variant: await swanCrypto(b, 'sun') },
        mtus: {
          baseline: (await containerSh(a, 'sun', 'cat /sys/class/net/ipsec0/mtu')).trim(),
          variant: (await containerSh(b, 'sun', 'cat /sys/class/net/ipsec0/mtu')).trim(),
        },
        rcvbuf: { baseline: await rcvbufOf(a), variant: await rcvbufOf(b) },
      };
      for (let i = 0; i < RUNS; i++) {
        for (const which of Math.random() < 0.5 ? ['A', 'B'] : ['B', 'A']) {
          const r = await run(which === 'A' ? a : b!);
          (which === 'A' ? res.baseline : res.variantRuns).push(r);
          log(
            `  ${which === 'A' ? 'baseline' : v.key}: ${r.mbps.toFixed(0)} Mbit/s, mss ${r.mss}, retransmits ${r.retransmits}, rcvbuf drops ${r.kernel.udpRcvbufErrors}, tun drops ${r.kernel.tunDropped}, fragments ${r.kernel.fragCreates}, unreachables ${r.kernel.icmpOutDestUnreachs}, busiest charon threads sun ${r.threads.sun!.map((x) => x.toFixed(2)).join('/')} moon ${r.threads.moon!.map((x) => x.toFixed(2)).join('/')}`,
          );
        }
      }
      results.push(res);
    }
  } finally {
    await a?.down();
    await b?.down();
  }
  const load = `${loadBefore} at the start, ${loadAverage()} at the end (1, 5, 15 min)`;
  if (asJson) {
    console.log(JSON.stringify({ runs: RUNS, seconds: SECONDS, load, results }, null, 2));
    return;
  }
  const f0 = (x: number) => x.toFixed(0);
  const summary = (rs: Run[]) => {
    const m = rs.map((r) => r.mbps);
    const k = (f: (r: Run) => number | null) => f0(median(rs.map(f).filter((x): x is number => x !== null)));
    const th = (g: string) => (GATEWAYS.includes(g as 'sun') ? [0, 1, 2].map((i) => median(rs.map((r) => r.threads[g]![i] ?? 0)).toFixed(2)).join('/') : '');
    return `${f0(median(m)).padStart(4)} [${f0(Math.min(...m))}-${f0(Math.max(...m))}] Mbit/s  mss ${k((r) => r.mss)}  retr ${k((r) => r.retransmits)}  rcvbuf drops ${k((r) => r.kernel.udpRcvbufErrors)}  tun drops ${k((r) => r.kernel.tunDropped)}  frag ${k((r) => r.kernel.fragCreates)}  unreach ${k((r) => r.kernel.icmpOutDestUnreachs)}  threads sun ${th('sun')} moon ${th('moon')}`;
  };
  console.log(
    `\nbench:interop-explain  ${cpus()[0]?.model ?? ''} x${cpus().length}; strongSwan pair, AES-128/SHA-1, iperf3 TCP ${SECONDS} s, ${RUNS} runs each, baseline and variant alternating`,
  );
  console.log(`load: ${load}`);
  console.log("baseline: openssl plugin pinned, tun MTU 1400, charon.threads 16, the strongswan node's logging (as bench:interop)");
  console.log("threads: charon's three busiest threads on each gateway, share of one core (median over runs)");
  for (const r of results) {
    const ratio = median(r.variantRuns.map((x) => x.mbps)) / median(r.baseline.map((x) => x.mbps));
    console.log(`\n${r.variant}: ${r.what}  -> variant / baseline ${ratio.toFixed(2)}`);
    console.log(`  baseline ${summary(r.baseline)}`);
    console.log(`  variant  ${summary(r.variantRuns)}`);
    console.log(
      `  ESP crypto baseline ${JSON.stringify(r.crypto.baseline.esp)}, variant ${JSON.stringify(r.crypto.variant.esp)}; tun MTU ${r.mtus.baseline} / ${r.mtus.variant}; moon's UDP 4500 receive buffer ${r.rcvbuf.baseline} / ${r.rcvbuf.variant} bytes`,
    );
  }
}

main().catch((e: unknown) => {
  console.error(`bench:interop-explain: ${(e as Error).stack ?? (e as Error).message}`);
  process.exitCode = 1;
});
