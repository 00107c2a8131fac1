/**
 * After establishment: DPD (a silent peer is declared dead, a live one
 * answers), IPsec rekey before expiry (time and volume) with no gap,
 * `clear crypto sa` / `clear crypto isakmp` with Delete payloads the peer
 * processes, phase-1 expiry, INITIAL-CONTACT after a reboot, and
 * reconfiguration.
 */
import test from 'ava';
import { parseConfig } from '../../../../../src/ios/index.js';
import { IkeEngine } from '../../../../../src/agent/ike/v1/engine.js';
import { policyFromConfig } from '../../../../../src/agent/ike/policy.js';
import { engineFromConfig, PING_A, seedConfig, seededRandom, siteConfig, twoSites, Wire } from '../helpers.js';

function up(wire: Wire): void {
  wire.acquire('A', PING_A);
  wire.run(wire.now + 5_000);
}

test('DPD: a silent peer is declared dead after 5 unanswered R-U-THERE, its SAs are deleted', (t) => {
  const keepalive = 'crypto isakmp keepalive 10 2';
  const wire = twoSites(80, { keepalive }, { keepalive });
  up(wire);
  const sa = wire.actions('A', 'install-ipsec')[0]!.sa;
  t.true(wire.lines('A').includes('ISAKMP (0:1): vendor ID is DPD'));
  // B falls silent; A keeps sending traffic.
  wire.filter = (p) => (p.sender === 'B' ? [] : [{ packet: p }]);
  const a = wire.node('A');
  wire.feed(a, a.engine.noteTraffic({ spi: sa.outbound.spi, direction: 'outbound', bytes: 84 }, wire.now));
  wire.run(wire.now + 60_000);
  const rut = wire.lines('A').filter((l) => l.includes('DPD R_U_THERE sent'));
  t.is(rut.length, 5);
  const fail = wire.actions('A', 'fail');
  t.like(fail[0], { phase: 1, notify: 0, peer: '11.11.11.2' });
  t.deepEqual(
    wire.actions('A', 'delete-ipsec').map((d) => [d.inboundSpi, d.outboundSpi]),
    [[sa.inbound.spi, sa.outbound.spi]],
  );
  t.is(wire.actions('A', 'phase1-down').length, 1);
  t.deepEqual(a.engine.isakmpSas(), []);
  t.deepEqual(a.engine.ipsecSas(wire.now)[0]!.flows, []);
});

test('DPD: a live peer answers R-U-THERE-ACK and nothing is deleted', (t) => {
  const keepalive = 'crypto isakmp keepalive 10 2 periodic';
  const wire = twoSites(81, { keepalive }, { keepalive });
  up(wire);
  wire.run(wire.now + 60_000);
  t.true(wire.lines('A').filter((l) => l.includes('DPD R_U_THERE sent')).length >= 2);
  t.true(wire.lines('B').some((l) => l.includes('DPD R_U_THERE received from peer 11.11.11.1')));
  t.true(wire.lines('A').some((l) => l.includes('DPD R_U_THERE_ACK received from peer 11.11.11.2')));
  t.deepEqual([...wire.actions('A', 'fail'), ...wire.actions('B', 'fail'), ...wire.actions('A', 'delete-ipsec')], []);
});

