/**
 * Field-aware mutations of ISAKMP messages and payload chains (RFC 2408):
 * the chain is walked leniently into payloads, which are dropped,
 * duplicated, reordered, taken from another message of the corpus (payload
 * splicing), given another body of their type, or have one field changed:
 * the header's exchange type, flags, message ID, cookies and length; a
 * payload's next-payload, length and reserved byte; inside an SA payload the
 * DOI, a proposal's protocol, SPI size, SPI and transform count, a
 * transform's ID and its attributes (type, basic/variable form, lifetimes);
 * an ID's type, protocol, port and data; a Notify's or Delete's protocol,
 * SPI size, type, count and SPIs. `hints` brings values worth trying (SPIs,
 * cookies and message IDs that exist on the victim).
 */
import { Buffer } from 'node:buffer';
import { mutateBytes } from './bytes.js';
import type { Rng } from './prng.js';

export interface Hints {
  readonly spis?: readonly number[];
  readonly cookies?: readonly Buffer[];
  readonly messageIds?: readonly number[];
}

/** One payload: its type (from the previous next-payload field) and its bytes, generic header included. */
export interface RawPayload {
  type: number;
  raw: Buffer;
}

export interface RawChain {
  payloads: RawPayload[];
  /** Bytes after the last payload that walked cleanly. */
  trailing: Buffer;
}

const PAYLOAD_TYPES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 20, 21, 130, 131, 239, 255];
const EXCHANGES = [0, 1, 2, 3, 4, 5, 6, 32, 33, 240, 255];
const NOTIFY_TYPES = [1, 4, 9, 11, 14, 16, 18, 24576, 24577, 24578, 36136, 36137, 40001, 65535];
const ATTRIBUTE_TYPES = [1, 2, 3, 4, 5, 6, 11, 12, 14, 16, 0x8001, 0x8002, 0x8003, 0x8004, 0x800b, 0x800c, 0x800e, 0xffff];
const LIFETIMES = [0, 1, 60, 3600, 86400, 4608000, 0x7fffffff, 0xffffffff];

/** Walks a chain of generic payloads from `first`; stops (keeping the rest as trailing bytes) where it does not hold together. */
export function walkChain(first: number, buf: Buffer): RawChain {
  const payloads: RawPayload[] = [];
  let type = first;
  let at = 0;
  while (type !== 0 && at + 4 <= buf.length) {
    const len = buf.readUInt16BE(at + 2);
    if (len < 4 || at + len > buf.length) break;
    payloads.push({ type, raw: Buffer.from(buf.subarray(at, at + len)) });
    type = buf[at]!;
    at += len;
  }
  return { payloads, trailing: Buffer.from(buf.subarray(at)) };
}

/** Encodes payloads in order with their next-payload fields chained; returns the first type and the bytes. */
export function chainBytes(chain: RawChain, keepNext = false): { first: number; bytes: Buffer } {
  const parts = chain.payloads.map((p, i) => {
    const raw = Buffer.from(p.raw);
    if (!keepNext && raw.length >= 1) raw[0] = chain.payloads[i + 1]?.type ?? 0;
    return raw;
  });
  return { first: chain.payloads[0]?.type ?? 0, bytes: Buffer.concat([...parts, chain.trailing]) };
}

interface Field {
  offset: number;
  size: 1 | 2 | 4;
  values: readonly number[];
}

