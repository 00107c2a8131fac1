/**
 * IKE under loss as IOS 12.2 behaves (issue 14 item 2): the resend that
 * answers a peer's duplicate stands for the timer's own ("retransmission
 * skipped"), a duplicate of the peer's last message is answered with our last
 * reply in every exchange, and the loss of the final message of Main,
 * Aggressive or Quick Mode costs at most one retransmission interval, the
 * responder installing its pair on the first Quick Mode 3 that reaches it.
 * Two engines on an in-memory wire with simulated time.
 */
import test from 'ava';
import { IOS_TIMERS, Retransmitter } from '../../../../../src/agent/ike/retransmit.js';
import { engineFromConfig, PING_A, seedConfig, twoSites, Wire, type Packet } from '../helpers.js';

const MM = 2;
const AM = 4;
const QM = 32;
const type = (p: Packet): number => p.payload[18]!;

/** Every packet put on the wire, with the time and whether it was dropped. */
function record(wire: Wire, drop: (p: Packet, nth: number) => boolean): { p: Packet; at: number; dropped: boolean }[] {
  const seen: { p: Packet; at: number; dropped: boolean }[] = [];
  const count = new Map<string, number>();
  wire.filter = (p) => {
    const key = `${p.sender}/${type(p)}`;
    const nth = (count.get(key) ?? 0) + 1;
    count.set(key, nth);
    const dropped = drop(p, nth);
    seen.push({ p, at: wire.now, dropped });
    return dropped ? [] : [{ packet: p }];
  };
  return seen;
}

function installAt(wire: Wire, name: string): number {
  const at = wire
    .node(name)
    .log.filter((l) => l.action.kind === 'install-ipsec')
    .map((l) => l.at);
  if (at.length !== 1) throw new Error(`${name} installed ${at.length} pairs`);
  return at[0]!;
}

/** Formation time with nothing lost, for the same seeds and mode. */
function baseline(seed: number, aggressive: boolean): number {
  const wire = twoSites(seed, aggressive ? { aggressivePassword: 'abc123' } : {});
  wire.acquire('A', PING_A);
  wire.run(120_000);
  return installAt(wire, 'B');
}

test('a resend that answered the peer\'s duplicate stands for the timer\'s: "retransmission skipped", no second copy', (t) => {
  const wire = twoSites(300);
  // A's MM3 is lost: B resends MM2 after one interval, A answers the duplicate with MM3 at once,
  // and its own MM3 timer, due a few milliseconds later, skips.
  const seen = record(wire, (p, nth) => p.sender === 'A' && type(p) === MM && nth === 2);
  wire.acquire('A', PING_A);
  wire.run(120_000);
  const mm3 = seen.filter((s) => s.p.sender === 'A' && type(s.p) === MM).slice(1, 3);
  t.is(mm3.length, 2);
  t.true(mm3[0]!.p.payload.equals(mm3[1]!.p.payload));
  t.is(seen.filter((s) => s.p.sender === 'A' && s.p.payload.equals(mm3[0]!.p.payload)).length, 2, 'MM3 went out twice, not three times');
  t.true(wire.lines('A').includes('ISAKMP (0:1): retransmitting due to retransmit phase 1'));
  t.true(wire.lines('A').some((l) => /^ISAKMP \(0:1\): retransmission skipped for phase 1 \(time since last transmission \d+\)$/.test(l)));
  t.false(wire.lines('A').includes('ISAKMP (0:1): retransmitting phase 1 MM_KEY_EXCH...'));
  installAt(wire, 'A');
  installAt(wire, 'B');
});

