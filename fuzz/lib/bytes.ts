/**
 * Byte-level mutations of a real input: bit flips, interesting values,
 * inserted, deleted and duplicated ranges, truncation, appended bytes,
 * 16- and 32-bit fields nudged or set to boundary values (a length field
 * wherever it is), and splices with another input of the corpus. Each takes
 * the generator and returns a new buffer; the input is never modified.
 */
import { Buffer } from 'node:buffer';
import type { Rng } from './prng.js';

export const INTERESTING_8 = [0x00, 0x01, 0x02, 0x03, 0x04, 0x07, 0x08, 0x10, 0x7f, 0x80, 0x81, 0xfe, 0xff];
export const INTERESTING_16 = [0x0000, 0x0001, 0x0003, 0x0004, 0x0008, 0x001c, 0x00ff, 0x0100, 0x7fff, 0x8000, 0xfffe, 0xffff];
export const INTERESTING_32 = [0, 1, 0xff, 0x100, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

export type Mutator = (rng: Rng, b: Buffer, donors: readonly Buffer[]) => Buffer;

const at = (rng: Rng, b: Buffer): number => rng.int(Math.max(1, b.length));

export const flipBits: Mutator = (rng, b) => {
  const out = Buffer.from(b);
  if (out.length === 0) return out;
  for (let n = rng.range(1, 4); n > 0; n--) {
    const i = at(rng, out);
    out[i] = out[i]! ^ (1 << rng.int(8));
  }
  return out;
};

export const setByte: Mutator = (rng, b) => {
  const out = Buffer.from(b);
  if (out.length === 0) return out;
  out[at(rng, out)] = rng.chance(0.5) ? rng.pick(INTERESTING_8) : rng.int(256);
  return out;
};

/** A 16- or 32-bit big-endian field set to a boundary value or nudged by a little: lengths, counts, SPIs, IDs. */
export const editWord: Mutator = (rng, b) => {
  const out = Buffer.from(b);
  const wide = rng.chance(0.3);
  const size = wide ? 4 : 2;
  if (out.length < size) return out;
  const i = rng.int(out.length - size + 1);
  if (wide) {
    const v = rng.chance(0.5) ? rng.pick(INTERESTING_32) : (out.readUInt32BE(i) + rng.range(-8, 8)) >>> 0;
    out.writeUInt32BE(v >>> 0, i);
  } else {
    const v = rng.chance(0.5) ? rng.pick(INTERESTING_16) : (out.readUInt16BE(i) + rng.range(-8, 8)) & 0xffff;
    out.writeUInt16BE(v, i);
  }
  return out;
};

export const insertBytes: Mutator = (rng, b) => {
  const i = rng.int(b.length + 1);
  const n = rng.range(1, 24);
  const fill = rng.chance(0.3) ? Buffer.alloc(n, rng.pick(INTERESTING_8)) : rng.bytes(n);
  return Buffer.concat([b.subarray(0, i), fill, b.subarray(i)]);
};

export const deleteBytes: Mutator = (rng, b) => {
  if (b.length === 0) return Buffer.from(b);
  const i = rng.int(b.length);
  const n = rng.range(1, Math.min(32, b.length - i));
  return Buffer.concat([b.subarray(0, i), b.subarray(i + n)]);
};

export const truncate: Mutator = (rng, b) => Buffer.from(b.subarray(0, rng.int(b.length + 1)));

export const append: Mutator = (rng, b) => Buffer.concat([b, rng.bytes(rng.range(1, 64))]);

/** A range copied and inserted again (a repeated field or payload). */
export const duplicateRange: Mutator = (rng, b) => {
  if (b.length === 0) return Buffer.from(b);
  const i = rng.int(b.length);
  const n = rng.range(1, Math.min(64, b.length - i));
  const j = rng.int(b.length + 1);
  return Buffer.concat([b.subarray(0, j), b.subarray(i, i + n), b.subarray(j)]);
};

/** The head of this input joined to the tail of another. */
export const splice: Mutator = (rng, b, donors) => {
  if (donors.length === 0) return Buffer.from(b);
  const d = rng.pick(donors);
  return Buffer.concat([b.subarray(0, rng.int(b.length + 1)), d.subarray(rng.int(d.length + 1))]);
};

/** A range of this input overwritten by a range of another (at the same or another place). */
export const transplant: Mutator = (rng, b, donors) => {
  const out = Buffer.from(b);
  if (donors.length === 0 || out.length === 0) return out;
  const d = rng.pick(donors);
  if (d.length === 0) return out;
  const from = rng.int(d.length);
  const n = rng.range(1, Math.min(48, d.length - from));
  const to = rng.chance(0.5) && from < out.length ? from : rng.int(out.length);
  d.copy(out, to, from, from + Math.min(n, out.length - to));
  return out;
};

export const BYTE_MUTATORS: readonly (readonly [number, Mutator])[] = [
  [6, flipBits],
  [4, setByte],
  [5, editWord],
  [2, insertBytes],
  [2, deleteBytes],
  [2, truncate],
  [1, append],
  [2, duplicateRange],
  [2, splice],
  [2, transplant],
];

/** One to `most` byte mutations in a row. */
export function mutateBytes(rng: Rng, b: Buffer, donors: readonly Buffer[] = [], most = 4): Buffer {
  let out = b;
  for (let n = rng.range(1, most); n > 0; n--) out = rng.weighted(BYTE_MUTATORS)(rng, out, donors);
  return out === b ? Buffer.from(b) : out;
}
