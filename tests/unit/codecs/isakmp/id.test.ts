/** IPv4 identities: ID types 1, 4 and 7 as dotted strings, and INVALID-ID-INFORMATION for anything else. */
import test from 'ava';
import { Buffer } from 'node:buffer';
import { NotifyType } from '../../../../src/codecs/isakmp/constants.js';
import { IsakmpError } from '../../../../src/codecs/isakmp/errors.js';
import { bufferToIpv4, formatIpv4Id, ipv4IdPayload, ipv4ToBuffer, isIpv4Id, parseIpv4Id, type Ipv4Id } from '../../../../src/codecs/isakmp/id.js';
import { hex } from './fixtures.js';

const IDS: ReadonlyArray<readonly [Ipv4Id, string, string]> = [
  [{ idType: 1, address: '11.11.11.1', protocol: 17, port: 500 }, '0b0b0b01', '11.11.11.1'],
  [{ idType: 4, address: '13.13.13.0', mask: '255.255.255.0', protocol: 0, port: 0 }, '0d0d0d00ffffff00', '13.13.13.0/255.255.255.0'],
  [{ idType: 7, start: '10.0.0.1', end: '10.0.0.254', protocol: 6, port: 80 }, '0a0000010a0000fe', '10.0.0.1-10.0.0.254'],
  [{ idType: 1, address: '0.0.0.0', protocol: 0, port: 0 }, '00000000', '0.0.0.0'],
  [{ idType: 4, address: '255.255.255.255', mask: '255.255.255.255', protocol: 255, port: 65535 }, 'ffffffffffffffff', '255.255.255.255/255.255.255.255'],
];

for (const [id, data, text] of IDS) {
  test(`ID type ${id.idType} ${text} builds, parses and prints`, (t) => {
    const payload = ipv4IdPayload(id);
    t.deepEqual(payload, { type: 5, idType: id.idType, protocol: id.protocol, port: id.port, data: hex(data) });
    t.true(isIpv4Id(payload));
    t.deepEqual(parseIpv4Id(payload), id);
    t.is(formatIpv4Id(id), text);
  });
}

test('protocol and port default to 0 (the seed proxies print as /0/0)', (t) => {
  const payload = ipv4IdPayload({ idType: 4, address: '12.12.12.0', mask: '255.255.255.0' });
  t.is(payload.protocol, 0);
  t.is(payload.port, 0);
});

test('a non-IPv4 ID type or a wrong data size is refused with INVALID-ID-INFORMATION', (t) => {
  for (const [idType, data] of [
    [2, Buffer.from('fred')],
    [1, hex('0b0b0b')],
    [4, hex('0d0d0d00')],
    [7, hex('0a0000010a0000fe00')],
  ] as const) {
    t.false(isIpv4Id({ idType, data }));
    const err = t.throws(() => parseIpv4Id({ idType, protocol: 0, port: 0, data }), { instanceOf: IsakmpError });
    t.is(err?.notify, NotifyType.INVALID_ID_INFORMATION);
  }
});

test('malformed dotted addresses are refused with INVALID-ID-INFORMATION', (t) => {
  for (const text of ['11.11.11', '11.11.11.256', '1.2.3.4.5', 'a.b.c.d', '', '1..2.3', ' 1.2.3.4']) {
    const err = t.throws(() => ipv4ToBuffer(text), { instanceOf: IsakmpError }, JSON.stringify(text));
    t.is(err?.notify, NotifyType.INVALID_ID_INFORMATION);
  }
  t.throws(() => bufferToIpv4(hex('0102'), 0), { instanceOf: IsakmpError });
  t.is(bufferToIpv4(hex('000c0c0c0d'), 1), '12.12.12.13');
});
