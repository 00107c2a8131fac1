/**
 * RFC 2408 3.1: the fixed 28-byte ISAKMP header.
 *
 *   0       8       16      17   18     19     20       24
 *   | CKY-I | CKY-R | NextP | Ver | Exch | Flags | Msg ID | Length |
 */
import { Buffer } from 'node:buffer';
import { HEADER_LENGTH, ISAKMP_VERSION, NotifyType } from './constants.js';
import { InvalidMajorVersionError, InvalidMinorVersionError, IsakmpError, PayloadMalformedError, UnequalPayloadLengthsError } from './errors.js';
import { stringifyPayloadType } from './chain.js';
import { stringifyExchangeType, stringifyFlags } from './names.js';

/** A decoded ISAKMP header. */
export interface IsakmpHeader {
  /** Initiator cookie, 8 bytes. */
  readonly initiatorCookie: Buffer;
  /** Responder cookie, 8 bytes (zero in a first message and in a TED probe). */
  readonly responderCookie: Buffer;
  /** Type of the first payload. */
  readonly nextPayload: number;
  /** Version byte, major in the high nibble: always 0x10 here. */
  readonly version: number;
  /** Exchange type (ExchangeType, or private use 240-255). */
  readonly exchangeType: number;
  /** Flag bits (Flags.ENCRYPTION ...). */
  readonly flags: number;
  /** Message ID, an unsigned 32-bit number. */
  readonly messageId: number;
  /** Total message length, header included. */
  readonly length: number;
}

/** What a sender chooses; the next payload and the length are computed. */
export interface HeaderInit {
  readonly initiatorCookie: Buffer;
  readonly responderCookie: Buffer;
  readonly exchangeType: number;
  readonly flags?: number;
  readonly messageId?: number;
  /** Defaults to 0x10. */
  readonly version?: number;
}

/** An all-zero 8-byte cookie (the responder cookie of a first message). */
export const ZERO_COOKIE: Buffer = Buffer.alloc(8);

/**
 * Decodes the header at `offset`. Checks the size, the version (major 1,
 * minor 0) and that the length field covers at least the header; it does not
 * compare the length with the buffer (see decodeMessage).
 */
export function decodeHeader(buf: Buffer, offset = 0): IsakmpHeader {
  const available = buf.length - offset;
  if (!Number.isInteger(offset) || offset < 0 || available < HEADER_LENGTH) {
    throw new PayloadMalformedError(`ISAKMP header at offset ${offset}: needs ${HEADER_LENGTH} bytes but the message has ${Math.max(0, available)}`, {
      offset,
    });
  }
  const version = buf[offset + 17]!;
  if (version >> 4 !== 1) {
    throw new InvalidMajorVersionError(`ISAKMP header at offset ${offset}: version ${version >> 4}.${version & 0xf}, major version must be 1`, {
      offset: offset + 17,
    });
  }
  if ((version & 0xf) !== 0) {
    throw new InvalidMinorVersionError(`ISAKMP header at offset ${offset}: version ${version >> 4}.${version & 0xf}, minor version must be 0`, {
      offset: offset + 17,
    });
  }
  const length = buf.readUInt32BE(offset + 24);
  if (length < HEADER_LENGTH) {
    throw new UnequalPayloadLengthsError(`ISAKMP header at offset ${offset}: length ${length} is below the ${HEADER_LENGTH}-byte header`, {
      offset: offset + 24,
    });
  }
  return {
    initiatorCookie: Buffer.from(buf.subarray(offset, offset + 8)),
    responderCookie: Buffer.from(buf.subarray(offset + 8, offset + 16)),
    nextPayload: buf[offset + 16]!,
    version,
    exchangeType: buf[offset + 18]!,
    flags: buf[offset + 19]!,
    messageId: buf.readUInt32BE(offset + 20),
    length,
  };
}

function checkByte(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) {
    throw new PayloadMalformedError(`ISAKMP header: ${what} ${value} does not fit one byte`);
  }
}

/** Encodes a header exactly as given (28 bytes). */
export function encodeHeader(header: IsakmpHeader): Buffer {
  for (const [cookie, what] of [
    [header.initiatorCookie, 'initiator'],
    [header.responderCookie, 'responder'],
  ] as const) {
    if (cookie.length !== 8) {
      throw new IsakmpError(NotifyType.INVALID_COOKIE, `ISAKMP header: ${what} cookie has ${cookie.length} bytes, must have 8`);
    }
  }
  checkByte(header.nextPayload, 'next payload');
  checkByte(header.version, 'version');
  checkByte(header.exchangeType, 'exchange type');
  checkByte(header.flags, 'flags');
  if (!Number.isInteger(header.messageId) || header.messageId < 0 || header.messageId > 0xffffffff) {
    throw new IsakmpError(NotifyType.INVALID_MESSAGE_ID, `ISAKMP header: message ID ${header.messageId} is not an unsigned 32-bit number`);
  }
  if (!Number.isInteger(header.length) || header.length < HEADER_LENGTH || header.length > 0xffffffff) {
    throw new UnequalPayloadLengthsError(`ISAKMP header: length ${header.length} is not between ${HEADER_LENGTH} and 2^32-1`);
  }
  const out = Buffer.alloc(HEADER_LENGTH);
  header.initiatorCookie.copy(out, 0);
  header.responderCookie.copy(out, 8);
  out[16] = header.nextPayload;
  out[17] = header.version;
  out[18] = header.exchangeType;
  out[19] = header.flags;
  out.writeUInt32BE(header.messageId, 20);
  out.writeUInt32BE(header.length, 24);
  return out;
}

/** Completes a {@link HeaderInit} with the first payload type and the total length. */
export function completeHeader(init: HeaderInit, nextPayload: number, length: number): IsakmpHeader {
  return {
    initiatorCookie: init.initiatorCookie,
    responderCookie: init.responderCookie,
    nextPayload,
    version: init.version ?? ISAKMP_VERSION,
    exchangeType: init.exchangeType,
    flags: init.flags ?? 0,
    messageId: init.messageId ?? 0,
    length,
  };
}

/**
 * One line for logs and test titles:
 * "ICKY 0123456789abcdef RCKY 0000000000000000 Identity Protection (Main Mode) flags - msgid 0 next Security Association len 108".
 */
export function stringifyHeader(header: IsakmpHeader): string {
  return [
    `ICKY ${header.initiatorCookie.toString('hex')}`,
    `RCKY ${header.responderCookie.toString('hex')}`,
    stringifyExchangeType(header.exchangeType),
    `flags ${stringifyFlags(header.flags)}`,
    `msgid ${header.messageId}`,
    `next ${stringifyPayloadType(header.nextPayload)}`,
    `len ${header.length}`,
  ].join(' ');
}
