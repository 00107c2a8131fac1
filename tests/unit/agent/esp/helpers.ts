/** Test helpers: an independent, slow ESP packet builder (node:crypto directly). */
import { createCipheriv, createHmac } from 'node:crypto';

export interface RawEspSpec {
  spi: number;
  seq: number;
  iv: Buffer;
  /** Already padded plaintext: payload | padding | pad length | next header. */
  plaintext: Buffer;
  /** OpenSSL cipher name, or undefined for NULL. */
  cipher?: string;
  encKey: Buffer;
  hmac?: { alg: string; key: Buffer; icvSize: number };
}

export function buildRawEsp(s: RawEspSpec): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(s.spi, 0);
  head.writeUInt32BE(s.seq, 4);
  let body = s.plaintext;
  if (s.cipher) {
    const c = createCipheriv(s.cipher, s.encKey, s.iv);
    c.setAutoPadding(false);
    body = Buffer.concat([c.update(s.plaintext), c.final()]);
  }
  const unauth = Buffer.concat([head, s.cipher ? s.iv : Buffer.alloc(0), body]);
  if (!s.hmac) return unauth;
  const icv = createHmac(s.hmac.alg, s.hmac.key).update(unauth).digest().subarray(0, s.hmac.icvSize);
  return Buffer.concat([unauth, icv]);
}

/** A deterministic inner IPv4-looking packet of `n` bytes. */
export function innerPacket(n: number, seed = 0): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed * 7 + 0x45) & 0xff;
  return b;
}
