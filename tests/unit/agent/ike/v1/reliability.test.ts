/**
 * Lost, duplicated, reordered and corrupted packets: exchanges still
 * complete, retransmissions follow the IOS timer, duplicates are answered
 * from the stored reply and never processed twice, and when the peer stays
 * silent the SA dies with IOS's log lines.
 */
import test from 'ava';
import { IOS_TIMERS } from '../../../../../src/agent/ike/retransmit.js';
import { engineFromConfig, PING_A, seedConfig, twoSites, Wire, type Packet } from '../helpers.js';

function keysMatch(wire: Wire): boolean {
  const a = wire.actions('A', 'install-ipsec');
  const b = wire.actions('B', 'install-ipsec');
  return (
    a.length === 1 && b.length === 1 && a[0]!.sa.outbound.encryptionKey.equals(b[0]!.sa.inbound.encryptionKey) && a[0]!.sa.outbound.spi === b[0]!.sa.inbound.spi
  );
}

for (const lost of [1, 2, 3, 4, 5, 6, 7, 8, 9]) {
  test(`packet ${lost} of Main Mode + Quick Mode lost: retransmitted, the exchange completes`, (t) => {
    const wire = twoSites(30 + lost);
    wire.filter = (p) => (p.n === lost ? [] : [{ packet: p }]);
    wire.acquire('A', PING_A);
    wire.run(120_000);
    t.true(keysMatch(wire));
    t.deepEqual([...wire.actions('A', 'fail'), ...wire.actions('B', 'fail')], []);
    const all = [...wire.lines('A'), ...wire.lines('B')];
    t.true(all.some((l) => /retransmitting (phase [12]|due to retransmit phase [12])/.test(l)));
  });
}

test("QM3 lost, then the initiator deletes the pair (its Delete lost too): the responder's retransmitted QM2 is not answered, so the responder never installs a pair the initiator no longer has", (t) => {
  const wire = twoSites(43);
  let cleared = false;
  // packet 9 is QM3; after the clear, what A sends (its Delete) is lost as well
  wire.filter = (p) => (p.n === 9 || (cleared && p.sender === 'A') ? [] : [{ packet: p }]);
  wire.acquire('A', PING_A);
  wire.run(5_000);
  t.is(wire.actions('A', 'install-ipsec').length, 1, 'A installed on QM2');
  t.is(wire.actions('B', 'install-ipsec').length, 0, 'B waits for QM3');
  cleared = true;
  wire.feed(wire.node('A'), wire.node('A').engine.clearIpsec({}, wire.now));
  t.is(wire.actions('A', 'delete-ipsec').length, 1);
  wire.run(120_000);
  // A's sends from the clear on (the filter drops them: look at what A sent): before the fix, its stored QM3 again
  const resent = wire.node('A').log.filter((l) => l.at >= 5_000 && l.action.kind === 'send');
  t.is(resent.length, 1, 'after the clear A sends its Delete and nothing else: no QM3 again');
  t.false(wire.lines('A').some((l) => /retransmitting due to retransmit phase 2/.test(l)));
  t.is(wire.actions('B', 'install-ipsec').length, 0, 'B never installs the pair A deleted');
  t.true(
    wire.actions('B', 'fail').some((f) => f.phase === 2),
    "B's Quick Mode gives up",
  );
});

test('the first resend comes 10 s after the message (IOS timer)', (t) => {
  const wire = twoSites(40);
  wire.filter = (p) => (p.n === 1 ? [] : [{ packet: p }]);
  wire.acquire('A', PING_A);
  wire.run(120_000);
  const sends = wire.node('A').log.filter((l) => l.action.kind === 'send');
  t.is(sends[0]!.at, 0);
  t.is(sends[1]!.at, IOS_TIMERS.phase1.intervalMs);
  t.true(wire.lines('A').includes('ISAKMP (0:1): retransmitting phase 1 MM_NO_STATE...'));
  t.true(wire.lines('A').includes('ISAKMP (0:1): incrementing error counter on sa, attempt 1 of 5: retransmit phase 1'));
});

test('every packet duplicated: each message is processed once, duplicates get the stored answer', (t) => {
  const wire = twoSites(41);
  wire.filter = (p) => [{ packet: p }, { packet: p, delay: 1 }];
  wire.acquire('A', PING_A);
  wire.run(120_000);
  t.true(keysMatch(wire));
  t.is(wire.actions('A', 'phase1-up').length, 1);
  t.is(wire.actions('B', 'phase1-up').length, 1);
  const bLines = wire.lines('B');
  t.is(bLines.filter((l) => l.includes('Creating IPSec SAs')).length, 1);
  t.is(bLines.filter((l) => l === 'ISAKMP (0:1): SA has been authenticated with 11.11.11.1').length, 1);
  t.true(bLines.includes('ISAKMP (0:1): phase 1 packet is a duplicate of a previous packet.'));
  t.true(bLines.includes('ISAKMP (0:1): phase 2 packet is a duplicate of a previous packet.'));
  t.deepEqual([...wire.actions('A', 'fail'), ...wire.actions('B', 'fail')], []);
});

test('packets delayed and reordered: the exchange completes', (t) => {
  const wire = twoSites(42);
  // Every other packet is held back 15 s, overtaken by retransmissions.
  wire.filter = (p) => [{ packet: p, delay: p.n % 2 === 0 ? 15_000 : 0 }];
  wire.acquire('A', PING_A);
  wire.run(300_000);
  t.true(keysMatch(wire));
  t.deepEqual([...wire.actions('A', 'fail'), ...wire.actions('B', 'fail')], []);
});

