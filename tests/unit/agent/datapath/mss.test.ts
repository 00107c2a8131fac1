/**
 * MSS clamping on IPv4/TCP packets (mss.ts): a SYN or SYN-ACK whose MSS is
 * larger than the value is lowered, with a TCP checksum that verifies
 * afterwards (checked by recomputing it over the pseudo-header); a smaller
 * MSS, no MSS option, not a SYN, a later fragment, and every kind of broken
 * header are left alone, and nothing throws.
 */
import test from 'ava';
import { parseIpv4 } from '../../../../src/codecs/net/address.js';
import { internetChecksum, sum16 } from '../../../../src/codecs/net/checksum.js';
import { encodeIpv4, IPPROTO_TCP, IPPROTO_UDP } from '../../../../src/codecs/net/ipv4.js';
import { clampTcpMss, synMss } from '../../../../src/agent/datapath/mss.js';

const SRC = parseIpv4('10.1.1.10');
const DST = parseIpv4('10.2.2.10');

/** The TCP checksum over the pseudo-header and segment (0 when the segment's checksum is right). */
function tcpChecksum(packet: Buffer): number {
  const ihl = (packet[0]! & 0x0f) * 4;
  const segment = packet.subarray(ihl, packet.readUInt16BE(2));
  const pseudo = Buffer.alloc(12);
  packet.copy(pseudo, 0, 12, 20);
  pseudo[9] = IPPROTO_TCP;
  pseudo.writeUInt16BE(segment.length, 10);
  return internetChecksum(segment, sum16(pseudo));
}

/** A TCP segment with these flags and options (padded to 4 bytes), its checksum right, in an IPv4 packet. */
function tcp(options: number[], flags = 0x02, payload = Buffer.alloc(0), protocol = IPPROTO_TCP): Buffer {
  const opts = Buffer.from([...options, ...Array<number>((4 - (options.length % 4)) % 4).fill(0)]);
  const header = Buffer.alloc(20 + opts.length);
  header.writeUInt16BE(40000, 0);
  header.writeUInt16BE(5001, 2);
  header.writeUInt32BE(0x01020304, 4);
  header[12] = ((20 + opts.length) / 4) << 4;
  header[13] = flags;
  header.writeUInt16BE(64240, 14);
  opts.copy(header, 20);
  const segment = Buffer.concat([header, payload]);
  const packet = encodeIpv4({ protocol, source: SRC, destination: DST, ttl: 64 }, segment);
  if (protocol === IPPROTO_TCP) packet.writeUInt16BE(tcpChecksum(packet), 20 + 16);
  return packet;
}

const mss = (value: number) => [2, 4, value >> 8, value & 0xff];
// what Linux sends: MSS, SACK permitted, timestamps, NOP, window scale
const LINUX = (value: number) => [...mss(value), 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7];

test('a SYN announcing 1460 leaves with 1300, its checksum right; the other options untouched', (t) => {
  const p = tcp(LINUX(1460));
  t.is(tcpChecksum(p), 0);
  const before = Buffer.from(p);
  t.true(clampTcpMss(p, 1300));
  t.is(synMss(p), 1300);
  t.is(tcpChecksum(p), 0);
  t.deepEqual(p.subarray(44), before.subarray(44), 'the options after the MSS are as they were');
  t.deepEqual(p.subarray(0, 20), before.subarray(0, 20), 'the IP header is unchanged');
});

test('a SYN-ACK is clamped too; a plain ACK, a RST with SYN and UDP are not', (t) => {
  const synAck = tcp(mss(1460), 0x12);
  t.true(clampTcpMss(synAck, 1300));
  t.is(synMss(synAck), 1300);
  t.is(tcpChecksum(synAck), 0);
  for (const p of [tcp(mss(1460), 0x10), tcp(mss(1460), 0x06), tcp(mss(1460), 0x02, Buffer.alloc(0), IPPROTO_UDP)]) {
    const copy = Buffer.from(p);
    t.false(clampTcpMss(p, 1300));
    t.deepEqual(p, copy);
  }
});

test('an MSS at or below the value is never raised; a SYN without an MSS option gets none', (t) => {
  for (const value of [536, 1300]) {
    const p = tcp(mss(value));
    t.false(clampTcpMss(p, 1300));
    t.is(synMss(p), value);
  }
  const none = tcp([4, 2, 1, 1]);
  const copy = Buffer.from(none);
  t.false(clampTcpMss(none, 1300));
  t.deepEqual(none, copy);
  t.is(synMss(none), null);
});

