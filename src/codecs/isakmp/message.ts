/**
 * Whole ISAKMP messages (RFC 2408 3.1, 5.1): the header plus the payload
 * chain, and one-line descriptions for logs and test titles.
 */
import { Buffer } from 'node:buffer';
import { Flags, HEADER_LENGTH, IdType, PayloadType } from './constants.js';
import { UnequalPayloadLengthsError } from './errors.js';
import { decodePayloadChain, encodePayloads, stringifyPayloadType } from './chain.js';
import { completeHeader, decodeHeader, encodeHeader, stringifyHeader, type HeaderInit, type IsakmpHeader } from './header.js';
import { formatIpv4Id, isIpv4Id, parseIpv4Id } from './id.js';
import { stringifyIdType, stringifyNotifyType, stringifyVendorId } from './names.js';
import type { Payload } from './types.js';

/** A decoded message. */
export interface IsakmpMessage {
  readonly header: IsakmpHeader;
  /** The decoded payloads; empty when the E flag is set (decrypt `body` first). */
  readonly payloads: Payload[];
  /** Everything after the header: the payloads, or the ciphertext when encrypted. */
  readonly body: Buffer;
}

/**
 * Decodes a message as received in one UDP datagram. The header length must
 * equal the buffer length (UNEQUAL-PAYLOAD-LENGTHS otherwise). Cleartext
 * payloads are decoded and must end exactly at the end of the message; with
 * the E flag set the payloads are left encrypted in `body` and the crypto
 * layer calls `decodePayloads(header.nextPayload, plaintext)`.
 */
export function decodeMessage(buf: Buffer): IsakmpMessage {
  const header = decodeHeader(buf);
  if (header.length !== buf.length) {
    throw new UnequalPayloadLengthsError(`ISAKMP header: length ${header.length} but the message has ${buf.length} bytes`, { offset: 24 });
  }
  const body = Buffer.from(buf.subarray(HEADER_LENGTH));
  if (header.flags & Flags.ENCRYPTION) return { header, payloads: [], body };
  const chain = decodePayloadChain(header.nextPayload, buf, HEADER_LENGTH);
  if (chain.end !== buf.length) {
    throw new UnequalPayloadLengthsError(`ISAKMP message: the payloads end at offset ${chain.end} but the header length is ${header.length}`, {
      offset: chain.end,
    });
  }
  return { header, payloads: chain.payloads, body };
}

/** Encodes a cleartext message: next payload and length are computed. */
export function encodeMessage(init: HeaderInit, payloads: readonly Payload[]): Buffer {
  return encodeMessageWithBody(init, payloads[0]?.type ?? PayloadType.NONE, encodePayloads(payloads));
}

/**
 * Encodes a header in front of a ready body, e.g. ciphertext: `nextPayload`
 * is the type of the first (encrypted) payload. Set Flags.ENCRYPTION in
 * `init.flags` yourself.
 */
export function encodeMessageWithBody(init: HeaderInit, nextPayload: number, body: Buffer): Buffer {
  const header = completeHeader(init, nextPayload, HEADER_LENGTH + body.length);
  return Buffer.concat([encodeHeader(header), body]);
}

/** A short description of one payload: "ID(ID_IPV4_ADDR 17/500 11.11.11.1)", "VID(Cisco Unity)". */
export function describePayload(p: Payload): string {
  switch (p.type) {
    case PayloadType.SA:
      return `SA(${p.proposals.length} proposal${p.proposals.length === 1 ? '' : 's'})`;
    case PayloadType.ID: {
      const shown = isIpv4Id(p)
        ? formatIpv4Id(parseIpv4Id(p))
        : p.idType === IdType.FQDN || p.idType === IdType.USER_FQDN
          ? p.data.toString('latin1')
          : p.data.toString('hex');
      return `ID(${stringifyIdType(p.idType)} ${p.protocol}/${p.port} ${shown})`;
    }
    case PayloadType.NOTIFY:
      return `N(${stringifyNotifyType(p.notifyType)})`;
    case PayloadType.DELETE:
      return `D(protocol ${p.protocol}, ${p.spis.length} SPI${p.spis.length === 1 ? '' : 's'})`;
    case PayloadType.VENDOR_ID:
      return `VID(${stringifyVendorId(p.data)})`;
    case PayloadType.KE:
    case PayloadType.HASH:
    case PayloadType.SIGNATURE:
    case PayloadType.NONCE:
      return `${stringifyPayloadType(p.type)}(${p.data.length} bytes)`;
    default:
      return stringifyPayloadType(p.type);
  }
}

/** One line: the header, then the payloads or "<encrypted N bytes>". */
export function describeMessage(message: IsakmpMessage): string {
  const { header, payloads, body } = message;
  const content = header.flags & Flags.ENCRYPTION ? `<encrypted ${body.length} bytes>` : payloads.map(describePayload).join(', ') || '<no payloads>';
  return `${stringifyHeader(header)}: ${content}`;
}
