/** UDP (pseudo-header checksum) and ICMP codecs. */
import test from 'ava';
import { parseIpv4 } from '../../../../src/codecs/net/address.js';
import { PacketError } from '../../../../src/codecs/net/errors.js';
import {
  ICMP_CODE_FRAGMENTATION_NEEDED,
  ICMP_DEST_UNREACHABLE,
  ICMP_ECHO_REPLY,
  ICMP_ECHO_REQUEST,
  ICMP_TIME_EXCEEDED,
  decodeIcmp,
  decodeIcmpEcho,
  echoReplyFor,
  encodeIcmpEcho,
  encodeIcmpError,
  type IcmpEcho,
} from '../../../../src/codecs/net/icmp.js';
import { decodeIpv4, encodeIpv4 } from '../../../../src/codecs/net/ipv4.js';
import { decodeUdp, encodeUdp } from '../../../../src/codecs/net/udp.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const d1 = parseIpv4('13.13.13.4');
const a1 = parseIpv4('12.12.12.13');

// Hand-checked UDP datagram: 192.168.0.1:1024 -> 192.168.0.199:53, payload "ab".
// Pseudo header: c0a8+0001+c0a8+00c7+0011+000a = 0x18233; header: 0400+0035+000a
// = 0x043f; data 6162. Sum = 0x18233 + 0x043f + 0x6162 = 0x1e7d4 -> fold 0xe7d5 -> ~ = 0x182a.
test('the UDP checksum matches a hand-computed value', (t) => {
  const seg = encodeUdp(
    { sourcePort: 1024, destinationPort: 53, source: parseIpv4('192.168.0.1'), destination: parseIpv4('192.168.0.199') },
    Buffer.from('ab'),
  );
  t.deepEqual(seg, hex('0400 0035 000a 182a 6162'));
  const d = decodeUdp(seg, parseIpv4('192.168.0.1'), parseIpv4('192.168.0.199'));
  t.like(d, { sourcePort: 1024, destinationPort: 53, length: 10, checksum: 0x182a, checksumValid: true });
  t.deepEqual(d.payload, Buffer.from('ab'));
  t.false(decodeUdp(seg, parseIpv4('192.168.0.2'), parseIpv4('192.168.0.199')).checksumValid, 'pseudo-header covers the addresses');
});

test('UDP round-trips at odd and even sizes, over IPv4', (t) => {
  for (const n of [0, 1, 2, 3, 99, 1472]) {
    const payload = Buffer.alloc(n, n & 0xff);
    const udp = encodeUdp({ sourcePort: 500, destinationPort: 500, source: d1, destination: a1 }, payload);
    const ip = decodeIpv4(encodeIpv4({ protocol: 17, source: d1, destination: a1 }, udp));
    const d = decodeUdp(ip.payload, ip.header.source, ip.header.destination);
    t.true(d.checksumValid, `size ${n}`);
    t.deepEqual(d.payload, payload);
  }
});

test('a zero UDP checksum means none; a computed zero is sent as 0xffff', (t) => {
  const seg = encodeUdp({ sourcePort: 4500, destinationPort: 4500, source: d1, destination: a1, noChecksum: true }, Buffer.from([0xff]));
  t.is(seg.readUInt16BE(6), 0);
  t.is(decodeUdp(seg, d1, a1).checksumValid, undefined);
  // Find a payload whose checksum computes to 0: adjust the last two bytes.
  const base = encodeUdp({ sourcePort: 1, destinationPort: 2, source: 0, destination: 0 }, Buffer.from([0, 0]));
  const c = base.readUInt16BE(6);
  // Adding the complement of the current sum makes the computed checksum 0x0000 -> sent as 0xffff.
  const payload = Buffer.alloc(2);
  payload.writeUInt16BE(c === 0xffff ? 0 : c);
  const z = encodeUdp({ sourcePort: 1, destinationPort: 2, source: 0, destination: 0 }, payload);
  t.is(z.readUInt16BE(6), 0xffff);
  t.true(decodeUdp(z, 0, 0).checksumValid);
});

