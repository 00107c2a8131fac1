/** IPv4 header codec and checksum. */
import test from 'ava';
import { internetChecksum, sum16 } from '../../../../src/codecs/net/checksum.js';
import { PacketError, type PacketErrorCode } from '../../../../src/codecs/net/errors.js';
import { IPPROTO_ICMP, IPPROTO_UDP, decodeIpv4, encodeIpv4, withDecrementedTtl } from '../../../../src/codecs/net/ipv4.js';
import { parseIpv4 } from '../../../../src/codecs/net/address.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// The worked example of the IPv4 header checksum from Wikipedia "Internet checksum"
// / "IPv4 header checksum" (https://en.wikipedia.org/wiki/Internet_checksum):
// 4500 0073 0000 4000 4011 [b861] c0a8 0001 c0a8 00c7 -> checksum 0xb861.
const wikiHeader = hex('4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7');

test('the checksum of the worked example header is 0xb861 and verifies to zero', (t) => {
  const zeroed = Buffer.from(wikiHeader);
  zeroed.writeUInt16BE(0, 10);
  t.is(internetChecksum(zeroed), 0xb861);
  t.is(internetChecksum(wikiHeader), 0);
});

test('RFC 1071 section 3 example: the ones-complement sum of 0001 f203 f4f5 f6f7 is ddf2', (t) => {
  let s = sum16(hex('0001f203f4f5f6f7'));
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  t.is(s, 0xddf2);
  t.is(internetChecksum(hex('0001f203f4f5f6f7')), 0x220d);
  // Odd length: the last byte is padded with zero on the right.
  t.is(internetChecksum(hex('01')), internetChecksum(hex('0100')));
});

test('the worked example decodes field by field', (t) => {
  const packet = Buffer.concat([wikiHeader, Buffer.alloc(0x73 - 20, 0xee)]);
  const d = decodeIpv4(packet);
  t.true(d.checksumValid);
  t.is(d.headerLength, 20);
  t.like(d.header, {
    tos: 0,
    totalLength: 0x73,
    identification: 0,
    dontFragment: true,
    moreFragments: false,
    fragmentOffset: 0,
    ttl: 0x40,
    protocol: IPPROTO_UDP,
    checksum: 0xb861,
    source: parseIpv4('192.168.0.1'),
    destination: parseIpv4('192.168.0.199'),
  });
  t.is(d.payload.length, 0x73 - 20);
});

test('encoding reproduces the worked example byte for byte', (t) => {
  const packet = encodeIpv4(
    { ttl: 64, protocol: IPPROTO_UDP, dontFragment: true, source: parseIpv4('192.168.0.1'), destination: parseIpv4('192.168.0.199') },
    Buffer.alloc(0x73 - 20, 0xee),
  );
  t.deepEqual(packet.subarray(0, 20), wikiHeader);
});

test('options, fragments, TOS and ID round-trip and the checksum covers options', (t) => {
  const options = Buffer.from([0x94, 0x04, 0x00, 0x00]); // router alert
  const packet = encodeIpv4(
    {
      tos: 0xb8,
      identification: 0xbeef,
      moreFragments: true,
      fragmentOffset: 0x1fff,
      ttl: 1,
      protocol: IPPROTO_ICMP,
      source: 0xffffffff,
      destination: 1,
      options,
    },
    Buffer.from('payload'),
  );
  t.is(packet[0], 0x46);
  const d = decodeIpv4(packet);
  t.true(d.checksumValid);
  t.is(d.headerLength, 24);
  t.deepEqual(d.header.options, options);
  t.like(d.header, {
    tos: 0xb8,
    identification: 0xbeef,
    moreFragments: true,
    dontFragment: false,
    fragmentOffset: 0x1fff,
    ttl: 1,
    source: 0xffffffff,
    destination: 1,
  });
  t.deepEqual(d.payload, Buffer.from('payload'));
  const corrupted = Buffer.from(packet);
  corrupted[21] ^= 0xff;
  t.false(decodeIpv4(corrupted).checksumValid);
});

