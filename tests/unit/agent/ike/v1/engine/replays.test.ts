/**
 * Replayed phase-2 messages (a fuzz finding, docs/fuzzing.md): HASH(1)
 * covers the message ID and the payloads but not the header's flags or what
 * follows the last payload, so anyone who captured a peer's Quick Mode
 * message 1 or Informational could send it again, changed just enough not to
 * be a duplicate, and the responder ran it again: a new Quick Mode (an SPI,
 * a DH computation with PFS, a QM2 to the peer) and the peer's liveness
 * refreshed (DPD fooled). An ISAKMP SA now remembers the message IDs used
 * on it and drops a message that would start an exchange under one again.
 */
import test from 'ava';
import { Buffer } from 'node:buffer';
import type { IkeAction } from '../../../../../../src/agent/ike/types.js';
import { headerOf } from '../../forge.js';
import { PING_A, twoSites, type Packet } from '../../helpers.js';

const A = '11.11.11.1';
const B = '11.11.11.2';

/** The packet again, with the commit flag set: not a byte-for-byte duplicate, and HASH(1) still holds. */
function tweaked(p: Packet): Buffer {
  const out = Buffer.from(p.payload);
  out[19] = out[19]! | 0x02;
  return out;
}

const sends = (actions: readonly IkeAction[]) => actions.filter((a) => a.kind === 'send');
const drops = (actions: readonly IkeAction[]) => actions.flatMap((a) => (a.kind === 'drop' ? [a.reason] : []));

test("a captured Quick Mode message 1, sent again with its flags changed, starts no Quick Mode and does not refresh the peer's liveness", (t) => {
  const wire = twoSites(71);
  wire.acquire('A', PING_A);
  wire.run(5_000);
  const qm1 = wire.sent.find((p) => p.sender === 'A' && headerOf(p.payload, p.to.port).exchangeType === 32)!;
  t.truthy(qm1);
  const b = wire.node('B').engine;
  const sa = [...b.snapshot().tables.isakmp.values()].find((s) => s.established)!;
  const alive = sa.liveness.lastInbound;
  const out = b.receive({ from: { ip: '198.51.100.7', port: 500 }, to: { ip: B, port: 500 }, payload: tweaked(qm1) }, wire.now + 1_000);
  t.deepEqual(sends(out), [], 'no QM2 to the peer');
  t.true(drops(out).some((r) => r.includes('was used before on this ISAKMP SA (a replay)')));
  t.is(sa.liveness.lastInbound, alive);
  t.is(b.snapshot().tables.ipsec.size, 1);
});

test("a captured DPD R-U-THERE, sent again with its flags changed, gets no ACK and does not refresh the peer's liveness", (t) => {
  const keepalive = 'crypto isakmp keepalive 10 2 periodic';
  const wire = twoSites(72, { keepalive }, { keepalive });
  wire.acquire('A', PING_A);
  wire.run(30_000);
  const dpd = wire.sent.filter((p) => p.sender === 'A' && p.to.ip === B && headerOf(p.payload, p.to.port).exchangeType === 5);
  t.true(dpd.length > 0, 'A sent R-U-THERE');
  const b = wire.node('B').engine;
  const sa = [...b.snapshot().tables.isakmp.values()].find((s) => s.established)!;
  const alive = sa.liveness.lastInbound;
  const out = b.receive({ from: { ip: A, port: 500 }, to: { ip: B, port: 500 }, payload: tweaked(dpd[0]!) }, wire.now + 1);
  t.deepEqual(sends(out), []);
  t.true(drops(out).some((r) => r.includes('(a replay)')));
  t.is(sa.liveness.lastInbound, alive);
});

test('the exchanges themselves are unchanged: rekeys, DPD and new Quick Modes run as before, each under a fresh message ID', (t) => {
  const keepalive = 'crypto isakmp keepalive 10 2 periodic';
  const lifetime = 'crypto ipsec security-association lifetime seconds 120';
  const wire = twoSites(73, { keepalive, lifetime }, { keepalive, lifetime });
  wire.acquire('A', PING_A);
  wire.run(400_000);
  const ids = wire.sent.filter((p) => headerOf(p.payload, p.to.port).exchangeType === 32).map((p) => headerOf(p.payload, p.to.port).messageId);
  t.true(new Set(ids).size >= 3, 'rekeys ran');
  t.deepEqual(
    drops(wire.node('B').log.map((l) => l.action)).filter((r) => r.includes('replay')),
    [],
  );
  t.deepEqual(
    drops(wire.node('A').log.map((l) => l.action)).filter((r) => r.includes('replay')),
    [],
  );
  t.true(wire.actions('A', 'install-ipsec').length >= 3);
  t.is(wire.actions('A', 'phase1-down').length, 0, 'DPD kept phase 1 up');
});
