/**
 * Per-packet IVs without one random call per packet: draws slices from a
 * pool refilled by the injected source. Slices are never reused or
 * overwritten, so a returned IV stays valid.
 */
import type { RandomSource } from '../crypto/algorithms.js';

export function pooledRandom(source: RandomSource, poolSize = 16384): RandomSource {
  let pool: Buffer = Buffer.alloc(0);
  let at = 0;
  return (length: number): Buffer => {
    if (length > poolSize) return source(length);
    if (at + length > pool.length) {
      pool = source(poolSize);
      at = 0;
    }
    const iv = pool.subarray(at, at + length);
    at += length;
    return iv;
  };
}
