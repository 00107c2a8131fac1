/**
 * `crypto isakmp identity hostname`: the phase-1 ID is ID_FQDN
 * `hostname.domain` (the bare hostname without `ip domain-name`), keys are
 * still found by address, and a peer's identity is checked as IOS checks it
 * with pre-shared keys by address.
 */
import test from 'ava';
import { Buffer } from 'node:buffer';
import { decodeMessage } from '../../../../../src/codecs/isakmp/message.js';
import { IdType, PayloadType } from '../../../../../src/codecs/isakmp/constants.js';
import type { IdPayload, NotifyPayload } from '../../../../../src/codecs/isakmp/types.js';
import { checkPeerId } from '../../../../../src/agent/ike/v1/exchanges/phase1/identity.js';
import { engineFromConfig, siteConfig, Wire } from '../helpers.js';

const PING = { packet: { source: '10.9.9.4', destination: '12.12.12.13', protocol: 1 }, interface: 'FastEthernet0/0' };

function pair(seed: number, extraA: string, extraB: string, aggressive = false): Wire {
  const wire = new Wire();
  const a = siteConfig({
    hostname: 'daphne',
    wan: '10.1.1.1',
    lan: '10.9.9.9',
    peer: '10.1.1.2',
    localNet: '10.9.9.0',
    remoteNet: '12.12.12.0',
    extra: extraA,
    aggressivePassword: aggressive ? 'abc123' : undefined,
  });
  const b = siteConfig({
    hostname: 'fred',
    wan: '10.1.1.2',
    lan: '12.12.12.12',
    peer: '10.1.1.1',
    localNet: '12.12.12.0',
    remoteNet: '10.9.9.0',
    extra: extraB,
  });
  wire.add('A', engineFromConfig(a, seed), ['10.1.1.1']);
  wire.add('B', engineFromConfig(b, seed + 1), ['10.1.1.2']);
  return wire;
}

const HOSTNAME_ID = 'crypto isakmp identity hostname\nip domain-name example.com';

test('Main Mode, both sides by hostname: ID_FQDN hostname.domain, authenticated by the key found by address', (t) => {
  const wire = pair(300, HOSTNAME_ID, HOSTNAME_ID);
  wire.acquire('A', PING);
  wire.run(30_000);
  t.deepEqual([...wire.actions('A', 'fail'), ...wire.actions('B', 'fail'), ...wire.actions('A', 'drop'), ...wire.actions('B', 'drop')], []);
  t.is(wire.actions('A', 'install-ipsec').length, 1);
  t.is(wire.actions('B', 'install-ipsec').length, 1);
  for (const side of ['A', 'B']) {
    t.true(wire.lines(side).includes('ISAKMP (0:1): SA is doing pre-shared key authentication using id type ID_FQDN'), side);
    // "daphne.example.com" and "fred.example.com": 18 and 16 bytes after the 4 of type, protocol and port
    const block = wire.lines(side).find((l) => l.includes('): ID payload\n'))!;
    t.regex(block, /type {9}: 2\n/);
    t.regex(block, new RegExp(`length {7}: ${side === 'A' ? 22 : 20}$`));
  }
});

test('Main Mode, hostname on one side only: the other side takes the FQDN identity', (t) => {
  const wire = pair(302, HOSTNAME_ID, '');
  wire.acquire('A', PING);
  wire.run(30_000);
  t.is(wire.actions('B', 'install-ipsec').length, 1);
  t.true(wire.lines('B').includes('ISAKMP (0:1): SA is doing pre-shared key authentication using id type ID_IPV4_ADDR'));
});

test('Aggressive Mode carries the identity in clear: the ID payload bytes of message 1', (t) => {
  const wire = pair(304, HOSTNAME_ID, '', true);
  wire.acquire('A', PING);
  wire.run(30_000);
  const am1 = decodeMessage(wire.sent[0]!.payload);
  const id = am1.payloads.find((p): p is IdPayload => p.type === PayloadType.ID)!;
  t.is(id.idType, IdType.FQDN);
  t.is(id.protocol, 17);
  t.is(id.port, 500);
  t.deepEqual(id.data, Buffer.from('daphne.example.com', 'ascii'));
  t.is(wire.actions('B', 'install-ipsec').length, 1, 'the responder took it');
});

test('without ip domain-name the FQDN is the bare hostname', (t) => {
  const wire = pair(306, 'crypto isakmp identity hostname', '', true);
  wire.acquire('A', PING);
  wire.run(30_000);
  const id = decodeMessage(wire.sent[0]!.payload).payloads.find((p): p is IdPayload => p.type === PayloadType.ID)!;
  t.is(id.idType, IdType.FQDN);
  t.deepEqual(id.data, Buffer.from('daphne', 'ascii'));
});

test('the peer identity: an address (any, a peer behind NAT sends its own) or a host name; nothing else', (t) => {
  t.is(checkPeerId({ idType: IdType.IPV4_ADDR, data: Buffer.from([192, 168, 1, 7]) }), '192.168.1.7');
  t.is(checkPeerId({ idType: IdType.FQDN, data: Buffer.from('fred.example.com') }), 'fred.example.com');
  t.throws(() => checkPeerId({ idType: IdType.IPV4_ADDR, data: Buffer.from([1, 2, 3]) }), { message: /3 bytes/ });
  t.throws(() => checkPeerId({ idType: IdType.FQDN, data: Buffer.from('fred example') }), { message: /not a name/ });
  t.throws(() => checkPeerId({ idType: 9, data: Buffer.from('CN=fred') }), { message: /not an address or a name/ });
});

test('Aggressive Mode: a responder refuses an identity that is not one, before answering', (t) => {
  const wire = pair(308, '', '', true);
  // the initiator's AM1 with its ID_IPV4_ADDR data cut to 3 bytes
  wire.filter = (p) => {
    if (p.sender !== 'A' || p.n !== 1) return [{ packet: p }];
    const m = decodeMessage(p.payload);
    const at = p.payload.indexOf(Buffer.from([IdType.IPV4_ADDR, 17, 0x01, 0xf4, 10, 1, 1, 1]));
    if (at < 0 || m.payloads.length === 0) return [{ packet: p }];
    const cut = Buffer.concat([p.payload.subarray(0, at + 7), p.payload.subarray(at + 8)]);
    cut.writeUInt16BE(cut.readUInt16BE(at - 2) - 1, at - 2);
    cut.writeUInt32BE(cut.length, 24);
    return [{ packet: { ...p, payload: cut } }];
  };
  wire.acquire('A', PING);
  wire.run(5_000);
  t.is(wire.actions('B', 'install-ipsec').length, 0);
  t.true(wire.lines('B').includes('ISAKMP (0:1): ID payload not acceptable from 10.1.1.1'));
  // its answer: a cleartext Informational with INVALID-ID-INFORMATION (18)
  const answer = decodeMessage(wire.sent.filter((p) => p.sender === 'B').at(-1)!.payload);
  t.true(answer.payloads.some((p) => p.type === PayloadType.NOTIFY && (p as NotifyPayload).notifyType === 18));
});
