/**
 * RFC 4303 section 3.4.3 anti-replay window (32-bit sequence numbers, no ESN).
 * `check` says whether a sequence number may be accepted; `mark` records it
 * and is called only after the ICV verified, so forged packets cannot move
 * the window.
 */
import { EspConfigError } from './errors.js';

export type ReplayVerdict = 'ok' | 'zero' | 'duplicate' | 'too-old';

export const DEFAULT_REPLAY_WINDOW = 64;
export const MAX_REPLAY_WINDOW = 4096;

export class ReplayWindow {
  readonly size: number;
  /** Bit i records sequence numbers congruent to i modulo capacity. */
  private readonly bits: Uint32Array;
  private readonly capacity: number;
  private top = 0;

  constructor(size: number = DEFAULT_REPLAY_WINDOW) {
    if (!Number.isInteger(size) || size < 1 || size > MAX_REPLAY_WINDOW) {
      throw new EspConfigError(`replay window size must be 1..${MAX_REPLAY_WINDOW}, got ${size}`);
    }
    this.size = size;
    this.bits = new Uint32Array(Math.ceil(size / 32));
    this.capacity = this.bits.length * 32;
  }

  /** Highest sequence number marked so far (0 before the first packet). */
  get highest(): number {
    return this.top;
  }

  check(seq: number): ReplayVerdict {
    if (seq === 0) return 'zero';
    if (seq > this.top) return 'ok';
    if (this.top - seq >= this.size) return 'too-old';
    return this.isSet(seq) ? 'duplicate' : 'ok';
  }

  /** Record `seq` (which passed `check` and whose ICV verified), sliding the window if needed. */
  mark(seq: number): void {
    if (seq === 0) return;
    if (seq > this.top) {
      const advance = seq - this.top;
      if (advance >= this.capacity) this.bits.fill(0);
      else for (let s = this.top + 1; s < seq; s++) this.clear(s);
      this.top = seq;
    } else if (this.top - seq >= this.size) {
      return;
    }
    const i = seq % this.capacity;
    this.bits[i >>> 5] |= 1 << (i & 31);
  }

  private isSet(seq: number): boolean {
    const i = seq % this.capacity;
    return (this.bits[i >>> 5] & (1 << (i & 31))) !== 0;
  }

  private clear(seq: number): void {
    const i = seq % this.capacity;
    this.bits[i >>> 5] &= ~(1 << (i & 31));
  }
}
