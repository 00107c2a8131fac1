/**
 * RFC 2408 3.3: Data Attributes.
 *
 *   AF=1 (basic): | 1 | type (15) | value (16)           |
 *   AF=0 (TLV):   | 0 | type (15) | length (16) | value... |
 *
 * Numbers are encoded basic up to 0xFFFF and as TLV above (4 bytes, 8 above
 * 0xFFFFFFFF): 86400 s becomes TLV 00 01 51 80, which IOS prints as
 * "life duration (VPI) of 0x0 0x1 0x51 0x80".
 */
import { Buffer } from 'node:buffer';
import { NotifyType } from './constants.js';
import { IsakmpError, PayloadMalformedError } from './errors.js';
import type { Reader } from './reader.js';
import type { Attribute } from './types.js';

const AF = 0x8000;
const MAX_UINT32 = 0xffffffff;

/** Decodes attributes until the reader is exhausted. */
export function decodeAttributes(r: Reader): Attribute[] {
  const attributes: Attribute[] = [];
  while (r.remaining > 0) {
    const at = r.offset;
    const word = r.u16(`attribute at offset ${at}: type`);
    const type = word & ~AF;
    if (word & AF) {
      attributes.push({ type, value: r.u16(`basic attribute ${type} at offset ${at}: value`) });
      continue;
    }
    const length = r.u16(`TLV attribute ${type} at offset ${at}: length`);
    const bytes = r.bytes(length, `TLV attribute ${type} at offset ${at}: value of length ${length}`);
    attributes.push({ type, value: tlvValue(bytes) });
  }
  return attributes;
}

/** A TLV value as a number when that number would be encoded back to the same bytes. */
function tlvValue(bytes: Buffer): number | Buffer {
  if (bytes.length === 4) {
    const n = bytes.readUInt32BE(0);
    if (n > 0xffff) return n;
  } else if (bytes.length === 8) {
    const n = bytes.readBigUInt64BE(0);
    if (n > BigInt(MAX_UINT32) && n <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(n);
  }
  return bytes;
}

/** The bytes of one attribute. */
export function encodeAttribute(attr: Attribute): Buffer {
  if (!Number.isInteger(attr.type) || attr.type < 0 || attr.type > 0x7fff) {
    throw new PayloadMalformedError(`attribute type ${attr.type} does not fit 15 bits`);
  }
  const value = attr.value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new PayloadMalformedError(`attribute ${attr.type}: value ${value} is not a non-negative safe integer`);
    }
    if (value <= 0xffff) {
      const out = Buffer.alloc(4);
      out.writeUInt16BE(AF | attr.type, 0);
      out.writeUInt16BE(value, 2);
      return out;
    }
    const size = value <= MAX_UINT32 ? 4 : 8;
    const out = Buffer.alloc(4 + size);
    out.writeUInt16BE(attr.type, 0);
    out.writeUInt16BE(size, 2);
    if (size === 4) out.writeUInt32BE(value, 4);
    else out.writeBigUInt64BE(BigInt(value), 4);
    return out;
  }
  if (value.length > 0xffff) {
    throw new PayloadMalformedError(`attribute ${attr.type}: TLV value of ${value.length} bytes exceeds 65535`);
  }
  const head = Buffer.alloc(4);
  head.writeUInt16BE(attr.type, 0);
  head.writeUInt16BE(value.length, 2);
  return Buffer.concat([head, value]);
}

/** The bytes of a list of attributes. */
export function encodeAttributes(attributes: readonly Attribute[]): Buffer {
  return Buffer.concat(attributes.map(encodeAttribute));
}

/**
 * An attribute's value as a number, whichever form it came in (a TLV of up
 * to 8 bytes, leading zeros allowed). Throws ATTRIBUTES-NOT-SUPPORTED when
 * the value is empty or does not fit a safe integer.
 */
export function attributeNumber(attr: Attribute): number {
  if (typeof attr.value === 'number') return attr.value;
  const bytes = attr.value;
  if (bytes.length === 0 || bytes.length > 8) {
    throw new IsakmpError(NotifyType.ATTRIBUTES_NOT_SUPPORTED, `attribute ${attr.type}: a ${bytes.length}-byte value is not a number`);
  }
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new IsakmpError(NotifyType.ATTRIBUTES_NOT_SUPPORTED, `attribute ${attr.type}: value 0x${bytes.toString('hex')} exceeds 2^53-1`);
  }
  return Number(n);
}

/** The first attribute of `type`, if any. */
export function findAttribute(attributes: readonly Attribute[], type: number): Attribute | undefined {
  return attributes.find((a) => a.type === type);
}

/** Whether this attribute goes on the wire in basic form (AF=1). */
export function isBasicAttribute(attr: Attribute): boolean {
  return typeof attr.value === 'number' && attr.value <= 0xffff;
}

/**
 * The value the way IOS prints it: "(basic) of 3600" for a basic attribute,
 * "(VPI) of 0x0 0x46 0x50 0x0" for a TLV one.
 */
export function describeAttributeValue(attr: Attribute): string {
  if (isBasicAttribute(attr)) return `(basic) of ${attr.value as number}`;
  const bytes = encodeAttribute(attr).subarray(4);
  return `(VPI) of ${[...bytes].map((b) => `0x${b.toString(16)}`).join(' ')}`;
}
