/**
 * An Informational acts only on the SAs of the peer it came from (issue 11).
 * Three routers share the wildcard pre-shared key, the seed's TED design: A
 * and C both have phase 1 and IPsec SAs with B. C, holding the key, sends B
 * Deletes that name A's ISAKMP SA and A's ESP SPIs, and INITIAL-CONTACT;
 * B ignores what is A's and counts it. The same Deletes from A itself, and
 * C's Deletes of its own SAs, still work.
 */
import test from 'ava';
import { NotifyType, ProtocolId } from '../../../../../../src/codecs/isakmp/constants.js';
import type { IkeEngine } from '../../../../../../src/agent/ike/v1/engine.js';
import { deleteEsp, deleteIsakmp, establishedSa, informational, notify } from '../../forge.js';
import { engineFromConfig, siteConfig, Wire } from '../../helpers.js';

const A = '11.11.11.1';
const B = '11.11.11.2';
const C = '11.11.11.3';

/** B answers both A (13.13.13.0/24) and C (14.14.14.0/24) through a dynamic map. */
function threeRouters(): Wire {
  const wire = new Wire();
  const a = siteConfig({ hostname: 'A', wan: A, lan: '13.13.13.13', peer: B, localNet: '13.13.13.0', remoteNet: '12.12.12.0' });
  const c = siteConfig({ hostname: 'C', wan: C, lan: '14.14.14.14', peer: B, localNet: '14.14.14.0', remoteNet: '12.12.12.0' });
  const b = siteConfig({
    hostname: 'B',
    wan: B,
    lan: '12.12.12.12',
    peer: A,
    localNet: '12.12.12.0',
    remoteNet: '13.13.13.0',
    dynamic: true,
    extra: 'access-list 101 permit ip 12.12.12.0 0.0.0.255 14.14.14.0 0.0.0.255',
  });
  wire.add('A', engineFromConfig(a, 31), [A, '13.13.13.13'], ['13.13.13.0/24']);
  wire.add('B', engineFromConfig(b, 32), [B, '12.12.12.12'], ['12.12.12.0/24']);
  wire.add('C', engineFromConfig(c, 33), [C, '14.14.14.14'], ['14.14.14.0/24']);
  wire.acquire('A', { packet: { source: '13.13.13.4', destination: '12.12.12.13', protocol: 1 }, interface: 'FastEthernet0/0', nextHop: B });
  wire.acquire('C', { packet: { source: '14.14.14.4', destination: '12.12.12.13', protocol: 1 }, interface: 'FastEthernet0/0', nextHop: B });
  wire.run(5_000);
  return wire;
}

function pairsWith(engine: IkeEngine, peer: string): { inbound: number; outbound: number }[] {
  return [...engine.snapshot().tables.ipsec.values()]
    .filter((r) => r.spec.peer === peer)
    .map((r) => ({ inbound: r.spec.inbound.spi, outbound: r.spec.outbound.spi }));
}

function send(wire: Wire, to: string, d: ReturnType<typeof informational>): void {
  const node = wire.node(to);
  wire.feed(node, node.engine.receive(d, wire.now));
  wire.run(wire.now + 2_000);
}

test("a Delete from C naming A's ISAKMP SA with B is ignored and counted; A's SA stays", (t) => {
  const wire = threeRouters();
  const b = wire.node('B').engine;
  const aOnB = establishedSa(b, A);
  t.is(pairsWith(b, A).length, 1);
  send(wire, 'B', informational(establishedSa(wire.node('C').engine, B), [deleteIsakmp(aOnB)]));
  t.true(b.snapshot().tables.isakmp.has(aOnB.connId), "A's ISAKMP SA is still there");
  t.false(aOnB.deleted);
  t.is(b.counters().foreignDeletes, 1);
  t.true(wire.lines('B').some((l) => l.includes(`names ISAKMP SA ${aOnB.connId} of ${A}: ignored`)));
  // the same Delete from A itself deletes it
  send(wire, 'B', informational(establishedSa(wire.node('A').engine, B), [deleteIsakmp(aOnB)]));
  t.false(b.snapshot().tables.isakmp.has(aOnB.connId));
});

test("a Delete from C naming A's ESP SPIs (either direction) is ignored and counted; A's pair stays", (t) => {
  const wire = threeRouters();
  const b = wire.node('B').engine;
  const [pair] = pairsWith(b, A);
  send(wire, 'B', informational(establishedSa(wire.node('C').engine, B), [deleteEsp([pair!.outbound, pair!.inbound])]));
  t.deepEqual(pairsWith(b, A), [pair]);
  t.is(b.counters().foreignDeletes, 2);
  t.is(wire.actions('B', 'delete-ipsec').length, 0);
  // C's Delete of its own pair works
  const [own] = pairsWith(b, C);
  send(wire, 'B', informational(establishedSa(wire.node('C').engine, B), [deleteEsp([own!.outbound])]));
  t.deepEqual(pairsWith(b, C), []);
  t.deepEqual(pairsWith(b, A), [pair]);
});

test("INITIAL-CONTACT from C clears only C's older SAs, never A's", (t) => {
  const wire = threeRouters();
  const b = wire.node('B').engine;
  const before = pairsWith(b, A);
  const aOnB = establishedSa(b, A);
  const cSa = establishedSa(wire.node('C').engine, B);
  send(wire, 'B', informational(cSa, [notify(NotifyType.INITIAL_CONTACT, ProtocolId.ISAKMP, Buffer.concat([cSa.ckyI, cSa.ckyR]))]));
  t.true(wire.lines('B').some((l) => l.includes('processing NOTIFY INITIAL_CONTACT')));
  t.false(aOnB.deleted);
  t.deepEqual(pairsWith(b, A), before);
});

test('a Delete for another ISAKMP SA of the same peer (the old one after a new phase 1) is honoured', (t) => {
  const wire = threeRouters();
  const b = wire.node('B').engine;
  const old = establishedSa(b, A);
  // A runs a second phase 1 (its first SA cleared without a Delete reaching B)
  wire.filter = (p) => (p.sender === 'A' && p.payload.length > 28 && p.payload[18] === 5 ? [] : [{ packet: p }]);
  const a = wire.node('A');
  wire.feed(a, a.engine.clearIsakmp(undefined, wire.now));
  wire.feed(a, a.engine.clearIpsec({}, wire.now));
  wire.filter = null;
  wire.acquire('A', { packet: { source: '13.13.13.4', destination: '12.12.12.13', protocol: 1 }, interface: 'FastEthernet0/0', nextHop: B });
  wire.run(wire.now + 5_000);
  const fresh = [...b.snapshot().tables.isakmp.values()].filter((s) => s.established && s.remote.ip === A);
  t.is(fresh.length, 2);
  const newer = fresh.find((s) => s !== old)!;
  const aNew = establishedSa(a.engine, B);
  send(wire, 'B', informational(aNew, [deleteIsakmp(old)]));
  t.true(old.deleted);
  t.false(newer.deleted);
  t.is(b.counters().foreignDeletes, 0);
});
