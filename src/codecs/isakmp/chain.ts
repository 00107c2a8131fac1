/**
 * RFC 2408 3.2: the payload chain. Each payload starts with a generic header
 *
 *   Next Payload (1) | RESERVED (1) | Payload Length (2, header included)
 *
 * and the type of the first payload is in the ISAKMP header. One table,
 * `[type, name, decodeBody, encodeBody]`, drives both directions; types not
 * in it (reserved, private use such as 239) are kept as `{ type, raw }` and
 * written back byte for byte.
 */
import { Buffer } from 'node:buffer';
import { GENERIC_HEADER_LENGTH, MAX_PAYLOAD_LENGTH, PAYLOAD_PRIVATE_USE_MIN, PayloadType } from './constants.js';
import { InvalidPayloadTypeError, PayloadMalformedError } from './errors.js';
import {
  decodeCert,
  decodeDelete,
  decodeId,
  decodeNatD,
  decodeNatOa,
  decodeNotify,
  decodeOpaque,
  encodeCert,
  encodeDelete,
  encodeId,
  encodeNatD,
  encodeNatOa,
  encodeNotify,
  encodeOpaque,
} from './bodies.js';
import { Reader } from './reader.js';
import { decodeSa, encodeSa } from './sa.js';
import type { KnownPayload, KnownPayloadType, Payload, PayloadOf, UnknownPayload, UnknownPayloadType } from './types.js';

type Decode<T extends KnownPayloadType> = (r: Reader, type: T) => Omit<PayloadOf<T>, 'raw'>;
type Encode<T extends KnownPayloadType> = (p: PayloadOf<T>) => Buffer;
type Row = readonly [type: KnownPayloadType, name: string, decode: Decode<KnownPayloadType>, encode: (p: KnownPayload) => Buffer];

function row<T extends KnownPayloadType>(type: T, name: string, decode: Decode<T>, encode: Encode<T>): Row {
  return [type, name, decode as unknown as Decode<KnownPayloadType>, encode as unknown as (p: KnownPayload) => Buffer];
}

/** The payload table: type, name (RFC wording), body decoder, body encoder. */
export const PAYLOAD_TABLE: readonly Row[] = [
  row(PayloadType.SA, 'Security Association', decodeSa, encodeSa),
  row(PayloadType.KE, 'Key Exchange', decodeOpaque, encodeOpaque),
  row(PayloadType.ID, 'Identification', decodeId, encodeId),
  row(PayloadType.CERT, 'Certificate', decodeCert, encodeCert),
  row(PayloadType.CERT_REQUEST, 'Certificate Request', decodeCert, encodeCert),
  row(PayloadType.HASH, 'Hash', decodeOpaque, encodeOpaque),
  row(PayloadType.SIGNATURE, 'Signature', decodeOpaque, encodeOpaque),
  row(PayloadType.NONCE, 'Nonce', decodeOpaque, encodeOpaque),
  row(PayloadType.NOTIFY, 'Notification', decodeNotify, encodeNotify),
  row(PayloadType.DELETE, 'Delete', decodeDelete, encodeDelete),
  row(PayloadType.VENDOR_ID, 'Vendor ID', decodeOpaque, encodeOpaque),
  row(PayloadType.NAT_D, 'NAT-D', decodeNatD, encodeNatD),
  row(PayloadType.NAT_OA, 'NAT-OA', decodeNatOa, encodeNatOa),
  row(PayloadType.NAT_D_DRAFT, 'NAT-D (draft)', decodeNatD, encodeNatD),
  row(PayloadType.NAT_OA_DRAFT, 'NAT-OA (draft)', decodeNatOa, encodeNatOa),
];

const BY_TYPE = new Map<number, Row>(PAYLOAD_TABLE.map((r) => [r[0], r]));
const NESTED_NAMES: Readonly<Record<number, string>> = { 0: 'None', 2: 'Proposal', 3: 'Transform' };

/** "Nonce", "Vendor ID", "Private Use 239", "Reserved 14". */
export function stringifyPayloadType(type: number): string {
  return BY_TYPE.get(type)?.[1] ?? NESTED_NAMES[type] ?? (type >= PAYLOAD_PRIVATE_USE_MIN ? `Private Use ${type}` : `Reserved ${type}`);
}

/** Whether the codec decodes this payload type into fields (otherwise it keeps raw bytes). */
export function isKnownPayloadType(type: number): type is KnownPayloadType {
  return BY_TYPE.has(type);
}

/** A decoded chain with where each payload sits in the buffer. */
export interface PayloadChain {
  readonly payloads: Payload[];
  /** Offset of each payload's generic header, parallel to `payloads`. */
  readonly offsets: number[];
  /** Offset just past the last payload (where padding, if any, starts). */
  readonly end: number;
}

/**
 * Decodes the chain that starts at `offset` with a payload of `firstType`,
 * within `buf[offset, end)`. Stops after the payload whose next payload is 0;
 * bytes after it are left alone (see `PayloadChain.end`).
 */
