/**
 * CBC encryption without automatic padding, shared by ISAKMP message bodies
 * and ESP.
 *
 * DES on Node 20: OpenSSL 3 moved single DES to the legacy provider, so
 * `createCipheriv('des-cbc', ...)` throws ERR_OSSL_EVP_UNSUPPORTED unless node
 * runs with `--openssl-legacy-provider` (accepted in NODE_OPTIONS too). When it
 * is refused we fall back to 3DES-EDE with K1 = K2 = K3 = K, which is exactly
 * single DES (E_K(D_K(E_K(x))) = E_K(x)) and is still done by OpenSSL, at about
 * a third of the speed. Run the agent with the flag for full DES speed.
 */
import { createCipheriv, createDecipheriv, type Cipher, type Decipher } from 'node:crypto';
import type { CipherAlgorithm } from './algorithms.js';
import { CipherUnavailableError, CryptoLengthError } from './errors.js';

export type DesBackend = 'des-cbc' | 'des-ede3-emulation' | 'unavailable';

export const DES_FIX_HINT = 'start node with --openssl-legacy-provider (e.g. NODE_OPTIONS=--openssl-legacy-provider) to enable des-cbc';

let cachedDesBackend: DesBackend | undefined;

function opensslAccepts(name: string, keySize: number): boolean {
  try {
    const c = createCipheriv(name, Buffer.alloc(keySize, 1), Buffer.alloc(8));
    c.setAutoPadding(false);
    c.update(Buffer.alloc(8));
    c.final();
    return true;
  } catch {
    return false;
  }
}

/** How DES-CBC is done in this process (probed once). */
export function desBackend(): DesBackend {
  if (cachedDesBackend === undefined) {
    if (opensslAccepts('des-cbc', 8)) cachedDesBackend = 'des-cbc';
    else if (opensslAccepts('des-ede3-cbc', 24)) cachedDesBackend = 'des-ede3-emulation';
    else cachedDesBackend = 'unavailable';
  }
  return cachedDesBackend;
}

/** A key checked against its algorithm and mapped to the OpenSSL cipher that runs it. */
export interface CbcKey {
  readonly algorithm: CipherAlgorithm;
  readonly opensslName: string;
  readonly key: Buffer;
}

/**
 * Validate a key once (per SA or per exchange) and resolve the DES backend.
 * `backend` is for tests that exercise the emulation path explicitly.
 */
export function prepareCbcKey(algorithm: CipherAlgorithm, key: Buffer, backend?: DesBackend): CbcKey {
  if (key.length !== algorithm.keySize) {
    throw new CryptoLengthError(`${algorithm.name} needs a ${algorithm.keySize}-byte key, got ${key.length}`);
  }
  if (algorithm.name !== 'des-cbc') {
    return { algorithm, opensslName: algorithm.opensslName, key: Buffer.from(key) };
  }
  switch (backend ?? desBackend()) {
    case 'des-cbc':
      return { algorithm, opensslName: 'des-cbc', key: Buffer.from(key) };
    case 'des-ede3-emulation':
      return { algorithm, opensslName: 'des-ede3-cbc', key: Buffer.concat([key, key, key]) };
    case 'unavailable':
      throw new CipherUnavailableError(`DES-CBC is not available in this OpenSSL: ${DES_FIX_HINT}`);
  }
}

function checkIv(k: CbcKey, iv: Buffer): void {
  if (iv.length !== k.algorithm.ivSize) {
    throw new CryptoLengthError(`${k.algorithm.name} needs a ${k.algorithm.ivSize}-byte IV, got ${iv.length}`);
  }
}

function checkBlocks(k: CbcKey, data: Buffer): void {
  if (data.length % k.algorithm.blockSize !== 0) {
    throw new CryptoLengthError(`${k.algorithm.name} data length ${data.length} is not a multiple of ${k.algorithm.blockSize}`);
  }
}

/** A streaming encryptor with automatic padding off (the caller pads). */
export function createCbcEncryptor(k: CbcKey, iv: Buffer): Cipher {
  checkIv(k, iv);
  const c = createCipheriv(k.opensslName, k.key, iv);
  c.setAutoPadding(false);
  return c;
}

/** A streaming decryptor with automatic padding off. */
export function createCbcDecryptor(k: CbcKey, iv: Buffer): Decipher {
  checkIv(k, iv);
  const d = createDecipheriv(k.opensslName, k.key, iv);
  d.setAutoPadding(false);
  return d;
}

/** Encrypt whole blocks; throws CryptoLengthError when `data` is not block-aligned. */
export function cbcEncrypt(k: CbcKey, iv: Buffer, data: Buffer): Buffer {
  checkBlocks(k, data);
  const c = createCbcEncryptor(k, iv);
  const out = c.update(data);
  const tail = c.final();
  return tail.length === 0 ? out : Buffer.concat([out, tail]);
}

/** Decrypt whole blocks; throws CryptoLengthError when `data` is not block-aligned. */
export function cbcDecrypt(k: CbcKey, iv: Buffer, data: Buffer): Buffer {
  checkBlocks(k, data);
  const d = createCbcDecryptor(k, iv);
  const out = d.update(data);
  const tail = d.final();
  return tail.length === 0 ? out : Buffer.concat([out, tail]);
}
