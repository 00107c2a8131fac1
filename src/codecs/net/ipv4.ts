/** RFC 791 IPv4 header codec. Addresses are unsigned 32-bit numbers (see address.ts). */
import { internetChecksum } from './checksum.js';
import { PacketError } from './errors.js';

export const IPPROTO_ICMP = 1;
export const IPPROTO_IPIP = 4;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_ESP = 50;
export const IPPROTO_AH = 51;

export const IPV4_MIN_HEADER = 20;
export const IPV4_MAX_HEADER = 60;
export const IPV4_MAX_PACKET = 0xffff;
export const DEFAULT_TTL = 255;

export interface Ipv4Header {
  /** Type of service / DSCP+ECN byte. */
  readonly tos: number;
  readonly totalLength: number;
  readonly identification: number;
  readonly dontFragment: boolean;
  readonly moreFragments: boolean;
  /** Fragment offset in 8-byte units. */
  readonly fragmentOffset: number;
  readonly ttl: number;
  readonly protocol: number;
  readonly checksum: number;
  readonly source: number;
  readonly destination: number;
  /** Options (headerLength - 20 bytes, padding included). */
  readonly options: Buffer;
}

export interface Ipv4Packet {
  readonly header: Ipv4Header;
  /** IHL * 4. */
  readonly headerLength: number;
  /** Bytes from the end of the header to totalLength (link-layer padding beyond is dropped). */
  readonly payload: Buffer;
  readonly checksumValid: boolean;
}

/** Decode and check lengths; the checksum is reported, not enforced. Throws PacketError. */
export function decodeIpv4(packet: Buffer): Ipv4Packet {
  if (packet.length < IPV4_MIN_HEADER) {
    throw new PacketError('truncated', `IPv4 packet of ${packet.length} bytes is shorter than a header`);
  }
  const version = packet[0] >>> 4;
  if (version !== 4) throw new PacketError('bad-version', `IP version ${version}, expected 4`);
  const headerLength = (packet[0] & 0x0f) * 4;
  if (headerLength < IPV4_MIN_HEADER) throw new PacketError('bad-header-length', `IHL ${headerLength / 4} below 5`);
  if (headerLength > packet.length) {
    throw new PacketError('truncated', `IPv4 header of ${headerLength} bytes in a ${packet.length}-byte buffer`);
  }
  const totalLength = packet.readUInt16BE(2);
  if (totalLength < headerLength) {
    throw new PacketError('bad-total-length', `total length ${totalLength} is less than the header (${headerLength})`);
  }
  if (totalLength > packet.length) {
    throw new PacketError('truncated', `total length ${totalLength} exceeds the ${packet.length} bytes received`);
  }
  const flagsFrag = packet.readUInt16BE(6);
  const header: Ipv4Header = {
    tos: packet[1],
    totalLength,
    identification: packet.readUInt16BE(4),
    dontFragment: (flagsFrag & 0x4000) !== 0,
    moreFragments: (flagsFrag & 0x2000) !== 0,
    fragmentOffset: flagsFrag & 0x1fff,
    ttl: packet[8],
    protocol: packet[9],
    checksum: packet.readUInt16BE(10),
    source: packet.readUInt32BE(12),
    destination: packet.readUInt32BE(16),
    options: packet.subarray(IPV4_MIN_HEADER, headerLength),
  };
  return {
    header,
    headerLength,
    payload: packet.subarray(headerLength, totalLength),
    checksumValid: internetChecksum(packet.subarray(0, headerLength)) === 0,
  };
}

export interface Ipv4Fields {
  readonly tos?: number;
  readonly identification?: number;
  readonly dontFragment?: boolean;
  readonly moreFragments?: boolean;
  readonly fragmentOffset?: number;
  readonly ttl?: number;
  readonly protocol: number;
  readonly source: number;
  readonly destination: number;
  /** A multiple of 4 bytes, at most 40. */
  readonly options?: Buffer;
}

function checkField(name: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new PacketError('bad-field', `IPv4 ${name} ${value} out of range`);
  return value;
}

/** Build header + payload with total length and checksum filled in. Throws PacketError. */
export function encodeIpv4(fields: Ipv4Fields, payload: Buffer): Buffer {
  const options = fields.options ?? Buffer.alloc(0);
  if (options.length % 4 !== 0 || options.length > IPV4_MAX_HEADER - IPV4_MIN_HEADER) {
    throw new PacketError('bad-header-length', `IPv4 options must be a multiple of 4 bytes up to 40, got ${options.length}`);
  }
  const headerLength = IPV4_MIN_HEADER + options.length;
  const totalLength = headerLength + payload.length;
  if (totalLength > IPV4_MAX_PACKET) throw new PacketError('bad-total-length', `IPv4 packet of ${totalLength} bytes is too long`);
  const out = Buffer.allocUnsafe(totalLength);
  out[0] = 0x40 | (headerLength / 4);
  out[1] = checkField('tos', fields.tos ?? 0, 0xff);
  out.writeUInt16BE(totalLength, 2);
  out.writeUInt16BE(checkField('identification', fields.identification ?? 0, 0xffff), 4);
  const frag = checkField('fragment offset', fields.fragmentOffset ?? 0, 0x1fff);
  out.writeUInt16BE((fields.dontFragment ? 0x4000 : 0) | (fields.moreFragments ? 0x2000 : 0) | frag, 6);
  out[8] = checkField('ttl', fields.ttl ?? DEFAULT_TTL, 0xff);
  out[9] = checkField('protocol', fields.protocol, 0xff);
  out.writeUInt16BE(0, 10);
  out.writeUInt32BE(checkField('source', fields.source, 0xffffffff), 12);
  out.writeUInt32BE(checkField('destination', fields.destination, 0xffffffff), 16);
  options.copy(out, IPV4_MIN_HEADER);
  out.writeUInt16BE(internetChecksum(out.subarray(0, headerLength)), 10);
  payload.copy(out, headerLength);
  return out;
}

/**
 * A copy of `packet` with the TTL decremented and the header checksum
 * updated incrementally (RFC 1624), or undefined when the TTL would reach 0.
 */
export function withDecrementedTtl(packet: Buffer): Buffer | undefined {
  if (packet.length < IPV4_MIN_HEADER) throw new PacketError('truncated', 'IPv4 header truncated');
  if (packet[8] <= 1) return undefined;
  const out = Buffer.from(packet);
  out[8] -= 1;
  // HC' = ~(~HC + ~m + m'), m = the 16-bit word holding TTL and protocol (RFC 1624 eqn. 3).
  const oldWord = (packet[8] << 8) | packet[9];
  const newWord = (out[8] << 8) | out[9];
  let sum = (~packet.readUInt16BE(10) & 0xffff) + (~oldWord & 0xffff) + newWord;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  out.writeUInt16BE(~sum & 0xffff, 10);
  return out;
}
