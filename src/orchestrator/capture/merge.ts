/**
 * One pcap of a link from the captures of several engines. A link that
 * crosses engines is captured on every engine with an endpoint on it (each
 * sees the link's bridge in its own namespace); a frame between engines is
 * seen twice, leaving one and arriving at the other, byte for byte the
 * same. The merge puts all frames in time order and keeps a frame only once
 * when the same bytes were seen on another engine within `windowUs`
 * (the time a frame takes between engines plus the difference of their
 * clocks); each copy pairs with one frame of one other engine at most, so a
 * frame really sent twice on one engine (an identical retransmission) stays
 * twice. Pure: buffers in, buffer out. A capture still being written may end
 * in half a record; that part is left out.
 */
import { PCAP_GLOBAL_HEADER_SIZE, PCAP_MAGIC, PCAP_RECORD_HEADER_SIZE, PcapFormatError } from './pcap-writer.js';

export interface RawFrame {
  /** Microseconds since the epoch. */
  us: number;
  data: Buffer;
  originalLength: number;
}

export interface RawCapture {
  linkType: number;
  snapLength: number;
  frames: RawFrame[];
}

/** Read a classic pcap (either byte order), stopping before a truncated last record. */
export function readRawPcap(buf: Buffer): RawCapture {
  if (buf.length < PCAP_GLOBAL_HEADER_SIZE) throw new PcapFormatError(`pcap of ${buf.length} bytes is shorter than its header`);
  let le: boolean;
  if (buf.readUInt32LE(0) === PCAP_MAGIC) le = true;
  else if (buf.readUInt32BE(0) === PCAP_MAGIC) le = false;
  else throw new PcapFormatError(`magic 0x${buf.readUInt32BE(0).toString(16)} is not a microsecond pcap file`);
  const u32 = (at: number) => (le ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
  const frames: RawFrame[] = [];
  let at = PCAP_GLOBAL_HEADER_SIZE;
  while (buf.length - at >= PCAP_RECORD_HEADER_SIZE) {
    const included = u32(at + 8);
    if (buf.length - at - PCAP_RECORD_HEADER_SIZE < included) break;
    frames.push({
      us: u32(at) * 1e6 + u32(at + 4),
      originalLength: u32(at + 12),
      data: Buffer.from(buf.subarray(at + PCAP_RECORD_HEADER_SIZE, at + PCAP_RECORD_HEADER_SIZE + included)),
    });
    at += PCAP_RECORD_HEADER_SIZE + included;
  }
  return { linkType: u32(20), snapLength: u32(16), frames };
}

/** Write a classic little-endian pcap. */
export function writeRawPcap(cap: RawCapture): Buffer {
  const head = Buffer.alloc(PCAP_GLOBAL_HEADER_SIZE);
  head.writeUInt32LE(PCAP_MAGIC, 0);
  head.writeUInt16LE(2, 4);
  head.writeUInt16LE(4, 6);
  head.writeUInt32LE(cap.snapLength, 16);
  head.writeUInt32LE(cap.linkType, 20);
  const parts: Buffer[] = [head];
  for (const f of cap.frames) {
    const h = Buffer.alloc(PCAP_RECORD_HEADER_SIZE);
    h.writeUInt32LE(Math.floor(f.us / 1e6), 0);
    h.writeUInt32LE(f.us % 1e6, 4);
    h.writeUInt32LE(f.data.length, 8);
    h.writeUInt32LE(f.originalLength, 12);
    parts.push(h, f.data);
  }
  return Buffer.concat(parts);
}

/**
 * One engine's captures of a link taken one after another (a capture started
 * again in a namespace Docker made anew): every frame of each, in time order.
 */
export function concatCaptures(captures: readonly RawCapture[]): RawCapture {
  if (captures.length === 0) throw new PcapFormatError('nothing to join');
  const linkType = captures[0]!.linkType;
  const other = captures.find((c) => c.linkType !== linkType);
  if (other) throw new PcapFormatError(`cannot join link types ${linkType} and ${other.linkType}`);
  const frames = captures.flatMap((c) => c.frames);
  // stable: frames of one microsecond keep the order of their captures
  frames.sort((a, b) => a.us - b.us);
  return { linkType, snapLength: Math.max(...captures.map((c) => c.snapLength)), frames };
}

/** Merge captures of one link taken on different engines: time order, cross-engine duplicates once. */
export function mergeCaptures(captures: readonly RawCapture[], windowUs = 200_000): RawCapture {
  if (captures.length === 0) throw new PcapFormatError('nothing to merge');
  const linkType = captures[0]!.linkType;
  const other = captures.find((c) => c.linkType !== linkType);
  if (other) throw new PcapFormatError(`cannot merge link types ${linkType} and ${other.linkType}`);
  const all = captures.flatMap((c, source) => c.frames.map((f, i) => ({ f, source, i })));
  all.sort((a, b) => a.f.us - b.f.us || a.source - b.source || a.i - b.i);
  // frames kept recently, by content: which engine saw them, when, and whether a copy from another engine was dropped for them
  const recent = new Map<string, { us: number; source: number; paired: Set<number> }[]>();
  const kept: RawFrame[] = [];
  let sinceSweep = 0;
  for (const { f, source } of all) {
    // what is older than the window can never pair again: the map stays as small as a window of frames
    if (++sinceSweep === 1024) {
      sinceSweep = 0;
      for (const [k, list] of recent) if (list.every((x) => f.us - x.us > windowUs)) recent.delete(k);
    }
    const key = f.data.toString('latin1');
    const list = (recent.get(key) ?? []).filter((k) => f.us - k.us <= windowUs);
    const twin = list.find((k) => k.source !== source && !k.paired.has(source));
    if (twin) {
      twin.paired.add(source);
      recent.set(key, list);
      continue;
    }
    list.push({ us: f.us, source, paired: new Set() });
    recent.set(key, list);
    kept.push(f);
  }
  return { linkType, snapLength: Math.max(...captures.map((c) => c.snapLength)), frames: kept };
}