for (const aggressive of [false, true]) {
  const mode = aggressive ? 'Aggressive' : 'Main';
  test(`${mode} Mode + Quick Mode, every message of the initiator duplicated: each reply goes out again, byte for byte`, (t) => {
    const wire = twoSites(310, aggressive ? { aggressivePassword: 'abc123' } : {});
    wire.filter = (p) => (p.sender === 'A' ? [{ packet: p }, { packet: p, delay: 1 }] : [{ packet: p }]);
    wire.acquire('A', PING_A);
    wire.run(120_000);
    const fromA = wire.sent.filter((p) => p.sender === 'A');
    const fromB = wire.sent.filter((p) => p.sender === 'B');
    // Phase 1 answers (MM2, MM4, MM6 / AM2) and QM2: each went out again, unchanged, for the duplicate.
    const replies = fromB.filter((p, i) => fromB.findIndex((q) => q.payload.equals(p.payload)) === i);
    t.deepEqual(replies.map(type), aggressive ? [AM, QM] : [MM, MM, MM, QM]);
    for (const r of replies) t.true(fromB.filter((p) => p.payload.equals(r.payload)).length >= 2);
    // A, in turn, answers each duplicated reply with its next message again; its distinct messages are the exchange's.
    const distinct = fromA.filter((p, i) => fromA.findIndex((q) => q.payload.equals(p.payload)) === i);
    t.deepEqual(distinct.map(type), aggressive ? [AM, AM, QM, QM] : [MM, MM, MM, QM, QM]);
    t.true(wire.lines('B').some((l) => l.endsWith('retransmitting due to retransmit phase 2')));
    installAt(wire, 'A');
    installAt(wire, 'B');
  });
}

/** [mode, what is lost, its exchange type, which of the sender's messages of that type] */
const finals: [boolean, string, 'A' | 'B', number, number][] = [
  [false, 'Main Mode message 6', 'B', MM, 3],
  [true, 'Aggressive Mode message 3', 'A', AM, 2],
  [false, 'Quick Mode message 3 (Main Mode)', 'A', QM, 2],
  [true, 'Quick Mode message 3 (Aggressive Mode)', 'A', QM, 2],
];

for (const [aggressive, what, sender, kind, nth] of finals) {
  test(`${what} lost: the tunnel costs at most one retransmission interval more, and the responder installs on the first QM3`, (t) => {
    const base = baseline(320, aggressive);
    const wire = twoSites(320, aggressive ? { aggressivePassword: 'abc123' } : {});
    const seen = record(wire, (p, n) => p.sender === sender && type(p) === kind && n === nth);
    wire.acquire('A', PING_A);
    wire.run(120_000);
    t.is(seen.filter((s) => s.dropped).length, 1);
    const a = installAt(wire, 'A');
    const b = installAt(wire, 'B');
    t.true(b - base <= IOS_TIMERS.phase1.intervalMs, `formed at ${b} ms, ${b - base} ms after the lossless run`);
    // B installs the moment the first QM3 that was not lost reaches it.
    const qm3 = seen.find((s) => s.p.sender === 'A' && type(s.p) === QM && s.at >= a && !s.dropped)!;
    t.is(b, qm3.at + wire.latency);
    // ... and sends nothing after that (no Quick Mode 2 resent for nothing).
    t.deepEqual(
      seen.filter((s) => s.p.sender === 'B' && s.at > b),
      [],
    );
  });
}

test('Quick Mode 3 lost after Main Mode 6 was lost: the responder installs on the first QM3 it gets, no QM2 resent later', (t) => {
  const wire = twoSites(330);
  const seen = record(wire, (p, n) => (p.sender === 'B' && type(p) === MM && n === 3) || (p.sender === 'A' && type(p) === QM && n === 2));
  wire.acquire('A', PING_A);
  wire.run(200_000);
  const a = installAt(wire, 'A');
  const b = installAt(wire, 'B');
  const qm3 = seen.find((s) => s.p.sender === 'A' && type(s.p) === QM && s.at >= a && !s.dropped)!;
  t.is(b, qm3.at + wire.latency);
  t.deepEqual(
    seen.filter((s) => s.p.sender === 'B' && s.at > b),
    [],
  );
});

