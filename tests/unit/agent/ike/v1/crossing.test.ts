/**
 * Both routers start at the same moment, in memory, with the seed's
 * configurations: probes, Main Modes and Quick Modes cross. Each router ends
 * with one pair for the flow, the same pair as its peer (one router's
 * outbound SPI is the other's inbound), nothing was ever deleted that the
 * other still sent with, and the next lifetimes bring one rekey each, not a
 * race again. Also: crossing Quick Modes on an established phase 1, crossing
 * rekeys, and a race only one of the two routers sees.
 */
import test, { type ExecutionContext } from 'ava';
import type { IkeEngine } from '../../../../../src/agent/ike/v1/engine.js';
import { engineFromConfig, PING_A, PING_B, seedConfig, twoSites, Wire } from '../helpers.js';

const D = '11.11.11.1';
const F = '11.11.11.2';

function seedWire(seed: number): Wire {
  const wire = new Wire();
  wire.add('A', engineFromConfig(seedConfig('daphne'), seed), [D, '13.13.13.13'], ['13.13.13.0/24']);
  wire.add('B', engineFromConfig(seedConfig('fred'), seed + 1), [F, '12.12.12.12'], ['12.12.12.0/24']);
  return wire;
}

/** The pairs in the engine's table: [inbound SPI, outbound SPI], and the one that carries the flow. */
function pairs(e: IkeEngine, now: number) {
  const flows = e.ipsecSas(now).flatMap((i) => i.flows);
  return {
    all: flows.flatMap((f) => f.inbound.map((x, i) => [x.spi, f.outbound[i]!.spi] as const)),
    current: flows.map((f) => f.currentOutboundSpi),
  };
}

/** One pair on each side, the same pair: A's outbound is B's inbound and the other way round. */
function assertOnePair(t: ExecutionContext, wire: Wire): void {
  const a = pairs(wire.node('A').engine, wire.now);
  const b = pairs(wire.node('B').engine, wire.now);
  t.is(a.all.length, 1, `A has one pair: ${JSON.stringify(a.all)}`);
  t.is(b.all.length, 1, `B has one pair: ${JSON.stringify(b.all)}`);
  t.deepEqual(a.all[0], [b.all[0]![1], b.all[0]![0]], 'the same pair on both sides');
  t.deepEqual(a.current, [a.all[0]![1]]);
  t.deepEqual(b.current, [b.all[0]![1]]);
}

/**
 * Runs the wire and checks, at every step, that no router deletes an
 * inbound SA its peer still sends with (the peer's current outbound SPI).
 */
function runWatching(t: ExecutionContext, wire: Wire, until: number): void {
  const seen = { A: 0, B: 0 };
  wire.run(until, () => {
    for (const [me, peer] of [
      ['A', 'B'],
      ['B', 'A'],
    ] as const) {
      const deletes = wire.actions(me, 'delete-ipsec');
      for (const d of deletes.slice(seen[me])) {
        const sending = pairs(wire.node(peer).engine, wire.now).current;
        if (sending.includes(d.inboundSpi)) t.fail(`${me} deleted inbound SPI ${d.inboundSpi} at ${wire.now} while ${peer} still sends with it`);
      }
      seen[me] = deletes.length;
    }
    return false;
  });
}

test('both routers send the first packet at once: probes and Main Modes cross, both end with one and the same pair, nothing lost on the way', (t) => {
  const wire = seedWire(60);
  wire.acquire('A', PING_A);
  wire.acquire('B', PING_B);
  runWatching(t, wire, 30_000);
  const kinds = wire.sent.map((p) => p.payload[18]);
  t.is(kinds.filter((k) => k === 240).length, 4, 'two probes and two replies crossed');
  t.is(kinds.filter((k) => k === 2).length, 12, 'two Main Modes crossed');
  t.is(kinds.filter((k) => k === 32).length, 6, 'two Quick Modes crossed');
  assertOnePair(t, wire);
  // the redundant pair was deleted by both, and each told the other
  const deleted = (n: string) => wire.actions(n, 'delete-ipsec').map((d) => [d.inboundSpi, d.outboundSpi, d.reason]);
  t.is(deleted('A').length, 1);
  t.deepEqual(deleted('B'), [[deleted('A')[0]![1], deleted('A')[0]![0], 'negotiated twice at once']]);
  t.is(kinds.filter((k) => k === 5).length, 2, 'one Delete each way');
  // both ISAKMP SAs stay up, as RFC 2409 leaves them; both are usable
  for (const n of ['A', 'B'])
    t.deepEqual(
      wire
        .node(n)
        .engine.isakmpSas()
        .map((r) => r.state),
      ['QM_IDLE', 'QM_IDLE'],
    );
  t.deepEqual([...wire.actions('A', 'fail'), ...wire.actions('B', 'fail')], []);
  // the crypto map shows one instance with the peer on each side
  for (const [n, peer] of [
    ['A', F],
    ['B', D],
  ] as const) {
    t.deepEqual(
      wire
        .node(n)
        .engine.cryptoMaps()[0]!
        .entries.filter((e) => e.kind === 'instance')
        .map((e) => [e.seq, e.peer]),
      [[11, peer]],
    );
  }
});

