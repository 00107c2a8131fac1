/** RFC 2409 section 5 (pre-shared key authentication) and appendix B: phase-1 keying material. */
import type { CipherAlgorithm, HashAlgorithm } from '../../../crypto/algorithms.js';
import { CryptoLengthError } from '../../../crypto/errors.js';
import { prf } from '../../../crypto/prf.js';

const B0 = Buffer.from([0]);
const B1 = Buffer.from([1]);
const B2 = Buffer.from([2]);

export function checkCookies(ckyI: Buffer, ckyR: Buffer): void {
  if (ckyI.length !== 8 || ckyR.length !== 8) {
    throw new CryptoLengthError(`ISAKMP cookies must be 8 bytes (got ${ckyI.length} and ${ckyR.length})`);
  }
}

/** SKEYID = prf(pre-shared-key, Ni_b | Nr_b). */
export function skeyidPsk(hash: HashAlgorithm, psk: Buffer, niB: Buffer, nrB: Buffer): Buffer {
  return prf(hash, psk, niB, nrB);
}

export interface SkeyidChain {
  readonly skeyidD: Buffer;
  readonly skeyidA: Buffer;
  readonly skeyidE: Buffer;
}

/**
 * SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0)
 * SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1)
 * SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2)
 * `gxy` must already be left-padded to the group size.
 */
export function skeyidChain(hash: HashAlgorithm, skeyid: Buffer, gxy: Buffer, ckyI: Buffer, ckyR: Buffer): SkeyidChain {
  checkCookies(ckyI, ckyR);
  const skeyidD = prf(hash, skeyid, gxy, ckyI, ckyR, B0);
  const skeyidA = prf(hash, skeyid, skeyidD, gxy, ckyI, ckyR, B1);
  const skeyidE = prf(hash, skeyid, skeyidA, gxy, ckyI, ckyR, B2);
  return { skeyidD, skeyidA, skeyidE };
}

/**
 * The phase-1 encryption key: the first keySize bytes of SKEYID_e, or, when
 * SKEYID_e is too short, of K1 | K2 | ... with K1 = prf(SKEYID_e, 0) and
 * Kn = prf(SKEYID_e, Kn-1) (appendix B; "0" is a single zero octet).
 */
export function phase1EncryptionKey(hash: HashAlgorithm, cipher: CipherAlgorithm, skeyidE: Buffer): Buffer {
  if (skeyidE.length >= cipher.keySize) return Buffer.from(skeyidE.subarray(0, cipher.keySize));
  const blocks: Buffer[] = [];
  let k = prf(hash, skeyidE, B0);
  blocks.push(k);
  let have = k.length;
  while (have < cipher.keySize) {
    k = prf(hash, skeyidE, k);
    blocks.push(k);
    have += k.length;
  }
  return Buffer.concat(blocks).subarray(0, cipher.keySize);
}

export interface Phase1KeyInput {
  readonly hash: HashAlgorithm;
  readonly cipher: CipherAlgorithm;
  readonly psk: Buffer;
  /** Nonce payload bodies (without generic header). */
  readonly niB: Buffer;
  readonly nrB: Buffer;
  /** Shared secret, left-padded to the group size. */
  readonly gxy: Buffer;
  readonly ckyI: Buffer;
  readonly ckyR: Buffer;
}

export interface Phase1Keys extends SkeyidChain {
  readonly skeyid: Buffer;
  readonly encryptionKey: Buffer;
}

/** All phase-1 keys for pre-shared key authentication. */
export function derivePhase1Keys(input: Phase1KeyInput): Phase1Keys {
  const skeyid = skeyidPsk(input.hash, input.psk, input.niB, input.nrB);
  const chain = skeyidChain(input.hash, skeyid, input.gxy, input.ckyI, input.ckyR);
  return { skeyid, ...chain, encryptionKey: phase1EncryptionKey(input.hash, input.cipher, chain.skeyidE) };
}
