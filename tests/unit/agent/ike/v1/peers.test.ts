/**
 * A TED hub with several spokes, in memory: one dynamic crypto map instance
 * per discovered peer ("tedtag 11", "12", ... as the seed's `show crypto map`
 * prints its one), the flows with a peer as the lines of its instance,
 * instances leaving with their SAs and their numbers taken again, a table
 * that stays bounded, at most 1,024 probes at once (the flows in
 * negotiation, ike/limits.ts), and `clear crypto sa
 * peer X` / `clear crypto sa map M` / `clear crypto isakmp N` touching only
 * what they name.
 */
import test from 'ava';
import { renderShowCryptoMap } from '../../../../../src/agent/router/show-crypto.js';
import type { CryptoMapView } from '../../../../../src/agent/ike/index.js';
import { DEFAULT_LIMITS } from '../../../../../src/agent/ike/limits.js';
import { engineFromConfig, hubAndSpokes, norm, ping, spokeWan, tedSiteConfig, Wire } from '../helpers.js';

const HOST = '10.0.0.10';
const spokeHost = (k: number) => `10.${k}.0.10`;

/** The hub pings a host behind each of spokes `ks`, all at once, and the wire runs until everything is set up. */
function pingAll(wire: Wire, ks: readonly number[]): void {
  for (const k of ks) wire.acquire('hub', ping(HOST, spokeHost(k)));
  wire.run(wire.now + 30_000);
}

function instances(view: CryptoMapView[]) {
  return view[0]!.entries.filter((e) => e.kind === 'instance');
}

test("one instance per discovered peer, numbered 11, 12, ... in the order the peers were found, as IOS prints the seed's", (t) => {
  const wire = hubAndSpokes(4, 30);
  pingAll(wire, [3, 1, 4, 2]);
  const hub = wire.node('hub').engine;
  t.is(wire.actions('hub', 'install-ipsec').length, 4);
  const view = hub.cryptoMaps();
  t.deepEqual(view[0]!.entries[0], { kind: 'template', seq: 10, dynamicMap: 'ted-map', discover: true });
  t.deepEqual(
    instances(view).map((e) => [e.seq, e.peer, e.kind === 'instance' ? e.aclLines : []]),
    [3, 1, 4, 2].map((k, i) => [11 + i, spokeWan(k), [`access-list permit ip 10.0.0.0 0.0.0.255 10.${k}.0.0 0.0.0.255`]]),
  );
  for (const e of instances(view))
    t.like(e, {
      kind: 'instance',
      createdFrom: { map: 'ted-map', seq: 10 },
      origin: 'ted',
      transformSets: ['ted-transforms'],
      pfsGroup: null,
      lifetime: { seconds: 3600, kilobytes: 4608000 },
    });
  // the text: the seed's `show crypto map` entry, for each peer
  const text = norm(renderShowCryptoMap(view));
  for (const [i, k] of [3, 1, 4, 2].entries()) {
    t.true(
      text.includes(
        norm(
          `Crypto Map "tedtag" ${11 + i} ipsec-isakmp Peer = ${spokeWan(k)} Extended IP access list access-list permit ip 10.0.0.0 0.0.0.255 10.${k}.0.0 0.0.0.255 dynamic (created from dynamic map ted-map/10) Current peer: ${spokeWan(k)} Security association lifetime: 4608000 kilobytes/3600 seconds PFS (Y/N): N Transform sets={ ted-transforms, }`,
        ),
      ),
      `tedtag ${11 + i} for spoke ${k}`,
    );
  }
  t.true(text.endsWith('Interfaces using crypto map tedtag: FastEthernet0/0'));
  // each spoke has the hub as its one instance, created when the hub negotiated against its template
  for (const k of [1, 2, 3, 4]) {
    t.like(instances(wire.node(`s${k}`).engine.cryptoMaps()), [
      { seq: 11, peer: '11.11.0.1', origin: 'negotiated', aclLines: [`access-list permit ip 10.${k}.0.0 0.0.0.255 10.0.0.0 0.0.0.255`] },
    ]);
  }
  // the hub's table: four ISAKMP SAs, four pairs, no probe or negotiation left
  t.deepEqual(
    hub.isakmpSas().map((r) => [r.dst, r.src, r.state]),
    [3, 1, 4, 2].map((k) => [spokeWan(k), '11.11.0.1', 'QM_IDLE']),
  );
  t.deepEqual(
    hub.ipsecSas(wire.now)[0]!.flows.map((f) => f.currentPeer),
    [3, 1, 4, 2].map(spokeWan),
  );
});