/** The fields worth changing in one payload (offsets within `raw`, generic header included). */
function fieldsOf(p: RawPayload, hints: Hints): Field[] {
  const raw = p.raw;
  const spis = [0, 1, 255, 256, 0xffffffff, ...(hints.spis ?? [])];
  const f: Field[] = [
    { offset: 0, size: 1, values: PAYLOAD_TYPES },
    { offset: 1, size: 1, values: [1, 0x80, 0xff] },
    { offset: 2, size: 2, values: [0, 3, 4, raw.length - 1, raw.length + 1, raw.length + 4, 0xffff] },
  ];
  const push = (offset: number, size: 1 | 2 | 4, values: readonly number[]) => {
    if (offset + size <= raw.length) f.push({ offset, size, values });
  };
  switch (p.type) {
    case 1: {
      push(4, 4, [0, 1, 2]);
      push(8, 4, [0, 1, 2, 4]);
      let prop = 12;
      while (prop + 8 <= raw.length) {
        const plen = raw.readUInt16BE(prop + 2);
        const spiSize = raw[prop + 6]!;
        push(prop, 1, [0, 2, 3]);
        push(prop + 2, 2, [plen - 4, plen + 4, 8]);
        push(prop + 4, 1, [0, 1, 2, 255]);
        push(prop + 5, 1, [0, 1, 2, 3, 4, 255]);
        push(prop + 6, 1, [0, 2, 4, 8, 16, 255]);
        push(prop + 7, 1, [0, 1, 2, 8, 255]);
        if (spiSize === 4) push(prop + 8, 4, spis);
        let tr = prop + 8 + spiSize;
        const propEnd = Math.min(raw.length, prop + Math.max(8, plen));
        while (tr + 8 <= propEnd) {
          const tlen = raw.readUInt16BE(tr + 2);
          push(tr, 1, [0, 2, 3]);
          push(tr + 2, 2, [tlen - 4, tlen + 2, 8]);
          push(tr + 4, 1, [0, 1, 2, 255]);
          push(tr + 5, 1, [0, 1, 2, 3, 11, 12, 255]);
          let at = tr + 8;
          const trEnd = Math.min(propEnd, tr + Math.max(8, tlen));
          while (at + 4 <= trEnd) {
            const type = raw.readUInt16BE(at);
            push(at, 2, ATTRIBUTE_TYPES);
            if (type & 0x8000) {
              push(at + 2, 2, [0, 1, 2, 3, 5, 7, 14, 0xffff]);
              at += 4;
            } else {
              const vlen = raw.readUInt16BE(at + 2);
              push(at + 2, 2, [0, 2, 4, 8, vlen + 1, 0xffff]);
              if (vlen === 4) push(at + 4, 4, LIFETIMES);
              at += 4 + vlen;
            }
          }
          if (tlen < 8) break;
          tr += tlen;
        }
        if (plen < 8) break;
        prop += plen;
      }
      break;
    }
    case 5:
      push(4, 1, [0, 1, 2, 3, 4, 5, 7, 9, 11, 255]);
      push(5, 1, [0, 1, 6, 17, 50, 255]);
      push(6, 2, [0, 1, 500, 4500, 0xffff]);
      push(8, 4, [0, 0xffffffff, 0xffffff00, 0x0a000000, 0x0c0c0c00, 0x0d0d0d00, 0x0e0e0e00]);
      push(12, 4, [0, 0xffffffff, 0xffffff00, 0xffff0000, 0x0c0c0cff]);
      break;
    case 11:
      push(4, 4, [0, 1, 2]);
      push(8, 1, [0, 1, 2, 3, 4, 255]);
      push(9, 1, [0, 4, 8, 16, 255]);
      push(10, 2, NOTIFY_TYPES);
      if (raw[9] === 4) push(12, 4, spis);
      break;
    case 12: {
      push(4, 4, [0, 1, 2]);
      push(8, 1, [0, 1, 2, 3, 4, 255]);
      push(9, 1, [0, 4, 8, 16, 255]);
      push(10, 2, [0, 1, 2, 255, 0xffff]);
      if (raw[9] === 4) for (let at = 12; at + 4 <= raw.length; at += 4) push(at, 4, spis);
      break;
    }
    default:
      break;
  }
  return f;
}

function setField(rng: Rng, raw: Buffer, field: Field): void {
  const v = rng.chance(0.8) ? rng.pick(field.values) : rng.u32();
  if (field.size === 1) raw[field.offset] = v & 0xff;
  else if (field.size === 2) raw.writeUInt16BE(v & 0xffff, field.offset);
  else raw.writeUInt32BE(v >>> 0, field.offset);
}

/** Bodies of the donors' payloads, by type (payload splicing across messages). */
export function payloadsOf(donors: readonly { first: number; chain: Buffer }[]): RawPayload[] {
  return donors.flatMap((d) => walkChain(d.first, d.chain).payloads);
}

