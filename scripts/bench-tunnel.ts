/**
 * npm run bench:tunnel
 *
 * (a) Tunnel setup latency: from the packet that triggers TED to both IPsec
 *     SAs installed, TED probe included. Measured twice: from the routers'
 *     time lines (Daphne's acquire, both routers' installs; the containers
 *     share the host's clock) and from the captures (the trigger on Daphne's
 *     LAN to the third Quick Mode message on the WAN). The first setup after
 *     boot ("cold") is reported apart; then the SAs are cleared on both
 *     routers and set up again, several times ("warm": median).
 * (b) iperf3 TCP throughput host to host through the tunnel, and through
 *     the same containers in clear text (crypto map removed from the WAN
 *     interfaces), as a ratio.
 *
 *   node --openssl-legacy-provider dist/scripts/bench-tunnel.js [--runs N] [--seconds S] [--json]
 */
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Lab } from '../src/orchestrator/index.js';
import { median } from './lib/bench.js';
import { iperfMbps, labBenchArgs } from './lib/lab-bench.js';

const { runs: RUNS, seconds: SECONDS, json: asJson } = labBenchArgs(process.argv.slice(2), { runs: 9, seconds: 5 });
const root = fileURLToPath(new URL('../../', import.meta.url));

interface Suite {
  name: string;
  topology: string;
}

const SUITES: Suite[] = [
  { name: 'seed: IKE DES/SHA/group 1, esp-des esp-md5-hmac', topology: `${root}topologies/daphne-fred.yaml` },
  { name: 'IKE AES-128/SHA/group 14, esp-aes esp-sha-hmac, PFS group 14', topology: `${root}tests/fixtures/topologies/ted-aes-pfs.yaml` },
];

interface Event {
  event: string;
  detail: string;
  at: number;
}

async function timeline(lab: Lab, node: string): Promise<Event[]> {
  const r = await lab.exec(node, ['--timeline']);
  // runs `ios --timeline` in the router, which prints the time line as JSON
  return JSON.parse(r.stdout) as Event[];
}

interface Setup {
  agentMs: number;
  captureMs: number;
}

/** One setup: trigger a packet from d1, then read how long it took. */
async function oneSetup(lab: Lab, since: number): Promise<Setup> {
  await lab.exec('d1', 'ping -c 1 -W 1 12.12.12.13');
  await new Promise((r) => setTimeout(r, 200));
  const [d, f] = await Promise.all([timeline(lab, 'daphne'), timeline(lab, 'fred')]);
  const acquire = d.find((e) => e.event === 'acquire' && e.at >= since);
  const installs = [d, f].map((list) => list.find((e) => e.event === 'install' && e.at >= since));
  if (!acquire || installs.some((i) => !i)) throw new Error(`no complete setup in the time lines after ${new Date(since).toISOString()}`);
  const agentMs = Math.max(...installs.map((i) => i!.at)) - acquire.at;
  const lan = (await lab.packets('lan-daphne')).filter((p) => p.time * 1000 >= since - 1 && p.icmp?.type === 8);
  const wan = (await lab.packets('wan')).filter((p) => p.time * 1000 >= since - 1 && p.isakmp?.exchangeType === 32);
  const trigger = lan[0];
  const qm3 = wan[2];
  const captureMs = trigger && qm3 ? (qm3.time - trigger.time) * 1000 : NaN;
  return { agentMs, captureMs };
}

async function clearBoth(lab: Lab): Promise<void> {
  for (const r of ['daphne', 'fred']) await lab.ios(r, 'clear crypto sa', 'clear crypto isakmp');
  await new Promise((r) => setTimeout(r, 1500));
}

interface Result {
  suite: string;
  coldAgentMs: number;
  coldCaptureMs: number;
  warmAgentMs: number;
  warmCaptureMs: number;
  warmRuns: number;
  tunnelMbps: number;
  clearMbps: number;
}