test('after a race, one router rekeys each lifetime and the pairs stay one: no race again, no renegotiation loop', (t) => {
  const wire = seedWire(61);
  wire.acquire('A', PING_A);
  wire.acquire('B', PING_B);
  runWatching(t, wire, 30_000);
  const installs = () => wire.actions('A', 'install-ipsec').length + wire.actions('B', 'install-ipsec').length;
  t.is(installs(), 4);
  for (let life = 1; life <= 3; life++) {
    runWatching(t, wire, life * 3_600_000 + 30_000);
    assertOnePair(t, wire);
    t.is(installs(), 4 + 2 * life, `lifetime ${life}: one rekey, installed on both sides`);
  }
  t.is(wire.sent.filter((p) => p.payload[18] === 32).length, 6 + 3 * 3, 'three Quick Mode messages per rekey, nothing more');
  t.deepEqual([...wire.actions('A', 'fail'), ...wire.actions('B', 'fail')], []);
});

test('crossing Quick Modes on an established phase 1 leave one pair', (t) => {
  const wire = twoSites(62);
  wire.acquire('A', PING_A);
  wire.run(5_000);
  // the pairs go, phase 1 stays; then both sides need the flow again at once
  wire.feed(wire.node('A'), wire.node('A').engine.clearIpsec({}, wire.now));
  wire.run(wire.now + 1_000);
  t.deepEqual([wire.node('A').engine.ipsecSas(wire.now)[0]!.flows, wire.node('B').engine.ipsecSas(wire.now)[0]!.flows], [[], []]);
  const before = wire.sent.length;
  wire.acquire('A', PING_A);
  wire.acquire('B', PING_B);
  runWatching(t, wire, wire.now + 30_000);
  t.deepEqual(
    wire.sent
      .slice(before)
      .map((p) => p.payload[18])
      .filter((k) => k !== 5),
    [32, 32, 32, 32, 32, 32],
    'Quick Mode only, twice, crossing',
  );
  assertOnePair(t, wire);
});

test('crossing rekeys (both routers reach 90 % of the kilobytes at once) leave one pair', (t) => {
  const lifetime = 'crypto ipsec security-association lifetime kilobytes 2560';
  const wire = twoSites(63, { lifetime }, { lifetime });
  wire.acquire('A', PING_A);
  wire.run(5_000);
  const first = wire.actions('A', 'install-ipsec')[0]!.sa;
  const a = wire.node('A');
  const b = wire.node('B');
  const before = wire.sent.length;
  wire.feed(a, a.engine.noteTraffic({ spi: first.outbound.spi, direction: 'outbound', bytes: 2350 * 1024 }, wire.now));
  wire.feed(b, b.engine.noteTraffic({ spi: first.inbound.spi, direction: 'outbound', bytes: 2350 * 1024 }, wire.now));
  runWatching(t, wire, wire.now + 30_000);
  t.is(wire.sent.slice(before).filter((p) => p.payload[18] === 32).length, 6, 'two rekey Quick Modes crossed');
  assertOnePair(t, wire);
  t.false(
    pairs(a.engine, wire.now).all.some(([inbound]) => inbound === first.inbound.spi),
    'the first pair is gone',
  );
  t.deepEqual([...wire.actions('A', 'fail'), ...wire.actions('B', 'fail')], []);
});

test('a race only one router sees: its Delete settles it, both keep the same pair', (t) => {
  const wire = twoSites(64);
  wire.acquire('A', PING_A);
  wire.run(5_000);
  wire.feed(wire.node('A'), wire.node('A').engine.clearIpsec({}, wire.now));
  wire.run(wire.now + 1_000);
  // A starts Quick Mode; B answers it and, before A's third message, starts its own for the same flow.
  // A's pair is up before B's first message reaches A (A sees a rekey by B); B sees both at once.
  const start = wire.now;
  wire.acquire('A', PING_A);
  wire.run(start + 6);
  wire.acquire('B', PING_B);
  runWatching(t, wire, start + 30_000);
  assertOnePair(t, wire);
  t.deepEqual(
    wire
      .actions('B', 'delete-ipsec')
      .slice(-1)
      .map((d) => d.reason),
    ['negotiated twice at once'],
    'B saw the race and settled it',
  );
  t.deepEqual(
    wire
      .actions('A', 'delete-ipsec')
      .slice(-1)
      .map((d) => d.reason),
    ['delete notify from peer'],
    "A took the second pair for a rekey by B and followed B's Delete",
  );
});
