/**
 * The commit bit in Quick Mode (RFC 2408 3.1, issue 14 item 2): when the
 * initiator's QM1 carries it, the responder echoes it, installs on QM3 and
 * sends QM4 with the CONNECTED notify; an initiator whose QM2 carries it
 * holds its pair until that CONNECTED comes, resending QM3 meanwhile. Two
 * engines on an in-memory wire; the bit is set on QM1 in flight (HASH(1)
 * does not cover the header's flags), as a peer that sets it would send it;
 * CONNECTED in an Informational (RFC 2408 3.1's form) is forged under the
 * responder's ISAKMP SA (forge.ts).
 */
import test from 'ava';
import { Buffer } from 'node:buffer';
import { Doi, NotifyType, PayloadType, ProtocolId } from '../../../../../src/codecs/isakmp/constants.js';
import type { NotifyPayload } from '../../../../../src/codecs/isakmp/types.js';
import { IOS_TIMERS } from '../../../../../src/agent/ike/retransmit.js';
import { spiBytes } from '../../../../../src/agent/ike/v1/exchanges/informational.js';
import { establishedSa, informational } from '../forge.js';
import { PING_A, twoSites, type Packet, type Wire } from '../helpers.js';

const QM = 32;
const E = 0x01;
const C = 0x02;
const type = (p: Packet): number => p.payload[18]!;
const flags = (p: Packet): number => p.payload[19]!;
const quick = (w: Wire, sender: string): Packet[] => w.sent.filter((p) => p.sender === sender && type(p) === QM);

/** The packet with the commit bit set in its ISAKMP header. */
function withCommit(p: Packet): Packet {
  const payload = Buffer.from(p.payload);
  payload[19] = payload[19]! | C;
  return { ...p, payload };
}

/** A's first Quick Mode message (QM1) gets the commit bit; `also` may drop or change what B sends. */
function commitLab(seed: number, also: (p: Packet, nthQmFromB: number) => Packet | null = (p) => p): Wire {
  const wire = twoSites(seed);
  let fromA = 0;
  let fromB = 0;
  wire.filter = (p) => {
    if (type(p) !== QM) return [{ packet: p }];
    if (p.sender === 'A') return [{ packet: ++fromA === 1 ? withCommit(p) : p }];
    const out = also(p, ++fromB);
    return out ? [{ packet: out }] : [];
  };
  return wire;
}

function installs(wire: Wire, name: string): { at: number; inbound: number; outbound: number }[] {
  return wire
    .node(name)
    .log.flatMap((l) => (l.action.kind === 'install-ipsec' ? [{ at: l.at, inbound: l.action.sa.inbound.spi, outbound: l.action.sa.outbound.spi }] : []));
}

test('no commit bit: Quick Mode is three messages and none carries C (the seed: IOS to IOS)', (t) => {
  const wire = twoSites(400);
  wire.acquire('A', PING_A);
  wire.run(120_000);
  t.deepEqual(quick(wire, 'A').map(flags), [E, E]);
  t.deepEqual(quick(wire, 'B').map(flags), [E]);
  t.is(installs(wire, 'A').length, 1);
  t.is(installs(wire, 'B').length, 1);
  t.false([...wire.lines('A'), ...wire.lines('B')].some((l) => l.includes('commit bit')));
});

test('commit bit in QM1: the responder echoes it, installs on QM3, then sends QM4 with CONNECTED; the initiator installs on QM4', (t) => {
  const wire = commitLab(401);
  wire.acquire('A', PING_A);
  wire.run(120_000);
  // QM1 (C set in flight), QM3 (C echoed) from A; QM2 and QM4 from B, both E|C, under QM1's message ID
  t.deepEqual(quick(wire, 'A').map(flags), [E | C, E | C]);
  const fromB = quick(wire, 'B');
  t.deepEqual(fromB.map(flags), [E | C, E | C]);
  const mid = (p: Packet) => p.payload.readUInt32BE(20);
  t.deepEqual(new Set([...quick(wire, 'A'), ...fromB].map(mid)).size, 1);
  const [a, b] = [installs(wire, 'A'), installs(wire, 'B')];
  t.is(a.length, 1);
  t.is(b.length, 1);
  // one pair, seen from both ends
  t.is(a[0]!.outbound, b[0]!.inbound);
  t.is(a[0]!.inbound, b[0]!.outbound);
  // B installs before it sends CONNECTED; A installs when CONNECTED arrives, one latency later
  t.true(b[0]!.at < a[0]!.at);
  t.is(a[0]!.at, b[0]!.at + wire.latency);
  t.true(wire.lines('B').some((l) => l.startsWith('%TESTBED-5-IKE_COMMIT_BIT: peer ')));
  t.true(wire.lines('B').some((l) => /sending NOTIFY CONNECTED protocol 3, message ID = -?\d+$/.test(l)));
  t.true(wire.lines('A').some((l) => /commit bit set by peer, message ID = -?\d+: the SAs wait for the CONNECTED notify/.test(l)));
  t.true(wire.lines('A').includes('ISAKMP (0:1): processing NOTIFY CONNECTED protocol 3'));
});

