/**
 * Header work on the packet path: reading the few fields a router looks at
 * without decoding whole packets, writing outer headers in place, and the
 * one in-place edit the datapath needs (TTL). Pure.
 */
import { internetChecksum } from '../../codecs/net/checksum.js';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP } from '../../codecs/net/ipv4.js';
import { encodeIcmpError, ICMP_CODE_FRAGMENTATION_NEEDED, ICMP_DEST_UNREACHABLE } from '../../codecs/net/icmp.js';
import { encodeIpv4 } from '../../codecs/net/ipv4.js';
import { encodeUdp } from '../../codecs/net/udp.js';

/** What the datapath needs to know about a packet; null fields when absent. */
export interface Peek {
  headerLength: number;
  totalLength: number;
  protocol: number;
  /** As unsigned 32-bit numbers. */
  source: number;
  destination: number;
  ttl: number;
  dontFragment: boolean;
  /** A fragment other than the first: no ports. */
  laterFragment: boolean;
  sourcePort: number | undefined;
  destinationPort: number | undefined;
}

/** Reads an IPv4 header, or returns null when the bytes are not a sane IPv4 packet. Never throws. */
export function peekIpv4(p: Buffer): Peek | null {
  if (p.length < 20 || p[0]! >> 4 !== 4) return null;
  const headerLength = (p[0]! & 0x0f) * 4;
  const totalLength = p.readUInt16BE(2);
  if (headerLength < 20 || totalLength < headerLength || totalLength > p.length) return null;
  const flags = p.readUInt16BE(6);
  const laterFragment = (flags & 0x1fff) !== 0;
  const protocol = p[9]!;
  let sourcePort: number | undefined;
  let destinationPort: number | undefined;
  if (!laterFragment && (protocol === IPPROTO_UDP || protocol === IPPROTO_TCP) && totalLength >= headerLength + 4) {
    sourcePort = p.readUInt16BE(headerLength);
    destinationPort = p.readUInt16BE(headerLength + 2);
  }
  return {
    headerLength,
    totalLength,
    protocol,
    source: p.readUInt32BE(12),
    destination: p.readUInt32BE(16),
    ttl: p[8]!,
    dontFragment: (flags & 0x4000) !== 0,
    laterFragment,
    sourcePort,
    destinationPort,
  };
}

/** Add `delta` (+1 or -1) to the TTL in place, updating the checksum incrementally (RFC 1624). */
export function adjustTtl(p: Buffer, delta: 1 | -1): void {
  const oldWord = (p[8]! << 8) | p[9]!;
  p[8] = (p[8]! + delta) & 0xff;
  const newWord = (p[8]! << 8) | p[9]!;
  let sum = (~p.readUInt16BE(10) & 0xffff) + (~oldWord & 0xffff) + newWord;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  p.writeUInt16BE(~sum & 0xffff, 10);
}

let ipId = Math.floor(Math.random() * 0xffff);

/**
 * Fill a 20-byte IPv4 header at the front of `frame` (which holds the
 * payload after it). Used for ESP and UDP-encapsulated ESP, where the
 * payload was written with headroom so no copy is needed.
 */
export function writeIpv4Header(frame: Buffer, protocol: number, source: number, destination: number, ttl = 255, dontFragment = false): void {
  frame[0] = 0x45;
  frame[1] = 0;
  frame.writeUInt16BE(frame.length, 2);
  ipId = (ipId + 1) & 0xffff;
  frame.writeUInt16BE(ipId, 4);
  frame.writeUInt16BE(dontFragment ? 0x4000 : 0, 6);
  frame[8] = ttl;
  frame[9] = protocol;
  frame.writeUInt16BE(0, 10);
  frame.writeUInt32BE(source >>> 0, 12);
  frame.writeUInt32BE(destination >>> 0, 16);
  frame.writeUInt16BE(internetChecksum(frame.subarray(0, 20)), 10);
}

/** Fill an 8-byte UDP header at `offset` with no checksum (allowed for IPv4; RFC 3948 recommends 0 for ESP in UDP). */
export function writeUdpHeader(frame: Buffer, offset: number, sourcePort: number, destinationPort: number): void {
  frame.writeUInt16BE(sourcePort, offset);
  frame.writeUInt16BE(destinationPort, offset + 2);
  frame.writeUInt16BE(frame.length - offset, offset + 4);
  frame.writeUInt16BE(0, offset + 6);
}

/** A complete IPv4/UDP datagram with a checksum: IKE messages and TED probes. */
export function udpPacket(source: number, destination: number, sourcePort: number, destinationPort: number, payload: Buffer, ttl = 255): Buffer {
  const udp = encodeUdp({ sourcePort, destinationPort, source, destination }, payload);
  ipId = (ipId + 1) & 0xffff;
  return encodeIpv4({ protocol: IPPROTO_UDP, source, destination, ttl, identification: ipId }, udp);
}

/**
 * ICMP "fragmentation needed" for a packet that cannot be sent as it is
 * (DF set, too big once encapsulated), from the router's address back to the
 * packet's source, as IOS sends it for path MTU discovery through a tunnel.
 */
export function fragmentationNeeded(original: Buffer, routerAddress: number, mtu: number): Buffer {
  const src = original.readUInt32BE(12);
  const icmp = encodeIcmpError(ICMP_DEST_UNREACHABLE, ICMP_CODE_FRAGMENTATION_NEEDED, original, mtu);
  ipId = (ipId + 1) & 0xffff;
  return encodeIpv4({ protocol: IPPROTO_ICMP, source: routerAddress, destination: src, ttl: 255, identification: ipId }, icmp);
}