test('all probes go out at once: a second site does not wait for the first', (t) => {
  const wire = hubAndSpokes(3, 31);
  for (const k of [1, 2, 3]) wire.acquire('hub', ping(HOST, spokeHost(k)));
  t.deepEqual(
    wire
      .node('hub')
      .engine.isakmpSas()
      .map((r) => [r.state, r.dst]),
    [1, 2, 3].map((k) => ['PEER_DISCOVERY', spokeHost(k)]),
  );
  // more packets into sites being discovered start nothing new
  wire.acquire('hub', ping(HOST, spokeHost(2)));
  wire.run(wire.now + 20);
  wire.acquire('hub', ping(HOST, '10.2.0.99'));
  t.is(wire.sent.filter((p) => p.kind === 'probe').length, 3, 'one probe per site');
  wire.run(wire.now + 30_000);
  t.is(wire.actions('hub', 'install-ipsec').length, 3);
});

test('two flows with one peer are two lines of its one instance', (t) => {
  const wire = new Wire();
  const second = 'access-list 110 permit ip 10.101.0.0 0.0.0.255 10.0.0.0 0.255.255.255';
  wire.add(
    'hub',
    engineFromConfig(tedSiteConfig({ hostname: 'hub', wan: '11.11.0.1', lan: '10.0.0.1', lanNet: '10.0.0.0' }), 32),
    ['11.11.0.1'],
    ['10.0.0.0/24'],
  );
  wire.add(
    's1',
    engineFromConfig(tedSiteConfig({ hostname: 's1', wan: '11.11.0.2', lan: '10.1.0.1', lanNet: '10.1.0.0', extra: second }), 33),
    ['11.11.0.2'],
    ['10.1.0.0/24', '10.101.0.0/24'],
  );
  wire.acquire('hub', ping(HOST, '10.1.0.10'));
  wire.run(30_000);
  wire.acquire('hub', ping(HOST, '10.101.0.10'));
  wire.run(60_000);
  t.is(wire.actions('hub', 'install-ipsec').length, 2);
  t.like(instances(wire.node('hub').engine.cryptoMaps()), [
    {
      seq: 11,
      peer: '11.11.0.2',
      aclLines: ['access-list permit ip 10.0.0.0 0.0.0.255 10.1.0.0 0.0.0.255', 'access-list permit ip 10.0.0.0 0.0.0.255 10.101.0.0 0.0.0.255'],
    },
  ]);
  t.is(instances(wire.node('hub').engine.cryptoMaps()).length, 1);
  // the first flow's pair uses up its kilobytes: its line goes, the instance stays for the other
  const hub = wire.node('hub');
  const first = wire.actions('hub', 'install-ipsec')[0]!.sa;
  wire.feed(hub, hub.engine.noteTraffic({ spi: first.outbound.spi, direction: 'outbound', bytes: first.lifetime.kilobytes * 1024 }, wire.now));
  t.deepEqual(
    wire.actions('hub', 'delete-ipsec').map((d) => [d.inboundSpi, d.reason]),
    [[first.inbound.spi, 'kilobyte lifetime expired']],
  );
  t.like(instances(hub.engine.cryptoMaps()), [{ seq: 11, peer: '11.11.0.2', aclLines: ['access-list permit ip 10.0.0.0 0.0.0.255 10.101.0.0 0.0.0.255'] }]);
});

