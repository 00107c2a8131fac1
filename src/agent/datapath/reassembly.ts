/**
 * Reassembly of IPv4 fragments addressed to the router (ESP or IKE that a
 * peer fragmented after encryption). Pure: time comes in with each call.
 *
 * Bounded as IOS bounds virtual fragment reassembly (`ip virtual-reassembly`
 * defaults: 16 datagrams at a time, 32 fragments per datagram, 3 seconds
 * from the first fragment; docs/architecture.md). Fragments may not
 * overlap (an exact duplicate is ignored, any other overlap drops the
 * datagram, as Linux does since 4.19), so a datagram holds at most 65,535
 * bytes and the table about 1 MB. Each fragment costs a binary search and
 * an insertion among at most 32 parts; completeness is a byte count, so a
 * fragment's cost does not grow with the parts already held.
 *
 * Bad fragments are refused with a FragmentError (and the datagram they
 * belong to is dropped); the counters are those of IOS's `show ip traffic`
 * "Frags:" line.
 */
import { internetChecksum } from '../../codecs/net/checksum.js';

export const REASSEMBLY_LIMITS = { maxDatagrams: 16, maxFragments: 32, timeoutMs: 3000 } as const;

export type FragmentErrorReason = 'truncated' | 'too-long' | 'beyond-end' | 'overlap' | 'misaligned' | 'too-many-fragments' | 'table-full';

/** A fragment the reassembler refuses, and why. */
export class FragmentError extends Error {
  override readonly name = 'FragmentError';
  constructor(
    readonly reason: FragmentErrorReason,
    message: string,
  ) {
    super(message);
  }
}

export interface ReassemblyCounters {
  /** Fragments received. */
  fragments: number;
  /** Datagrams put back together ("N reassembled"). */
  reassembled: number;
  /** Datagrams whose time ran out ("N timeouts"). */
  timeouts: number;
  /** Fragments refused ("N couldn't reassemble"): bad, one too many, or the table full. A refused fragment drops the datagram it belongs to. */
  failed: number;
}

export interface ReassemblyLimits {
  maxDatagrams: number;
  maxFragments: number;
  timeoutMs: number;
}

interface Part {
  offset: number;
  end: number;
  data: Buffer;
}

interface Pending {
  /** Sorted by offset, never overlapping. */
  parts: Part[];
  /** Bytes held (the sum of the parts' lengths). */
  received: number;
  /** The first fragment's header, once it came. */
  header: Buffer | null;
  /** Payload length, known once the last fragment came. */
  length: number | null;
  deadline: number;
}

