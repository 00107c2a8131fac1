/** RFC 2409 sections 5 and 5.5, and section 5.7: authentication hashes. */
import type { HashAlgorithm } from '../../../crypto/algorithms.js';
import { AuthenticationFailedError, InvalidHashError } from '../../../crypto/errors.js';
import { checkCookies } from './keys.js';
import { equalBytes, prf, uint32Bytes } from '../../../crypto/prf.js';

export interface Phase1HashInput {
  readonly hash: HashAlgorithm;
  readonly skeyid: Buffer;
  /** Initiator's and responder's public values, left-padded. */
  readonly gxi: Buffer;
  readonly gxr: Buffer;
  readonly ckyI: Buffer;
  readonly ckyR: Buffer;
  /** The initiator's SA payload body (without the generic header). */
  readonly saiB: Buffer;
}

/** HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b). */
export function hashI(p: Phase1HashInput, idiiB: Buffer): Buffer {
  checkCookies(p.ckyI, p.ckyR);
  return prf(p.hash, p.skeyid, p.gxi, p.gxr, p.ckyI, p.ckyR, p.saiB, idiiB);
}

/** HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b). */
export function hashR(p: Phase1HashInput, idirB: Buffer): Buffer {
  checkCookies(p.ckyI, p.ckyR);
  return prf(p.hash, p.skeyid, p.gxr, p.gxi, p.ckyR, p.ckyI, p.saiB, idirB);
}

/** HASH(1) = prf(SKEYID_a, M-ID | SA | Ni [| KE] [| IDci | IDcr]): everything after the HASH payload. */
export function quickModeHash1(hash: HashAlgorithm, skeyidA: Buffer, messageId: number | Buffer, afterHash: Buffer): Buffer {
  return prf(hash, skeyidA, uint32Bytes(messageId), afterHash);
}

/** HASH(2) = prf(SKEYID_a, M-ID | Ni_b | SA | Nr [| KE] [| IDci | IDcr]). */
export function quickModeHash2(hash: HashAlgorithm, skeyidA: Buffer, messageId: number | Buffer, niB: Buffer, afterHash: Buffer): Buffer {
  return prf(hash, skeyidA, uint32Bytes(messageId), niB, afterHash);
}

/** HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b). */
export function quickModeHash3(hash: HashAlgorithm, skeyidA: Buffer, messageId: number | Buffer, niB: Buffer, nrB: Buffer): Buffer {
  return prf(hash, skeyidA, Buffer.from([0]), uint32Bytes(messageId), niB, nrB);
}

/** Informational HASH(1) = prf(SKEYID_a, M-ID | N/D): the payloads after the HASH payload. */
export function informationalHash(hash: HashAlgorithm, skeyidA: Buffer, messageId: number | Buffer, afterHash: Buffer): Buffer {
  return prf(hash, skeyidA, uint32Bytes(messageId), afterHash);
}

/** Throws AuthenticationFailedError (notify 24) unless HASH_I / HASH_R matches. */
export function verifyPhase1Hash(expected: Buffer, received: Buffer, what = 'HASH'): void {
  if (!equalBytes(expected, received)) throw new AuthenticationFailedError(`${what} does not verify`);
}

/** Throws InvalidHashError (notify 23) unless a Quick Mode / Informational HASH matches. */
export function verifyPhase2Hash(expected: Buffer, received: Buffer, what = 'HASH'): void {
  if (!equalBytes(expected, received)) throw new InvalidHashError(`${what} does not verify`);
}