test('malformed UDP throws typed errors', (t) => {
  const seg = encodeUdp({ sourcePort: 1, destinationPort: 2, source: d1, destination: a1 }, Buffer.alloc(10));
  t.is(t.throws(() => decodeUdp(seg.subarray(0, 7), d1, a1), { instanceOf: PacketError })?.code, 'truncated');
  const short = Buffer.from(seg);
  short.writeUInt16BE(7, 4);
  t.is(t.throws(() => decodeUdp(short, d1, a1), { instanceOf: PacketError })?.code, 'bad-length');
  const long = Buffer.from(seg);
  long.writeUInt16BE(19, 4);
  t.is(t.throws(() => decodeUdp(long, d1, a1), { instanceOf: PacketError })?.code, 'truncated');
  t.throws(() => encodeUdp({ sourcePort: 65536, destinationPort: 2, source: 0, destination: 0 }, Buffer.alloc(0)), { instanceOf: PacketError });
  t.throws(() => encodeUdp({ sourcePort: 1, destinationPort: 2, source: 0, destination: 0 }, Buffer.alloc(65528)), { instanceOf: PacketError });
});

// Hand-checked echo request: type 8, id 0x0001, seq 0x0001, data "abcd".
// Sum = 0800 + 0001 + 0001 + 6162 + 6364 = 0xccc8 -> ~ = 0x3337.
test('an ICMP echo request matches a hand-computed checksum', (t) => {
  const m = encodeIcmpEcho({ type: ICMP_ECHO_REQUEST, identifier: 1, sequence: 1, data: Buffer.from('abcd') });
  t.deepEqual(m, hex('0800 3337 0001 0001 61626364'));
  const d = decodeIcmpEcho(m);
  t.like(d, { type: 8, identifier: 1, sequence: 1, checksumValid: true });
  t.deepEqual(d.data, Buffer.from('abcd'));
});

test('echo replies mirror the request and have valid checksums at every size', (t) => {
  for (const n of [0, 1, 56, 1472]) {
    const req: IcmpEcho = { type: ICMP_ECHO_REQUEST, identifier: 0xabcd, sequence: n, data: Buffer.alloc(n, 0x5a) };
    const reply = decodeIcmpEcho(encodeIcmpEcho(echoReplyFor(req)));
    t.like(reply, { type: ICMP_ECHO_REPLY, identifier: 0xabcd, sequence: n, checksumValid: true });
    t.deepEqual(reply.data, req.data);
  }
});

test('corrupted and malformed ICMP is reported, not thrown untyped', (t) => {
  const m = encodeIcmpEcho({ type: ICMP_ECHO_REQUEST, identifier: 1, sequence: 2, data: Buffer.from('xyz') });
  const bad = Buffer.from(m);
  bad[9] ^= 1;
  t.false(decodeIcmp(bad).checksumValid);
  t.is(t.throws(() => decodeIcmp(m.subarray(0, 7)), { instanceOf: PacketError })?.code, 'truncated');
  const unreachable = Buffer.from(m);
  unreachable[0] = 3;
  t.is(t.throws(() => decodeIcmpEcho(unreachable), { instanceOf: PacketError })?.code, 'bad-field');
  t.throws(() => encodeIcmpEcho({ type: 8, identifier: 70000, sequence: 0, data: Buffer.alloc(0) }), { instanceOf: PacketError });
});

test('ICMP errors quote the IP header and 8 payload bytes; fragmentation-needed carries the MTU', (t) => {
  const udp = encodeUdp({ sourcePort: 1234, destinationPort: 33434, source: d1, destination: a1 }, Buffer.alloc(100, 1));
  const original = encodeIpv4({ protocol: 17, ttl: 1, source: d1, destination: a1 }, udp);
  const te = decodeIcmp(encodeIcmpError(ICMP_TIME_EXCEEDED, 0, original));
  t.like(te, { type: 11, code: 0, checksumValid: true });
  t.deepEqual(te.body, original.subarray(0, 28));
  const fn = decodeIcmp(encodeIcmpError(ICMP_DEST_UNREACHABLE, ICMP_CODE_FRAGMENTATION_NEEDED, original, 1438));
  t.is(fn.rest.readUInt16BE(2), 1438);
  t.true(fn.checksumValid);
  t.throws(() => encodeIcmpError(3, 1, Buffer.alloc(10)), { instanceOf: PacketError });
});
