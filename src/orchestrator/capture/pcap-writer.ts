/**
 * Classic libpcap files (the format `tcpdump -w` writes and pcap-parser
 * reads): a 24-byte global header with magic a1b2c3d4 (microsecond
 * timestamps), then per record a 16-byte header and the captured bytes.
 *
 *   global: magic | 2.4 | thiszone 0 | sigfigs 0 | snaplen | linktype
 *   record: ts_sec | ts_usec | incl_len | orig_len | bytes
 *
 * Pure: `encodePcap` returns a Buffer, writing it to disk is the caller's
 * business. Every number is written little-endian (the magic tells readers).
 */
import { Buffer } from 'node:buffer';

/** The libpcap magic for microsecond timestamps. */
export const PCAP_MAGIC = 0xa1b2c3d4;
export const PCAP_VERSION_MAJOR = 2;
export const PCAP_VERSION_MINOR = 4;
export const PCAP_GLOBAL_HEADER_SIZE = 24;
export const PCAP_RECORD_HEADER_SIZE = 16;
/** Default snapshot length: large enough for any IPv4 packet. */
export const DEFAULT_SNAPLEN = 65535;

/** Link-layer header types (tcpdump.org/linktypes.html). */
export const LinkType = {
  /** LINKTYPE_ETHERNET: frames start with a 14-byte Ethernet II header. */
  ETHERNET: 1,
  /** LINKTYPE_RAW: frames are bare IP packets (version from the first nibble). */
  RAW_IP: 101,
} as const;
export type LinkType = (typeof LinkType)[keyof typeof LinkType];

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERNET_HEADER_SIZE = 14;

/** One captured frame. */
export interface PcapRecord {
  /** Capture time in seconds since the Unix epoch; fractions are kept to the microsecond. */
  readonly time: number;
  /** The bytes as they appear on the link (an Ethernet frame or a bare IPv4 packet, per the link type). */
  readonly frame: Uint8Array;
}

export interface PcapOptions {
  readonly linkType: LinkType;
  /** Frames longer than this are truncated in the file (orig_len keeps the real size). */
  readonly snapLength?: number;
}

/** Thrown for values the format cannot hold (a negative time, a snaplen of 0 ...). */
export class PcapFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PcapFormatError';
  }
}

/** Splits seconds into whole seconds and microseconds, rounding to the nearest microsecond. */
export function splitTimestamp(time: number): { seconds: number; microseconds: number } {
  if (!Number.isFinite(time) || time < 0) throw new PcapFormatError(`pcap time ${time} is not a non-negative number of seconds`);
  let seconds = Math.floor(time);
  let microseconds = Math.round((time - seconds) * 1e6);
  if (microseconds === 1_000_000) {
    seconds += 1;
    microseconds = 0;
  }
  if (seconds > 0xffffffff) throw new PcapFormatError(`pcap time ${time} does not fit 32-bit seconds`);
  return { seconds, microseconds };
}

function checkSnapLength(snapLength: number): number {
  if (!Number.isInteger(snapLength) || snapLength < 1 || snapLength > 0x7fffffff) {
    throw new PcapFormatError(`pcap snapshot length ${snapLength} is not between 1 and 2^31-1`);
  }
  return snapLength;
}

/** The 24-byte global header. */
export function encodePcapHeader(options: PcapOptions): Buffer {
  const out = Buffer.alloc(PCAP_GLOBAL_HEADER_SIZE);
  out.writeUInt32LE(PCAP_MAGIC, 0);
  out.writeUInt16LE(PCAP_VERSION_MAJOR, 4);
  out.writeUInt16LE(PCAP_VERSION_MINOR, 6);
  out.writeInt32LE(0, 8); // thiszone: timestamps are UTC
  out.writeUInt32LE(0, 12); // sigfigs
  out.writeUInt32LE(checkSnapLength(options.snapLength ?? DEFAULT_SNAPLEN), 16);
  out.writeUInt32LE(options.linkType, 20);
  return out;
}

/** One record: its 16-byte header and the (possibly truncated) frame. */
export function encodePcapRecord(record: PcapRecord, snapLength: number = DEFAULT_SNAPLEN): Buffer {
  const { seconds, microseconds } = splitTimestamp(record.time);
  const included = Math.min(record.frame.length, checkSnapLength(snapLength));
  const out = Buffer.alloc(PCAP_RECORD_HEADER_SIZE + included);
  out.writeUInt32LE(seconds, 0);
  out.writeUInt32LE(microseconds, 4);
  out.writeUInt32LE(included, 8);
  out.writeUInt32LE(record.frame.length, 12);
  out.set(record.frame.subarray(0, included), PCAP_RECORD_HEADER_SIZE);
  return out;
}

