/**
 * GRE header codec (RFC 2784, with the Key and Sequence Number extensions of
 * RFC 2890). Pure. The header is
 *
 *   |C| |K|S| Reserved0 | Ver |  Protocol Type  |
 *   | Checksum (if C)           | Reserved1 (if C)|
 *   | Key (if K)                                  |
 *   | Sequence Number (if S)                      |
 *
 * The checksum covers the GRE header and the payload (its own field as zero).
 * A receiver discards a packet with any of bits 1-5 set (RFC 1701's routing,
 * strict source route and recursion control, which RFC 2784 dropped; bits 2
 * and 3 are RFC 2890's K and S) or a version other than 0; bits 6-12 are
 * ignored on receipt.
 */
import { finishChecksum, sum16 } from './checksum.js';
import { PacketError } from './errors.js';

export const IPPROTO_GRE = 47;
/** EtherType of the payload: IPv4. */
export const GRE_PROTOCOL_IPV4 = 0x0800;
/** The base header: flags, version, protocol type. */
export const GRE_BASE_HEADER = 4;

const C = 0x8000;
const ROUTING = 0x4000;
const K = 0x2000;
const S = 0x1000;
/** Bits 4 and 5: strict source route and the first recursion control bit (RFC 1701); with ROUTING, bits 1-5 minus K and S. */
const RFC1701_BITS = 0x0c00;
const VERSION = 0x0007;

export interface GreHeader {
  /** EtherType of the payload (0x0800 for IPv4; 0 in an IOS keepalive reply). */
  readonly protocol: number;
  /** C bit: a checksum is present (on encode: computed). */
  readonly checksum: boolean;
  /** K bit and the 32-bit key; null when absent. */
  readonly key: number | null;
  /** S bit and the 32-bit sequence number; null when absent. */
  readonly sequence: number | null;
}

export interface GrePacket {
  readonly header: GreHeader;
  readonly headerLength: number;
  readonly payload: Buffer;
  /** Whether the checksum verifies; null when the packet carries none. */
  readonly checksumValid: boolean | null;
}

export type GreErrorReason = 'truncated' | 'bad-version' | 'rfc1701-flags';

/** A GRE header the receiver must discard (RFC 2784 section 2.3 and 2.3.1). */
export class GreError extends PacketError {
  readonly reason: GreErrorReason;
  constructor(reason: GreErrorReason, message: string) {
    super(reason === 'truncated' ? 'truncated' : reason === 'bad-version' ? 'bad-version' : 'bad-field', message);
    this.name = 'GreError';
    this.reason = reason;
  }
}

/** Bytes of a GRE header with these optional fields. */
export function greHeaderLength(h: Pick<GreHeader, 'checksum' | 'key' | 'sequence'>): number {
  return GRE_BASE_HEADER + (h.checksum ? 4 : 0) + (h.key !== null ? 4 : 0) + (h.sequence !== null ? 4 : 0);
}

function checkField(name: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new PacketError('bad-field', `GRE ${name} ${value} out of range`);
  return value;
}

/**
 * Write a GRE header at `offset` of `frame`, whose bytes from the end of the
 * header to the end of the frame are the payload (already in place, so the
 * checksum can cover it). Returns the header length.
 */
export function writeGreHeader(frame: Buffer, offset: number, h: GreHeader): number {
  const length = greHeaderLength(h);
  if (frame.length < offset + length) throw new PacketError('truncated', `no room for a ${length}-byte GRE header`);
  const flags = (h.checksum ? C : 0) | (h.key !== null ? K : 0) | (h.sequence !== null ? S : 0);
  frame.writeUInt16BE(flags, offset);
  frame.writeUInt16BE(checkField('protocol type', h.protocol, 0xffff), offset + 2);
  let at = offset + GRE_BASE_HEADER;
  if (h.checksum) {
    frame.writeUInt32BE(0, at);
    at += 4;
  }
  if (h.key !== null) {
    frame.writeUInt32BE(checkField('key', h.key, 0xffffffff), at);
    at += 4;
  }
  if (h.sequence !== null) frame.writeUInt32BE(checkField('sequence number', h.sequence, 0xffffffff), at);
  if (h.checksum) frame.writeUInt16BE(finishChecksum(sum16(frame.subarray(offset))), offset + GRE_BASE_HEADER);
  return length;
}

/** A GRE header followed by `payload`. */
export function encodeGre(h: GreHeader, payload: Buffer): Buffer {
  const length = greHeaderLength(h);
  const out = Buffer.allocUnsafe(length + payload.length);
  payload.copy(out, length);
  writeGreHeader(out, 0, h);
  return out;
}

/** Read a GRE packet (the IP payload). Throws GreError for what a receiver must discard; never a RangeError. */
export function decodeGre(data: Buffer): GrePacket {
  if (data.length < GRE_BASE_HEADER) throw new GreError('truncated', `GRE packet of ${data.length} bytes is shorter than its header`);
  const word = data.readUInt16BE(0);
  const version = word & VERSION;
  if (version !== 0) throw new GreError('bad-version', `GRE version ${version}, expected 0`);
  if (word & (ROUTING | RFC1701_BITS)) {
    throw new GreError('rfc1701-flags', `GRE flags 0x${(word >>> 8).toString(16).padStart(2, '0')} set bits 1-5 beyond K and S (RFC 1701 routing)`);
  }
  const header = { checksum: (word & C) !== 0, key: (word & K) !== 0 ? 0 : null, sequence: (word & S) !== 0 ? 0 : null };
  const headerLength = greHeaderLength(header);
  if (data.length < headerLength) throw new GreError('truncated', `GRE header of ${headerLength} bytes in a ${data.length}-byte packet`);
  let at = GRE_BASE_HEADER + (header.checksum ? 4 : 0);
  const key = header.key !== null ? data.readUInt32BE(at) : null;
  if (key !== null) at += 4;
  const sequence = header.sequence !== null ? data.readUInt32BE(at) : null;
  return {
    header: { protocol: data.readUInt16BE(2), checksum: header.checksum, key, sequence },
    headerLength,
    payload: data.subarray(headerLength),
    checksumValid: header.checksum ? finishChecksum(sum16(data)) === 0 : null,
  };
}
