/**
 * Field-aware mutations of IPv4 packets: version and header length (with
 * option bytes), total length, fragment flags and offset, identification,
 * TTL, protocol, addresses, and the UDP length and ports; the header
 * checksum is usually fixed afterwards, so the fields are what is tested.
 * Also fragments a packet as a peer that fragments after encryption would.
 */
import { Buffer } from 'node:buffer';
import { internetChecksum } from '../../src/codecs/net/checksum.js';
import { mutateBytes } from './bytes.js';
import type { Rng } from './prng.js';

export function fixChecksum(p: Buffer): Buffer {
  if (p.length < 20) return p;
  const hl = Math.min(p.length, Math.max(20, (p[0]! & 0x0f) * 4));
  p.writeUInt16BE(0, 10);
  p.writeUInt16BE(internetChecksum(p.subarray(0, hl)), 10);
  return p;
}

/** One field of the header (or of the UDP header behind it) changed. */
export function mutateIpv4(rng: Rng, packet: Buffer, donors: readonly Buffer[] = [], addresses: readonly number[] = []): Buffer {
  if (packet.length < 20 || rng.chance(0.2)) return mutateBytes(rng, packet, donors);
  let p: Buffer = Buffer.from(packet);
  const hl = (p[0]! & 0x0f) * 4;
  switch (rng.int(11)) {
    case 0:
      p[0] = rng.pick([0x45, 0x46, 0x4f, 0x44, 0x40, 0x65, 0x00]);
      if (p[0] === 0x46 || p[0] === 0x4f)
        p = Buffer.concat([p.subarray(0, 20), Buffer.alloc((p[0]! & 0x0f) * 4 - 20, rng.pick([0, 1, 0x44, 0x94])), p.subarray(hl)]);
      break;
    case 1:
      p.writeUInt16BE(rng.pick([0, 19, 20, hl, p.length - 1, p.length, p.length + 1, 0xffff, rng.int(0x10000)]) & 0xffff, 2);
      break;
    case 2: {
      const flags = rng.pick([0, 0x2000, 0x4000, 0x6000, 0x8000]);
      const offset = rng.pick([0, 1, 2, 0x1fff, 8191 - 2, rng.int(0x2000)]);
      p.writeUInt16BE(flags | offset, 6);
      break;
    }
    case 3:
      p.writeUInt16BE(rng.pick([0, 1, 0xffff, rng.int(0x10000)]), 4);
      break;
    case 4:
      p[8] = rng.pick([0, 1, 2, 64, 255]);
      break;
    case 5:
      p[9] = rng.pick([0, 1, 4, 6, 17, 47, 50, 51, 255]);
      break;
    case 6:
      p.writeUInt32BE(rng.pick([0, 0xffffffff, ...addresses, rng.u32()]) >>> 0, rng.chance(0.5) ? 12 : 16);
      break;
    case 7:
      if (p.length >= hl + 8) p.writeUInt16BE(rng.pick([0, 7, 8, p.length - hl, p.length - hl + 1, 0xffff]) & 0xffff, hl + 4);
      break;
    case 8:
      if (p.length >= hl + 4) p.writeUInt16BE(rng.pick([500, 4500, 0, 1, 65535]), hl + 2);
      break;
    case 9:
      p = Buffer.from(p.subarray(0, rng.range(0, p.length)));
      break;
    default:
      p = Buffer.concat([p, rng.bytes(rng.range(1, 40))]);
  }
  return rng.chance(0.85) ? fixChecksum(p) : p;
}

/** `packet` split into fragments of at most `size` payload bytes (a multiple of 8), as a router after encryption would. */
export function fragments(packet: Buffer, size: number): Buffer[] {
  const hl = (packet[0]! & 0x0f) * 4;
  const total = packet.readUInt16BE(2);
  const data = packet.subarray(hl, total);
  const step = Math.max(8, size - (size % 8));
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; at += step) {
    const chunk = data.subarray(at, Math.min(data.length, at + step));
    const f = Buffer.concat([Buffer.from(packet.subarray(0, hl)), chunk]);
    f.writeUInt16BE(f.length, 2);
    f.writeUInt16BE((at + chunk.length < data.length ? 0x2000 : 0) | (at / 8), 6);
    out.push(fixChecksum(f));
  }
  return out;
}
