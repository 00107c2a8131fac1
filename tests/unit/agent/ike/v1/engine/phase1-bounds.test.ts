/**
 * Bounded phase 1 (issue 11). A flood of valid Main Mode first messages from
 * spoofed sources stops at `phase1InNegotiation` half-open SAs, counted and
 * logged, and a datagram's cost does not grow with the table: the test
 * counts the work a datagram makes (work.ts: elements of tables walked), not
 * time.
 * Also bounded: established SAs per peer, pending flows, purge lines and
 * the unreadable messages a phase-1 exchange remembers.
 */
import test from 'ava';
import { Buffer } from 'node:buffer';
import type { IkeLimits } from '../../../../../../src/agent/ike/limits.js';
import type { Datagram, IkeAction } from '../../../../../../src/agent/ike/types.js';
import type { IkeEngine } from '../../../../../../src/agent/ike/v1/engine.js';
import { headerOf } from '../../forge.js';
import { engineFromConfig, PING_A, siteConfig, twoSites, Wire } from '../../helpers.js';
import { countWork } from '../../../work.js';

const A = '11.11.11.1';
const B = '11.11.11.2';
const siteA = (extra: Partial<Parameters<typeof siteConfig>[0]> = {}) =>
  siteConfig({ hostname: 'A', wan: A, lan: '13.13.13.13', peer: B, localNet: '13.13.13.0', remoteNet: '12.12.12.0', ...extra });
const siteB = () => siteConfig({ hostname: 'B', wan: B, lan: '12.12.12.12', peer: A, localNet: '12.12.12.0', remoteNet: '13.13.13.0' });

/** A valid Main Mode message 1 (A's), as the flood sent it. */
function mm1(): Buffer {
  const a = engineFromConfig(siteA(), 1);
  const send = a.acquire(PING_A, 0).find((x) => x.kind === 'send');
  if (!send || send.kind !== 'send') throw new Error('no MM1');
  return send.payload;
}

/** MM1 number `i` of the flood: its own initiator cookie, from its own spoofed source. */
function flooded(base: Buffer, i: number): Datagram {
  const p = Buffer.from(base);
  p.writeUInt32BE(0xf100d000, 0);
  p.writeUInt32BE(i + 1, 4);
  return { from: { ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 500 }, to: { ip: B, port: 500 }, payload: p };
}

function responder(limits: Partial<IkeLimits> = {}): IkeEngine {
  return engineFromConfig(siteB(), 2, { limits });
}

const logs = (actions: readonly IkeAction[]) => actions.flatMap((a) => (a.kind === 'log' ? [a.text] : []));

test('a flood of valid first messages from spoofed sources stops at 1000 half-open SAs, counted and logged once a minute', (t) => {
  const b = responder();
  const base = mm1();
  const out: IkeAction[] = [];
  for (let i = 0; i < 1100; i++) out.push(...b.receive(flooded(base, i), 1_000 + i));
  t.is(b.isakmpSas().length, 1000);
  t.is(b.counters().phase1InNegotiationIn, 100);
  const limitLogs = logs(out).filter((l) => l.startsWith('%TESTBED-4-IKE_LIMIT: ISAKMP SAs in negotiation'));
  t.is(limitLogs.length, 1, 'rate-limited');
  t.regex(limitLogs[0]!, /1000 SAs in negotiation: first message from 10\.0\.3\.232 dropped; 1 refused so far/);
  t.is(out.filter((a) => a.kind === 'drop' && a.reason.includes('first message dropped')).length, 100);
  // a minute later the next refusal is logged again, with the running count
  const later = b.receive(flooded(base, 5000), 70_000);
  t.true(logs(later).some((l) => l.endsWith('101 refused so far')));
});

test('while the table is full a real peer is refused too (call admission keeps what exists); once the half-open SAs died it gets through', (t) => {
  const wire = new Wire();
  wire.add('A', engineFromConfig(siteA(), 3), [A, '13.13.13.13'], ['13.13.13.0/24']);
  const b = wire.add('B', responder({ phase1InNegotiation: 50 }), [B, '12.12.12.12'], ['12.12.12.0/24']);
  const base = mm1();
  for (let i = 0; i < 50; i++) wire.feed(b, b.engine.receive(flooded(base, i), 0));
  wire.acquire('A', PING_A);
  wire.run(5_000);
  t.is(b.engine.counters().phase1InNegotiationIn, 1);
  t.is(wire.actions('A', 'install-ipsec').length, 0);
  // the half-open SAs die after their retransmissions (60 s); A's own gave up too: the next packet starts again
  wire.run(120_000);
  t.is(b.engine.isakmpSas().length, 0);
  t.true(wire.lines('B').some((l) => l.includes('death by retransmission P1')));
  wire.acquire('A', PING_A);
  wire.run(130_000);
  t.is(wire.actions('A', 'install-ipsec').length, 1);
  t.is(wire.actions('B', 'install-ipsec').length, 1);
});

/** Work of one datagram and the next-deadline read that follows it (what the agent does per packet). */
function workOf(engine: IkeEngine, d: Datagram, now: number): number {
  return countWork(() => {
    engine.receive(d, now);
    engine.nextDeadline();
  }).work;
}

