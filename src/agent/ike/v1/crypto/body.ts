/**
 * Encryption of ISAKMP message bodies (everything after the 28-byte header)
 * in CBC mode. Nothing is mutated: each call returns the IV for the next
 * message (the last ciphertext block), and the caller stores it only once the
 * message was processed successfully.
 */
import { cbcDecrypt, cbcEncrypt, type CbcKey } from '../../../crypto/cipher.js';
import { CryptoLengthError } from '../../../crypto/errors.js';

/** Pad with zero octets to a multiple of `blockSize` (RFC 2408 section 3.1); aligned input is returned as is. */
export function padToBlock(body: Buffer, blockSize: number): Buffer {
  const rem = body.length % blockSize;
  if (rem === 0) return body;
  const out = Buffer.alloc(body.length + blockSize - rem);
  body.copy(out);
  return out;
}

function lastBlock(data: Buffer, blockSize: number): Buffer {
  return Buffer.from(data.subarray(data.length - blockSize));
}

export interface EncryptedBody {
  readonly ciphertext: Buffer;
  readonly nextIv: Buffer;
}

/** Pad `plaintext` to the block size, encrypt it with `iv`, return the ciphertext and the next IV. */
export function encryptBody(key: CbcKey, iv: Buffer, plaintext: Buffer): EncryptedBody {
  const bs = key.algorithm.blockSize;
  const padded = padToBlock(plaintext.length === 0 ? Buffer.alloc(bs) : plaintext, bs);
  const ciphertext = cbcEncrypt(key, iv, padded);
  return { ciphertext, nextIv: lastBlock(ciphertext, bs) };
}

export interface DecryptedBody {
  /** Plaintext including any padding; the payload chain tells where it ends. */
  readonly plaintext: Buffer;
  readonly nextIv: Buffer;
}

/** Decrypt a body; throws CryptoLengthError (notify PAYLOAD-MALFORMED) unless it is whole blocks. */
export function decryptBody(key: CbcKey, iv: Buffer, ciphertext: Buffer): DecryptedBody {
  const bs = key.algorithm.blockSize;
  if (ciphertext.length === 0 || ciphertext.length % bs !== 0) {
    throw new CryptoLengthError(`encrypted body of ${ciphertext.length} bytes is not a whole number of ${bs}-byte blocks`);
  }
  return { plaintext: cbcDecrypt(key, iv, ciphertext), nextIv: lastBlock(ciphertext, bs) };
}
