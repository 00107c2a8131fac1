/** RFC 792 ICMP: echo request/reply and the error messages a router sends. */
import { internetChecksum } from './checksum.js';
import { PacketError } from './errors.js';

export const ICMP_ECHO_REPLY = 0;
export const ICMP_DEST_UNREACHABLE = 3;
export const ICMP_ECHO_REQUEST = 8;
export const ICMP_TIME_EXCEEDED = 11;
/** Destination unreachable codes. */
export const ICMP_CODE_HOST_UNREACHABLE = 1;
export const ICMP_CODE_PORT_UNREACHABLE = 3;
export const ICMP_CODE_FRAGMENTATION_NEEDED = 4;
export const ICMP_CODE_ADMIN_PROHIBITED = 13;

export const ICMP_HEADER = 8;

export interface IcmpMessage {
  readonly type: number;
  readonly code: number;
  readonly checksum: number;
  readonly checksumValid: boolean;
  /** Bytes 4..7 (identifier+sequence for echo, next-hop MTU for code 4, unused otherwise). */
  readonly rest: Buffer;
  readonly body: Buffer;
}

export function decodeIcmp(message: Buffer): IcmpMessage {
  if (message.length < ICMP_HEADER) throw new PacketError('truncated', `ICMP message of ${message.length} bytes is shorter than its header`);
  return {
    type: message[0],
    code: message[1],
    checksum: message.readUInt16BE(2),
    checksumValid: internetChecksum(message) === 0,
    rest: message.subarray(4, 8),
    body: message.subarray(8),
  };
}

export interface IcmpEcho {
  readonly type: typeof ICMP_ECHO_REQUEST | typeof ICMP_ECHO_REPLY;
  readonly identifier: number;
  readonly sequence: number;
  readonly data: Buffer;
}

function finish(out: Buffer): Buffer {
  out.writeUInt16BE(0, 2);
  out.writeUInt16BE(internetChecksum(out), 2);
  return out;
}

export function encodeIcmpEcho(echo: IcmpEcho): Buffer {
  for (const [n, v] of [
    ['identifier', echo.identifier],
    ['sequence', echo.sequence],
  ] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new PacketError('bad-field', `ICMP echo ${n} ${v} out of range`);
  }
  const out = Buffer.allocUnsafe(ICMP_HEADER + echo.data.length);
  out[0] = echo.type;
  out[1] = 0;
  out.writeUInt16BE(echo.identifier, 4);
  out.writeUInt16BE(echo.sequence, 6);
  echo.data.copy(out, ICMP_HEADER);
  return finish(out);
}

/** Decode an echo request or reply; throws PacketError('bad-field') for other types. */
export function decodeIcmpEcho(message: Buffer): IcmpEcho & { readonly checksumValid: boolean } {
  const m = decodeIcmp(message);
  if (m.type !== ICMP_ECHO_REQUEST && m.type !== ICMP_ECHO_REPLY) {
    throw new PacketError('bad-field', `ICMP type ${m.type} is not an echo request or reply`);
  }
  return {
    type: m.type,
    identifier: m.rest.readUInt16BE(0),
    sequence: m.rest.readUInt16BE(2),
    data: m.body,
    checksumValid: m.checksumValid,
  };
}

/** The reply to an echo request: same identifier, sequence and data. */
export function echoReplyFor(request: IcmpEcho): IcmpEcho {
  return { type: ICMP_ECHO_REPLY, identifier: request.identifier, sequence: request.sequence, data: request.data };
}

/**
 * An ICMP error (destination unreachable, time exceeded) quoting the
 * original packet's IP header and the first 8 bytes of its payload.
 * `nextHopMtu` fills bytes 6..7 for "fragmentation needed" (RFC 1191).
 */
export function encodeIcmpError(type: number, code: number, original: Buffer, nextHopMtu = 0): Buffer {
  if (original.length < 20) throw new PacketError('truncated', 'original packet shorter than an IPv4 header');
  const ihl = (original[0] & 0x0f) * 4;
  if (ihl < 20) throw new PacketError('bad-header-length', `original IHL ${ihl / 4} below 5`);
  const quoted = original.subarray(0, Math.min(original.length, ihl + 8));
  const out = Buffer.alloc(ICMP_HEADER + quoted.length);
  out[0] = type;
  out[1] = code;
  out.writeUInt16BE(nextHopMtu & 0xffff, 6);
  quoted.copy(out, ICMP_HEADER);
  return finish(out);
}