test('rekey: a new pair 30 s before the seconds lifetime ends, the old one deleted only after it is installed on both sides', (t) => {
  const lifetime = 'crypto ipsec security-association lifetime seconds 120';
  const wire = twoSites(82, { lifetime }, { lifetime });
  up(wire);
  const start = wire.now;
  wire.run(start + 200_000);
  const installs = wire.node('A').log.filter((l) => l.action.kind === 'install-ipsec');
  t.true(installs.length >= 2);
  const first = wire.actions('A', 'install-ipsec')[0]!;
  const second = wire.actions('A', 'install-ipsec')[1]!;
  t.is(second.replaces?.inboundSpi, first.sa.inbound.spi);
  t.true(installs[1]!.at >= 90_000 - 100 && installs[1]!.at <= 91_000);
  // The old pair goes after the new one exists on both sides, and before its expiry.
  for (const node of ['A', 'B']) {
    const log = wire.node(node).log;
    const oldSpi = node === 'A' ? first.sa.inbound.spi : first.sa.outbound.spi;
    const del = log.find((l) => l.action.kind === 'delete-ipsec' && l.action.inboundSpi === oldSpi);
    const newInstall = log.filter((l) => l.action.kind === 'install-ipsec')[1];
    t.truthy(del);
    t.truthy(newInstall);
    t.true(del!.at > newInstall!.at);
    t.true(del!.at <= 120_000 + 100);
  }
  // B learnt the old pair was replaced.
  const bSecond = wire.actions('B', 'install-ipsec')[1]!;
  t.is(bSecond.replaces?.outboundSpi, first.sa.inbound.spi);
  t.deepEqual([...wire.actions('A', 'fail'), ...wire.actions('B', 'fail')], []);
});

test('rekey on volume: 90 % of the kilobytes lifetime starts a new pair, 100 % deletes the old', (t) => {
  const lifetime = 'crypto ipsec security-association lifetime kilobytes 2560';
  const wire = twoSites(83, { lifetime }, { lifetime });
  up(wire);
  const sa = wire.actions('A', 'install-ipsec')[0]!.sa;
  const a = wire.node('A');
  wire.feed(a, a.engine.noteTraffic({ spi: sa.outbound.spi, direction: 'outbound', bytes: 2400 * 1024 }, wire.now));
  wire.run(wire.now + 5_000);
  t.is(wire.actions('A', 'install-ipsec').length, 2);
  t.deepEqual(wire.actions('A', 'delete-ipsec'), []);
  const view = a.engine.ipsecSas(wire.now)[0]!.flows[0]!;
  t.is(view.inbound.length, 2);
  t.is(view.outbound[0]!.remaining.kilobytes, 2560 - 2400);
  t.is(view.currentOutboundSpi, wire.actions('A', 'install-ipsec')[1]!.sa.outbound.spi);
  wire.feed(a, a.engine.noteTraffic({ spi: sa.outbound.spi, direction: 'outbound', bytes: 200 * 1024 }, wire.now));
  t.deepEqual(
    wire.actions('A', 'delete-ipsec').map((d) => d.inboundSpi),
    [sa.inbound.spi],
  );
});

test('clear crypto sa: Delete (ESP) sent, the peer removes the same pair', (t) => {
  const wire = twoSites(84);
  up(wire);
  const sa = wire.actions('A', 'install-ipsec')[0]!.sa;
  const a = wire.node('A');
  wire.feed(a, a.engine.clearIpsec({}, wire.now));
  wire.run(wire.now + 1_000);
  t.deepEqual(
    wire.actions('A', 'delete-ipsec').map((d) => [d.inboundSpi, d.outboundSpi]),
    [[sa.inbound.spi, sa.outbound.spi]],
  );
  t.deepEqual(
    wire.actions('B', 'delete-ipsec').map((d) => [d.inboundSpi, d.outboundSpi]),
    [[sa.outbound.spi, sa.inbound.spi]],
  );
  t.true(wire.lines('B').some((l) => l.startsWith('IPSEC(key_engine_delete_sas): delete SA with spi')));
  t.true(wire.lines('A').some((l) => l.startsWith('IPSEC(delete_sa): deleting SA,')));
  // Phase 1 stays; the next packet negotiates a new pair with Quick Mode only.
  const before = wire.sent.length;
  wire.acquire('A', PING_A);
  wire.run(wire.now + 5_000);
  t.deepEqual(
    wire.sent.slice(before).map((p) => p.payload[18]),
    [32, 32, 32],
  );
  t.is(wire.actions('B', 'install-ipsec').length, 2);
});

