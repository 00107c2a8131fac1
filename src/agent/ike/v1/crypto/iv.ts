/** RFC 2409 appendix B: IVs of phase 1 and of each Quick Mode / Informational exchange. */
import type { CipherAlgorithm, HashAlgorithm } from '../../../crypto/algorithms.js';
import { CryptoLengthError } from '../../../crypto/errors.js';
import { digest, uint32Bytes } from '../../../crypto/prf.js';

function truncated(hash: HashAlgorithm, cipher: CipherAlgorithm, h: Buffer): Buffer {
  if (h.length < cipher.blockSize) {
    throw new CryptoLengthError(`${hash.name} output is shorter than the ${cipher.name} block`);
  }
  return Buffer.from(h.subarray(0, cipher.blockSize));
}

/** Phase-1 IV = hash(g^xi | g^xr) truncated to the block size (public values padded). */
export function phase1Iv(hash: HashAlgorithm, cipher: CipherAlgorithm, gxi: Buffer, gxr: Buffer): Buffer {
  return truncated(hash, cipher, digest(hash, gxi, gxr));
}

/**
 * First IV of a Quick Mode or Informational exchange:
 * hash(last phase-1 CBC output block | M-ID) truncated to the block size.
 */
export function phase2Iv(hash: HashAlgorithm, cipher: CipherAlgorithm, lastPhase1Block: Buffer, messageId: number | Buffer): Buffer {
  if (lastPhase1Block.length !== cipher.blockSize) {
    throw new CryptoLengthError(`last phase-1 block must be ${cipher.blockSize} bytes, got ${lastPhase1Block.length}`);
  }
  return truncated(hash, cipher, digest(hash, lastPhase1Block, uint32Bytes(messageId)));
}
