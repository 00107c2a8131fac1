/**
 * RFC 4303 ESP security associations, one object per direction, tunnel mode
 * (the payload is a whole inner IPv4 packet, next header 4).
 *
 *   SPI(4) | Sequence(4) | IV | E(payload | 1,2,3.. | pad length | next header) | ICV
 *
 * Per-packet outcomes are results, never exceptions; only constructing an SA
 * with bad parameters or passing an IV of the wrong size throws EspConfigError.
 *
 * CBC with one long-lived context per SA
 * --------------------------------------
 * Creating an OpenSSL cipher context through Node costs more than encrypting
 * a 1400-byte packet with AES-NI, so each SA keeps one encryptor (outbound)
 * or one decryptor (inbound) for its whole life: automatic padding off,
 * never finalised. A CBC context carries its chain state S, the last
 * ciphertext block it produced (or consumed), from one update to the next.
 *
 * Sending, with a random source: for each packet we draw a fresh random
 * block R from the caller's source (the datapath's pooledRandom, i.e. the
 * same randomness the IV used to be) and feed R | payload | padding | pad
 * length | next header. The first output block C0 = E_K(R xor S) goes on the
 * wire as the packet's IV; the rest is exactly the CBC encryption of the
 * payload under IV C0 (C1 = E_K(P1 xor C0), ...), so any RFC 4303 receiver
 * (Wireshark, IOS, strongSwan) decrypts it as usual. RFC 4303 section 3.2
 * and RFC 3602 section 2.2 (likewise RFC 2405 / 2451) require the IV to be
 * unpredictable, not merely fresh. C0 is: R is uniform, secret and used for
 * nothing else (it is overwritten by C0 and never sent), so R xor S is
 * uniform whatever S is (S is public: it was on the wire), and C0, a block
 * cipher applied to a uniform block nobody else knows, is uniform and
 * unknown to whoever does not hold R and K: as good as sending a fresh
 * random block as the IV. The source must therefore be a CSPRNG, as for
 * any IV; a fixed or counting source would leave C0 = E_K(known xor S).
 *
 * Why the plain carried-over chain (feed only the payload, so that the IV
 * of packet n+1 is the last ciphertext block of packet n) would NOT be
 * acceptable, although it is "random-looking" and never repeats: that IV is
 * on the wire before packet n+1's plaintext exists. Anyone who can get a
 * packet into the tunnel (any host behind the router: the inner packets are
 * its traffic) can then choose the first block P1 = IV(n+1) xor C' xor G,
 * where C' is the ciphertext block that preceded some target block C in an
 * earlier packet and G is a guess of C's plaintext; the first ciphertext
 * block comes out as E_K(C' xor G), equal to C exactly when the guess is
 * right. That is the chosen-plaintext attack on the chained IVs of SSL 3.0
 * and TLS 1.0 (Bard 2004, BEAST 2011), and the reason for the MUST above.
 *
 * An IV passed as a Buffer is used verbatim on the wire (tests, known-answer
 * vectors) through a per-packet context, and does not touch the chain.
 *
 * Receiving: we feed IV | ciphertext to the SA's decryptor. The first output
 * block is D_K(IV) xor S for whatever stale S the decryptor holds, and is
 * thrown away; every following block is D_K(Ci) xor C(i-1) with C(i-1) from
 * this very packet (C0 = the IV), i.e. the plaintext. So it is correct for
 * any arrival order, lost packets, or packets of other SAs in between.
 *
 * With padding off, OpenSSL returns every complete block from an update at
 * once (a Decipher holds back the last block only when automatic padding is
 * on), and every update here is a whole number of blocks, so nothing lingers
 * in a context between packets (tests/unit/agent/esp/persistent-cbc.test.ts).
 */