async function runSuite(suite: Suite, index: number): Promise<Result> {
  await using lab = await Lab.up(suite.topology, { name: `bench-tunnel-${index}`, capture: true });
  const cold = await oneSetup(lab, Date.now() - 5);
  const warm: Setup[] = [];
  for (let i = 0; i < RUNS; i++) {
    await clearBoth(lab);
    warm.push(await oneSetup(lab, Date.now() - 5));
  }
  // throughput: stop the captures first (tcpdump would compete for the CPU)
  await lab.stopCapture();
  await lab.exec('d1', 'ping -c 2 -W 1 12.12.12.13');
  const tunnelMbps = await iperfMbps(lab, SECONDS);
  const sa = await lab.ios('daphne', 'show crypto ipsec sa');
  if (!/#pkts encaps: [1-9]/.test(sa)) throw new Error('the iperf3 run did not go through the tunnel');
  for (const r of ['daphne', 'fred']) await lab.ios(r, 'configure terminal', 'interface FastEthernet0/0', 'no crypto map tedtag', 'end');
  const clearMbps = await iperfMbps(lab, SECONDS);
  return {
    suite: suite.name,
    coldAgentMs: cold.agentMs,
    coldCaptureMs: cold.captureMs,
    warmAgentMs: median(warm.map((w) => w.agentMs)),
    warmCaptureMs: median(warm.map((w) => w.captureMs)),
    warmRuns: warm.length,
    tunnelMbps,
    clearMbps,
  };
}

async function main(): Promise<void> {
  const results: Result[] = [];
  for (const [i, s] of SUITES.entries()) {
    process.stderr.write(`bench:tunnel: ${s.name}\n`);
    results.push(await runSuite(s, i));
  }
  if (asJson) {
    console.log(JSON.stringify(results, null, 2));
    return;
  }
  const f = (n: number) => (Number.isNaN(n) ? '-' : n.toFixed(1));
  console.log(`bench:tunnel  ${cpus()[0]?.model ?? ''} x${cpus().length}, Node ${process.version}; ${RUNS} warm runs, iperf3 ${SECONDS} s`);
  console.log('\n(a) setup latency, trigger to both IPsec SAs installed, TED included (ms)');
  console.log('suite                                                          cold agent  cold pcap  warm agent  warm pcap');
  for (const r of results) console.log(`${r.suite.padEnd(62)} ${f(r.coldAgentMs).padStart(10)} ${f(r.coldCaptureMs).padStart(10)} ${f(r.warmAgentMs).padStart(11)} ${f(r.warmCaptureMs).padStart(10)}`);
  console.log('reference: the seed\'s Cisco 2600 took about 5150 ms; strongSwan 5.9.8 needs 4-7 ms for Main Mode + Quick Mode (no TED); target < 10 ms');
  console.log('\n(b) iperf3 TCP host to host (Mbit/s)');
  console.log('suite                                                          tunnel     clear   tunnel/clear');
  for (const r of results) console.log(`${r.suite.padEnd(62)} ${f(r.tunnelMbps).padStart(7)} ${f(r.clearMbps).padStart(9)} ${(r.tunnelMbps / r.clearMbps).toFixed(3).padStart(12)}`);
  // the target is on the median of repeated setups (warm, both time lines and captures); the first
  // setup after boot is one sample, judged apart so a slow first tunnel is never hidden
  const worstMedian = Math.max(...results.map((r) => Math.max(r.warmAgentMs, r.warmCaptureMs)));
  const worstCold = Math.max(...results.map((r) => Math.max(r.coldAgentMs, r.coldCaptureMs)));
  console.log(`\ntarget setup < 10 ms, median of ${RUNS} setups: ${worstMedian < 10 ? 'met' : 'NOT met'} (worst suite ${f(worstMedian)} ms)`);
  console.log(`first setup after boot (one sample per suite): ${worstCold < 10 ? 'also under' : 'over'} 10 ms (worst ${f(worstCold)} ms)`);
}

main().catch((e: unknown) => {
  console.error(`bench:tunnel failed: ${(e as Error).stack ?? e}`);
  process.exitCode = 1;
});
