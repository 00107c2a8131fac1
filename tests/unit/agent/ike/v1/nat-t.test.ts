/**
 * NAT traversal (RFC 3947/3948): with a NAT rewriting the initiator's
 * address and ports, NAT-D reveals it, IKE floats to UDP 4500 with the
 * non-ESP marker, and the IPsec SAs are UDP-encapsulated. Without a NAT, or
 * with NAT-T off on one side, everything stays on port 500.
 */
import test from 'ava';
import { renderShowCryptoIpsecSa } from '../../../../../src/agent/router/show-crypto.js';
import { PayloadType } from '../../../../../src/codecs/isakmp/constants.js';
import { decodeMessage } from '../../../../../src/codecs/isakmp/message.js';
import type { VendorIdPayload } from '../../../../../src/codecs/isakmp/types.js';
import { NAT_T_RFC3947_VENDOR_ID } from '../../../../../src/agent/ike/v1/crypto/natd.js';
import { engineFromConfig, siteConfig, Wire } from '../helpers.js';

const PING = { packet: { source: '10.9.9.4', destination: '12.12.12.13', protocol: 1 }, interface: 'FastEthernet0/0' };

function natWire(seed: number, mode: 'main' | 'aggressive', natA = true, natB = true): Wire {
  const wire = new Wire();
  const a = siteConfig({
    hostname: 'A',
    wan: '10.1.1.1',
    lan: '10.9.9.9',
    peer: '11.11.11.2',
    localNet: '10.9.9.0',
    remoteNet: '12.12.12.0',
    aggressivePassword: mode === 'aggressive' ? 'abc123' : undefined,
  });
  const b = siteConfig({ hostname: 'B', wan: '11.11.11.2', lan: '12.12.12.12', peer: '0.0.0.0', localNet: '12.12.12.0', remoteNet: '10.9.9.0', dynamic: true });
  wire.add('A', engineFromConfig(a, seed, { natTraversal: natA }), ['10.1.1.1']);
  wire.add('B', engineFromConfig(b, seed + 1, { natTraversal: natB }), ['11.11.11.2']);
  wire.nat = { inside: '10.1.1.1', public: '11.11.11.100', portMap: (p) => (p === 500 ? 1500 : p === 4500 ? 14500 : p) };
  return wire;
}

for (const mode of ['main', 'aggressive'] as const) {
  test(`${mode} mode through a NAT: NAT-D detects it, IKE moves to 4500 with the non-ESP marker, ESP is UDP-encapsulated`, (t) => {
    const wire = natWire(mode === 'main' ? 90 : 91, mode);
    wire.acquire('A', PING);
    wire.run(30_000);
    t.deepEqual([...wire.actions('A', 'fail'), ...wire.actions('B', 'fail'), ...wire.actions('A', 'drop'), ...wire.actions('B', 'drop')], []);
    const a = wire.actions('A', 'install-ipsec')[0]!.sa;
    const b = wire.actions('B', 'install-ipsec')[0]!.sa;
    t.deepEqual(a.udpEncapsulation, { localPort: 4500, remotePort: 4500 });
    t.deepEqual(b.udpEncapsulation, { localPort: 4500, remotePort: 14500 });
    t.deepEqual(b.remote, { ip: '11.11.11.100', port: 14500 });
    t.is(b.peer, '11.11.11.100');
    t.deepEqual(a.outbound.encryptionKey, b.inbound.encryptionKey);
    t.is(a.outbound.spi, b.inbound.spi);
    t.true(wire.lines('A').includes('ISAKMP (0:1): My hash no match - this node inside NAT'));
    t.true(wire.lines('B').includes('ISAKMP: encaps is 3') || wire.lines('B').includes('ISAKMP:      encaps is 3'));
    // Once floated, every IKE message goes 4500 <-> 4500 (after NAT: 14500) with the 4-byte zero marker.
    const floated = wire.sent.filter((p) => p.to.port === 4500 || p.from.port === 4500);
    t.true(floated.length >= (mode === 'main' ? 5 : 4));
    t.true(floated.every((p) => p.payload.readUInt32BE(0) === 0));
    const first = wire.sent.slice(0, mode === 'main' ? 4 : 2);
    t.true(first.every((p) => p.to.port !== 4500 && p.from.port !== 4500));
    t.like(wire.node('B').engine.ipsecSas(wire.now)[0]!.flows[0]!.inbound[0], { inUseSettings: 'Tunnel UDP-Encaps' });
    t.like(wire.node('A').engine.isakmpSas()[0], { natTraversal: { negotiated: true, localBehindNat: true, peerBehindNat: false, floated: true } });
    t.like(wire.node('B').engine.isakmpSas()[0], { natTraversal: { negotiated: true, localBehindNat: false, peerBehindNat: true, floated: true } });
  });
}