import type { Cipher, Decipher } from 'node:crypto';
import type { RandomSource } from '../crypto/algorithms.js';
import { createCbcDecryptor, createCbcEncryptor, prepareCbcKey, type CbcKey, type DesBackend } from '../crypto/cipher.js';
import { ESP_CIPHERS, ESP_INTEGRITY, type EspCipher, type EspCipherName, type EspIntegrity, type EspIntegrityName } from './algorithms.js';
import { emptyCounters, type EspCounters } from './counters.js';
import { EspConfigError } from './errors.js';
import { EspMac, type EspMacBackend } from './hmac.js';
import { DEFAULT_REPLAY_WINDOW, ReplayWindow, type ReplayVerdict } from './replay.js';
import { espSaProblem } from './validate.js';

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
  /** Test hook: force the DES backend (see agent/crypto/cipher.ts). */
  readonly desBackend?: DesBackend;
  /** Test hook: force the HMAC implementation (see hmac.ts). */
  readonly macBackend?: EspMacBackend;
  /**
   * The native ESP module (images/router2600/addon/esp.c), when the caller
   * has it: the cipher and HMAC of each packet then run in one native call,
   * in place. Without it, or when it cannot run an algorithm, node:crypto.
   */
  readonly native?: NativeEsp;
}

/** What sa.ts needs of the native ESP module (see images/router2600/addon/esp.c). */
export interface NativeEsp {
  create(cipher: string, key: Buffer, mac: string, authKey: Buffer, encrypt: boolean): unknown;
  seal(sa: unknown, buf: Buffer, encFrom: number, encTo: number, icvAt: number, icvLength: number): boolean;
  open(sa: unknown, buf: Buffer, icvAt: number, icvLength: number, decFrom: number, decTo: number): boolean;
}

