/**
 * RFC 4303 ESP security associations, one object per direction, tunnel mode
 * (the payload is a whole inner IPv4 packet, next header 4).
 *
 *   SPI(4) | Sequence(4) | IV | E(payload | 1,2,3.. | pad length | next header) | ICV
 *
 * Per-packet outcomes are results, never exceptions; only constructing an SA
 * with bad parameters or passing an IV of the wrong size throws EspConfigError.
 */
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { RandomSource } from '../ike/crypto/algorithms.js';
import { createCbcDecryptor, createCbcEncryptor, prepareCbcKey, type CbcKey, type DesBackend } from '../ike/crypto/cipher.js';
import { ESP_CIPHERS, ESP_INTEGRITY, type EspCipher, type EspCipherName, type EspIntegrity, type EspIntegrityName } from './algorithms.js';
import { emptyCounters, type EspCounters } from './counters.js';
import { EspConfigError } from './errors.js';
import { DEFAULT_REPLAY_WINDOW, ReplayWindow, type ReplayVerdict } from './replay.js';

export const ESP_HEADER_SIZE = 8;
/** Next header value for an IPv4 inner packet (tunnel mode). */
export const NEXT_HEADER_IPV4 = 4;
/** Next header 59: a dummy (traffic flow confidentiality) packet, to be discarded by the caller. */
export const NEXT_HEADER_NONE = 59;
export const MAX_SEQUENCE = 0xffffffff;

export interface EspSaConfig {
  readonly spi: number;
  readonly cipher: EspCipherName | EspCipher;
  readonly integrity: EspIntegrityName | EspIntegrity;
  readonly encryptionKey: Buffer;
  readonly authenticationKey: Buffer;
  /** Test hook: force the DES backend (see ike/crypto/cipher.ts). */
  readonly desBackend?: DesBackend;
}

/** SPI and sequence number of an ESP packet, or undefined when shorter than 8 bytes. */
export function readEspHeader(packet: Buffer): { spi: number; sequence: number } | undefined {
  if (packet.length < ESP_HEADER_SIZE) return undefined;
  return { spi: packet.readUInt32BE(0), sequence: packet.readUInt32BE(4) };
}

/** Padding bytes 1, 2, 3, ... (RFC 4303 section 2.4), sliced, never written. */
const PAD = Buffer.from(Array.from({ length: 256 }, (_, i) => (i + 1) & 0xff));

abstract class EspSaBase {
  readonly spi: number;
  readonly cipher: EspCipher;
  readonly integrity: EspIntegrity;
  /** Live counters; read them, do not write them. */
  readonly counters: EspCounters = emptyCounters();
  protected readonly cbcKey: CbcKey | undefined;
  protected readonly authKey: KeyObject | undefined;

  constructor(cfg: EspSaConfig) {
    if (!Number.isInteger(cfg.spi) || cfg.spi < 256 || cfg.spi > 0xffffffff) {
      // RFC 4303 section 2.1: SPIs 1..255 are reserved, 0 is never on the wire.
      throw new EspConfigError(`bad SPI ${cfg.spi}`);
    }
    this.spi = cfg.spi;
    this.cipher = typeof cfg.cipher === 'string' ? ESP_CIPHERS[cfg.cipher] : cfg.cipher;
    this.integrity = typeof cfg.integrity === 'string' ? ESP_INTEGRITY[cfg.integrity] : cfg.integrity;
    if (!this.cipher || !this.integrity) throw new EspConfigError(`unknown ESP transform ${String(cfg.cipher)}/${String(cfg.integrity)}`);
    if (!this.cipher.cbc && this.integrity.icvSize === 0) {
      throw new EspConfigError('ESP with NULL encryption and no integrity is not allowed (RFC 4303 section 3.2)');
    }
    if (cfg.encryptionKey.length !== this.cipher.keySize) {
      throw new EspConfigError(`${this.cipher.name} needs a ${this.cipher.keySize}-byte key, got ${cfg.encryptionKey.length}`);
    }
    if (cfg.authenticationKey.length !== this.integrity.keySize) {
      throw new EspConfigError(`${this.integrity.name} needs a ${this.integrity.keySize}-byte key, got ${cfg.authenticationKey.length}`);
    }
    this.cbcKey = this.cipher.cbc ? prepareCbcKey(this.cipher.cbc, cfg.encryptionKey, cfg.desBackend) : undefined;
    this.authKey = this.integrity.icvSize > 0 ? createSecretKey(Buffer.from(cfg.authenticationKey)) : undefined;
  }