test('an instance leaves with the last SA of its peer, and its number is taken again', (t) => {
  const wire = hubAndSpokes(5, 34);
  pingAll(wire, [1, 2, 3, 4]);
  const hub = wire.node('hub');
  wire.feed(hub, hub.engine.clearIpsec({ peer: spokeWan(2) }, wire.now));
  wire.run(wire.now + 2_000);
  t.deepEqual(
    instances(hub.engine.cryptoMaps()).map((e) => [e.seq, e.peer]),
    [
      [11, spokeWan(1)],
      [13, spokeWan(3)],
      [14, spokeWan(4)],
    ],
  );
  t.deepEqual(instances(wire.node('s2').engine.cryptoMaps()), [], 'the spoke lost its instance with its SA');
  pingAll(wire, [5]);
  t.deepEqual(
    instances(hub.engine.cryptoMaps()).map((e) => [e.seq, e.peer]),
    [
      [11, spokeWan(1)],
      [12, spokeWan(5)],
      [13, spokeWan(3)],
      [14, spokeWan(4)],
    ],
  );
});

test('an SA that expires takes its instance with it', (t) => {
  const wire = hubAndSpokes(2, 35, 'crypto ipsec security-association lifetime seconds 120');
  pingAll(wire, [1, 2]);
  // from now on spoke 1 hears nothing: the hub's rekey with it fails, the pair runs out
  wire.filter = (p) => (p.from.ip === spokeWan(1) || p.to.ip === spokeWan(1) ? [] : [{ packet: p }]);
  // the pair expires at 120 s; the hub's rekey of it, started at 90 s, gives up after its five resends
  wire.run(wire.now + 200_000);
  const hub = wire.node('hub').engine;
  t.deepEqual(
    hub.ipsecSas(wire.now)[0]!.flows.map((f) => f.currentPeer),
    [spokeWan(2)],
    'spoke 2 was rekeyed, spoke 1 expired',
  );
  t.true(wire.actions('hub', 'delete-ipsec').some((d) => d.peer === spokeWan(1) && d.reason === 'lifetime expired'));
  t.deepEqual(
    instances(hub.cryptoMaps()).map((e) => [e.seq, e.peer]),
    [[12, spokeWan(2)]],
  );
  t.deepEqual(instances(wire.node('s1').engine.cryptoMaps()), [], "the silent spoke's pair expired too");
});

test('the instance table stays bounded: 30 tunnels set up and cleared in rounds never number past 13', (t) => {
  const wire = hubAndSpokes(6, 36);
  const hub = wire.node('hub');
  const seen = new Set<number>();
  for (let round = 0; round < 10; round++) {
    const ks = [1, 2, 3, 4, 5, 6].filter((k) => (k + round) % 2 === 0);
    pingAll(wire, ks);
    for (const e of instances(hub.engine.cryptoMaps())) seen.add(e.seq);
    t.is(instances(hub.engine.cryptoMaps()).length, ks.length);
    wire.feed(hub, hub.engine.clearIpsec({}, wire.now));
    wire.feed(hub, hub.engine.clearIsakmp(undefined, wire.now));
    wire.run(wire.now + 5_000);
    t.deepEqual(instances(hub.engine.cryptoMaps()), []);
  }
  t.deepEqual([...seen].sort(), [11, 12, 13]);
  const tables = hub.engine.snapshot().tables;
  t.deepEqual([tables.isakmp.size, tables.ipsec.size, tables.instances.size, tables.pending.size, tables.probes.size], [0, 0, 0, 0, 0]);
});

test("clear crypto sa peer X: only X's pairs go, only X hears of it; the other peers and every ISAKMP SA stay", (t) => {
  const wire = hubAndSpokes(4, 37);
  pingAll(wire, [1, 2, 3, 4]);
  const hub = wire.node('hub');
  const before = wire.sent.length;
  const pairs = Object.fromEntries(wire.actions('hub', 'install-ipsec').map((a) => [a.sa.peer, a.sa]));
  wire.feed(hub, hub.engine.clearIpsec({ peer: spokeWan(3) }, wire.now));
  wire.run(wire.now + 5_000);
  t.deepEqual(
    wire.actions('hub', 'delete-ipsec').map((d) => [d.peer, d.inboundSpi]),
    [[spokeWan(3), pairs[spokeWan(3)]!.inbound.spi]],
  );
  t.deepEqual(
    wire.sent.slice(before).map((p) => `${p.from.ip}>${p.to.ip}:${p.payload[18]}`),
    [`11.11.0.1>${spokeWan(3)}:5`],
    'one Informational (Delete), to X',
  );
  t.deepEqual(
    wire.actions('s3', 'delete-ipsec').map((d) => d.inboundSpi),
    [pairs[spokeWan(3)]!.outbound.spi],
  );
  for (const k of [1, 2, 4]) t.deepEqual(wire.actions(`s${k}`, 'delete-ipsec'), [], `spoke ${k} untouched`);
  t.deepEqual(
    hub.engine.ipsecSas(wire.now)[0]!.flows.map((f) => f.currentPeer),
    [1, 2, 4].map(spokeWan),
  );
  t.is(hub.engine.isakmpSas().length, 4);
  // a peer the router has no SA with: nothing at all
  const none = hub.engine.clearIpsec({ peer: '11.11.0.99' }, wire.now);
  t.deepEqual(none, []);
});