test('link-layer padding beyond the total length is not part of the payload', (t) => {
  const packet = encodeIpv4({ protocol: 1, source: 1, destination: 2 }, Buffer.from([1, 2, 3]));
  const padded = Buffer.concat([packet, Buffer.alloc(20)]);
  t.deepEqual(decodeIpv4(padded).payload, Buffer.from([1, 2, 3]));
});

test('malformed headers throw typed PacketErrors, never RangeError', (t) => {
  const good = encodeIpv4({ protocol: 17, source: 1, destination: 2 }, Buffer.alloc(8));
  const cases: Array<[string, Buffer, PacketErrorCode]> = [
    ['empty', Buffer.alloc(0), 'truncated'],
    ['19 bytes', good.subarray(0, 19), 'truncated'],
    ['version 6', Buffer.from([0x65, ...good.subarray(1)]), 'bad-version'],
    ['IHL 4', Buffer.from([0x44, ...good.subarray(1)]), 'bad-header-length'],
    ['IHL 15 in 28 bytes', Buffer.from([0x4f, ...good.subarray(1)]), 'truncated'],
    [
      'total length below header',
      (() => {
        const b = Buffer.from(good);
        b.writeUInt16BE(19, 2);
        return b;
      })(),
      'bad-total-length',
    ],
    [
      'total length beyond buffer',
      (() => {
        const b = Buffer.from(good);
        b.writeUInt16BE(29, 2);
        return b;
      })(),
      'truncated',
    ],
  ];
  for (const [name, buf, code] of cases) {
    const e = t.throws(() => decodeIpv4(buf), { instanceOf: PacketError }, name);
    t.is(e?.code, code, name);
  }
  // Every prefix of a valid packet either decodes or throws a PacketError.
  for (let n = 0; n <= good.length; n++) {
    try {
      decodeIpv4(good.subarray(0, n));
    } catch (e) {
      t.true(e instanceof PacketError, `prefix ${n}`);
    }
  }
});

test('encoding refuses bad fields and oversize packets', (t) => {
  t.throws(() => encodeIpv4({ protocol: 1, source: 1, destination: 2, options: Buffer.alloc(3) }, Buffer.alloc(0)), { instanceOf: PacketError });
  t.throws(() => encodeIpv4({ protocol: 1, source: 1, destination: 2, options: Buffer.alloc(44) }, Buffer.alloc(0)), { instanceOf: PacketError });
  t.throws(() => encodeIpv4({ protocol: 1, source: 1, destination: 2 }, Buffer.alloc(65516)), { instanceOf: PacketError });
  t.notThrows(() => encodeIpv4({ protocol: 1, source: 1, destination: 2 }, Buffer.alloc(65515)));
  t.throws(() => encodeIpv4({ protocol: 256, source: 1, destination: 2 }, Buffer.alloc(0)), { instanceOf: PacketError });
  t.throws(() => encodeIpv4({ protocol: 1, ttl: -1, source: 1, destination: 2 }, Buffer.alloc(0)), { instanceOf: PacketError });
  t.throws(() => encodeIpv4({ protocol: 1, fragmentOffset: 0x2000, source: 1, destination: 2 }, Buffer.alloc(0)), { instanceOf: PacketError });
  t.throws(() => encodeIpv4({ protocol: 1, source: 2 ** 32, destination: 2 }, Buffer.alloc(0)), { instanceOf: PacketError });
});

test('TTL decrement updates the checksum incrementally and stops at 1', (t) => {
  for (const ttl of [2, 64, 255, 0x80, 0x81]) {
    const p = encodeIpv4(
      { ttl, protocol: 17, source: parseIpv4('13.13.13.4'), destination: parseIpv4('12.12.12.13'), identification: ttl * 77 },
      Buffer.alloc(4),
    );
    const next = withDecrementedTtl(p);
    if (!next) return t.fail();
    const d = decodeIpv4(next);
    t.is(d.header.ttl, ttl - 1);
    t.true(d.checksumValid, `ttl ${ttl}`);
    t.is(p[8], ttl, 'the input is not modified');
  }
  const last = encodeIpv4({ ttl: 1, protocol: 17, source: 1, destination: 2 }, Buffer.alloc(0));
  t.is(withDecrementedTtl(last), undefined);
  t.throws(() => withDecrementedTtl(Buffer.alloc(10)), { instanceOf: PacketError });
});