test('the MSS after other options, at an odd offset (one NOP before it): the checksum still verifies', (t) => {
  for (const options of [
    [1, ...mss(1460)],
    [1, 1, 1, ...mss(1460)],
    [4, 2, ...mss(1460)],
    [8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, ...mss(1400)],
  ]) {
    const p = tcp(options, 0x02, Buffer.from('data after the header'));
    t.true(clampTcpMss(p, 1300), JSON.stringify(options));
    t.is(synMss(p), 1300);
    t.is(tcpChecksum(p), 0, JSON.stringify(options));
  }
});

test('checksums that wrap: many segments with random ports and sequence numbers all verify after clamping', (t) => {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  for (let n = 0; n < 500; n++) {
    const p = tcp([...(n % 2 ? [1] : []), ...mss(1301 + (rnd() % 64000))]);
    p.writeUInt16BE(rnd() & 0xffff, 20);
    p.writeUInt32BE(rnd() >>> 0, 24);
    p.writeUInt16BE(0, 36);
    p.writeUInt16BE(tcpChecksum(p), 36);
    t.true(clampTcpMss(p, 1300));
    if (tcpChecksum(p) !== 0) t.fail(`segment ${n}`);
  }
  t.pass();
});

test('an end-of-options before the MSS, an option running past the header, an MSS of the wrong length: left alone', (t) => {
  const cases = [
    tcp([0, 0, 0, 0, ...mss(1460)]), // end of options list first
    tcp([8, 40, 0, 0, ...mss(1460)]), // an option longer than the header
    tcp([2, 3, 5, 0xb4]), // MSS with length 3
    tcp([2, 6, 5, 0xb4, 0, 0]), // MSS with length 6
    tcp([8, 1, 0, 0, ...mss(1460)]), // an option length below 2
    tcp([1, 1, 1, 8]), // a kind with no room for its length byte
  ];
  for (const p of cases) {
    const copy = Buffer.from(p);
    t.false(clampTcpMss(p, 1300));
    t.deepEqual(p, copy);
  }
});

test('bad TCP and IP header lengths, truncated packets, later fragments, garbage: never throws, never changes', (t) => {
  const good = tcp(LINUX(1460));
  const variants: Buffer[] = [];
  for (const offset of [0, 1, 2, 3, 4, 5, 10, 15]) {
    const p = Buffer.from(good);
    p[32] = (offset << 4) | (p[32]! & 0x0f); // TCP data offset
    variants.push(p);
  }
  const longIhl = Buffer.from(good);
  longIhl[0] = 0x4f;
  variants.push(longIhl);
  const shortIhl = Buffer.from(good);
  shortIhl[0] = 0x44;
  variants.push(shortIhl);
  const longTotal = Buffer.from(good);
  longTotal.writeUInt16BE(good.length + 10, 2);
  variants.push(longTotal);
  const shortTotal = Buffer.from(good);
  shortTotal.writeUInt16BE(30, 2);
  variants.push(shortTotal);
  const later = Buffer.from(good);
  later.writeUInt16BE(0x0010, 6);
  variants.push(later);
  const v6 = Buffer.from(good);
  v6[0] = 0x65;
  variants.push(v6);
  for (let n = 0; n < good.length; n++) variants.push(good.subarray(0, n));
  let seed = 11;
  for (let n = 0; n < 2000; n++) {
    const p = Buffer.from(good);
    for (let k = 0; k < 3; k++) p[(seed = (seed * 48271) % 0x7fffffff) % p.length] = seed & 0xff;
    variants.push(p);
  }
  let changed = 0;
  for (const p of variants) {
    const copy = Buffer.from(p);
    t.notThrows(() => clampTcpMss(p, 1300));
    if (!p.equals(copy)) {
      changed++;
      // whatever it changed, it is a SYN whose MSS is now 1300
      t.is(synMss(p), 1300);
    }
  }
  t.true(changed > 0, 'random damage that left a valid SYN is still clamped');
  // data offsets 0-4 are below the minimum, 5 leaves no options, 15 runs past the packet; 10 is the real one
  t.deepEqual(
    variants.slice(0, 8).map((p) => synMss(p)),
    [null, null, null, null, null, null, 1300, null],
  );
});
