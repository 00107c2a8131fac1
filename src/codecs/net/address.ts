/**
 * IPv4 addresses: the project's one IPv4 module. Addresses are unsigned
 * 32-bit numbers for arithmetic and canonical dotted quads (what IOS prints)
 * in models and text; prefix, mask and wildcard conversions as IOS
 * configurations need them.
 */
import { PacketError } from './errors.js';

/** A canonical dotted-quad IPv4 address or mask, e.g. "11.11.11.1". */
export type Ipv4 = string;

const DOTTED = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** "11.11.11.1" -> 0x0b0b0b01, or null when `text` is not four decimal octets 0-255. */
export function tryParseIpv4(text: string): number | null {
  const m = DOTTED.exec(text);
  if (!m) return null;
  let v = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return null;
    v = v * 256 + octet;
  }
  return v;
}

/** "11.11.11.1" -> 0x0b0b0b01. Throws PacketError('bad-address'). */
export function parseIpv4(text: string): number {
  const v = tryParseIpv4(text);
  if (v === null) throw new PacketError('bad-address', `not a dotted IPv4 address: ${JSON.stringify(text)}`);
  return v;
}

/** An address given as text or as a number, as a number. */
export function ipv4Number(address: Ipv4 | number): number {
  return typeof address === 'number' ? address >>> 0 : parseIpv4(address);
}

export function isIpv4(text: string): boolean {
  return tryParseIpv4(text) !== null;
}

export function formatIpv4(address: number): string {
  const a = address >>> 0;
  return `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
}

export function ipv4ToBytes(address: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(address >>> 0);
  return b;
}

export function ipv4FromBytes(bytes: Buffer, offset = 0): number {
  if (bytes.length < offset + 4) throw new PacketError('truncated', 'IPv4 address needs 4 bytes');
  return bytes.readUInt32BE(offset);
}

/** /24 -> 0xffffff00. */
export function prefixToMask(prefixLength: number): number {
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > 32) {
    throw new PacketError('bad-mask', `prefix length ${prefixLength} out of range`);
  }
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}

export function isContiguousMask(mask: number): boolean {
  const inv = ~mask >>> 0;
  return (inv & (inv + 1)) === 0;
}

/** 0xffffff00 -> 24; throws PacketError('bad-mask') for non-contiguous masks. */
export function maskToPrefix(mask: number): number {
  const m = mask >>> 0;
  if (!isContiguousMask(m)) throw new PacketError('bad-mask', `non-contiguous mask ${formatIpv4(m)}`);
  let n = 0;
  for (let bit = 31; bit >= 0 && ((m >>> bit) & 1) === 1; bit--) n++;
  return n;
}

/** IOS wildcard (0.0.0.255) <-> mask (255.255.255.0): bitwise complement. */
export function wildcardToMask(wildcard: number): number {
  return ~wildcard >>> 0;
}

export function maskToWildcard(mask: number): number {
  return ~mask >>> 0;
}

/** The network part of `address` under `mask` (both numbers). */
export function networkOf(address: number, mask: number): number {
  return (address & mask) >>> 0;
}

/** "11.11.11.1", "255.255.255.0" -> "11.11.11.1/24" (the address kept, the mask as a length). */
export function cidrOf(address: Ipv4, mask: Ipv4): string {
  return `${address}/${maskToPrefix(parseIpv4(mask))}`;
}

/** The classful (A/B/C) prefix length of an address; class D/E give /32 like IOS does for display. */
export function classfulLength(address: number): number {
  const first = address >>> 24;
  if (first < 128) return 8;
  if (first < 192) return 16;
  if (first < 224) return 24;
  return 32;
}

export function networkAddress(address: number, prefixLength: number): number {
  return (address & prefixToMask(prefixLength)) >>> 0;
}

export function broadcastAddress(address: number, prefixLength: number): number {
  return (address | ~prefixToMask(prefixLength)) >>> 0;
}

/** Whether `address` lies in network/prefixLength. */
export function inPrefix(address: number, network: number, prefixLength: number): boolean {
  const mask = prefixToMask(prefixLength);
  return ((address ^ network) & mask) === 0;
}

/** IOS ACL match: bits set in the wildcard are "don't care" (non-contiguous wildcards allowed). */
export function matchesWildcard(address: number, base: number, wildcard: number): boolean {
  return ((address ^ base) & ~wildcard) === 0;
}

export interface Ipv4Prefix {
  readonly network: number;
  readonly prefixLength: number;
}

/** "12.12.12.0/24" -> { network, prefixLength }; host bits are cleared. */
export function parsePrefix(text: string): Ipv4Prefix {
  const slash = text.indexOf('/');
  if (slash < 0) throw new PacketError('bad-address', `not a prefix (a.b.c.d/n): ${JSON.stringify(text)}`);
  const lenText = text.slice(slash + 1);
  if (!/^\d{1,2}$/.test(lenText)) throw new PacketError('bad-mask', `bad prefix length in ${JSON.stringify(text)}`);
  const prefixLength = Number(lenText);
  return { network: networkAddress(parseIpv4(text.slice(0, slash)), prefixLength), prefixLength };
}

export function formatPrefix(p: Ipv4Prefix): string {
  return `${formatIpv4(p.network)}/${p.prefixLength}`;
}
