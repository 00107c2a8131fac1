/**
 * npm run bench:loss
 *
 * IKE under random loss (issue 14 item 2), as an IN-MEMORY SIMULATION: the
 * seed lab's two routers (their IKE engines, TED, Main Mode, Quick Mode) on
 * a simulated WAN that drops each datagram, both directions, with a seeded
 * probability (scripts/lib/loss-sim.ts). No Docker: the Docker version
 * (impairment on the lab's WAN) is still to be written.
 *
 * 50 fresh tunnels at 30% and at 20% loss (seeds 1..50 for the loss draws).
 * A tunnel's formation time runs from the first ping (d1 pings a1 every
 * second until the tunnel is up) to the moment both routers have installed
 * the pair. Every run is checked against the retransmission schedule:
 *   gap    no gap between datagrams on the WAN longer than one
 *          retransmission interval, except where a negotiation was abandoned
 *          at its limit and the next ping (at most 1 s later) started again;
 *   final  no wait after a final message that arrived: the Quick Mode
 *          responder installs when the first QM3 reaches it, the Main Mode
 *          initiator sends QM1 when the first MM6 reaches it.
 *
 * Then DPD on live tunnels under 10% loss each way (50 tunnels x 10 min):
 * on demand (IOS's default) with a ping through the tunnel, and periodic on
 * an idle tunnel; a live peer declared dead is counted.
 *
 *   node dist/scripts/bench-loss.js [--runs N] [--json]
 */
import { fileURLToPath } from 'node:url';
import { IOS_TIMERS } from '../src/agent/ike/retransmit.js';
import { fmt, formatTable } from './lib/bench.js';
import { PING_EVERY_MS, simulate, simulateDpd, type Run } from './lib/loss-sim.js';

const argv = process.argv.slice(2);
const RUNS = argv.includes('--runs') ? Number(argv[argv.indexOf('--runs') + 1]) : 50;
const asJson = argv.includes('--json');
const root = fileURLToPath(new URL('../../', import.meta.url));
const INTERVAL = Math.max(IOS_TIMERS.phase1.intervalMs, IOS_TIMERS.phase2.intervalMs, IOS_TIMERS.probe.intervalMs);
const MM = 2;
const QM = 32;

/** Gaps on the WAN longer than one interval that no abandoned negotiation explains. */
function badGaps(r: Run): number[] {
  const end = r.formed ?? Infinity;
  const times = r.datagrams.map((d) => d.at).filter((t) => t <= end);
  const bad: number[] = [];
  for (let i = 1; i < times.length; i++) {
    const [a, b] = [times[i - 1]!, times[i]!];
    if (b - a <= INTERVAL) continue;
    if (r.failures.some((f) => f >= a && f <= b && b - f <= PING_EVERY_MS)) continue;
    bad.push(a);
  }
  return bad;
}