export function decodePayloadChain(firstType: number, buf: Buffer, offset = 0, end = buf.length): PayloadChain {
  if (!Number.isInteger(firstType) || firstType < 0 || firstType > 0xff) {
    throw new InvalidPayloadTypeError(`ISAKMP payload chain: first payload type ${firstType} is not a byte`);
  }
  if (!Number.isInteger(offset) || !Number.isInteger(end) || offset < 0 || end > buf.length || offset > end) {
    throw new PayloadMalformedError(`ISAKMP payload chain: range [${offset}, ${end}) is outside the ${buf.length}-byte buffer`, { offset });
  }
  const payloads: Payload[] = [];
  const offsets: number[] = [];
  let type = firstType;
  let pos = offset;
  while (type !== PayloadType.NONE) {
    const name = stringifyPayloadType(type);
    const where = `ISAKMP payload ${payloads.length + 1} (${name}) at offset ${pos}`;
    const left = end - pos;
    if (left < GENERIC_HEADER_LENGTH) {
      throw new PayloadMalformedError(`${where}: the generic header needs ${GENERIC_HEADER_LENGTH} bytes but only ${left} are left`, { offset: pos });
    }
    const next = buf[pos]!;
    const length = buf.readUInt16BE(pos + 2);
    if (length < GENERIC_HEADER_LENGTH) {
      throw new PayloadMalformedError(`${where}: length ${length} is below the ${GENERIC_HEADER_LENGTH}-byte generic header`, { offset: pos + 2 });
    }
    if (length > left) {
      throw new PayloadMalformedError(`${where}: length ${length} runs past the end, only ${left} bytes are left`, { offset: pos + 2 });
    }
    if (type === PayloadType.PROPOSAL || type === PayloadType.TRANSFORM) {
      throw new InvalidPayloadTypeError(`${where}: a ${name} payload may only appear inside a Security Association payload`, { offset: pos });
    }
    const raw = Buffer.from(buf.subarray(pos + GENERIC_HEADER_LENGTH, pos + length));
    const entry = BY_TYPE.get(type);
    if (entry === undefined) {
      payloads.push({ type: type as UnknownPayloadType, raw });
    } else {
      const r = new Reader(buf, pos + GENERIC_HEADER_LENGTH, pos + length, where);
      const fields = entry[2](r, entry[0]);
      if (r.remaining > 0) r.fail(`${r.remaining} bytes follow the payload's fields`);
      payloads.push({ ...fields, raw } as KnownPayload);
    }
    offsets.push(pos);
    pos += length;
    type = next;
  }
  return { payloads, offsets, end: pos };
}

/**
 * Decodes a payload chain, e.g. a decrypted message body: `firstType` is the
 * header's next payload. Bytes after the last payload (the zero padding of a
 * decrypted body, RFC 2409 5.3's pad count) are tolerated and ignored.
 */
export function decodePayloads(firstType: number, buf: Buffer, offset = 0): Payload[] {
  return decodePayloadChain(firstType, buf, offset).payloads;
}

/** The body of one payload as it is (or would be) encoded, without the generic header. */
export function encodePayloadBody(payload: Payload): Buffer {
  const entry = BY_TYPE.get(payload.type);
  if (entry !== undefined) return entry[3](payload as KnownPayload);
  const type: number = payload.type;
  if (!Number.isInteger(type) || type <= 0 || type > 0xff || type === PayloadType.PROPOSAL || type === PayloadType.TRANSFORM) {
    throw new InvalidPayloadTypeError(`cannot encode a top-level payload of type ${type}`);
  }
  const raw = (payload as UnknownPayload).raw;
  if (!(raw instanceof Uint8Array)) throw new PayloadMalformedError(`payload of type ${payload.type} (${stringifyPayloadType(payload.type)}) has no raw body`);
  return raw;
}

/**
 * A payload's body ("_b" in RFC 2409): the received bytes when the payload
 * was decoded (`raw`), the encoded fields otherwise.
 */
export function payloadBody(payload: Payload): Buffer {
  return payload.raw ?? encodePayloadBody(payload);
}

/** Encodes payloads in order, each next-payload field naming the following one (0 for the last). */
export function encodePayloads(payloads: readonly Payload[]): Buffer {
  const parts: Buffer[] = [];
  payloads.forEach((payload, i) => {
    const body = encodePayloadBody(payload);
    const length = GENERIC_HEADER_LENGTH + body.length;
    if (length > MAX_PAYLOAD_LENGTH) {
      throw new PayloadMalformedError(
        `ISAKMP payload ${i + 1} (${stringifyPayloadType(payload.type)}): ${length} bytes exceed the ${MAX_PAYLOAD_LENGTH}-byte maximum`,
      );
    }
    const head = Buffer.alloc(GENERIC_HEADER_LENGTH);
    head[0] = payloads[i + 1]?.type ?? PayloadType.NONE;
    head.writeUInt16BE(length, 2);
    parts.push(head, body);
  });
  return Buffer.concat(parts);
}

/** The first payload of type `type`, typed. */
export function findPayload<T extends number>(payloads: readonly Payload[], type: T): PayloadOf<T> | undefined {
  return payloads.find((p) => p.type === type) as PayloadOf<T> | undefined;
}

/** All payloads of type `type`, typed, in order. */
export function filterPayloads<T extends number>(payloads: readonly Payload[], type: T): PayloadOf<T>[] {
  return payloads.filter((p) => p.type === type) as PayloadOf<T>[];
}

/** Type guard: `isPayload(p, PayloadType.ID)` narrows `p` to IdPayload. */
export function isPayload<T extends number>(payload: Payload, type: T): payload is PayloadOf<T> {
  return payload.type === type;
}