/** One structural or field mutation of a chain (in place). */
export function mutateChain(rng: Rng, chain: RawChain, donorPayloads: readonly RawPayload[], hints: Hints): void {
  const ps = chain.payloads;
  const which = rng.int(Math.max(1, ps.length));
  switch (
    rng.weighted<string>([
      [6, 'field'],
      [2, 'drop'],
      [2, 'duplicate'],
      [2, 'swap'],
      [2, 'insert'],
      [2, 'body'],
      [1, 'bytes'],
      [1, 'trailing'],
    ])
  ) {
    case 'field': {
      const p = ps[which];
      if (!p) break;
      const fields = fieldsOf(p, hints);
      // the generic header's fields are three of them: the body's are more interesting
      const field = fields.length > 3 && rng.chance(0.75) ? fields[3 + rng.int(fields.length - 3)]! : rng.pick(fields);
      setField(rng, p.raw, field);
      break;
    }
    case 'drop':
      ps.splice(which, 1);
      break;
    case 'duplicate':
      if (ps[which]) ps.splice(rng.int(ps.length + 1), 0, { type: ps[which]!.type, raw: Buffer.from(ps[which]!.raw) });
      break;
    case 'swap': {
      const j = rng.int(Math.max(1, ps.length));
      if (ps[which] && ps[j]) [ps[which], ps[j]] = [ps[j]!, ps[which]!];
      break;
    }
    case 'insert':
      if (donorPayloads.length > 0) {
        const d = rng.pick(donorPayloads);
        ps.splice(rng.int(ps.length + 1), 0, { type: d.type, raw: Buffer.from(d.raw) });
      }
      break;
    case 'body': {
      const p = ps[which];
      const same = p ? donorPayloads.filter((d) => d.type === p.type) : [];
      if (p && same.length > 0) p.raw = Buffer.from(rng.pick(same).raw);
      break;
    }
    case 'bytes': {
      const p = ps[which];
      if (!p) break;
      const body = mutateBytes(rng, p.raw.subarray(4), [], 2);
      const head = Buffer.from(p.raw.subarray(0, 4));
      head.writeUInt16BE(Math.min(0xffff, body.length + 4), 2);
      p.raw = Buffer.concat([head, body]);
      break;
    }
    default:
      chain.trailing = rng.chance(0.5) ? Buffer.alloc(0) : rng.bytes(rng.range(1, 16));
  }
}

/** A mutated payload chain: `first` and `bytes` are a chain (the plaintext of an encrypted message, or a message body). */
export function mutatePlainChain(
  rng: Rng,
  first: number,
  bytes: Buffer,
  donorPayloads: readonly RawPayload[],
  hints: Hints = {},
): { first: number; bytes: Buffer } {
  const chain = walkChain(first, bytes);
  for (let n = rng.range(1, 3); n > 0; n--) mutateChain(rng, chain, donorPayloads, hints);
  const out = chainBytes(chain, rng.chance(0.1));
  return { first: rng.chance(0.05) ? rng.pick(PAYLOAD_TYPES) : out.first, bytes: out.bytes };
}

/** A mutated ISAKMP message: header fields, the payload chain (clear messages), or bytes (a mutation that changed nothing is tried again). */
export function mutateMessage(rng: Rng, message: Buffer, donorPayloads: readonly RawPayload[], hints: Hints = {}): Buffer {
  for (let attempt = 0; attempt < 3; attempt++) {
    const out = mutateOnce(rng, message, donorPayloads, hints);
    if (!out.equals(message)) return out;
  }
  return mutateBytes(rng, message);
}

function mutateOnce(rng: Rng, message: Buffer, donorPayloads: readonly RawPayload[], hints: Hints): Buffer {
  if (message.length < 28) return mutateBytes(rng, message);
  let header: Buffer = Buffer.from(message.subarray(0, 28));
  let body: Buffer = Buffer.from(message.subarray(28));
  const encrypted = (header[19]! & 1) !== 0;
  const mode = rng.weighted<string>([
    [encrypted ? 0 : 6, 'chain'],
    [3, 'header'],
    [2, 'bytes'],
  ]);
  if (mode === 'chain') {
    const out = mutatePlainChain(rng, header[16]!, body, donorPayloads, hints);
    header[16] = out.first;
    body = out.bytes;
  } else if (mode === 'header') {
    switch (rng.int(7)) {
      case 0:
        header[18] = rng.pick(EXCHANGES);
        break;
      case 1:
        header[19] = rng.pick([0, 1, 2, 3, 4, 7, 0xff]);
        break;
      case 2:
        header.writeUInt32BE(rng.pick([0, 1, 0xffffffff, rng.u32(), ...(hints.messageIds ?? [])]) >>> 0, 20);
        break;
      case 3: {
        const c = rng.pick([Buffer.alloc(8), rng.bytes(8), ...(hints.cookies ?? [])]);
        c.copy(header, rng.chance(0.5) ? 0 : 8, 0, 8);
        break;
      }
      case 4:
        header[17] = rng.pick([0x00, 0x10, 0x11, 0x20, 0x01, 0xff]);
        break;
      case 5:
        header[16] = rng.pick(PAYLOAD_TYPES);
        break;
      default:
        header.writeUInt32BE(rng.pick([0, 27, 28, message.length - 1, message.length + 1, 0xffff, 0xffffffff]) >>> 0, 24);
        return Buffer.concat([header, body]);
    }
  } else {
    const all = mutateBytes(rng, Buffer.concat([header, body]));
    header = Buffer.from(all.subarray(0, Math.min(28, all.length)));
    body = Buffer.from(all.subarray(header.length));
    if (header.length < 28) return all;
  }
  const out = Buffer.concat([header, body]);
  // usually keep the header's length honest, so the payloads are what gets checked
  if (rng.chance(0.85)) out.writeUInt32BE(out.length, 24);
  return out;
}
