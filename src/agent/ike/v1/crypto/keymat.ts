/** RFC 2409 section 5.5: KEYMAT for the IPsec SAs negotiated in Quick Mode. */
import type { HashAlgorithm } from '../../../crypto/algorithms.js';
import { CryptoLengthError } from '../../../crypto/errors.js';
import { prf, uint32Bytes } from '../../../crypto/prf.js';

/** IPsec DOI protocol IDs (RFC 2407 section 4.4.1). */
export const PROTO_IPSEC_AH = 2;
export const PROTO_IPSEC_ESP = 3;

export interface KeymatInput {
  readonly hash: HashAlgorithm;
  readonly skeyidD: Buffer;
  /** Protocol ID of the SA (3 for ESP). */
  readonly protocol: number;
  /** The SPI chosen by this direction's receiver (4 bytes for ESP). */
  readonly spi: number | Buffer;
  readonly niB: Buffer;
  readonly nrB: Buffer;
  /** g(qm)^xy, left-padded, when Quick Mode used PFS. */
  readonly pfsShared?: Buffer;
}

/**
 * KEYMAT = K1 | K2 | ... truncated to `length` bytes, with
 * K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b) and
 * Kn = prf(SKEYID_d, Kn-1 | [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b).
 */
export function keymat(input: KeymatInput, length: number): Buffer {
  if (!Number.isInteger(length) || length < 0) throw new CryptoLengthError(`bad KEYMAT length ${length}`);
  const seed: Buffer[] = [];
  if (input.pfsShared) seed.push(input.pfsShared);
  seed.push(Buffer.from([input.protocol]), uint32Bytes(input.spi), input.niB, input.nrB);
  const blocks: Buffer[] = [];
  let have = 0;
  let prev: Buffer | undefined;
  while (have < length) {
    prev = prev ? prf(input.hash, input.skeyidD, prev, ...seed) : prf(input.hash, input.skeyidD, ...seed);
    blocks.push(prev);
    have += prev.length;
  }
  return Buffer.concat(blocks).subarray(0, length);
}

export interface IpsecKeys {
  readonly encryptionKey: Buffer;
  readonly authenticationKey: Buffer;
}

/** One direction's ESP keys: the encryption key first, then the authentication key. */
export function ipsecKeys(input: KeymatInput, encryptionKeySize: number, authenticationKeySize: number): IpsecKeys {
  const km = keymat(input, encryptionKeySize + authenticationKeySize);
  return {
    encryptionKey: Buffer.from(km.subarray(0, encryptionKeySize)),
    authenticationKey: Buffer.from(km.subarray(encryptionKeySize)),
  };
}
