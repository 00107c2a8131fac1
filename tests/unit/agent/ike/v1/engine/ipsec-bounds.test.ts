/**
 * An authenticated peer cannot pile up IPsec SAs or Quick Modes (issue 11):
 * a Quick Mode for a flow that has a live pair replaces it (the newest
 * carries the traffic, as IOS's "current outbound spi"), and beyond
 * `ipsecPairsPerFlow` the oldest replaced pair is deleted with a Delete;
 * new flows stop at `ipsecFlowsPerPeer` per peer and `ipsecFlows` in all
 * (NO-PROPOSAL-CHOSEN); the peer's unfinished Quick Modes on one ISAKMP SA
 * stop at `quickModesPerSa`. Each refusal is counted.
 */
import test from 'ava';
import { NotifyType } from '../../../../../../src/codecs/isakmp/constants.js';
import type { PolicyOptions } from '../../../../../../src/agent/ike/policy.js';
import { headerOf } from '../../forge.js';
import { engineFromConfig, PING_A, siteConfig, Wire } from '../../helpers.js';

const A = '11.11.11.1';
const B = '11.11.11.2';

/** A (13.13.13.0/24, one ACL line per host .1-.n) and B (12.12.12.0/24) with B's options. */
function sites(hosts: number, b: PolicyOptions, seed: number): Wire {
  const lines = Array.from({ length: hosts }, (_, i) => `access-list 101 permit ip host 13.13.13.${i + 1} 12.12.12.0 0.0.0.255`).join('\n');
  const cfgA = siteConfig({ hostname: 'A', wan: A, lan: '13.13.13.13', peer: B, localNet: '13.13.13.0', remoteNet: '12.12.12.0' });
  const cfgB = siteConfig({ hostname: 'B', wan: B, lan: '12.12.12.12', peer: A, localNet: '12.12.12.0', remoteNet: '13.13.13.0' });
  const wire = new Wire();
  wire.add(
    'A',
    engineFromConfig(hosts > 0 ? cfgA.replace('access-list 101 permit ip 13.13.13.0 0.0.0.255 12.12.12.0 0.0.0.255', lines) : cfgA, seed),
    [A, '13.13.13.13'],
    ['13.13.13.0/24'],
  );
  wire.add('B', engineFromConfig(cfgB, seed + 1, b), [B, '12.12.12.12'], ['12.12.12.0/24']);
  return wire;
}

const ping = (host: number) => ({ ...PING_A, packet: { ...PING_A.packet, source: `13.13.13.${host}` } });

test('19 extra Quick Modes for one flow that has a live pair (the peer never deletes) leave at most 3 pairs on B', (t) => {
  const wire = sites(0, {}, 50);
  wire.acquire('A', PING_A);
  wire.run(5_000);
  const a = wire.node('A');
  for (let i = 0; i < 19; i++) {
    // A forgets its pair without telling B (its Delete is lost), then the next packet negotiates the flow again
    wire.filter = (p) => (p.sender === 'A' && headerOf(p.payload, p.to.port).exchangeType === 5 ? [] : [{ packet: p }]);
    wire.feed(a, a.engine.clearIpsec({}, wire.now));
    wire.filter = null;
    wire.acquire('A', PING_A);
    wire.run(wire.now + 1_000);
  }
  const b = wire.node('B').engine;
  const pairs = [...b.snapshot().tables.ipsec.values()];
  t.is(wire.actions('B', 'install-ipsec').length, 20);
  t.is(pairs.length, 3);
  t.is(b.counters().ipsecPairsPerFlow, 17);
  t.is(wire.actions('B', 'delete-ipsec').length, 17);
  // the newest pair is the one A uses: B sends with it ("current outbound spi")
  const aPair = wire.actions('A', 'install-ipsec').at(-1)!.sa;
  const flow = b.ipsecSas(wire.now)[0]!.flows[0]!;
  t.is(flow.currentOutboundSpi, aPair.inbound.spi);
  t.is(flow.inbound.length, 3);
  t.true(wire.lines('B').some((l) => l.startsWith('IPSEC: 3 SA pairs for 11.11.11.1|')));
});