test('QM4 lost: the initiator resends QM3 one interval later and the responder answers the duplicate with the same QM4', (t) => {
  const wire = commitLab(402, (p, n) => (n === 2 ? null : p));
  wire.acquire('A', PING_A);
  wire.run(120_000);
  const fromA = quick(wire, 'A');
  t.is(fromA.length, 3, 'QM1, QM3, QM3 again');
  t.true(fromA[1]!.payload.equals(fromA[2]!.payload));
  // what B's engine sent (the wire's record leaves out what it dropped): QM2, QM4 (lost), the same QM4 again
  const fromB = wire.actions('B', 'send').filter((s) => s.payload[18] === QM);
  t.is(fromB.length, 3);
  t.true(fromB[1]!.payload.equals(fromB[2]!.payload));
  const [a, b] = [installs(wire, 'A'), installs(wire, 'B')];
  t.is(b.length, 1, 'the responder installed once, on the first QM3');
  t.is(a.length, 1);
  // QM3 left A one latency before B installed; its resend one interval later, and QM4 back: one latency more
  t.is(a[0]!.at - b[0]!.at, IOS_TIMERS.phase2.intervalMs + wire.latency);
  t.true(wire.lines('B').some((l) => l.endsWith('retransmitting due to retransmit phase 2')));
});

test('a QM4 that does not verify is dropped; the real one, answering the resent QM3, installs the pair', (t) => {
  const wire = commitLab(403, (p, n) => {
    if (n !== 2) return p;
    const bad = Buffer.from(p.payload);
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 0xff;
    return { ...p, payload: bad };
  });
  wire.acquire('A', PING_A);
  wire.run(120_000);
  t.is(wire.actions('A', 'drop').length, 1);
  t.is(installs(wire, 'A').length, 1);
  t.is(quick(wire, 'A').length, 3);
});

test('CONNECTED never comes: the initiator gives up on its schedule and installs nothing', (t) => {
  const wire = commitLab(404, (p, n) => (n >= 2 ? null : p));
  wire.acquire('A', PING_A);
  wire.run(300_000);
  t.is(installs(wire, 'A').length, 0);
  t.is(installs(wire, 'B').length, 1);
  t.is(quick(wire, 'A').length, 2 + IOS_TIMERS.phase2.maxRetransmits, 'QM1, QM3 and its resends');
  t.true(wire.lines('A').some((l) => /deleting node -?\d+ error TRUE reason "death by retransmission P2"/.test(l)));
});

test("CONNECTED as an Informational under the Quick Mode's message ID (RFC 2408 3.1's wording) installs the held pair too", (t) => {
  const wire = commitLab(405, (p, n) => (n >= 2 ? null : p)); // B's QM4 never arrives
  wire.acquire('A', PING_A);
  wire.run(120_000, () => installs(wire, 'B').length === 1);
  t.is(installs(wire, 'A').length, 0, 'A holds its pair');
  const mid = quick(wire, 'A')[0]!.payload.readUInt32BE(20);
  const connected: NotifyPayload = {
    type: PayloadType.NOTIFY,
    doi: Doi.IPSEC,
    protocol: ProtocolId.ESP,
    spi: spiBytes(installs(wire, 'B')[0]!.inbound),
    notifyType: NotifyType.CONNECTED,
    data: Buffer.alloc(0),
  };
  const a = wire.node('A');
  wire.feed(a, a.engine.receive(informational(establishedSa(wire.node('B').engine, '11.11.11.1'), [connected], mid), wire.now));
  t.is(installs(wire, 'A').length, 1);
  t.is(installs(wire, 'A')[0]!.outbound, installs(wire, 'B')[0]!.inbound);
  const sent = quick(wire, 'A').length;
  wire.run(wire.now + 60_000);
  t.is(quick(wire, 'A').length, sent, 'no QM3 resent after CONNECTED');
  t.deepEqual(wire.actions('A', 'fail'), []);
});