  /** Length of the ESP packet that carries an inner packet of `innerLength` bytes. */
  encapsulatedLength(innerLength: number): number {
    const bs = this.cipher.padBlock;
    const body = Math.ceil((innerLength + 2) / bs) * bs;
    return ESP_HEADER_SIZE + this.cipher.ivSize + body + this.integrity.icvSize;
  }
}

export type EncapResult =
  /** `packet` is the ESP packet; `framed` is the same bytes preceded by the requested headroom. */
  | { readonly ok: true; readonly packet: Buffer; readonly framed: Buffer; readonly sequence: number }
  | { readonly ok: false; readonly reason: 'sequence-exhausted' };

export interface OutboundOptions {
  /** Sequence number of the next packet (default 1); for tests of exhaustion. */
  readonly nextSequence?: number;
}

/** The sending side of one SA. */
export class EspOutboundSa extends EspSaBase {
  private next: number;

  constructor(cfg: EspSaConfig, opts: OutboundOptions = {}) {
    super(cfg);
    const n = opts.nextSequence ?? 1;
    if (!Number.isInteger(n) || n < 1 || n > MAX_SEQUENCE + 1) throw new EspConfigError(`bad next sequence ${n}`);
    this.next = n;
  }

  /** The sequence number the next packet would carry (MAX_SEQUENCE + 1 once exhausted). */
  get nextSequence(): number {
    return this.next;
  }

  get exhausted(): boolean {
    return this.next > MAX_SEQUENCE;
  }

  /**
   * Encrypt and authenticate `inner`. `iv` is a fresh random IV of the
   * cipher's IV size, or a source to draw one from (ignored for NULL).
   */
  encapsulate(inner: Buffer, iv: Buffer | RandomSource, nextHeader: number = NEXT_HEADER_IPV4, headroom = 0): EncapResult {
    if (this.next > MAX_SEQUENCE) {
      this.counters.sendErrors++;
      return { ok: false, reason: 'sequence-exhausted' };
    }
    const ivSize = this.cipher.ivSize;
    const ivBuf = ivSize === 0 ? undefined : typeof iv === 'function' ? iv(ivSize) : iv;
    if (ivBuf && ivBuf.length !== ivSize) throw new EspConfigError(`${this.cipher.name} needs a ${ivSize}-byte IV, got ${ivBuf.length}`);

    const seq = this.next++;
    const bs = this.cipher.padBlock;
    const padLen = (bs - ((inner.length + 2) % bs)) % bs;
    const start = ESP_HEADER_SIZE + ivSize;
    const encLen = inner.length + padLen + 2;
    const icvAt = start + encLen;
    // `headroom` bytes in front, left for the caller's outer IP (and UDP) header
    const whole = Buffer.allocUnsafe(headroom + icvAt + this.integrity.icvSize);
    const out = whole.subarray(headroom);
    out.writeUInt32BE(this.spi, 0);
    out.writeUInt32BE(seq, 4);

    const trailer = Buffer.allocUnsafe(padLen + 2);
    PAD.copy(trailer, 0, 0, padLen);
    trailer[padLen] = padLen;
    trailer[padLen + 1] = nextHeader;

    if (this.cbcKey && ivBuf) {
      ivBuf.copy(out, ESP_HEADER_SIZE);
      const enc = createCbcEncryptor(this.cbcKey, ivBuf);
      let at = start;
      at += enc.update(inner).copy(out, at);
      at += enc.update(trailer).copy(out, at);
      enc.final().copy(out, at);
      this.counters.encrypt++;
    } else {
      inner.copy(out, start);
      trailer.copy(out, start + inner.length);
    }
    if (this.authKey) {
      createHmac(this.integrity.nodeName, this.authKey).update(out.subarray(0, icvAt)).digest().copy(out, icvAt, 0, this.integrity.icvSize);
      this.counters.digest++;
    }
    this.counters.encaps++;
    this.counters.packets++;
    this.counters.bytes += inner.length;
    return { ok: true, packet: out, framed: whole, sequence: seq };
  }
}