test('clear crypto sa map M: only the pairs of map M', (t) => {
  const hubText = [
    tedSiteConfig({ hostname: 'hub', wan: '11.11.0.1', lan: '10.0.0.1', lanNet: '10.0.0.0' }),
    'crypto map branch 10 ipsec-isakmp',
    ' set peer 12.12.0.2',
    ' set transform-set ted-transforms',
    ' match address 120',
    'interface FastEthernet1/0',
    ' ip address 12.12.0.1 255.255.255.0',
    ' crypto map branch',
    'access-list 120 permit ip 10.0.0.0 0.0.0.255 172.16.0.0 0.0.255.255',
  ].join('\n');
  const branchText = [
    'hostname branch',
    'crypto isakmp policy 10',
    ' authentication pre-share',
    'crypto isakmp key abc123 address 0.0.0.0 0.0.0.0',
    'crypto ipsec transform-set ts esp-des esp-md5-hmac',
    'crypto map cm 10 ipsec-isakmp',
    ' set peer 12.12.0.1',
    ' set transform-set ts',
    ' match address 120',
    'interface FastEthernet0/0',
    ' ip address 12.12.0.2 255.255.255.0',
    ' crypto map cm',
    'access-list 120 permit ip 172.16.0.0 0.0.255.255 10.0.0.0 0.0.0.255',
  ].join('\n');
  const wire = new Wire();
  wire.add('hub', engineFromConfig(hubText, 38), ['11.11.0.1', '12.12.0.1'], ['10.0.0.0/24']);
  wire.add(
    's1',
    engineFromConfig(tedSiteConfig({ hostname: 's1', wan: '11.11.0.2', lan: '10.1.0.1', lanNet: '10.1.0.0' }), 39),
    ['11.11.0.2'],
    ['10.1.0.0/24'],
  );
  wire.add('branch', engineFromConfig(branchText, 40), ['12.12.0.2'], ['172.16.0.0/16']);
  wire.acquire('hub', ping(HOST, spokeHost(1)));
  wire.acquire('hub', { packet: { source: HOST, destination: '172.16.5.5', protocol: 1 }, interface: 'FastEthernet1/0' });
  wire.run(30_000);
  t.deepEqual(
    wire
      .actions('hub', 'install-ipsec')
      .map((a) => [a.sa.cryptoMap.map, a.sa.peer, a.sa.local.ip])
      .sort(),
    [
      ['branch', '12.12.0.2', '12.12.0.1'],
      ['tedtag', '11.11.0.2', '11.11.0.1'],
    ],
  );
  const hub = wire.node('hub');
  wire.feed(hub, hub.engine.clearIpsec({ map: 'branch' }, wire.now));
  wire.run(wire.now + 5_000);
  t.deepEqual(
    wire.actions('hub', 'delete-ipsec').map((d) => d.peer),
    ['12.12.0.2'],
  );
  t.is(wire.actions('branch', 'delete-ipsec').length, 1);
  t.deepEqual(wire.actions('s1', 'delete-ipsec'), []);
  t.deepEqual(
    hub.engine.ipsecSas(wire.now).flatMap((i) => i.flows.map((f) => [i.cryptoMap, f.currentPeer])),
    [['tedtag', '11.11.0.2']],
  );
});

