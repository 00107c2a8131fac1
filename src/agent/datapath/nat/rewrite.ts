/**
 * Rewriting the addresses and ports NAT translates, in place, with the
 * checksums updated incrementally (RFC 1624): the IPv4 header, the TCP or UDP
 * checksum over the pseudo-header (a UDP checksum of 0 stays 0), the ICMP
 * identifier of query messages, and the packet an ICMP error quotes. Whole
 * packets only (fragments are reassembled before NAT). Pure.
 */
import { internetChecksum } from '../../../codecs/net/checksum.js';

const TCP = 6;
const UDP = 17;
const ICMP = 1;

/** ICMP messages that carry an identifier NAT translates like a port (echo, timestamp, information, address mask). */
export const ICMP_QUERIES: ReadonlySet<number> = new Set([0, 8, 13, 14, 15, 16, 17, 18]);
/** ICMP errors, which quote the packet they are about. */
export const ICMP_ERRORS: ReadonlySet<number> = new Set([3, 4, 5, 11, 12]);

/** Replace the 16-bit word `old` by `now` under the checksum at `at` (RFC 1624, eqn. 3). */
function fix16(p: Buffer, at: number, old: number, now: number): void {
  let sum = (~p.readUInt16BE(at) & 0xffff) + (~old & 0xffff) + now;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  p.writeUInt16BE(~sum & 0xffff, at);
}

function fix32(p: Buffer, at: number, old: number, now: number): void {
  fix16(p, at, old >>> 16, now >>> 16);
  fix16(p, at, old & 0xffff, now & 0xffff);
}

/** Where the transport checksum of an IPv4 packet at `ip` is, if the bytes are there: null for UDP without one. */
function transportChecksumAt(p: Buffer, ip: number, end: number): number | null {
  const ihl = (p[ip]! & 0x0f) * 4;
  const proto = p[ip + 9]!;
  const at = proto === TCP ? ip + ihl + 16 : proto === UDP ? ip + ihl + 6 : -1;
  if (at < 0 || at + 2 > end) return null;
  if (proto === UDP && p.readUInt16BE(at) === 0) return null;
  return at;
}

/** Set the source (12) or destination (16) address of the IPv4 header at `ip`; `end`: where the bytes that are there end. */
function setAddress(p: Buffer, ip: number, field: 12 | 16, address: number, end: number): void {
  const old = p.readUInt32BE(ip + field);
  if (old === address >>> 0) return;
  const l4 = transportChecksumAt(p, ip, end);
  p.writeUInt32BE(address >>> 0, ip + field);
  fix32(p, ip + 10, old, address >>> 0);
  if (l4 !== null) fix32(p, l4, old, address >>> 0);
}

/** Set the source (0) or destination (2) port of the TCP/UDP header of the IPv4 packet at `ip`. */
function setPort(p: Buffer, ip: number, field: 0 | 2, port: number, end: number): void {
  const at = ip + (p[ip]! & 0x0f) * 4 + field;
  if (at + 2 > end) return;
  const old = p.readUInt16BE(at);
  if (old === port) return;
  const l4 = transportChecksumAt(p, ip, end);
  p.writeUInt16BE(port, at);
  if (l4 !== null) fix16(p, l4, old, port);
}

export function setSource(p: Buffer, address: number): void {
  setAddress(p, 0, 12, address, p.length);
}

export function setDestination(p: Buffer, address: number): void {
  setAddress(p, 0, 16, address, p.length);
}

export function setSourcePort(p: Buffer, port: number): void {
  setPort(p, 0, 0, port, p.length);
}

export function setDestinationPort(p: Buffer, port: number): void {
  setPort(p, 0, 2, port, p.length);
}

/** The identifier of an ICMP query message (echo and the like). */
export function icmpId(p: Buffer): number {
  return p.readUInt16BE((p[0]! & 0x0f) * 4 + 4);
}

export function setIcmpId(p: Buffer, id: number): void {
  const icmp = (p[0]! & 0x0f) * 4;
  const old = p.readUInt16BE(icmp + 4);
  if (old === id) return;
  p.writeUInt16BE(id, icmp + 4);
  fix16(p, icmp + 2, old, id);
}

/** The packet an ICMP error quotes: its offset in `p` (null when there is not a whole quoted header). */
export function quotedPacket(p: Buffer): number | null {
  const icmp = (p[0]! & 0x0f) * 4;
  const inner = icmp + 8;
  if (p.length < inner + 20 || p[inner]! >> 4 !== 4) return null;
  const ihl = (p[inner]! & 0x0f) * 4;
  if (ihl < 20 || p.length < inner + ihl + 4) return null;
  return inner;
}

/**
 * Rewrite the packet an ICMP error quotes: its source or destination address
 * and port (or ICMP identifier), then the error's own checksum.
 */
export function rewriteQuoted(p: Buffer, inner: number, which: 'source' | 'destination', address: number, port: number | null): void {
  setAddress(p, inner, which === 'source' ? 12 : 16, address, p.length);
  if (port !== null) {
    const proto = p[inner + 9]!;
    if (proto === TCP || proto === UDP) setPort(p, inner, which === 'source' ? 0 : 2, port, p.length);
    else if (proto === ICMP) {
      const at = inner + (p[inner]! & 0x0f) * 4 + 4;
      if (at + 2 <= p.length) p.writeUInt16BE(port, at);
    }
  }
  const icmp = (p[0]! & 0x0f) * 4;
  p.writeUInt16BE(0, icmp + 2);
  p.writeUInt16BE(internetChecksum(p.subarray(icmp)), icmp + 2);
}
