/**
 * IPv4 helpers shared by the IOS layer. Addresses in the model are canonical
 * dotted-quad strings (what IOS prints); arithmetic is done on unsigned 32-bit
 * numbers.
 */

/** A canonical dotted-quad IPv4 address or mask, e.g. "11.11.11.1". */
export type Ipv4 = string;

/** Parses a dotted quad strictly (four decimal octets 0-255, no leading '+'). */
export function parseIpv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    value = value * 256 + octet;
  }
  return value >>> 0;
}

export function isIpv4(text: string): boolean {
  return parseIpv4(text) !== null;
}

export function formatIpv4(value: number): Ipv4 {
  const v = value >>> 0;
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** Converts a canonical address string (or a number) to its 32-bit value. */
export function ipToInt(address: Ipv4 | number): number {
  if (typeof address === 'number') return address >>> 0;
  const value = parseIpv4(address);
  if (value === null) throw new TypeError(`not an IPv4 address: ${address}`);
  return value;
}

/** Prefix length of a contiguous netmask, or -1 when the mask is not contiguous. */
export function maskLength(mask: number): number {
  const m = mask >>> 0;
  const inverted = ~m >>> 0;
  if ((inverted & (inverted + 1)) !== 0) return -1;
  let length = 0;
  for (let bit = 31; bit >= 0; bit--) {
    if ((m >>> bit) & 1) length++;
    else break;
  }
  return length;
}

export function lengthToMask(length: number): number {
  if (length <= 0) return 0;
  if (length >= 32) return 0xffffffff;
  return (0xffffffff << (32 - length)) >>> 0;
}

/** Prefix length of a wildcard mask when contiguous (0.0.0.255 -> 24), else -1. */
export function wildcardLength(wildcard: number): number {
  return maskLength(~wildcard >>> 0);
}

export function networkOf(address: number, mask: number): number {
  return (address & mask) >>> 0;
}

/** The classful (A/B/C) mask of an address; class D/E give /32 like IOS does for display. */
export function classfulLength(address: number): number {
  const first = address >>> 24;
  if (first < 128) return 8;
  if (first < 192) return 16;
  if (first < 224) return 24;
  return 32;
}

export function hex32(value: number): string {
  return (value >>> 0).toString(16).toUpperCase().padStart(8, '0');
}