/** A whole pcap file: global header, then the records in the order given. */
export function encodePcap(records: readonly PcapRecord[], options: PcapOptions): Buffer {
  const snapLength = options.snapLength ?? DEFAULT_SNAPLEN;
  return Buffer.concat([encodePcapHeader(options), ...records.map((r) => encodePcapRecord(r, snapLength))]);
}

/** A record read back by {@link decodePcap}. */
export interface DecodedPcapRecord {
  readonly seconds: number;
  readonly microseconds: number;
  /** The captured bytes (incl_len of them). */
  readonly frame: Buffer;
  /** The frame's size on the wire (orig_len). */
  readonly originalLength: number;
}

export interface DecodedPcap {
  readonly linkType: number;
  readonly snapLength: number;
  readonly records: DecodedPcapRecord[];
}

/**
 * Reads a classic pcap file with microsecond timestamps in either byte
 * order (for tests and for checking what was written). Throws
 * PcapFormatError on anything else or on a truncated file.
 */
export function decodePcap(buf: Buffer): DecodedPcap {
  if (buf.length < PCAP_GLOBAL_HEADER_SIZE) throw new PcapFormatError(`pcap file of ${buf.length} bytes is shorter than the global header`);
  let le: boolean;
  if (buf.readUInt32LE(0) === PCAP_MAGIC) le = true;
  else if (buf.readUInt32BE(0) === PCAP_MAGIC) le = false;
  else throw new PcapFormatError(`magic 0x${buf.readUInt32BE(0).toString(16)} is not a microsecond pcap file`);
  const u32 = (at: number): number => (le ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
  const snapLength = u32(16);
  const linkType = u32(20);
  const records: DecodedPcapRecord[] = [];
  let at = PCAP_GLOBAL_HEADER_SIZE;
  while (at < buf.length) {
    if (buf.length - at < PCAP_RECORD_HEADER_SIZE) throw new PcapFormatError(`record ${records.length + 1} at offset ${at}: truncated header`);
    const included = u32(at + 8);
    if (buf.length - at - PCAP_RECORD_HEADER_SIZE < included)
      throw new PcapFormatError(`record ${records.length + 1} at offset ${at}: ${included} bytes announced, fewer left`);
    records.push({
      seconds: u32(at),
      microseconds: u32(at + 4),
      originalLength: u32(at + 12),
      frame: Buffer.from(buf.subarray(at + PCAP_RECORD_HEADER_SIZE, at + PCAP_RECORD_HEADER_SIZE + included)),
    });
    at += PCAP_RECORD_HEADER_SIZE + included;
  }
  return { linkType, snapLength, records };
}

/** "02:00:0b:0b:0b:01" (or with dashes) -> 6 bytes. */
export function parseMac(text: string): Buffer {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-fA-F]{2}$/.test(p))) throw new PcapFormatError(`"${text}" is not a MAC address`);
  return Buffer.from(parts.map((p) => parseInt(p, 16)));
}

export interface EthernetInit {
  /** Source MAC, as 6 bytes or "aa:bb:cc:dd:ee:ff". */
  readonly source: Uint8Array | string;
  readonly destination: Uint8Array | string;
  /** Defaults to IPv4 (0x0800). */
  readonly etherType?: number;
}

function mac(value: Uint8Array | string, what: string): Uint8Array {
  const bytes = typeof value === 'string' ? parseMac(value) : value;
  if (bytes.length !== 6) throw new PcapFormatError(`Ethernet ${what} MAC has ${bytes.length} bytes, needs 6`);
  return bytes;
}

/** An Ethernet II frame: destination | source | ethertype | payload (no FCS, no padding). */
export function ethernetFrame(init: EthernetInit, payload: Uint8Array): Buffer {
  const etherType = init.etherType ?? ETHERTYPE_IPV4;
  if (!Number.isInteger(etherType) || etherType < 0x0600 || etherType > 0xffff)
    throw new PcapFormatError(`ethertype 0x${etherType.toString(16)} is not an Ethernet II type`);
  const out = Buffer.alloc(ETHERNET_HEADER_SIZE + payload.length);
  out.set(mac(init.destination, 'destination'), 0);
  out.set(mac(init.source, 'source'), 6);
  out.writeUInt16BE(etherType, 12);
  out.set(payload, ETHERNET_HEADER_SIZE);
  return out;
}

/**
 * A locally administered unicast MAC derived from an IPv4 address
 * (02:00:a:b:c:d), handy for synthetic captures of routed links.
 */
export function macForIpv4(address: string): Buffer {
  const octets = address.split('.').map(Number);
  if (octets.length !== 4 || !octets.every((o) => Number.isInteger(o) && o >= 0 && o <= 255))
    throw new PcapFormatError(`"${address}" is not a dotted IPv4 address`);
  return Buffer.from([0x02, 0x00, ...octets]);
}
