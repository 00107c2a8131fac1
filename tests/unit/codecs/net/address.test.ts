/** IPv4 address, prefix, mask and wildcard helpers. */
import test from 'ava';
import {
  broadcastAddress,
  formatIpv4,
  formatPrefix,
  inPrefix,
  ipv4FromBytes,
  ipv4ToBytes,
  isContiguousMask,
  maskToPrefix,
  maskToWildcard,
  matchesWildcard,
  networkAddress,
  parseIpv4,
  parsePrefix,
  prefixToMask,
  wildcardToMask,
} from '../../../../src/codecs/net/address.js';
import { PacketError } from '../../../../src/codecs/net/errors.js';

test('dotted quads parse to unsigned 32-bit numbers and back', (t) => {
  const cases: Array<[string, number]> = [
    ['0.0.0.0', 0],
    ['11.11.11.1', 0x0b0b0b01],
    ['13.13.13.13', 0x0d0d0d0d],
    ['255.255.255.255', 0xffffffff],
    ['128.0.0.1', 0x80000001],
    ['192.168.1.254', 0xc0a801fe],
  ];
  for (const [text, n] of cases) {
    t.is(parseIpv4(text), n, text);
    t.is(formatIpv4(n), text);
  }
  t.is(formatIpv4(-1), '255.255.255.255');
  t.deepEqual(ipv4ToBytes(0xc0a801fe), Buffer.from([192, 168, 1, 254]));
  t.is(ipv4FromBytes(Buffer.from([0, 11, 11, 11, 2]), 1), 0x0b0b0b02);
  t.throws(() => ipv4FromBytes(Buffer.from([1, 2, 3])), { instanceOf: PacketError });
});

test('malformed addresses throw PacketError bad-address', (t) => {
  for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1.2.3.-4', ' 1.2.3.4', '1.2.3.4 ', 'a.b.c.d', '1..2.3', '1.2.3.4/24', '1234.1.1.1']) {
    const e = t.throws(() => parseIpv4(bad), { instanceOf: PacketError }, bad);
    t.is(e?.code, 'bad-address');
  }
});

test('prefix lengths, masks and wildcards convert both ways', (t) => {
  t.is(prefixToMask(0), 0);
  t.is(prefixToMask(1), 0x80000000);
  t.is(prefixToMask(24), 0xffffff00);
  t.is(prefixToMask(32), 0xffffffff);
  for (let n = 0; n <= 32; n++) t.is(maskToPrefix(prefixToMask(n)), n);
  t.is(wildcardToMask(parseIpv4('0.0.0.255')), parseIpv4('255.255.255.0'));
  t.is(maskToWildcard(parseIpv4('255.255.255.0')), parseIpv4('0.0.0.255'));
  t.is(maskToWildcard(0), 0xffffffff);
  t.true(isContiguousMask(0xffffff00));
  t.false(isContiguousMask(parseIpv4('255.0.255.0')));
  const e = t.throws(() => maskToPrefix(parseIpv4('255.0.255.0')), { instanceOf: PacketError });
  t.is(e?.code, 'bad-mask');
  t.throws(() => prefixToMask(33), { instanceOf: PacketError });
  t.throws(() => prefixToMask(-1), { instanceOf: PacketError });
});

test('address in prefix, network and broadcast addresses', (t) => {
  const net = parseIpv4('12.12.12.0');
  t.true(inPrefix(parseIpv4('12.12.12.13'), net, 24));
  t.false(inPrefix(parseIpv4('12.12.13.13'), net, 24));
  t.true(inPrefix(parseIpv4('99.1.2.3'), 0, 0), 'default route matches everything');
  t.true(inPrefix(parseIpv4('11.11.11.2'), parseIpv4('11.11.11.2'), 32));
  t.false(inPrefix(parseIpv4('11.11.11.3'), parseIpv4('11.11.11.2'), 32));
  t.is(networkAddress(parseIpv4('13.13.13.13'), 24), parseIpv4('13.13.13.0'));
  t.is(broadcastAddress(parseIpv4('13.13.13.13'), 24), parseIpv4('13.13.13.255'));
  t.is(networkAddress(parseIpv4('200.1.2.3'), 1), parseIpv4('128.0.0.0'));
});

test('IOS ACL wildcard matching, including non-contiguous wildcards', (t) => {
  const base = parseIpv4('13.13.13.0');
  const w = parseIpv4('0.0.0.255');
  t.true(matchesWildcard(parseIpv4('13.13.13.4'), base, w));
  t.false(matchesWildcard(parseIpv4('13.13.14.4'), base, w));
  t.true(matchesWildcard(parseIpv4('1.2.3.4'), 0, 0xffffffff), 'any');
  t.true(matchesWildcard(parseIpv4('10.0.5.1'), parseIpv4('10.0.0.1'), parseIpv4('0.0.255.0')));
  t.false(matchesWildcard(parseIpv4('10.0.5.2'), parseIpv4('10.0.0.1'), parseIpv4('0.0.255.0')));
});

test('prefixes parse with host bits cleared and format back', (t) => {
  t.deepEqual(parsePrefix('12.12.12.13/24'), { network: parseIpv4('12.12.12.0'), prefixLength: 24 });
  t.is(formatPrefix(parsePrefix('0.0.0.0/0')), '0.0.0.0/0');
  for (const bad of ['12.12.12.0', '12.12.12.0/', '12.12.12.0/33', '12.12.12.0/2x', '1.2.3/8']) {
    t.throws(() => parsePrefix(bad), { instanceOf: PacketError }, bad);
  }
});