test('clear crypto isakmp N: only conn-id N goes (its peer is told), the other ISAKMP SAs and every IPsec SA stay', (t) => {
  const wire = hubAndSpokes(3, 41);
  pingAll(wire, [1, 2, 3]);
  const hub = wire.node('hub');
  const rows = hub.engine.isakmpSas();
  const two = rows.find((r) => r.dst === spokeWan(2))!;
  wire.feed(hub, hub.engine.clearIsakmp(two.connId, wire.now));
  wire.run(wire.now + 5_000);
  t.deepEqual(
    hub.engine.isakmpSas().map((r) => r.dst),
    [spokeWan(1), spokeWan(3)],
  );
  t.deepEqual(wire.node('s2').engine.isakmpSas(), [], 'spoke 2 got the Delete');
  for (const k of [1, 3]) t.is(wire.node(`s${k}`).engine.isakmpSas().length, 1);
  t.deepEqual([...wire.actions('hub', 'delete-ipsec'), ...wire.actions('s2', 'delete-ipsec')], []);
  t.is(hub.engine.ipsecSas(wire.now)[0]!.flows.length, 3);
  t.deepEqual(hub.engine.clearIsakmp(9999, wire.now), [], 'an unknown conn-id clears nothing');
});

test('a host sweeping the supernet makes at most 1,024 probes at once; they time out and leave nothing', (t) => {
  const wire = hubAndSpokes(1, 42);
  const hub = wire.node('hub');
  for (let i = 0; i < 1100; i++) wire.acquire('hub', ping(HOST, `10.200.${i >> 8}.${i & 255}`));
  const max = DEFAULT_LIMITS.pendingFlows;
  t.is(max, 1024);
  const tables = hub.engine.snapshot().tables;
  t.is(tables.probes.size, max);
  t.is(tables.pending.size, max);
  t.is(wire.actions('hub', 'drop').filter((d) => d.reason.includes('1024 flows in negotiation')).length, 1100 - max);
  t.is(hub.engine.counters().pendingFlows, 1100 - max, 'each refusal counted');
  // the sweep's probes give up; a real site gets its probe and its tunnel
  wire.run(wire.now + 70_000);
  t.deepEqual([tables.probes.size, tables.pending.size, tables.instances.size], [0, 0, 0]);
  t.is(wire.actions('hub', 'fail').filter((f) => f.phase === 'ted').length, max);
  pingAll(wire, [1]);
  t.is(wire.actions('hub', 'install-ipsec').length, 1);
});

test('a full mesh of 12 sites whose hosts all send to each other at once: every pair of routers holds the same pairs on both sides (two where the Quick Modes crossed), each sending on one the other decrypts', (t) => {
  const wire = hubAndSpokes(11, 40);
  const names = wire.nodes.map((n) => n.name);
  const host = (n: string) => (n === 'hub' ? HOST : spokeHost(Number(n.slice(1))));
  // probes, Main Modes and Quick Modes of all 66 pairs cross at once
  for (const a of names) for (const b of names) if (a !== b) wire.acquire(a, ping(host(a), host(b)));
  wire.run(wire.now + 30_000);
  const flows = (n: string) =>
    wire
      .node(n)
      .engine.ipsecSas(wire.now)
      .flatMap((i) => i.flows);
  for (const a of wire.nodes) {
    t.is(flows(a.name).length, names.length - 1, `${a.name}: one flow per peer`);
    for (const f of flows(a.name)) {
      const b = wire.nodes.find((n) => n.addresses[0] === f.currentPeer)!;
      const back = flows(b.name).find((x) => x.currentPeer === a.addresses[0])!;
      t.true(f.inbound.length >= 1 && f.inbound.length <= 2, `${a.name} -> ${b.name}: one pair, or the two of a race`);
      t.deepEqual(f.inbound.map((x) => x.spi).sort(), back.outbound.map((x) => x.spi).sort(), `${a.name} -> ${b.name}: the same pairs on both sides`);
      t.true(
        back.inbound.some((x) => x.spi === f.currentOutboundSpi),
        `${b.name} decrypts what ${a.name} sends`,
      );
      t.true(
        f.inbound.some((x) => x.spi === back.currentOutboundSpi),
        `${a.name} decrypts what ${b.name} sends`,
      );
    }
    t.deepEqual(wire.actions(a.name, 'fail'), [], `${a.name}: nothing failed`);
  }
});
