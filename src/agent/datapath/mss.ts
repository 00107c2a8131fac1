/**
 * `ip tcp adjust-mss N` on the packets the agent itself carries (what it
 * encrypts, decrypts, or puts in and takes out of GRE): the MSS option of a
 * TCP SYN (SYN-ACK included) larger than N is lowered to N, in place, with
 * the TCP checksum updated incrementally (RFC 1624). A SYN whose MSS is N
 * or less, or that has no MSS option, is left as it is, as is anything that
 * is not a sane IPv4 TCP SYN (a later fragment, a TCP header that does not
 * fit, options that run past it). Pure; never throws, whatever the bytes.
 * The kernel does the same for what it forwards (TCPMSS rules,
 * router/kernel-interfaces.ts).
 */
import { IPPROTO_TCP } from '../../codecs/net/ipv4.js';

const TCP_SYN = 0x02;
const TCP_RST = 0x04;
const OPTION_END = 0;
const OPTION_NOP = 1;
const OPTION_MSS = 2;

/** Where the MSS value of a TCP SYN sits in `packet` (and its TCP header), or null when it has none or is no sane SYN. */
export function synMssOffset(packet: Buffer): { tcp: number; value: number } | null {
  if (packet.length < 20 || packet[0]! >> 4 !== 4) return null;
  const ihl = (packet[0]! & 0x0f) * 4;
  const total = packet.readUInt16BE(2);
  if (ihl < 20 || total > packet.length || packet[9] !== IPPROTO_TCP) return null;
  if ((packet.readUInt16BE(6) & 0x1fff) !== 0) return null; // a later fragment: no TCP header
  const tcp = ihl;
  if (total < tcp + 20) return null;
  const flags = packet[tcp + 13]!;
  if ((flags & TCP_SYN) === 0 || (flags & TCP_RST) !== 0) return null;
  const end = tcp + (packet[tcp + 12]! >> 4) * 4;
  if (end < tcp + 20 || end > total) return null;
  let at = tcp + 20;
  while (at < end) {
    const kind = packet[at]!;
    if (kind === OPTION_END) return null;
    if (kind === OPTION_NOP) {
      at++;
      continue;
    }
    if (at + 1 >= end) return null;
    const length = packet[at + 1]!;
    if (length < 2 || at + length > end) return null;
    if (kind === OPTION_MSS) return length === 4 ? { tcp, value: at + 2 } : null;
    at += length;
  }
  return null;
}

/** The MSS a TCP SYN announces, or null (no SYN, no MSS option). */
export function synMss(packet: Buffer): number | null {
  const at = synMssOffset(packet);
  return at ? packet.readUInt16BE(at.value) : null;
}

/**
 * Lowers the MSS option of a TCP SYN in `packet` to `mss` when it is
 * larger; returns whether the packet changed.
 */
export function clampTcpMss(packet: Buffer, mss: number): boolean {
  const at = synMssOffset(packet);
  if (!at || packet.readUInt16BE(at.value) <= mss) return false;
  // the 16-bit words of the TCP segment that hold the two bytes (the value may straddle two words)
  const from = at.value - ((at.value - at.tcp) & 1);
  const to = at.value + 2 + ((at.value - at.tcp) & 1);
  const before = wordSum(packet, from, to);
  packet.writeUInt16BE(mss, at.value);
  const after = wordSum(packet, from, to);
  // RFC 1624, eqn. 3: HC' = ~(~HC + ~m + m')
  const field = at.tcp + 16;
  let sum = (~packet.readUInt16BE(field) & 0xffff) + (~before & 0xffff) + after;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  packet.writeUInt16BE(~sum & 0xffff, field);
  return true;
}

/** One's complement sum of the 16-bit words in [from, to), folded to 16 bits. */
function wordSum(p: Buffer, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i += 2) sum += p.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}