export type DecapFailure = 'truncated' | 'bad-length' | 'spi-mismatch' | 'replay' | 'auth-failed' | 'bad-padding';

export type DecapResult =
  | {
      readonly ok: true;
      /** The inner packet (shares memory with the decrypted buffer, or with the input for NULL). */
      readonly inner: Buffer;
      readonly nextHeader: number;
      readonly sequence: number;
    }
  | {
      readonly ok: false;
      readonly reason: DecapFailure;
      /** For 'replay': why the window refused it. */
      readonly replay?: Exclude<ReplayVerdict, 'ok'>;
      readonly sequence?: number;
    };

export interface InboundOptions {
  /** Anti-replay window size in packets (default 64); 0 disables replay detection. */
  readonly replayWindow?: number;
}

/** The receiving side of one SA. */
export class EspInboundSa extends EspSaBase {
  /** Undefined when replay detection is off or there is no integrity (RFC 4303 section 3.4.3). */
  readonly replay: ReplayWindow | undefined;

  constructor(cfg: EspSaConfig, opts: InboundOptions = {}) {
    super(cfg);
    const size = opts.replayWindow ?? DEFAULT_REPLAY_WINDOW;
    this.replay = size > 0 && this.integrity.icvSize > 0 ? new ReplayWindow(size) : undefined;
  }

  private fail(reason: DecapFailure, sequence?: number, replay?: Exclude<ReplayVerdict, 'ok'>): DecapResult {
    if (reason === 'replay') this.counters.replayFailures++;
    else if (reason === 'auth-failed') this.counters.authFailures++;
    else this.counters.recvErrors++;
    return { ok: false, reason, sequence, replay };
  }

  /** Check, verify, decrypt and unpad one ESP packet (the IP or UDP payload). */
  decapsulate(packet: Buffer): DecapResult {
    if (packet.length < ESP_HEADER_SIZE) return this.fail('truncated');
    if (packet.readUInt32BE(0) !== this.spi) return this.fail('spi-mismatch');
    const seq = packet.readUInt32BE(4);

    if (this.replay) {
      const verdict = this.replay.check(seq);
      if (verdict !== 'ok') return this.fail('replay', seq, verdict);
    }

    const ivSize = this.cipher.ivSize;
    const icvSize = this.integrity.icvSize;
    const start = ESP_HEADER_SIZE + ivSize;
    const encLen = packet.length - start - icvSize;
    const minEnc = this.cbcKey ? this.cipher.padBlock : 2;
    if (encLen < minEnc) return this.fail('truncated', seq);
    if (this.cbcKey && encLen % this.cipher.padBlock !== 0) return this.fail('bad-length', seq);

    const icvAt = start + encLen;
    if (this.authKey) {
      const mac = createHmac(this.integrity.nodeName, this.authKey).update(packet.subarray(0, icvAt)).digest();
      if (!timingSafeEqual(mac.subarray(0, icvSize), packet.subarray(icvAt))) return this.fail('auth-failed', seq);
      this.counters.verify++;
    }

    let plain: Buffer;
    if (this.cbcKey) {
      const dec = createCbcDecryptor(this.cbcKey, packet.subarray(ESP_HEADER_SIZE, start));
      plain = dec.update(packet.subarray(start, icvAt));
      const tail = dec.final();
      if (tail.length > 0) plain = Buffer.concat([plain, tail]);
      this.counters.decrypt++;
    } else {
      plain = packet.subarray(start, icvAt);
    }

    const padLen = plain[plain.length - 2];
    const nextHeader = plain[plain.length - 1];
    const innerLen = plain.length - 2 - padLen;
    if (innerLen < 0) return this.fail('bad-padding', seq);
    for (let i = 0; i < padLen; i++) {
      if (plain[innerLen + i] !== ((i + 1) & 0xff)) return this.fail('bad-padding', seq);
    }

    this.replay?.mark(seq);
    this.counters.decaps++;
    this.counters.packets++;
    this.counters.bytes += innerLen;
    return { ok: true, inner: plain.subarray(0, innerLen), nextHeader, sequence: seq };
  }
}
