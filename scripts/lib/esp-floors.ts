/**
 * The least node:crypto work for one ESP packet sent and received (cipher
 * and HMAC only: no framing, padding, ICV comparison or anti-replay), in two
 * shapes, so that bench:crypto can say what the SA pair costs beyond what
 * Node itself needs:
 *
 *  - per-packet contexts: `createCipheriv` + update + final and one
 *    `createHmac` (KeyObject) to send, one `createHmac` and `createDecipheriv`
 *    + update + final to receive. What any design that sets up its OpenSSL
 *    contexts per packet pays (the SAs did until they kept their contexts).
 *  - long-lived contexts: one encryptor and one decryptor created once, one
 *    `update` each per packet over one extra block plus the padded payload
 *    (the SAs' scheme, src/agent/esp/sa.ts), and each HMAC as two one-shot
 *    `crypto.hash` calls over the precomputed K xor ipad / K xor opad blocks
 *    (src/agent/esp/hmac.ts), with the ciphertext copied once behind the
 *    ipad block. On a Node without `crypto.hash` (< 20.12) the HMACs fall
 *    back to `createHmac`.
 */
import * as nodeCrypto from 'node:crypto';
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, randomBytes } from 'node:crypto';
import { desBackend } from '../../src/agent/crypto/index.js';
import { ESP_CIPHERS, ESP_HEADER_SIZE, ESP_INTEGRITY, type EspCipherName, type EspIntegrityName } from '../../src/agent/esp/index.js';
import { consume } from './bench.js';

export interface EspFloorCase {
  readonly cipher: EspCipherName;
  readonly integrity: EspIntegrityName;
}

/** Bytes the cipher and the HMAC process for one inner packet of `n` bytes. */
export function espWork(c: EspFloorCase, n: number): { encrypted: number; authenticated: number } {
  const cipher = ESP_CIPHERS[c.cipher];
  const encrypted = Math.ceil((n + 2) / cipher.padBlock) * cipher.padBlock;
  return { encrypted, authenticated: ESP_HEADER_SIZE + cipher.ivSize + encrypted };
}

/** The OpenSSL cipher and a random key for it (DES as 3DES K|K|K when des-cbc is refused, like the agent). */
function opensslCipher(c: EspFloorCase): { name: string; key: Buffer; block: number } {
  const cipher = ESP_CIPHERS[c.cipher];
  if (!cipher.cbc) throw new Error(`${c.cipher} has no cipher to measure`);
  const emulated = c.cipher === 'des' && desBackend() !== 'des-cbc';
  return { name: emulated ? 'des-ede3-cbc' : cipher.cbc.opensslName, key: randomBytes(emulated ? 24 : cipher.keySize), block: cipher.cbc.blockSize };
}

/** Per-packet contexts: four context set-ups per packet (cipher, two HMACs, decipher). */
export function perPacketContextFloor(c: EspFloorCase, n: number): () => unknown {
  const { name, key, block } = opensslCipher(c);
  const integrity = ESP_INTEGRITY[c.integrity];
  const auth = createSecretKey(randomBytes(integrity.keySize));
  const iv = randomBytes(block);
  const head = randomBytes(ESP_HEADER_SIZE + block);
  const plain = randomBytes(espWork(c, n).encrypted);
  return () => {
    const enc = createCipheriv(name, key, iv);
    enc.setAutoPadding(false);
    const ct = enc.update(plain);
    enc.final();
    consume(createHmac(integrity.nodeName, auth).update(head).update(ct).digest());
    consume(createHmac(integrity.nodeName, auth).update(head).update(ct).digest());
    const dec = createDecipheriv(name, key, iv);
    dec.setAutoPadding(false);
    const pt = dec.update(ct);
    dec.final();
    return pt;
  };
}

type OneShotHash = (algorithm: string, data: Buffer, outputEncoding: 'latin1') => string;
const oneShot: OneShotHash | undefined =
  typeof (nodeCrypto as { hash?: unknown }).hash === 'function' ? (nodeCrypto as unknown as { hash: OneShotHash }).hash : undefined;

/** Long-lived contexts: no context set-up per packet (see the top of this file). */
export function persistentContextFloor(c: EspFloorCase, n: number): () => unknown {
  const { name, key, block } = opensslCipher(c);
  const integrity = ESP_INTEGRITY[c.integrity];
  const hash = integrity.nodeName;
  const { encrypted, authenticated } = espWork(c, n);
  const enc = createCipheriv(name, key, Buffer.alloc(block));
  enc.setAutoPadding(false);
  const dec = createDecipheriv(name, key, Buffer.alloc(block));
  dec.setAutoPadding(false);
  // R | padded payload, encrypted to IV | ciphertext.
  const plain = randomBytes(block + encrypted);
  if (!oneShot) {
    const auth = createSecretKey(randomBytes(integrity.keySize));
    const head = randomBytes(ESP_HEADER_SIZE);
    return () => {
      const ct = enc.update(plain);
      consume(createHmac(hash, auth).update(head).update(ct).digest());
      consume(createHmac(hash, auth).update(head).update(ct).digest());
      return dec.update(ct);
    };
  }
  const B = 64; // md5, sha1, sha256
  const digestSize = nodeCrypto.createHash(hash).digest().length;
  const inner = randomBytes(B + authenticated); // K xor ipad | ESP header | IV | ciphertext
  const outer = randomBytes(B + digestSize); // K xor opad | inner digest
  const icv = Buffer.alloc(digestSize);
  const hmac = (): void => {
    outer.write(oneShot(hash, inner, 'latin1'), B, digestSize, 'latin1');
    icv.write(oneShot(hash, outer, 'latin1'), 0, digestSize, 'latin1');
  };
  return () => {
    const ct = enc.update(plain);
    ct.copy(inner, B + ESP_HEADER_SIZE);
    hmac();
    hmac();
    return dec.update(ct);
  };
}
