/** GRE codec (RFC 2784, RFC 2890): flags, optional fields, checksum, and what a receiver must discard. */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { decodeGre, encodeGre, GRE_PROTOCOL_IPV4, GreError, greHeaderLength, writeGreHeader } from '../../../../src/codecs/net/gre.js';
import { PacketError } from '../../../../src/codecs/net/errors.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const plain = { protocol: GRE_PROTOCOL_IPV4, checksum: false, key: null, sequence: null } as const;

test('the base header: no flags, version 0, protocol type 0x0800', (t) => {
  const g = encodeGre(plain, Buffer.from('ab'));
  t.deepEqual(g, hex('0000 0800 6162'));
  const d = decodeGre(g);
  t.deepEqual(d.header, plain);
  t.is(d.headerLength, 4);
  t.deepEqual(d.payload, Buffer.from('ab'));
  t.is(d.checksumValid, null, 'no checksum present');
});

// Hand-computed: 8000 + 0800 + 0000 + 0000 + 6162 + 6364 = 0x14cc6 -> 0x4cc7 -> ~ = 0xb338
test('C bit: checksum and Reserved1 follow the base header; the checksum covers header and payload', (t) => {
  const g = encodeGre({ ...plain, checksum: true }, Buffer.from('abcd'));
  t.deepEqual(g, hex('8000 0800 b338 0000 6162 6364'));
  const d = decodeGre(g);
  t.true(d.checksumValid);
  t.is(d.headerLength, 8);
  g[9] ^= 1;
  t.false(decodeGre(g).checksumValid, 'a flipped payload bit fails the checksum');
});

// b000 + 0800 + 03e8 + 0001 + 6162 = 0x11d4b -> 0x1d4c -> ~ = 0xe2b3
test('C, K and S together: checksum, key, sequence number in that order (RFC 2890)', (t) => {
  const h = { protocol: GRE_PROTOCOL_IPV4, checksum: true, key: 1000, sequence: 1 };
  const g = encodeGre(h, Buffer.from('ab'));
  t.deepEqual(g, hex('b000 0800 e2b3 0000 0000 03e8 0000 0001 6162'));
  const d = decodeGre(g);
  t.deepEqual(d.header, h);
  t.is(d.headerLength, 16);
  t.true(d.checksumValid);
});

test('K bit alone: the key after the base header', (t) => {
  const g = encodeGre({ ...plain, key: 0xdeadbeef }, Buffer.alloc(0));
  t.deepEqual(g, hex('2000 0800 dead beef'));
  t.is(decodeGre(g).header.key, 0xdeadbeef);
  t.is(greHeaderLength({ checksum: false, key: 1, sequence: null }), 8);
});

test('S bit alone: the sequence number after the base header', (t) => {
  const d = decodeGre(hex('1000 0800 0000 002a 45'));
  t.deepEqual(d.header, { protocol: 0x0800, checksum: false, key: null, sequence: 42 });
  t.deepEqual(d.payload, hex('45'));
});

test('writeGreHeader fills the header in front of a payload already in place (headroom)', (t) => {
  const frame = Buffer.concat([Buffer.alloc(12), Buffer.from('abcd')]);
  t.is(writeGreHeader(frame, 4, { ...plain, checksum: true }), 8);
  t.deepEqual(frame.subarray(4), hex('8000 0800 b338 0000 6162 6364'));
  t.throws(() => writeGreHeader(Buffer.alloc(6), 0, { ...plain, key: 1 }), { instanceOf: PacketError });
  t.throws(() => encodeGre({ ...plain, key: 2 ** 32 }, Buffer.alloc(0)), { instanceOf: PacketError });
  t.throws(() => encodeGre({ ...plain, protocol: 0x10000 }, Buffer.alloc(0)), { instanceOf: PacketError });
});

test('bits 6-12 are ignored on receipt (RFC 2784 section 2.3)', (t) => {
  const d = decodeGre(hex('03f8 0800 45'));
  t.deepEqual(d.header, plain);
});

test('discarded: truncated headers, version != 0, routing and the other RFC 1701 bits', (t) => {
  const reason = (h: string) => (t.throws(() => decodeGre(hex(h)), { instanceOf: GreError }) as GreError).reason;
  t.is(reason(''), 'truncated');
  t.is(reason('0000 08'), 'truncated');
  t.is(reason('8000 0800 0000'), 'truncated', 'C set, checksum cut');
  t.is(reason('3000 0800 0000 0001 0000'), 'truncated', 'K and S set, sequence number cut');
  t.is(reason('0001 880b'), 'bad-version', 'version 1 (enhanced GRE, PPTP)');
  t.is(reason('4000 0800 0000 0000'), 'rfc1701-flags', 'routing present');
  t.is(reason('0800 0800'), 'rfc1701-flags', 'strict source route');
  t.is(reason('0400 0800'), 'rfc1701-flags', 'recursion control');
  t.true(new GreError('truncated', 'x') instanceof PacketError, 'a PacketError, as the other codecs throw');
});

test('random input: a GrePacket or a GreError, never anything else', (t) => {
  let decoded = 0;
  for (let i = 0; i < 5000; i++) {
    const data = randomBytes(i % 24);
    try {
      const d = decodeGre(data);
      t.true(d.headerLength <= data.length);
      decoded++;
    } catch (e) {
      if (!(e instanceof GreError)) t.fail(`${data.toString('hex')}: ${String(e)}`);
    }
  }
  t.true(decoded > 0);
});