/** Index of the first part whose offset is >= `offset`. */
function firstAtOrAfter(parts: readonly Part[], offset: number): number {
  let lo = 0;
  let hi = parts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (parts[mid]!.offset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class Reassembler {
  /** In order of creation, so the oldest datagram (the first to time out) comes first. */
  private readonly pending = new Map<string, Pending>();
  readonly counters: ReassemblyCounters = { fragments: 0, reassembled: 0, timeouts: 0, failed: 0 };
  private readonly limits: ReassemblyLimits;

  constructor(limits: Partial<ReassemblyLimits> = {}) {
    this.limits = { ...REASSEMBLY_LIMITS, ...limits };
  }

  /** What the table holds now: datagrams, fragments and payload bytes. */
  get held(): { datagrams: number; fragments: number; bytes: number } {
    let fragments = 0;
    let bytes = 0;
    for (const p of this.pending.values()) {
      fragments += p.parts.length;
      bytes += p.received;
    }
    return { datagrams: this.pending.size, fragments, bytes };
  }

  /**
   * A fragment in; the whole packet out once complete, else null. A packet
   * that is not a fragment comes back as it is. Throws FragmentError for a
   * fragment it refuses.
   */
  add(packet: Buffer, now: number): Buffer | null {
    const refuse = (reason: FragmentErrorReason, message: string): never => {
      this.counters.failed++;
      throw new FragmentError(reason, message);
    };
    if (packet.length < 20 || packet[0]! >> 4 !== 4) refuse('truncated', `not an IPv4 header (${packet.length} bytes)`);
    const hl = (packet[0]! & 0x0f) * 4;
    const total = packet.readUInt16BE(2);
    if (hl < 20 || total < hl || total > packet.length) refuse('truncated', `header length ${hl}, total length ${total}, ${packet.length} bytes present`);
    const flags = packet.readUInt16BE(6);
    const more = (flags & 0x2000) !== 0;
    const offset = (flags & 0x1fff) * 8;
    if (!more && offset === 0) return packet;
    this.counters.fragments++;
    this.sweep(now);
    const key = `${packet.readUInt32BE(12)}>${packet.readUInt32BE(16)}/${packet[9]}/${packet.readUInt16BE(4)}`;
    const end = offset + (total - hl);
    let p = this.pending.get(key);
    const fail = (reason: FragmentErrorReason, message: string): never => {
      if (p) this.pending.delete(key);
      return refuse(reason, message);
    };
    if (hl + end > 0xffff) fail('too-long', `fragment at offset ${offset} ends at ${end}: the datagram would exceed 65535 bytes`);
    if (more && (end === offset || (end - offset) % 8 !== 0))
      fail('misaligned', `a fragment other than the last carries ${end - offset} bytes, not a positive multiple of 8`);
    if (!p) {
      if (this.pending.size >= this.limits.maxDatagrams) fail('table-full', `the fragment table has reached its maximum threshold ${this.limits.maxDatagrams}`);
      p = { parts: [], received: 0, header: null, length: null, deadline: now + this.limits.timeoutMs };
      this.pending.set(key, p);
    }
    if (p.length !== null && (end > p.length || (!more && end !== p.length)))
      fail('beyond-end', `fragment ${offset}-${end} past the end ${p.length} the last fragment announced`);
    const parts = p.parts;
    const at = firstAtOrAfter(parts, offset);
    const next = parts[at];
    if (next && next.offset === offset && next.end === end) return null; // an exact duplicate
    const prev = parts[at - 1];
    if ((prev && prev.end > offset) || (next && next.offset < end)) fail('overlap', `fragment ${offset}-${end} overlaps one already held`);
    if (!more && parts.length > 0 && parts[parts.length - 1]!.end > end) fail('beyond-end', `last fragment ends at ${end}, before data already held`);
    if (parts.length >= this.limits.maxFragments) fail('too-many-fragments', `more than ${this.limits.maxFragments} fragments for one datagram`);

    parts.splice(at, 0, { offset, end, data: Buffer.from(packet.subarray(hl, total)) });
    p.received += end - offset;
    if (offset === 0) p.header = Buffer.from(packet.subarray(0, hl));
    if (!more) p.length = end;
    if (p.length === null || p.received !== p.length || p.header === null) return null;
    // the first fragment may carry options the others do not: its header decides the final size
    if (p.header.length + p.length > 0xffff) fail('too-long', `with the first fragment's ${p.header.length}-byte header the datagram would exceed 65535 bytes`);
    this.pending.delete(key);
    this.counters.reassembled++;
    return assemble(p.header, parts, p.length);
  }

  /** Drop datagrams whose time ran out (the oldest first; stops at the first that still has time). */
  sweep(now: number): void {
    for (const [k, p] of this.pending) {
      if (p.deadline > now) break;
      this.pending.delete(k);
      this.counters.timeouts++;
    }
  }
}

function assemble(header: Buffer, parts: readonly Part[], length: number): Buffer {
  const hlen = header.length;
  const whole = Buffer.allocUnsafe(hlen + length);
  header.copy(whole, 0);
  for (const part of parts) part.data.copy(whole, hlen + part.offset);
  whole.writeUInt16BE(whole.length, 2);
  whole.writeUInt16BE(whole.readUInt16BE(6) & 0x4000, 6);
  whole.writeUInt16BE(0, 10);
  whole.writeUInt16BE(internetChecksum(whole.subarray(0, hlen)), 10);
  return whole;
}