/** Final messages that arrived and were not acted on in the same instant. */
function waits(r: Run): string[] {
  const out: string[] = [];
  const ike = r.datagrams.filter((d) => d.kind === 'ike');
  const type = (d: { payload: Buffer }) => d.payload[18];
  // Quick Mode: the initiator's messages sent once it had installed are QM3
  for (const who of ['daphne', 'fred'] as const) {
    const installedAt = r.installs[who];
    const peer = who === 'daphne' ? 'fred' : 'daphne';
    const qm3 = ike.find((d) => d.sender === who && type(d) === QM && installedAt !== null && d.at >= installedAt && d.delivered !== null);
    if (qm3 && r.installs[peer] !== qm3.delivered) out.push(`QM3 reached ${peer} at ${qm3.delivered}, installed at ${r.installs[peer]}`);
  }
  // Main Mode: per initiator cookie, the responder's third distinct message is MM6
  const cookies = new Set(ike.filter((d) => type(d) === MM).map((d) => d.payload.subarray(0, 8).toString('hex')));
  for (const c of cookies) {
    const mm = ike.filter((d) => type(d) === MM && d.payload.subarray(0, 8).toString('hex') === c);
    const initiator = mm[0]!.sender;
    const fromResponder = mm.filter((d) => d.sender !== initiator);
    const distinct = [...new Set(fromResponder.map((d) => d.payload.toString('hex')))];
    if (distinct.length < 3) continue;
    const mm6 = fromResponder.find((d) => d.payload.toString('hex') === distinct[2] && d.delivered !== null);
    if (mm6 && !ike.some((d) => d.sender === initiator && type(d) === QM && d.at === mm6.delivered))
      out.push(`MM6 reached ${initiator} at ${mm6.delivered}, no QM1 then`);
  }
  return out;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const results = [0.3, 0.2].map((loss) => {
  const runs = Array.from({ length: RUNS }, (_, i) => simulate(root, loss, i + 1));
  const formed = runs.map((r) => r.formed).filter((f): f is number => f !== null);
  const sorted = [...formed].sort((a, b) => a - b);
  return {
    loss,
    runs: RUNS,
    formed: formed.length,
    seconds: sorted.map((ms) => ms / 1000),
    min: sorted[0]! / 1000,
    p50: quantile(sorted, 0.5) / 1000,
    p90: quantile(sorted, 0.9) / 1000,
    max: sorted[sorted.length - 1]! / 1000,
    within120: formed.filter((f) => f <= 120_000).length,
    restarted: runs.filter((r) => r.failures.length > 0).length,
    badGaps: runs.reduce((n, r) => n + badGaps(r).length, 0),
    waits: runs.flatMap(waits),
  };
});

// DPD under 10% loss on live tunnels (issue 14): on demand with traffic through the tunnel (IOS's default
// mode, the ping's ESP lost as often as IKE), and periodic on an idle tunnel, where only DPD proves liveness.
// IOS declares a peer dead when `dpdRetries` R-U-THEREs in a row go unanswered (five): under loss p each way a
// round trip is lost with r = 1 - (1 - p)^2, so a periodic round ends in a false death with probability r^5.
const DPD_LOSS = 0.1;
const DPD_MS = 600_000;
const dpdModes = [
  { mode: 'on demand, ping every 1 s', keepalive: 'crypto isakmp keepalive 10 2', traffic: true },
  { mode: 'periodic, idle tunnel', keepalive: 'crypto isakmp keepalive 10 2 periodic', traffic: false },
];
const dpd = dpdModes.map((m) => {
  const runs = Array.from({ length: RUNS }, (_, i) =>
    simulateDpd(root, { loss: DPD_LOSS, seed: 1000 + i, keepalive: m.keepalive, traffic: m.traffic, durationMs: DPD_MS }),
  );
  return {
    ...m,
    runs: RUNS,
    declaredDead: runs.reduce((n, r) => n + r.declaredDead, 0),
    ruThereSent: runs.reduce((n, r) => n + r.ruThereSent, 0),
    acksReceived: runs.reduce((n, r) => n + r.acksReceived, 0),
  };
});
const roundLost = 1 - (1 - DPD_LOSS) ** 2;

if (asJson) process.stdout.write(`${JSON.stringify({ formation: results, dpd }, null, 2)}\n`);
else {
  process.stdout.write(`bench:loss (in-memory simulation of the seed lab's WAN; interval ${INTERVAL / 1000} s, ping every ${PING_EVERY_MS / 1000} s)\n`);
  const rows = results.map((r) => [
    `${r.loss * 100}%`,
    `${r.formed}/${r.runs}`,
    fmt(r.min, 2),
    fmt(r.p50, 2),
    fmt(r.p90, 2),
    fmt(r.max, 2),
    `${r.within120}/${r.runs}`,
    String(r.restarted),
    String(r.badGaps),
    String(r.waits.length),
  ]);
  process.stdout.write(
    formatTable(['loss', 'formed', 'min s', 'median s', 'p90 s', 'max s', '<=120 s', 'restarted', 'bad gaps', 'waits'], rows, [
      'left',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
    ]),
  );
  process.stdout.write('\n');
  for (const r of results) {
    process.stdout.write(`${r.loss * 100}%: ${r.seconds.map((s) => fmt(s)).join(' ')}\n`);
    for (const w of r.waits) process.stdout.write(`  wait: ${w}\n`);
  }
  process.stdout.write(
    `\nDPD under ${DPD_LOSS * 100}% loss each way (${RUNS} live tunnels x ${DPD_MS / 60_000} min, keepalive 10 s, retry 2 s, dead after 5 unanswered)\n`,
  );
  process.stdout.write(
    formatTable(
      ['mode', 'tunnels', 'R-U-THERE sent', 'ACKs received', 'live peers declared dead'],
      dpd.map((d) => [d.mode, String(d.runs), String(d.ruThereSent), String(d.acksReceived), String(d.declaredDead)]),
      ['left', 'right', 'right', 'right', 'right'],
    ),
  );
  process.stdout.write(
    `\na round trip is lost with probability ${fmt(roundLost, 2)}; a DPD round ends in a false death with ${(roundLost ** 5).toExponential(1)} (five in a row)\n`,
  );
}