test('NAT-T negotiated but no NAT: no port change, plain ESP', (t) => {
  const wire = natWire(92, 'main');
  wire.nat = null;
  wire.acquire('A', PING);
  wire.run(30_000);
  const a = wire.actions('A', 'install-ipsec')[0]!.sa;
  t.is(a.udpEncapsulation, null);
  t.true(wire.sent.every((p) => p.to.port === 500 && p.from.port === 500));
  t.true(wire.lines('B').includes('ISAKMP (0:1): No NAT Found for self or peer'));
});

test('NAT-T off on the responder: no NAT-D, no float, even through the NAT', (t) => {
  const wire = natWire(93, 'main', true, false);
  wire.acquire('A', PING);
  wire.run(30_000);
  const a = wire.actions('A', 'install-ipsec')[0]!.sa;
  t.is(a.udpEncapsulation, null);
  t.true(wire.sent.every((p) => p.to.port !== 4500 && p.from.port !== 4500));
  t.false(wire.lines('A').some((l) => l.includes('NAT-D')));
});

test('show crypto ipsec sa names the peer port of UDP-encapsulated SAs (current_peer A port P) and the plain ones as IOS 12.2 does', (t) => {
  const wire = natWire(93, 'main');
  wire.acquire('A', PING);
  wire.run(30_000);
  const render = (node: string) =>
    renderShowCryptoIpsecSa(
      wire.node(node).engine.ipsecSas(wire.now),
      () => undefined,
      () => 1500,
      null,
    );
  t.regex(render('A'), /^ {3}current_peer 11\.11\.11\.2 port 4500$/m);
  t.regex(render('B'), /^ {3}current_peer 11\.11\.11\.100 port 14500$/m);
  t.regex(render('B'), /in use settings =\{Tunnel UDP-Encaps, \}/);
  const plain = natWire(94, 'main');
  plain.nat = null;
  plain.acquire('A', PING);
  plain.run(30_000);
  t.regex(
    renderShowCryptoIpsecSa(
      plain.node('A').engine.ipsecSas(plain.now),
      () => undefined,
      () => 1500,
      null,
    ),
    /^ {3}current_peer: 11\.11\.11\.2$/m,
  );
});

test('no crypto ipsec nat-transparency udp-encapsulation (read from the config): no NAT-T vendor ID, no NAT-D, no float through the NAT', (t) => {
  const wire = new Wire();
  const a = siteConfig({
    hostname: 'A',
    wan: '10.1.1.1',
    lan: '10.9.9.9',
    peer: '11.11.11.2',
    localNet: '10.9.9.0',
    remoteNet: '12.12.12.0',
    extra: 'no crypto ipsec nat-transparency udp-encapsulation',
  });
  const b = siteConfig({ hostname: 'B', wan: '11.11.11.2', lan: '12.12.12.12', peer: '0.0.0.0', localNet: '12.12.12.0', remoteNet: '10.9.9.0', dynamic: true });
  // no natTraversal option: each engine follows its config (B keeps the default, on)
  wire.add('A', engineFromConfig(a, 95), ['10.1.1.1']);
  wire.add('B', engineFromConfig(b, 96), ['11.11.11.2']);
  wire.nat = { inside: '10.1.1.1', public: '11.11.11.100', portMap: (p) => (p === 500 ? 1500 : p === 4500 ? 14500 : p) };
  wire.acquire('A', PING);
  wire.run(30_000);
  const mm1 = decodeMessage(wire.sent[0]!.payload);
  t.false(
    mm1.payloads.some((p) => p.type === PayloadType.VENDOR_ID && (p as VendorIdPayload).data.equals(NAT_T_RFC3947_VENDOR_ID)),
    'no RFC 3947 vendor ID',
  );
  const mm2 = decodeMessage(wire.sent[1]!.payload);
  t.false(
    mm2.payloads.some((p) => p.type === PayloadType.VENDOR_ID && (p as VendorIdPayload).data.equals(NAT_T_RFC3947_VENDOR_ID)),
    'B answers without it',
  );
  t.is(wire.actions('A', 'install-ipsec')[0]!.sa.udpEncapsulation, null);
  t.true(
    wire.sent.every((p) => p.to.port !== 4500 && p.from.port !== 4500),
    'never UDP 4500',
  );
  t.false(wire.lines('B').some((l) => l.includes('NAT-D')));
  t.like(wire.node('A').engine.isakmpSas()[0], { natTraversal: { negotiated: false, floated: false } });
});