test('clear crypto isakmp: Delete (ISAKMP) sent, the peer removes its ISAKMP SA; IPsec SAs stay', (t) => {
  const wire = twoSites(85);
  up(wire);
  const a = wire.node('A');
  wire.feed(a, a.engine.clearIsakmp(undefined, wire.now));
  wire.run(wire.now + 2_000);
  t.deepEqual(a.engine.isakmpSas(), []);
  t.deepEqual(wire.node('B').engine.isakmpSas(), []);
  t.is(wire.actions('B', 'phase1-down').length, 1);
  t.true(wire.lines('B').includes('ISAKMP (0:1): deleting SA reason "P1 delete notify (in)" state (R) QM_IDLE (peer 11.11.11.1) input queue 0'));
  t.true(wire.lines('A').includes('ISAKMP (0:1): purging SA., sa=82687F70, delme=82687F70'));
  t.deepEqual(wire.actions('B', 'delete-ipsec'), []);
  t.is(a.engine.engineConnections().filter((r) => r.kind === 'ipsec').length, 2);
});

test('phase-1 lifetime: the ISAKMP SA is deleted (with a Delete) when it expires', (t) => {
  const isakmp = ' authentication pre-share\n lifetime 600';
  const wire = twoSites(86, { isakmp }, { isakmp });
  up(wire);
  wire.run(wire.now + 700_000);
  t.deepEqual(wire.node('A').engine.isakmpSas(), []);
  t.deepEqual(wire.node('B').engine.isakmpSas(), []);
  // Whichever side expires first sends the Delete; the other processes it.
  const lines = [...wire.lines('A'), ...wire.lines('B')];
  t.true(lines.some((l) => l.includes('deleting SA reason "SA lifetime expired" state')));
  t.true(lines.some((l) => l.includes('deleting SA reason "P1 delete notify (in)" state')));
});

test('INITIAL-CONTACT after a reboot: the peer drops the old SAs', (t) => {
  const wire = twoSites(87, {}, {}, { initialContact: true });
  up(wire);
  const old = wire.actions('B', 'install-ipsec')[0]!.sa;
  // A reboots: a fresh engine with the same configuration.
  const cfgA = siteConfig({ hostname: 'A', wan: '11.11.11.1', lan: '13.13.13.13', peer: '11.11.11.2', localNet: '13.13.13.0', remoteNet: '12.12.12.0' });
  const fresh = new IkeEngine({ policy: policyFromConfig(parseConfig(cfgA).config, { initialContact: true }), random: seededRandom(999) });
  const a = wire.node('A') as { engine: IkeEngine };
  a.engine = fresh;
  wire.run(wire.now + 1_000);
  wire.acquire('A', PING_A);
  wire.run(wire.now + 5_000);
  t.true(wire.lines('B').includes('ISAKMP (0:2): processing NOTIFY INITIAL_CONTACT protocol 1'));
  t.true(wire.actions('B', 'delete-ipsec').some((d) => d.inboundSpi === old.inbound.spi));
  t.deepEqual(
    wire
      .node('B')
      .engine.isakmpSas()
      .map((r) => r.connId),
    [2],
  );
  t.is(wire.actions('B', 'install-ipsec').length, 2);
});

test('reconfiguration: new negotiations use the new policy, established SAs stay', (t) => {
  const wire = twoSites(88);
  up(wire);
  const a = wire.node('A');
  const cfg = (transform: string) =>
    siteConfig({ hostname: 'A', wan: '11.11.11.1', lan: '13.13.13.13', peer: '11.11.11.2', localNet: '13.13.13.0', remoteNet: '12.12.12.0', transform });
  a.engine.setPolicy(policyFromConfig(parseConfig(cfg('esp-3des esp-sha-hmac')).config));
  t.is(a.engine.ipsecSas(wire.now)[0]!.flows.length, 1);
  t.like(a.engine.isakmpSas()[0], { state: 'QM_IDLE' });
  wire.feed(a, a.engine.clearIpsec({ peer: '11.11.11.2' }, wire.now));
  wire.run(wire.now + 1_000);
  wire.acquire('A', PING_A);
  wire.run(wire.now + 5_000);
  // B still only has esp-des esp-md5-hmac: the new offer is refused.
  t.like(wire.actions('A', 'fail')[0], { phase: 2, notify: 14 });
});