test('new flows stop at ipsecFlowsPerPeer per peer: the rest are refused with NO-PROPOSAL-CHOSEN and counted', (t) => {
  const wire = sites(10, { limits: { ipsecFlowsPerPeer: 4 } }, 52);
  for (let h = 1; h <= 10; h++) {
    wire.acquire('A', ping(h));
    wire.run(wire.now + 2_000);
  }
  const b = wire.node('B').engine;
  t.is(b.snapshot().tables.ipsec.size, 4);
  t.is(b.counters().ipsecFlowsPerPeer, 6);
  const refused = wire.actions('A', 'fail').filter((f) => f.phase === 2);
  t.is(refused.length, 6);
  t.true(refused.every((f) => f.notify === NotifyType.NO_PROPOSAL_CHOSEN));
  t.is(wire.actions('A', 'install-ipsec').length, 4);
  // at the bound, a new pair for a flow that has one is still accepted (A forgot its pairs; its Deletes are lost)
  const a = wire.node('A');
  wire.filter = (p) => (p.sender === 'A' && headerOf(p.payload, p.to.port).exchangeType === 5 ? [] : [{ packet: p }]);
  wire.feed(a, a.engine.clearIpsec({}, wire.now));
  wire.filter = null;
  wire.acquire('A', ping(1));
  wire.run(wire.now + 5_000);
  t.is(wire.actions('B', 'install-ipsec').length, 5);
  t.is(b.snapshot().tables.ipsec.size, 5, 'four flows, one of them with a replaced pair');
  t.is(b.counters().ipsecFlowsPerPeer, 6, 'nothing more refused');
});

test('Quick Modes admitted at once and completed later: the ones past the bound are deleted on both sides (B sends a Delete on QM3)', (t) => {
  const wire = sites(10, { limits: { ipsecFlowsPerPeer: 4 } }, 58);
  // ten flows queued behind phase 1 start ten Quick Modes at once: all pass the check at QM1
  for (let h = 1; h <= 10; h++) wire.acquire('A', ping(h));
  wire.run(10_000);
  const a = wire.node('A').engine;
  const b = wire.node('B').engine;
  t.is(b.counters().ipsecFlowsPerPeer, 6);
  t.is(wire.actions('B', 'install-ipsec').length, 4);
  t.is(wire.actions('A', 'install-ipsec').length, 10, 'A installs on QM2, before B decides on QM3');
  t.is(wire.actions('A', 'delete-ipsec').length, 6, "B's Deletes remove the six on A");
  const spis = (e: typeof a) => [...e.snapshot().tables.ipsec.values()].map((r) => [r.spec.inbound.spi, r.spec.outbound.spi]);
  t.deepEqual(
    spis(a)
      .map(([i, o]) => [o, i])
      .sort(),
    spis(b).sort(),
    'A and B hold the same four pairs',
  );
});

test('new flows stop at ipsecFlows in all', (t) => {
  const wire = sites(6, { limits: { ipsecFlows: 2 } }, 54);
  for (let h = 1; h <= 6; h++) wire.acquire('A', ping(h));
  wire.run(10_000);
  const b = wire.node('B').engine;
  t.is(b.snapshot().tables.ipsec.size, 2);
  t.is(b.counters().ipsecFlows, 4);
});

test("the peer's unfinished Quick Modes on one ISAKMP SA stop at quickModesPerSa", (t) => {
  const wire = sites(5, { limits: { quickModesPerSa: 2 } }, 56);
  const qm2 = new Set<number>();
  // B's QM2s go out; A's QM3s are lost, so B's responder Quick Modes stay open
  wire.filter = (p) => {
    const h = headerOf(p.payload, p.to.port);
    if (h.exchangeType !== 32) return [{ packet: p }];
    if (p.sender === 'B') qm2.add(h.messageId);
    else if (qm2.has(h.messageId)) return [];
    return [{ packet: p }];
  };
  for (let h = 1; h <= 5; h++) wire.acquire('A', ping(h));
  wire.run(5_000);
  const b = wire.node('B').engine;
  t.is(qm2.size, 2, 'B answered two Quick Modes');
  t.is(b.counters().quickModesPerSa, 3);
  t.is(b.snapshot().tables.ipsec.size, 0);
  // their retransmissions are refused too until B's open ones give up
  wire.run(15_000);
  t.true(b.counters().quickModesPerSa > 3);
});
