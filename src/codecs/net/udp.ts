/** RFC 768 UDP codec with the IPv4 pseudo-header checksum. */
import { finishChecksum, sum16 } from './checksum.js';
import { PacketError } from './errors.js';
import { IPPROTO_UDP } from './ipv4.js';

export const UDP_HEADER = 8;

function pseudoHeaderSum(source: number, destination: number, length: number): number {
  return (source >>> 16) + (source & 0xffff) + (destination >>> 16) + (destination & 0xffff) + IPPROTO_UDP + length;
}

function checkPort(name: string, port: number): number {
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new PacketError('bad-field', `UDP ${name} port ${port} out of range`);
  return port;
}

export interface UdpFields {
  readonly sourcePort: number;
  readonly destinationPort: number;
  /** IPv4 addresses for the pseudo-header. */
  readonly source: number;
  readonly destination: number;
  /** Send checksum 0 ("none"); default false. */
  readonly noChecksum?: boolean;
}

/** UDP header + payload with the checksum (0 is sent as 0xffff). */
export function encodeUdp(fields: UdpFields, payload: Buffer): Buffer {
  const length = UDP_HEADER + payload.length;
  if (length > 0xffff) throw new PacketError('bad-length', `UDP datagram of ${length} bytes is too long`);
  const out = Buffer.allocUnsafe(length);
  out.writeUInt16BE(checkPort('source', fields.sourcePort), 0);
  out.writeUInt16BE(checkPort('destination', fields.destinationPort), 2);
  out.writeUInt16BE(length, 4);
  out.writeUInt16BE(0, 6);
  payload.copy(out, UDP_HEADER);
  if (!fields.noChecksum) {
    const c = finishChecksum(sum16(out, pseudoHeaderSum(fields.source >>> 0, fields.destination >>> 0, length)));
    out.writeUInt16BE(c === 0 ? 0xffff : c, 6);
  }
  return out;
}

export interface UdpDatagram {
  readonly sourcePort: number;
  readonly destinationPort: number;
  /** The UDP length field. */
  readonly length: number;
  readonly checksum: number;
  /** undefined when the sender sent no checksum (0). */
  readonly checksumValid: boolean | undefined;
  readonly payload: Buffer;
}

/** Decode a UDP datagram (the IPv4 payload); source/destination are for the pseudo-header. Throws PacketError. */
export function decodeUdp(segment: Buffer, source: number, destination: number): UdpDatagram {
  if (segment.length < UDP_HEADER) throw new PacketError('truncated', `UDP datagram of ${segment.length} bytes is shorter than its header`);
  const length = segment.readUInt16BE(4);
  if (length < UDP_HEADER) throw new PacketError('bad-length', `UDP length ${length} below 8`);
  if (length > segment.length) throw new PacketError('truncated', `UDP length ${length} exceeds the ${segment.length} bytes received`);
  const checksum = segment.readUInt16BE(6);
  const body = segment.subarray(0, length);
  const checksumValid = checksum === 0 ? undefined : finishChecksum(sum16(body, pseudoHeaderSum(source >>> 0, destination >>> 0, length))) === 0;
  return {
    sourcePort: segment.readUInt16BE(0),
    destinationPort: segment.readUInt16BE(2),
    length,
    checksum,
    checksumValid,
    payload: segment.subarray(UDP_HEADER, length),
  };
}
