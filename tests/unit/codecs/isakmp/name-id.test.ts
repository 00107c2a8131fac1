/** ID_FQDN and ID_USER_FQDN payloads (RFC 2407 4.6.2.1): bytes on the wire, reading back, and what is refused. */
import test from 'ava';
import { Buffer } from 'node:buffer';
import { decodePayloads, encodePayloads } from '../../../../src/codecs/isakmp/chain.js';
import { PayloadType } from '../../../../src/codecs/isakmp/constants.js';
import { fqdnIdPayload, parseNameId } from '../../../../src/codecs/isakmp/name-id.js';
import type { IdPayload } from '../../../../src/codecs/isakmp/types.js';

test('ID_FQDN "daphne.example.com" for the IKE endpoint: type 2, protocol 17, port 500, the name in ASCII without a terminator', (t) => {
  const wire = encodePayloads([fqdnIdPayload('daphne.example.com')]);
  const name = Buffer.from('daphne.example.com', 'ascii');
  t.deepEqual(wire, Buffer.concat([Buffer.from([0, 0, 0, 8 + name.length, 2, 17, 0x01, 0xf4]), name]));
  const [back] = decodePayloads(PayloadType.ID, wire) as IdPayload[];
  t.deepEqual(parseNameId(back!), { idType: 2, name: 'daphne.example.com' });
});

test('a bare host name is an FQDN payload too', (t) => {
  t.deepEqual(fqdnIdPayload('daphne').data, Buffer.from('daphne'));
});

test('names that are not host names are refused with INVALID-ID-INFORMATION', (t) => {
  for (const bad of ['', 'a b', 'x'.repeat(256), 'a..b', 'daphne\u0000']) {
    t.throws(() => fqdnIdPayload(bad), { message: /not a host name/ }, JSON.stringify(bad));
  }
  t.throws(() => parseNameId({ idType: 2, data: Buffer.from([0x61, 0x00, 0x62]) }), { message: /not a name/ });
  t.throws(() => parseNameId({ idType: 2, data: Buffer.alloc(0) }), { message: /0 bytes/ });
  t.throws(() => parseNameId({ idType: 1, data: Buffer.from([1, 2, 3, 4]) }), { message: /not a name/ });
});

test('ID_USER_FQDN is user@host', (t) => {
  t.deepEqual(parseNameId({ idType: 3, data: Buffer.from('vpn@example.com') }), { idType: 3, name: 'vpn@example.com' });
  t.throws(() => parseNameId({ idType: 3, data: Buffer.from('example.com') }), { message: /not a name/ });
  t.throws(() => parseNameId({ idType: 3, data: Buffer.from('a@b@c') }), { message: /not a name/ });
});
