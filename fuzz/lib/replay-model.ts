/**
 * RFC 4303 section 3.4.3, written plainly as the reference the ESP target
 * holds the router's anti-replay window to: the highest sequence number
 * accepted, and the set of accepted numbers within the window. A number is
 * refused when it is 0 (the first packet carries 1), at or below
 * highest - size, or accepted before; the window moves only when a packet
 * is accepted (after its ICV verified). A Set and no bit tricks, so it
 * shares nothing with src/agent/esp/replay.ts.
 */
export class ReplayModel {
  highest = 0;
  private readonly accepted = new Set<number>();

  constructor(readonly size: number) {}

  /** Whether a packet with `seq` passes the window. */
  passes(seq: number): boolean {
    if (seq === 0) return false;
    if (seq > this.highest) return true;
    if (this.highest - seq >= this.size) return false;
    return !this.accepted.has(seq);
  }

  /** A packet with `seq` was accepted. */
  accept(seq: number): void {
    if (seq > this.highest) {
      this.highest = seq;
      for (const s of this.accepted) if (this.highest - s >= this.size) this.accepted.delete(s);
    }
    this.accepted.add(seq);
  }
}