/** OpenSSL's names of our CBC ciphers. */
const OPENSSL_CIPHER: Readonly<Record<EspCipherName, string>> = {
  des: 'des-cbc',
  '3des': 'des-ede3-cbc',
  aes128: 'aes-128-cbc',
  aes192: 'aes-192-cbc',
  aes256: 'aes-256-cbc',
  null: 'null',
};

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
  protected readonly mac: EspMac | undefined;
  /** The native module and this direction's handle in it, when it runs this SA. */
  protected readonly native: { readonly esp: NativeEsp; readonly sa: unknown } | undefined;

  constructor(cfg: EspSaConfig, encrypts: boolean) {
    const problem = espSaProblem(cfg);
    if (problem !== null) throw new EspConfigError(problem);
    this.spi = cfg.spi;
    this.cipher = typeof cfg.cipher === 'string' ? ESP_CIPHERS[cfg.cipher] : cfg.cipher;
    this.integrity = typeof cfg.integrity === 'string' ? ESP_INTEGRITY[cfg.integrity] : cfg.integrity;
    this.cbcKey = this.cipher.cbc ? prepareCbcKey(this.cipher.cbc, cfg.encryptionKey, cfg.desBackend) : undefined;
    this.mac = this.integrity.icvSize > 0 ? new EspMac(this.integrity.nodeName, cfg.authenticationKey, { backend: cfg.macBackend }) : undefined;
    this.native = undefined;
    if (cfg.native) {
      try {
        const mac = this.integrity.icvSize > 0 ? this.integrity.nodeName : 'none';
        this.native = { esp: cfg.native, sa: cfg.native.create(OPENSSL_CIPHER[this.cipher.name], cfg.encryptionKey, mac, cfg.authenticationKey, encrypts) };
      } catch {
        // this OpenSSL cannot run the algorithm natively: node:crypto does it
      }
    }
  }

  /** Whether the native ESP module runs this SA's cipher and HMAC. */
  get nativeCrypto(): boolean {
    return this.native !== undefined;
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
  | { readonly ok: false; readonly reason: 'sequence-exhausted' | 'crypto-failed' };

export interface OutboundOptions {
  /** Sequence number of the next packet (default 1); for tests of exhaustion. */
  readonly nextSequence?: number;
}

/** The sending side of one SA. */
export class EspOutboundSa extends EspSaBase {
  private next: number;
  /** The SA's long-lived CBC encryptor (see the top of this file); undefined for NULL. */
  private readonly chain: Cipher | undefined;

  constructor(cfg: EspSaConfig, opts: OutboundOptions = {}) {
    super(cfg, true);
    const n = opts.nextSequence ?? 1;
    if (!Number.isInteger(n) || n < 1 || n > MAX_SEQUENCE + 1) throw new EspConfigError(`bad next sequence ${n}`);
    this.next = n;
    // The starting chain state does not matter: every packet starts with a fresh random block.
    this.chain = this.cbcKey ? createCbcEncryptor(this.cbcKey, Buffer.alloc(this.cipher.ivSize)) : undefined;
  }

  /** The sequence number the next packet would carry (MAX_SEQUENCE + 1 once exhausted). */
  get nextSequence(): number {
    return this.next;
  }

  get exhausted(): boolean {
    return this.next > MAX_SEQUENCE;
  }

  /**
   * Encrypt and authenticate `inner`. `iv` is a source of fresh random
   * bytes (the datapath's pooledRandom): one block R is drawn per packet and
   * the IV on the wire is E_K(R xor chain state), see the top of this file.
   * A Buffer of the cipher's IV size is instead used as the IV verbatim
   * (known-answer tests; slower, one cipher context per packet). Ignored for
   * NULL. `headroom` bytes are left in front of the packet in `framed` for
   * the caller's outer IP (and UDP) header.
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
    // One buffer for everything: headroom | SPI | seq | IV | payload | trailer | ICV.
    const whole = Buffer.allocUnsafe(headroom + icvAt + this.integrity.icvSize);
    const out = headroom === 0 ? whole : whole.subarray(headroom);
    out.writeUInt32BE(this.spi, 0);
    out.writeUInt32BE(seq, 4);
    // The plaintext is laid out in place and encrypted from there.
    inner.copy(out, start);
    const trailerAt = start + inner.length;
    PAD.copy(out, trailerAt, 0, padLen);
    out[trailerAt + padLen] = padLen;
    out[trailerAt + padLen + 1] = nextHeader;

    if (this.native && (ivSize === 0 || typeof iv === 'function')) {
      // R | plaintext and the ICV in one native call, in place (the same bytes as the node:crypto path)
      if (ivBuf) ivBuf.copy(out, ESP_HEADER_SIZE);
      if (!this.native.esp.seal(this.native.sa, out, ESP_HEADER_SIZE, this.cipher.cbc ? icvAt : ESP_HEADER_SIZE, icvAt, this.integrity.icvSize)) {
        this.counters.sendErrors++;
        return { ok: false, reason: 'crypto-failed' };
      }
      if (this.cipher.cbc) this.counters.encrypt++;
      if (this.mac) this.counters.digest++;
    } else {
      if (this.chain && ivBuf) {
        ivBuf.copy(out, ESP_HEADER_SIZE);
        if (typeof iv === 'function') {
          // R | plaintext through the long-lived context: C0 = E_K(R xor S) replaces R as the IV.
          this.chain.update(out.subarray(ESP_HEADER_SIZE, icvAt)).copy(out, ESP_HEADER_SIZE);
        } else {
          const enc = createCbcEncryptor(this.cbcKey!, ivBuf);
          enc.update(out.subarray(start, icvAt)).copy(out, start);
          enc.final();
        }
        this.counters.encrypt++;
      }
      if (this.mac) {
        this.mac.sign(out, icvAt, out, icvAt, this.integrity.icvSize);
        this.counters.digest++;
      }
    }
    this.counters.encaps++;
    this.counters.packets++;
    this.counters.bytes += inner.length;
    return { ok: true, packet: out, framed: whole, sequence: seq };
  }
}

export type DecapFailure = 'truncated' | 'bad-length' | 'spi-mismatch' | 'replay' | 'auth-failed' | 'bad-padding' | 'wrong-encapsulation';

/** How ESP reaches the SA: as IP protocol 50, or inside UDP 4500 (RFC 3948). */
export type EspEncapsulation = 'esp' | 'udp';

export type DecapResult =
  | {
      readonly ok: true;
      /**
       * The inner packet. It shares memory with the decrypted buffer, or with
       * the input for NULL, and with the native module also for the CBC
       * ciphers: that decrypts in place, so the input holds plaintext after
       * a successful call (an ICV failure leaves it untouched).
       */
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
  /**
   * How the SA was negotiated (default 'esp': tunnel mode as IP protocol 50;
   * 'udp': UDP-encapsulated tunnel, RFC 3948). A packet that arrives the
   * other way is dropped before anything else and counted as a receive
   * error: the peer agreed on one encapsulation, not both.
   */
  readonly encapsulation?: EspEncapsulation;
}

/** The receiving side of one SA. */
export class EspInboundSa extends EspSaBase {
  /** Undefined when replay detection is off or there is no integrity (RFC 4303 section 3.4.3). */
  readonly replay: ReplayWindow | undefined;
  /** How ESP for this SA must arrive. */
  readonly encapsulation: EspEncapsulation;
  /** The SA's long-lived CBC decryptor (see the top of this file); undefined for NULL. */
  private readonly chain: Decipher | undefined;

  constructor(cfg: EspSaConfig, opts: InboundOptions = {}) {
    super(cfg, false);
    const size = opts.replayWindow ?? DEFAULT_REPLAY_WINDOW;
    this.encapsulation = opts.encapsulation ?? 'esp';
    this.replay = size > 0 && this.integrity.icvSize > 0 ? new ReplayWindow(size) : undefined;
    // with the native module the decryptor lives there
    this.chain = this.cbcKey && !this.native ? createCbcDecryptor(this.cbcKey, Buffer.alloc(this.cipher.ivSize)) : undefined;
  }

  private fail(reason: DecapFailure, sequence?: number, replay?: Exclude<ReplayVerdict, 'ok'>): DecapResult {
    if (reason === 'replay') this.counters.replayFailures++;
    else if (reason === 'auth-failed') this.counters.authFailures++;
    else this.counters.recvErrors++;
    return { ok: false, reason, sequence, replay };
  }

  /** Check, verify, decrypt and unpad one ESP packet (the IP or UDP payload, as `arrived` says). */
  decapsulate(packet: Buffer, arrived: EspEncapsulation = 'esp'): DecapResult {
    if (arrived !== this.encapsulation) return this.fail('wrong-encapsulation');
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
    const minEnc = this.cipher.cbc ? this.cipher.padBlock : 2;
    if (encLen < minEnc) return this.fail('truncated', seq);
    if (this.cipher.cbc && encLen % this.cipher.padBlock !== 0) return this.fail('bad-length', seq);

    const icvAt = start + encLen;
    // The plaintext is plain[from, from + encLen).
    let plain: Buffer;
    let from: number;
    if (this.native) {
      // verify, then (only if the ICV holds) IV | ciphertext decrypted in place: the packet's own
      // buffer now holds the plaintext; the first block (the IV's) is garbage and skipped
      if (!this.native.esp.open(this.native.sa, packet, icvAt, icvSize, ESP_HEADER_SIZE, this.cipher.cbc ? icvAt : ESP_HEADER_SIZE)) {
        return this.fail('auth-failed', seq);
      }
      if (this.mac) this.counters.verify++;
      if (this.cipher.cbc) this.counters.decrypt++;
      plain = packet;
      from = start;
    } else {
      if (this.mac) {
        if (!this.mac.verify(packet, icvAt, packet.subarray(icvAt))) return this.fail('auth-failed', seq);
        this.counters.verify++;
      }
      if (this.chain) {
        // IV | ciphertext through the long-lived context; the first block (D_K(IV) xor stale state) is dropped.
        plain = this.chain.update(packet.subarray(ESP_HEADER_SIZE, icvAt));
        from = ivSize;
        this.counters.decrypt++;
      } else {
        plain = packet;
        from = start;
      }
    }
    const end = from + encLen;

    const padLen = plain[end - 2];
    const nextHeader = plain[end - 1];
    const innerLen = encLen - 2 - padLen;
    if (innerLen < 0) return this.fail('bad-padding', seq);
    const padAt = from + innerLen;
    for (let i = 0; i < padLen; i++) {
      if (plain[padAt + i] !== ((i + 1) & 0xff)) return this.fail('bad-padding', seq);
    }

    this.replay?.mark(seq);
    this.counters.decaps++;
    this.counters.packets++;
    this.counters.bytes += innerLen;
    return { ok: true, inner: plain.subarray(from, padAt), nextHeader, sequence: seq };
  }
}