test('the work per datagram does not grow with the table: the same with 10 and with 900 half-open SAs', (t) => {
  const base = mm1();
  const perDatagram = (size: number) => {
    const b = responder();
    for (let i = 0; i < size; i++) b.receive(flooded(base, i), 0);
    b.nextDeadline();
    const work: number[] = [];
    const note = (w: number) => work.push(w);
    for (let k = 0; k < 20; k++) {
      // a retransmitted first message of an existing SA (answered from its kept reply)
      note(workOf(b, flooded(base, (k * 7) % size), 100));
      // a message with cookies nobody has
      const stray = Buffer.from(base);
      stray.writeUInt32BE(0xdead0000 + k, 0);
      stray.writeUInt32BE(0xbeef0000 + k, 8);
      note(workOf(b, { from: { ip: '10.9.9.9', port: 500 }, to: { ip: B, port: 500 }, payload: stray }, 100));
      // a new first message
      note(workOf(b, flooded(base, 10_000 + k), 100));
    }
    return work;
  };
  const small = perDatagram(10);
  const large = perDatagram(900);
  t.true(
    small.every((w) => w > 0),
    'every datagram was counted',
  );
  t.deepEqual(large, small, 'the same work per datagram, whatever the table holds');
});

test('one peer keeps at most phase1PerPeer established SAs: one more is deleted as soon as it is up, the old one stays', (t) => {
  const bEngine = engineFromConfig(siteB(), 41, { limits: { phase1PerPeer: 1 } });
  const fresh = new Wire();
  fresh.add('A', engineFromConfig(siteA(), 42), [A, '13.13.13.13'], ['13.13.13.0/24']);
  fresh.add('B', bEngine, [B, '12.12.12.12'], ['12.12.12.0/24']);
  fresh.acquire('A', PING_A);
  fresh.run(5_000);
  const old = [...bEngine.snapshot().tables.isakmp.values()].find((s) => s.established)!;
  // A loses its SAs without telling B (its Deletes are lost), and negotiates again
  fresh.filter = (p) => (p.sender === 'A' && headerOf(p.payload, p.to.port).exchangeType === 5 ? [] : [{ packet: p }]);
  const a = fresh.node('A');
  fresh.feed(a, a.engine.clearIpsec({}, fresh.now));
  fresh.feed(a, a.engine.clearIsakmp(undefined, fresh.now));
  fresh.filter = null;
  fresh.acquire('A', PING_A);
  fresh.run(fresh.now + 5_000);
  t.is(bEngine.counters().phase1PerPeer, 1);
  t.false(old.deleted, 'the SA in use stays');
  t.deepEqual(
    bEngine.isakmpSas().map((r) => r.connId),
    [old.connId],
  );
  t.true(fresh.lines('B').some((l) => l.includes('deleting SA reason "too many ISAKMP SAs with the peer"')));
});

test('flows in negotiation are bounded: beyond pendingFlows an acquire starts nothing and is counted', (t) => {
  const hosts = [1, 2, 3, 4, 5].map((n) => `access-list 101 permit ip host 13.13.13.${n} 12.12.12.0 0.0.0.255`).join('\n');
  const cfg = siteA().replace('access-list 101 permit ip 13.13.13.0 0.0.0.255 12.12.12.0 0.0.0.255', hosts);
  const a = engineFromConfig(cfg, 43, { limits: { pendingFlows: 3 } });
  for (let n = 1; n <= 5; n++) a.acquire({ ...PING_A, packet: { ...PING_A.packet, source: `13.13.13.${n}` } }, 0);
  t.is(a.snapshot().tables.pending.size, 3);
  t.is(a.counters().pendingFlows, 2);
});

test('purge lines are bounded: beyond the limit the oldest are printed at once, none is lost', (t) => {
  const b = responder({ purges: 5 });
  const base = mm1();
  for (let i = 0; i < 20; i++) b.receive(flooded(base, i), 0);
  const cleared = b.clearIsakmp(undefined, 10);
  t.is(b.snapshot().tables.purges.size, 5);
  t.is(b.counters().purges, 15);
  const purged = (actions: readonly IkeAction[]) => actions.filter((a) => a.kind === 'debug' && a.text.includes('purging SA.')).length;
  t.is(purged(cleared), 15);
  t.is(purged(b.tick(5_000)), 5);
  t.is(b.snapshot().tables.purges.size, 0);
});

test('a phase-1 exchange remembers at most badDigests unreadable messages; forged garbage does not fail it', (t) => {
  const wire = twoSites(44, {}, {}, { limits: { badDigests: 16 } });
  let held = 0;
  // hold A's first MM5 back (encrypted Main Mode message) so that B waits for it
  wire.filter = (p) => {
    const h = headerOf(p.payload, p.to.port);
    if (p.sender === 'A' && h.exchangeType === 2 && (p.payload[p.to.port === 4500 ? 23 : 19]! & 1) === 1 && held++ === 0) return [];
    return [{ packet: p }];
  };
  wire.acquire('A', PING_A);
  wire.run(2_000);
  const b = wire.node('B');
  const sa = [...b.engine.snapshot().tables.isakmp.values()][0]!;
  t.is(sa.state, 'MM_KEY_EXCH');
  for (let i = 0; i < 40; i++) {
    const m = Buffer.alloc(28 + 64, i + 1);
    sa.ckyI.copy(m, 0);
    sa.ckyR.copy(m, 8);
    m[16] = 5; // ID payload
    m[17] = 0x10;
    m[18] = 2;
    m[19] = 1; // encrypted
    m.writeUInt32BE(0, 20);
    m.writeUInt32BE(m.length, 24);
    wire.feed(b, b.engine.receive({ from: sa.remote, to: sa.local, payload: m }, wire.now));
  }
  t.is(b.engine.counters().badDigests, 24);
  t.false(sa.deleted, 'distinct garbage never repeats: the SA waits on');
  wire.run(30_000);
  t.is(wire.actions('A', 'install-ipsec').length, 1, "A's retransmitted MM5 completes phase 1");
});