function corrupt(p: Packet, at: number): Packet {
  const payload = Buffer.from(p.payload);
  payload[at % payload.length] ^= 0x5a;
  return { ...p, payload };
}

for (const n of [5, 6, 7, 8]) {
  test(`encrypted packet ${n} corrupted: dropped with a log line, the retransmission completes the exchange`, (t) => {
    const wire = twoSites(50 + n);
    wire.filter = (p) => (p.n === n ? [{ packet: corrupt(p, p.payload.length - 3) }] : [{ packet: p }]);
    wire.acquire('A', PING_A);
    wire.run(120_000);
    t.true(keysMatch(wire));
    t.true(wire.actions('A', 'drop').length + wire.actions('B', 'drop').length >= 1);
    t.deepEqual([...wire.actions('A', 'fail'), ...wire.actions('B', 'fail')], []);
  });
}

test('silent peer: 5 retransmissions 10 s apart, then "death by retransmission P1 sa"', (t) => {
  const wire = twoSites(60);
  wire.filter = (p) => (p.sender === 'B' ? [] : [{ packet: p }]);
  wire.acquire('A', PING_A);
  wire.run(200_000);
  const sends = wire
    .node('A')
    .log.filter((l) => l.action.kind === 'send')
    .map((l) => l.at);
  t.deepEqual(sends, [0, 10_000, 20_000, 30_000, 40_000, 50_000]);
  const fail = wire.actions('A', 'fail');
  t.is(fail.length, 1);
  t.like(fail[0], { phase: 1, notify: 0, notifyName: 'NONE', peer: '11.11.11.2' });
  t.true(wire.lines('A').includes('ISAKMP (0:1): deleting SA reason "death by retransmission P1 sa" state (I) MM_NO_STATE (peer 11.11.11.2) input queue 0'));
  t.deepEqual(wire.node('A').engine.isakmpSas(), []);
  // After the failure a new packet starts a new negotiation.
  wire.filter = null;
  wire.acquire('A', PING_A);
  wire.run(wire.now + 30_000);
  t.true(keysMatch(wire));
});

test('a peer that stops answering in Quick Mode: "death by retransmission P2", phase 1 stays', (t) => {
  const wire = twoSites(61);
  wire.filter = (p) => (p.sender === 'B' && p.payload[18] === 32 ? [] : [{ packet: p }]);
  wire.acquire('A', PING_A);
  wire.run(200_000);
  t.like(wire.actions('A', 'fail')[0], { phase: 2, notify: 0 });
  t.true(wire.lines('A').some((l) => l.endsWith('reason "death by retransmission P2"')));
  t.like(wire.node('A').engine.isakmpSas()[0], { state: 'QM_IDLE' });
});

test('TED probe without an answer: resent, then the PEER_DISCOVERY SA times out', (t) => {
  const wire = new Wire();
  wire.add('daphne', engineFromConfig(seedConfig('daphne'), 70), ['11.11.11.1', '13.13.13.13'], ['13.13.13.0/24']);
  const trigger = { packet: { source: '13.13.13.4', destination: '12.12.12.13', protocol: 1 }, interface: 'FastEthernet0/0', nextHop: '11.11.11.2' };
  wire.acquire('daphne', trigger);
  t.like(wire.node('daphne').engine.isakmpSas()[0], { state: 'PEER_DISCOVERY', connId: 1, dst: '12.12.12.13', src: '13.13.13.4' });
  wire.run(200_000);
  const probes = wire
    .node('daphne')
    .log.filter((l) => l.action.kind === 'send-probe')
    .map((l) => l.at);
  t.deepEqual(probes, [0, 10_000, 20_000]);
  t.like(wire.actions('daphne', 'fail')[0], { phase: 'ted', notify: 0, peer: '12.12.12.13' });
  t.true(
    wire.lines('daphne').includes('ISAKMP (0:1): deleting SA reason "death by retransmission P1 sa" state (I) PEER_DISCOVERY (peer 12.12.12.13) input queue 0'),
  );
  t.deepEqual(wire.node('daphne').engine.isakmpSas(), []);
});

test('a TED probe for traffic the router does not protect is forwarded unchanged', (t) => {
  const fred = engineFromConfig(seedConfig('fred'), 71);
  const daphne = engineFromConfig(seedConfig('daphne'), 72);
  const probe = daphne
    .acquire({ packet: { source: '13.13.13.4', destination: '12.12.12.13', protocol: 1 }, interface: 'FastEthernet0/0' }, 0)
    .find((a) => a.kind === 'send-probe')!;
  t.is(probe.kind, 'send-probe');
  if (probe.kind !== 'send-probe') return;
  t.is(fred.receiveTransitProbe({ ipSource: '13.13.13.4', ipDestination: '12.12.12.13', payload: probe.payload }, 0).verdict, 'handled');
  // Toward a host outside Fred's ACL: not ours.
  t.deepEqual(fred.receiveTransitProbe({ ipSource: '13.13.13.4', ipDestination: '99.0.0.1', payload: probe.payload }, 0), { verdict: 'forward', actions: [] });
  // Ordinary IKE crossing the router: not ours either.
  t.is(fred.receiveTransitProbe({ ipSource: '1.1.1.1', ipDestination: '2.2.2.2', payload: Buffer.alloc(40) }, 0).verdict, 'forward');
});
