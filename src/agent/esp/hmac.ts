/**
 * HMAC (RFC 2104) for ESP ICVs without per-packet key setup or per-packet
 * hash objects.
 *
 *   HMAC(K, m) = H((K' xor opad) | H((K' xor ipad) | m))
 *
 * The padded key blocks K' xor ipad and K' xor opad are computed once per SA
 * and kept at the front of two private scratch buffers; a packet is copied
 * behind the inner block and both hashes are one-shot `crypto.hash` calls
 * (Node >= 20.12), with the digests returned as latin1 strings and written
 * straight into the packet or a scratch buffer.
 *
 * Why this shape (measured on Node 20.20 / OpenSSL 3.0, see the Crypto
 * section of docs/benchmarks.md): what costs is not the hashing but creating
 * Node objects. `createHmac(alg, keyObject)` is about 2 us per packet even
 * at 64 bytes; precomputed ipad/opad `Hash` states with `hash.copy()` are
 * slower still (two Hash objects per packet); `crypto.hash(..., 'buffer')`
 * spends about 0.4 us making the result Buffer, while the same call with a
 * latin1 string result costs about 0.3 us in all. Copying the packet into
 * the scratch (one memcpy) is far cheaper than any of those.
 *
 * Where `crypto.hash` is missing (Node 20.0 to 20.11) or the hash is not one
 * whose block size we know, it falls back to `createHmac` with a KeyObject.
 */
import * as nodeCrypto from 'node:crypto';
import { createHash, createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { EspConfigError } from './errors.js';

/** Input block size of the hashes ESP uses (RFC 2104's B). */
const BLOCK_SIZE: Readonly<Record<string, number>> = { md5: 64, sha1: 64, sha256: 64, sha384: 128, sha512: 128 };

type OneShotHash = (algorithm: string, data: Buffer, outputEncoding: 'latin1') => string;

/** `crypto.hash` where this Node has it (a namespace import, so older Node still links). */
const oneShot: OneShotHash | undefined =
  typeof (nodeCrypto as { hash?: unknown }).hash === 'function' ? (nodeCrypto as unknown as { hash: OneShotHash }).hash : undefined;

export type EspMacBackend = 'one-shot' | 'create-hmac';

export interface EspMacOptions {
  /** Test hook: force the createHmac fallback. */
  readonly backend?: EspMacBackend;
}

/** One SA's HMAC key, ready to sign and verify packets. Not re-entrant (shared scratch buffers). */
export class EspMac {
  readonly backend: EspMacBackend;
  private readonly hash: string;
  private readonly digestSize: number;
  private readonly blockSize: number;
  /** K' xor ipad, then room for the message. */
  private inner: Buffer;
  /** `inner` cut to the last message length (packets of a flow tend to repeat their size). */
  private innerView: Buffer = Buffer.alloc(0);
  /** `computed` cut to the last ICV length. */
  private computedView: Buffer = Buffer.alloc(0);
  /** K' xor opad, then the inner digest. */
  private readonly outer: Buffer;
  /** The computed digest, for verification. */
  private readonly computed: Buffer;
  private readonly keyObject: KeyObject | undefined;

  constructor(hash: string, key: Buffer, opts: EspMacOptions = {}) {
    this.hash = hash;
    this.digestSize = createHash(hash).digest().length;
    const block = BLOCK_SIZE[hash];
    this.backend = opts.backend ?? (oneShot && block !== undefined ? 'one-shot' : 'create-hmac');
    this.computed = Buffer.alloc(this.digestSize);
    if (this.backend === 'one-shot') {
      if (!oneShot || block === undefined) throw new EspConfigError(`one-shot HMAC is not available for ${hash} on this Node`);
      this.blockSize = block;
      // RFC 2104: keys longer than B are hashed first; shorter ones are zero-padded to B.
      const k = key.length > block ? createHash(hash).update(key).digest() : key;
      this.inner = Buffer.alloc(block + 2048);
      this.outer = Buffer.alloc(block + this.digestSize);
      for (let i = 0; i < block; i++) {
        const b = i < k.length ? k[i]! : 0;
        this.inner[i] = b ^ 0x36;
        this.outer[i] = b ^ 0x5c;
      }
      this.keyObject = undefined;
    } else {
      this.blockSize = 0;
      this.inner = Buffer.alloc(0);
      this.outer = Buffer.alloc(0);
      this.keyObject = createSecretKey(Buffer.from(key));
    }
  }

  /** Write the first `icvLength` bytes of HMAC(K, data[0, length)) into `into` at `at`. */
  sign(data: Buffer, length: number, into: Buffer, at: number, icvLength: number): void {
    if (this.backend === 'one-shot') {
      into.write(this.digestOneShot(data, length), at, icvLength, 'latin1');
    } else {
      createHmac(this.hash, this.keyObject!).update(data.subarray(0, length)).digest().copy(into, at, 0, icvLength);
    }
  }

  /** Whether `icv` equals HMAC(K, data[0, length)) truncated to `icv.length` bytes (constant time). */
  verify(data: Buffer, length: number, icv: Buffer): boolean {
    if (icv.length === 0 || icv.length > this.digestSize) return false;
    this.sign(data, length, this.computed, 0, this.digestSize);
    if (this.computedView.length !== icv.length) this.computedView = this.computed.subarray(0, icv.length);
    return timingSafeEqual(this.computedView, icv);
  }

  private digestOneShot(data: Buffer, length: number): string {
    const b = this.blockSize;
    if (b + length > this.inner.length) {
      const grown = Buffer.alloc(b + Math.max(length, 2 * (this.inner.length - b)));
      this.inner.copy(grown, 0, 0, b);
      this.inner.fill(0);
      this.inner = grown;
      this.innerView = Buffer.alloc(0);
    }
    data.copy(this.inner, b, 0, length);
    if (this.innerView.length !== b + length) this.innerView = this.inner.subarray(0, b + length);
    this.outer.write(oneShot!(this.hash, this.innerView, 'latin1'), b, this.digestSize, 'latin1');
    return oneShot!(this.hash, this.outer, 'latin1');
  }
}
