/**
 * npm run sim:race [-- --sites 12 --runs 4 --seed 4 --delay 1500 --loss 5 --check 120,7300]:
 * TED sites whose hosts all send to each other, in memory (the IKE engines
 * only, on the unit tests' wire, tests/unit/agent/ike/helpers.ts): every
 * ordered pair of sites starts within 3 s and tries again every second for
 * 8 s while it has no SA, each packet is delayed 0 to --delay ms at random
 * and lost with --loss percent. At the end it names every flow whose
 * current outbound SPI the peer holds no inbound SA for (a one-way black
 * hole, as bench:scale's SPI check names them in a lab), at each of the
 * `--check` times (seconds after the last start; the loss and delay go on
 * throughout, so a later time shows what the rekeys made of the pairs), and
 * how many flows held more than one pair then. Deterministic for a seed. Not a test:
 * the figures go to docs/architecture.md.
 */
import { parseArgs } from 'node:util';
import { hubAndSpokes, ping } from '../tests/unit/agent/ike/helpers.js';

const { values } = parseArgs({
  options: {
    sites: { type: 'string' },
    runs: { type: 'string' },
    seed: { type: 'string' },
    delay: { type: 'string' },
    loss: { type: 'string' },
    check: { type: 'string' },
  },
});
const SITES = Number(values.sites ?? 12);
const RUNS = Number(values.runs ?? 4);
const SEED = Number(values.seed ?? 4);
const DELAY = Number(values.delay ?? 1500);
const LOSS = Number(values.loss ?? 5) / 100;
const CHECKS = (values.check ?? '120')
  .split(',')
  .map((x) => Number(x) * 1000)
  .sort((a, b) => a - b);
if (CHECKS.some((x) => !Number.isFinite(x) || x <= 0)) throw new Error(`--check: seconds after the last start, comma-separated (got ${values.check})`);

const tally = CHECKS.map(() => ({ holes: 0, flows: 0, mostPairs: 0, twoOrMore: 0 }));
for (let r = 0; r < RUNS; r++) {
  let seed = SEED * 1000 + r;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const wire = hubAndSpokes(SITES - 1, 40 + r);
  wire.filter = (p) => (rnd() < LOSS ? [] : [{ packet: p, delay: Math.floor(rnd() * DELAY) }]);
  const names = wire.nodes.map((x) => x.name);
  const host = (x: string) => (x === 'hub' ? '10.0.0.10' : `10.${Number(x.slice(1))}.0.10`);
  const wan = (x: string) => wire.node(x).addresses[0]!;
  const flowsOf = (x: string) =>
    wire
      .node(x)
      .engine.ipsecSas(wire.now)
      .flatMap((i) => i.flows);
  const events: { at: number; a: string; b: string }[] = [];
  for (const a of names)
    for (const b of names)
      if (a !== b) {
        const t0 = Math.floor(rnd() * 3000);
        for (let k = 0; k < 8; k++) events.push({ at: t0 + k * 1000, a, b });
      }
  events.sort((x, y) => x.at - y.at);
  for (const e of events) {
    wire.run(e.at);
    // a host's packet reaches the engine only while its router has no SA for the flow
    if (!flowsOf(e.a).some((f) => f.currentOutboundSpi !== 0 && f.currentPeer === wan(e.b))) wire.acquire(e.a, ping(host(e.a), host(e.b)));
  }
  const last = wire.now;
  for (const [k, at] of CHECKS.entries()) {
    wire.run(last + at);
    const c = tally[k]!;
    for (const a of names)
      for (const f of flowsOf(a)) {
        const b = names.find((x) => wan(x) === f.currentPeer);
        if (!b || f.currentOutboundSpi === 0) continue;
        c.flows++;
        c.mostPairs = Math.max(c.mostPairs, f.inbound.length);
        if (f.inbound.length > 1) c.twoOrMore++;
        const inbound = flowsOf(b)
          .filter((x) => x.currentPeer === wan(a))
          .flatMap((x) => x.inbound.map((i) => i.spi));
        if (!inbound.includes(f.currentOutboundSpi)) {
          c.holes++;
          console.log(
            `run ${r}, ${at / 1000} s: ${a} -> ${b} sends on 0x${f.currentOutboundSpi.toString(16)}; ${b} holds ${inbound.map((s) => `0x${s.toString(16)}`).join(', ') || 'nothing'}`,
          );
        }
      }
  }
}
for (const [k, at] of CHECKS.entries()) {
  const c = tally[k]!;
  console.log(
    `${SITES} sites, ${RUNS} runs (seed ${SEED}), delay 0-${DELAY} ms, loss ${(LOSS * 100).toFixed(0)}%, ${at / 1000} s after the last start: ${c.holes} of ${c.flows} flows are one-way black holes; ${c.twoOrMore} hold more than one pair, at most ${c.mostPairs}`,
  );
}