test('both sides initiate at once: two ISAKMP SAs, no failure, a usable pair on both sides', (t) => {
  const wire = twoSites(89);
  wire.acquire('A', PING_A);
  wire.acquire('B', { packet: { source: '12.12.12.13', destination: '13.13.13.4', protocol: 1 }, interface: 'FastEthernet0/0' });
  wire.run(wire.now + 30_000);
  t.deepEqual([...wire.actions('A', 'fail'), ...wire.actions('B', 'fail')], []);
  const aIn = new Set(
    wire
      .node('A')
      .engine.engineConnections()
      .filter((r) => r.direction === 'inbound')
      .map((r) => r.spi),
  );
  const bOut = wire
    .node('B')
    .engine.engineConnections()
    .filter((r) => r.direction === 'outbound')
    .map((r) => r.spi);
  t.true(bOut.length >= 1);
  t.true(bOut.every((spi) => aIn.has(spi)));
  t.is(wire.node('A').engine.isakmpSas().length, 2);
});

test('the phase-1 responder starts Quick Mode for its own flow on the existing SA', (t) => {
  const extra = 'access-list 101 permit tcp 12.12.12.0 0.0.0.255 host 14.14.14.9 eq 80';
  const wire = twoSites(90, { extra: 'access-list 101 permit tcp host 14.14.14.9 eq 80 12.12.12.0 0.0.0.255' }, { extra });
  up(wire);
  const before = wire.sent.length;
  wire.acquire('B', {
    packet: { source: '12.12.12.7', destination: '14.14.14.9', protocol: 6, sourcePort: 1234, destinationPort: 80 },
    interface: 'FastEthernet0/0',
  });
  wire.run(wire.now + 5_000);
  // Quick Mode only, started by B (the Main Mode responder).
  t.deepEqual(
    wire.sent.slice(before).map((p) => `${p.sender}:${p.payload[18]}`),
    ['B:32', 'A:32', 'B:32'],
  );
  const b = wire.actions('B', 'install-ipsec')[1]!.sa;
  t.deepEqual(b.proxies.remote, { idType: 1, address: '14.14.14.9', protocol: 6, port: 80 });
  t.is(b.role, 'initiator');
  t.is(wire.actions('A', 'install-ipsec').length, 2);
});

test('NAT keepalives: one 0xFF byte on the 4500 flow every `crypto isakmp nat keepalive` seconds, from the side behind the NAT', (t) => {
  const a = siteConfig({
    hostname: 'A',
    wan: '10.1.1.1',
    lan: '10.9.9.9',
    peer: '11.11.11.2',
    localNet: '10.9.9.0',
    remoteNet: '12.12.12.0',
    extra: 'crypto isakmp nat keepalive 20',
  });
  const b = siteConfig({
    hostname: 'B',
    wan: '11.11.11.2',
    lan: '12.12.12.12',
    peer: '0.0.0.0',
    localNet: '12.12.12.0',
    remoteNet: '10.9.9.0',
    dynamic: true,
    extra: 'crypto isakmp nat keepalive 20',
  });
  const wire = new Wire();
  wire.add('A', engineFromConfig(a, 91), ['10.1.1.1']);
  wire.add('B', engineFromConfig(b, 92), ['11.11.11.2']);
  wire.nat = { inside: '10.1.1.1', public: '11.11.11.100', portMap: (p) => (p === 500 ? 1500 : 14500) };
  wire.acquire('A', { packet: { source: '10.9.9.4', destination: '12.12.12.13', protocol: 1 }, interface: 'FastEthernet0/0' });
  wire.run(65_000);
  const ka = wire.actions('A', 'send').filter((s) => s.payload.length === 1);
  t.is(ka.length, 3);
  t.true(ka.every((s) => s.payload[0] === 0xff && s.from.port === 4500 && s.to.port === 4500));
  t.deepEqual(
    wire.actions('B', 'send').filter((s) => s.payload.length === 1),
    [],
  );
  t.deepEqual(wire.actions('B', 'drop'), []);
});

