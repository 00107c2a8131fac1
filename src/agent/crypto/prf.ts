/** RFC 2409 section 4: prf is HMAC with the negotiated hash; plain hashes for IVs and NAT-D. */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { HashAlgorithm } from './algorithms.js';

/** prf(key, data[0] | data[1] | ...) without concatenating the inputs. */
export function prf(hash: HashAlgorithm, key: Buffer, ...data: readonly Buffer[]): Buffer {
  const h = createHmac(hash.nodeName, key);
  for (const d of data) h.update(d);
  return h.digest();
}

/** hash(data[0] | data[1] | ...). */
export function digest(hash: HashAlgorithm, ...data: readonly Buffer[]): Buffer {
  const h = createHash(hash.nodeName);
  for (const d of data) h.update(d);
  return h.digest();
}

/** Constant-time comparison that is false (not a throw) on different lengths. */
export function equalBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A 4-byte big-endian message ID (or SPI) from a number or a buffer. */
export function uint32Bytes(value: number | Buffer): Buffer {
  if (Buffer.isBuffer(value)) return value;
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b;
}
