/**
 * Both routers start at the same moment, in memory, with the seed's
 * configurations: probes, Main Modes and Quick Modes cross. Each router ends
 * with the two pairs that were negotiated, the same two as its peer (one
 * router's outbound SPI is the other's inbound), and both send on the same
 * one; nothing was ever deleted that the other still sent with, no Delete
 * is needed to agree, the redundant pair goes when its lifetime ends, and
 * the next lifetimes bring one rekey each, not a race again. Also: crossing
 * Quick Modes on an established phase 1, crossing rekeys, and a race only
 * one of the two routers sees.
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
  assertSamePairs(t, wire, 1);
}

/**
 * `count` pairs on each side, the same pairs (A's outbound SPIs are B's
 * inbound ones and the other way round), and both send on the same pair.
 */
function assertSamePairs(t: ExecutionContext, wire: Wire, count: number): void {
  const a = pairs(wire.node('A').engine, wire.now);
  const b = pairs(wire.node('B').engine, wire.now);
  t.is(a.all.length, count, `A has ${count}: ${JSON.stringify(a.all)}`);
  t.is(b.all.length, count, `B has ${count}: ${JSON.stringify(b.all)}`);
  const sorted = (x: (readonly [number, number])[]) => x.map((p) => [...p]).sort((p, q) => p[0]! - q[0]!);
  t.deepEqual(sorted(a.all), sorted(b.all.map(([i, o]) => [o, i] as const)), 'the same pairs on both sides');
  t.is(a.current.length, 1);
  const inUse = a.all.find(([, o]) => o === a.current[0]);
  t.deepEqual(b.current, [inUse![0]], 'both send on the same pair');
}

/** Each router sends on a pair whose inbound SA its peer holds. */
function assertNoBlackHole(t: ExecutionContext, wire: Wire): void {
  for (const [me, peer] of [
    ['A', 'B'],
    ['B', 'A'],
  ] as const) {
    const mine = pairs(wire.node(me).engine, wire.now).current;
    const held = pairs(wire.node(peer).engine, wire.now).all.map(([i]) => i);
    t.true(mine.length === 1 && held.includes(mine[0]!), `${me} sends on ${JSON.stringify(mine)}, ${peer} holds ${JSON.stringify(held)}`);
  }
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

test('both routers send the first packet at once: probes and Main Modes cross, both keep the two pairs and send on the same one, no Delete, nothing lost on the way', (t) => {
  const wire = seedWire(60);
  wire.acquire('A', PING_A);
  wire.acquire('B', PING_B);
  runWatching(t, wire, 30_000);
  const kinds = wire.sent.map((p) => p.payload[18]);
  t.is(kinds.filter((k) => k === 240).length, 4, 'two probes and two replies crossed');
  t.is(kinds.filter((k) => k === 2).length, 12, 'two Main Modes crossed');
  t.is(kinds.filter((k) => k === 32).length, 6, 'two Quick Modes crossed');
  // both keep both pairs and send on the same one; the redundant one decrypts until its lifetime ends
  assertSamePairs(t, wire, 2);
  t.deepEqual([...wire.actions('A', 'delete-ipsec'), ...wire.actions('B', 'delete-ipsec')], [], 'nothing deleted');
  t.is(kinds.filter((k) => k === 5).length, 0, 'no Delete sent: none can be lost');
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

test('after a race, one router rekeys each lifetime and the redundant pair expires: one pair from then on, no race again, no renegotiation loop', (t) => {
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

test('crossing Quick Modes on an established phase 1 leave two pairs, both routers sending on the same one', (t) => {
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
  assertSamePairs(t, wire, 2);
});

test('crossing rekeys (both routers reach 90 % of the kilobytes at once) replace the first pair with two, both routers sending on the same one', (t) => {
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
  assertSamePairs(t, wire, 2);
  t.false(
    pairs(a.engine, wire.now).all.some(([inbound]) => inbound === first.inbound.spi),
    'the first pair is gone',
  );
  t.deepEqual([...wire.actions('A', 'fail'), ...wire.actions('B', 'fail')], []);
});

test('a race only one router sees: no Delete needed, no black hole, one pair again within two lifetimes', (t) => {
  const wire = twoSites(64);
  wire.acquire('A', PING_A);
  wire.run(5_000);
  wire.feed(wire.node('A'), wire.node('A').engine.clearIpsec({}, wire.now));
  wire.run(wire.now + 1_000);
  // A starts Quick Mode; B answers it and, before A's third message, starts its own for the same flow.
  // A's pair is up before B's first message reaches A (A sees a rekey by B); B sees both at once.
  const start = wire.now;
  const deletesBefore = wire.sent.filter((p) => p.payload[18] === 5).length;
  const removed = () => wire.actions('A', 'delete-ipsec').length + wire.actions('B', 'delete-ipsec').length;
  const removedBefore = removed();
  wire.acquire('A', PING_A);
  wire.run(start + 6);
  wire.acquire('B', PING_B);
  runWatching(t, wire, start + 30_000);
  assertNoBlackHole(t, wire);
  t.is(wire.sent.filter((p) => p.payload[18] === 5).length, deletesBefore, 'no Delete sent');
  t.is(removed(), removedBefore, 'nothing deleted after the clear');
  // every step to the end of the second lifetime: never a black hole, rekeys (the responders' too) bring one pair
  for (let at = start + 60_000; at <= start + 2 * 3_600_000 + 60_000; at += 60_000) {
    runWatching(t, wire, at);
    assertNoBlackHole(t, wire);
  }
  assertOnePair(t, wire);
  t.deepEqual([...wire.actions('A', 'fail'), ...wire.actions('B', 'fail')], []);
});
