/**
 * IPv4 fragmentation for the datapath. Pure.
 *
 * - Outbound, IOS fragments a clear packet that will not fit once
 *   encrypted *before* encrypting it (crypto ipsec fragmentation
 *   before-encryption, the default since 12.2(13)T), so the peer never has to
 *   reassemble ESP: each fragment travels in its own ESP packet and the
 *   destination host reassembles.
 * - Inbound, a peer that fragments after encryption sends ESP (or IKE)
 *   fragments; the router reassembles them before it decrypts.
 */
import { internetChecksum } from '../../codecs/net/checksum.js';

/**
 * Split `packet` into fragments whose total length is at most `mtu`.
 * Returns [packet] when it fits; [] when it cannot be split (DF set, or a
 * header too long for the MTU).
 */
export function fragmentIpv4(packet: Buffer, mtu: number): Buffer[] {
  const total = packet.readUInt16BE(2);
  if (total <= mtu) return [packet];
  const flags = packet.readUInt16BE(6);
  if (flags & 0x4000) return [];
  const hl = (packet[0]! & 0x0f) * 4;
  const room = Math.floor((mtu - hl) / 8) * 8;
  if (room < 8) return [];
  const baseOffset = (flags & 0x1fff) * 8;
  const lastHasMore = (flags & 0x2000) !== 0;
  const data = packet.subarray(hl, total);
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; at += room) {
    const chunk = data.subarray(at, Math.min(at + room, data.length));
    const more = at + chunk.length < data.length || lastHasMore;
    const frag = Buffer.allocUnsafe(hl + chunk.length);
    // options are copied into every fragment (RFC 791 allows fewer; copying is simple and valid for ours: none)
    packet.copy(frag, 0, 0, hl);
    frag.writeUInt16BE(frag.length, 2);
    frag.writeUInt16BE((more ? 0x2000 : 0) | ((baseOffset + at) / 8), 6);
    frag.writeUInt16BE(0, 10);
    frag.writeUInt16BE(internetChecksum(frag.subarray(0, hl)), 10);
    chunk.copy(frag, hl);
    out.push(frag);
  }
  return out;
}

interface Pending {
  parts: { offset: number; data: Buffer }[];
  header: Buffer;
  /** Total payload length, known once the last fragment arrived. */
  length: number | null;
  deadline: number;
}

/** Reassembly of fragmented IPv4 packets (RFC 815 style), bounded in memory and time. */
export class Reassembler {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly timeoutMs = 30_000,
    private readonly maxPending = 256,
  ) {}

  /** A fragment in; the whole packet out once complete, else null. Non-fragments pass through. */
  add(packet: Buffer, now: number): Buffer | null {
    const flags = packet.readUInt16BE(6);
    const more = (flags & 0x2000) !== 0;
    const offset = (flags & 0x1fff) * 8;
    if (!more && offset === 0) return packet;
    this.expire(now);
    const hl = (packet[0]! & 0x0f) * 4;
    const total = packet.readUInt16BE(2);
    const key = `${packet.readUInt32BE(12)}>${packet.readUInt32BE(16)}/${packet[9]}/${packet.readUInt16BE(4)}`;
    let p = this.pending.get(key);
    if (!p) {
      if (this.pending.size >= this.maxPending) return null;
      p = { parts: [], header: Buffer.from(packet.subarray(0, hl)), length: null, deadline: now + this.timeoutMs };
      this.pending.set(key, p);
    }
    const data = Buffer.from(packet.subarray(hl, total));
    if (offset === 0) p.header = Buffer.from(packet.subarray(0, hl));
    if (!more) p.length = offset + data.length;
    if (offset + data.length > 0xffff) {
      this.pending.delete(key);
      return null;
    }
    p.parts.push({ offset, data });
    if (p.length === null) return null;
    // complete when the parts cover [0, length) without a hole
    const sorted = [...p.parts].sort((a, b) => a.offset - b.offset);
    let covered = 0;
    for (const part of sorted) {
      if (part.offset > covered) return null;
      covered = Math.max(covered, part.offset + part.data.length);
    }
    if (covered < p.length) return null;
    this.pending.delete(key);
    const hlen = p.header.length;
    const whole = Buffer.alloc(hlen + p.length);
    p.header.copy(whole, 0);
    for (const part of sorted) part.data.copy(whole, hlen + part.offset, 0, Math.min(part.data.length, p.length - part.offset));
    whole.writeUInt16BE(whole.length, 2);
    whole.writeUInt16BE(whole.readUInt16BE(6) & 0x4000, 6);
    whole.writeUInt16BE(0, 10);
    whole.writeUInt16BE(internetChecksum(whole.subarray(0, hlen)), 10);
    return whole;
  }

  private expire(now: number): void {
    for (const [k, p] of this.pending) if (p.deadline < now) this.pending.delete(k);
  }
}