test('a rekey the peer refuses is retried every 10 s, not in a loop, until the old pair expires', (t) => {
  const lifetime = 'crypto ipsec security-association lifetime seconds 120';
  const wire = twoSites(93, { lifetime }, { lifetime });
  up(wire);
  const b = wire.node('B');
  const cfgB = siteConfig({
    hostname: 'B',
    wan: '11.11.11.2',
    lan: '12.12.12.12',
    peer: '11.11.11.1',
    localNet: '12.12.12.0',
    remoteNet: '13.13.13.0',
    transform: 'esp-3des esp-sha-hmac',
    lifetime,
  });
  b.engine.setPolicy(policyFromConfig(parseConfig(cfgB).config));
  wire.run(wire.now + 200_000);
  const qm1 = wire.sent.filter((p) => p.sender === 'A' && p.payload[18] === 32).length;
  // The first Quick Mode, then rekey attempts at 90, 100, 110 s (and one at most at the expiry boundary).
  t.true(qm1 >= 3 && qm1 <= 6, `A sent ${qm1} Quick Mode first messages`);
  t.true(wire.actions('A', 'fail').every((f) => f.phase === 2 && f.notify === 14));
  t.is(wire.actions('A', 'delete-ipsec').length, 1);
  t.is(wire.node('A').engine.nextDeadline() === null || wire.node('A').engine.nextDeadline()! > wire.now, true);
});

test('clear crypto isakmp: a TED probe still waiting (PEER_DISCOVERY) is deleted, and the next packet probes again at once', (t) => {
  const wire = new Wire();
  wire.add('daphne', engineFromConfig(seedConfig('daphne'), 390), ['11.11.11.1', '13.13.13.13'], ['13.13.13.0/24']);
  wire.add('fred', engineFromConfig(seedConfig('fred'), 391), ['11.11.11.2', '12.12.12.12'], ['12.12.12.0/24']);
  const ping = { packet: { source: '13.13.13.4', destination: '12.12.12.13', protocol: 1 }, interface: 'FastEthernet0/0', nextHop: '11.11.11.2' };
  const probes = () => wire.actions('daphne', 'send-probe').length;
  // every probe is lost
  wire.filter = (p) => (p.kind === 'probe' ? [] : [{ packet: p }]);
  wire.acquire('daphne', ping);
  wire.run(wire.now + 1_000);
  const d = wire.node('daphne');
  t.deepEqual(
    d.engine.isakmpSas().map((s) => s.state),
    ['PEER_DISCOVERY'],
  );
  // while it waits, another packet of the flow starts no probe
  wire.acquire('daphne', ping);
  wire.run(wire.now + 1_000);
  t.is(probes(), 1);
  wire.feed(d, d.engine.clearIsakmp(undefined, wire.now));
  t.deepEqual(d.engine.isakmpSas(), []);
  t.true(wire.lines('daphne').includes('ISAKMP (0:1): deleting SA reason "Manual clear" state (I) PEER_DISCOVERY (peer 12.12.12.13) input queue 0'));
  // the WAN is clean again: the next packet probes at once and the tunnel forms, the old probe's timer is gone
  wire.filter = null;
  wire.acquire('daphne', ping);
  wire.run(wire.now + 5_000);
  t.is(probes(), 2);
  t.is(wire.actions('daphne', 'install-ipsec').length, 1);
  t.is(wire.actions('fred', 'install-ipsec').length, 1);
  t.deepEqual(wire.actions('daphne', 'fail'), []);
});
