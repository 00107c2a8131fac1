/** Test packets for the NAT tests: TCP, UDP and ICMP with valid checksums, and a checksum verifier. */
import { parseIpv4 } from '../../../../../src/codecs/net/address.js';
import { finishChecksum, internetChecksum, sum16 } from '../../../../../src/codecs/net/checksum.js';
import { encodeIcmpEcho, encodeIcmpError, ICMP_ECHO_REQUEST } from '../../../../../src/codecs/net/icmp.js';
import { encodeIpv4, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP } from '../../../../../src/codecs/net/ipv4.js';
import { encodeUdp } from '../../../../../src/codecs/net/udp.js';

function pseudo(src: number, dst: number, proto: number, length: number): number {
  const b = Buffer.alloc(12);
  b.writeUInt32BE(src >>> 0, 0);
  b.writeUInt32BE(dst >>> 0, 4);
  b[9] = proto;
  b.writeUInt16BE(length, 10);
  return sum16(b);
}

let id = 100;

export function tcp(src: string, sport: number, dst: string, dport: number, flags = 0x02, ttl = 63): Buffer {
  const seg = Buffer.alloc(20 + 8, 0x61);
  seg.writeUInt16BE(sport, 0);
  seg.writeUInt16BE(dport, 2);
  seg.writeUInt32BE(1234, 4);
  seg.writeUInt32BE(0, 8);
  seg[12] = 5 << 4;
  seg[13] = flags;
  seg.writeUInt16BE(1024, 14);
  seg.writeUInt16BE(0, 16);
  seg.writeUInt16BE(0, 18);
  seg.writeUInt16BE(finishChecksum(sum16(seg, pseudo(parseIpv4(src), parseIpv4(dst), IPPROTO_TCP, seg.length))), 16);
  return encodeIpv4({ protocol: IPPROTO_TCP, source: parseIpv4(src), destination: parseIpv4(dst), ttl, identification: id++ }, seg);
}

export function udp(src: string, sport: number, dst: string, dport: number, ttl = 63): Buffer {
  const s = parseIpv4(src);
  const d = parseIpv4(dst);
  return encodeIpv4(
    { protocol: IPPROTO_UDP, source: s, destination: d, ttl, identification: id++ },
    encodeUdp({ sourcePort: sport, destinationPort: dport, source: s, destination: d }, Buffer.from('hello')),
  );
}

export function ping(src: string, dst: string, identifier: number, type = ICMP_ECHO_REQUEST, ttl = 63): Buffer {
  const icmp = encodeIcmpEcho({ type: type as 0 | 8, identifier, sequence: 1, data: Buffer.alloc(16, 7) });
  return encodeIpv4({ protocol: IPPROTO_ICMP, source: parseIpv4(src), destination: parseIpv4(dst), ttl, identification: id++ }, icmp);
}

/** An ICMP error from `from` to the source of `original`, quoting it. */
export function icmpError(from: string, original: Buffer, type = 3, code = 3): Buffer {
  const icmp = encodeIcmpError(type, code, original);
  return encodeIpv4({ protocol: IPPROTO_ICMP, source: parseIpv4(from), destination: original.readUInt32BE(12), ttl: 63, identification: id++ }, icmp);
}

/** Whether the IP header and the TCP/UDP/ICMP checksums of a whole packet are right. */
export function checksumsValid(p: Buffer): boolean {
  const ihl = (p[0]! & 0x0f) * 4;
  if (internetChecksum(p.subarray(0, ihl)) !== 0) return false;
  const proto = p[9]!;
  const l4 = p.subarray(ihl, p.readUInt16BE(2));
  if (proto === IPPROTO_ICMP) return internetChecksum(l4) === 0;
  if (proto === IPPROTO_UDP && l4.readUInt16BE(6) === 0) return true;
  if (proto === IPPROTO_TCP || proto === IPPROTO_UDP) return finishChecksum(sum16(l4, pseudo(p.readUInt32BE(12), p.readUInt32BE(16), proto, l4.length))) === 0;
  return true;
}