for (const aggressive of [true, false]) {
  test(`${aggressive ? 'Aggressive' : 'Main'} Mode initiator, first QM1 dropped by the responder: resent after ${aggressive ? 'quickAfterAggressiveMs' : 'the phase-2 interval'}`, (t) => {
    const wire = twoSites(340, aggressive ? { aggressivePassword: 'abc123' } : {});
    // strongSwan takes up QM1 before AM3 now and then, and drops it: here the first QM1 is lost
    const seen = record(wire, (p, n) => p.sender === 'A' && type(p) === QM && n === 1);
    wire.acquire('A', PING_A);
    wire.run(120_000);
    const qm1 = seen.filter((s) => s.p.sender === 'A' && type(s.p) === QM).slice(0, 2);
    t.true(qm1[0]!.p.payload.equals(qm1[1]!.p.payload));
    t.is(qm1[1]!.at - qm1[0]!.at, aggressive ? IOS_TIMERS.quickAfterAggressiveMs : IOS_TIMERS.phase2.intervalMs);
    installAt(wire, 'A');
    t.is(installAt(wire, 'B'), seen.find((s) => s.p.sender === 'A' && type(s.p) === QM && s.at >= installAt(wire, 'A'))!.at + wire.latency);
    // the later resends keep the phase-2 interval
    const r = new Retransmitter(IOS_TIMERS.phase2, 0, [], IOS_TIMERS.quickAfterAggressiveMs);
    r.fire(r.nextAt);
    t.is(r.nextAt, IOS_TIMERS.quickAfterAggressiveMs + IOS_TIMERS.phase2.intervalMs);
  });
}

test('TED: a duplicated probe is answered again (the responder keeps no state: a new responder cookie, the same reply), and the tunnel forms once', (t) => {
  const wire = new Wire();
  wire.add('daphne', engineFromConfig(seedConfig('daphne'), 350), ['11.11.11.1', '13.13.13.13'], ['13.13.13.0/24']);
  wire.add('fred', engineFromConfig(seedConfig('fred'), 351), ['11.11.11.2', '12.12.12.12'], ['12.12.12.0/24']);
  wire.filter = (p) => (p.kind === 'probe' ? [{ packet: p }, { packet: p, delay: 1 }] : [{ packet: p }]);
  wire.acquire('daphne', { packet: { source: '13.13.13.4', destination: '12.12.12.13', protocol: 1 }, interface: 'FastEthernet0/0', nextHop: '11.11.11.2' });
  wire.run(120_000);
  const replies = wire.sent.filter((p) => p.sender === 'fred' && p.kind === 'ike' && p.payload[18] === 240);
  t.is(replies.length, 2);
  t.true(replies[0]!.payload.subarray(0, 8).equals(replies[1]!.payload.subarray(0, 8)), "the probe's initiator cookie");
  t.true(replies[0]!.payload.subarray(16).equals(replies[1]!.payload.subarray(16)), 'the same reply after the cookies');
  t.is(
    wire.lines('fred').filter((l) => l.endsWith('deleting SA reason "delete_me flag/throw" state (R) PEER_DISCOVERY (peer 11.11.11.1) input queue 0')).length,
    2,
  );
  t.is(wire.actions('daphne', 'install-ipsec').length, 1);
  t.is(wire.actions('fred', 'install-ipsec').length, 1);
});

test('DPD: a duplicated R-U-THERE gets the same R-U-THERE-ACK again, nothing else changes', (t) => {
  const keepalive = 'crypto isakmp keepalive 10 2 periodic';
  const wire = twoSites(360, { keepalive }, { keepalive });
  wire.acquire('A', PING_A);
  wire.run(5_000);
  t.is(wire.actions('B', 'install-ipsec').length, 1);
  wire.filter = (p) => (p.sender === 'A' ? [{ packet: p }, { packet: p, delay: 1 }] : [{ packet: p }]);
  const since = wire.sent.length;
  wire.run(wire.now + 15_000);
  const sent = wire.lines('A').filter((l) => l.includes('DPD R_U_THERE sent')).length;
  t.true(sent >= 1);
  // each R-U-THERE is read once; its duplicate gets the stored R-U-THERE-ACK, byte for byte
  t.is(wire.lines('B').filter((l) => l.includes('DPD R_U_THERE received from peer 11.11.11.1')).length, sent);
  const acks = wire.sent.slice(since).filter((p) => p.sender === 'B' && p.payload[18] === 5);
  t.is(acks.length, 2 * sent);
  for (let i = 0; i < acks.length; i += 2) t.true(acks[i]!.payload.equals(acks[i + 1]!.payload));
  t.deepEqual([...wire.actions('A', 'fail'), ...wire.actions('B', 'fail'), ...wire.actions('A', 'delete-ipsec'), ...wire.actions('B', 'delete-ipsec')], []);
});
