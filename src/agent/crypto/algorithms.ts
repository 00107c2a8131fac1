/**
 * Algorithm registry for IKEv1 phase 1 (RFC 2409 appendix A attribute values)
 * and the CBC ciphers shared with ESP.
 */
import { UnsupportedAlgorithmError } from './errors.js';

export type HashName = 'md5' | 'sha1' | 'sha256' | 'sha384' | 'sha512';

export interface HashAlgorithm {
  readonly name: HashName;
  /** Phase-1 attribute 2 (hash algorithm) value. */
  readonly ikeId: number;
  /** Name for node:crypto createHash / createHmac. */
  readonly nodeName: string;
  /** Digest (and therefore prf output) size in bytes. */
  readonly outputSize: number;
}

/** RFC 2409 appendix A: 1 MD5, 2 SHA, 4/5/6 SHA2-256/384/512 (RFC 4868 registry). */
export const HASHES: Readonly<Record<HashName, HashAlgorithm>> = {
  md5: { name: 'md5', ikeId: 1, nodeName: 'md5', outputSize: 16 },
  sha1: { name: 'sha1', ikeId: 2, nodeName: 'sha1', outputSize: 20 },
  sha256: { name: 'sha256', ikeId: 4, nodeName: 'sha256', outputSize: 32 },
  sha384: { name: 'sha384', ikeId: 5, nodeName: 'sha384', outputSize: 48 },
  sha512: { name: 'sha512', ikeId: 6, nodeName: 'sha512', outputSize: 64 },
};

export function hashByIkeId(id: number): HashAlgorithm {
  const found = Object.values(HASHES).find((h) => h.ikeId === id);
  if (!found) throw new UnsupportedAlgorithmError(`unsupported IKE hash algorithm ${id}`);
  return found;
}

export type CipherName = 'des-cbc' | '3des-cbc' | 'aes128-cbc' | 'aes192-cbc' | 'aes256-cbc';

export interface CipherAlgorithm {
  readonly name: CipherName;
  /** Phase-1 attribute 1 (encryption algorithm) value: 1 DES, 5 3DES, 7 AES. */
  readonly ikeId: number;
  /** Key size in bytes. */
  readonly keySize: number;
  readonly blockSize: number;
  readonly ivSize: number;
  /** OpenSSL cipher name (DES may be emulated, see cipher.ts). */
  readonly opensslName: string;
}

export const CIPHERS: Readonly<Record<CipherName, CipherAlgorithm>> = {
  'des-cbc': { name: 'des-cbc', ikeId: 1, keySize: 8, blockSize: 8, ivSize: 8, opensslName: 'des-cbc' },
  '3des-cbc': { name: '3des-cbc', ikeId: 5, keySize: 24, blockSize: 8, ivSize: 8, opensslName: 'des-ede3-cbc' },
  'aes128-cbc': { name: 'aes128-cbc', ikeId: 7, keySize: 16, blockSize: 16, ivSize: 16, opensslName: 'aes-128-cbc' },
  'aes192-cbc': { name: 'aes192-cbc', ikeId: 7, keySize: 24, blockSize: 16, ivSize: 16, opensslName: 'aes-192-cbc' },
  'aes256-cbc': { name: 'aes256-cbc', ikeId: 7, keySize: 32, blockSize: 16, ivSize: 16, opensslName: 'aes-256-cbc' },
};

/**
 * Resolve phase-1 attribute 1 (and attribute 14, key length in bits). AES
 * needs the key length; DES and 3DES have fixed keys and must not carry one.
 */
export function cipherByIkeId(id: number, keyLengthBits?: number): CipherAlgorithm {
  switch (id) {
    case 1:
    case 5:
      if (keyLengthBits !== undefined) {
        throw new UnsupportedAlgorithmError(`key length attribute not allowed for IKE cipher ${id}`);
      }
      return id === 1 ? CIPHERS['des-cbc'] : CIPHERS['3des-cbc'];
    case 7:
      switch (keyLengthBits) {
        case 128:
          return CIPHERS['aes128-cbc'];
        case 192:
          return CIPHERS['aes192-cbc'];
        case 256:
          return CIPHERS['aes256-cbc'];
        default:
          throw new UnsupportedAlgorithmError(`unsupported AES-CBC key length ${keyLengthBits ?? '(missing)'}`);
      }
    default:
      throw new UnsupportedAlgorithmError(`unsupported IKE encryption algorithm ${id}`);
  }
}

/** Source of random bytes, injected so the protocol core stays deterministic in tests. */
export type RandomSource = (length: number) => Buffer;
