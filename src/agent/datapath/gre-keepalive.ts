/**
 * The GRE keepalive state machine of one tunnel (IOS's GRE Tunnel Keepalive,
 * 12.2(8)T). Pure: time is passed in.
 *
 * Every `period` seconds the router sends a keepalive and counts it; an
 * answer sets the count back to zero. When a keepalive is due and `retries`
 * of them are still unanswered, the line protocol goes down (30 seconds with
 * the default 10 s and 3 retries); keepalives go on while it is down, and the
 * first answer brings it back up (Cisco, "How GRE Keepalives Work", document
 * 63760; research notes, section 3). The count stops at retries + 1, so
 * nothing grows while the far end is gone.
 */
import type { TunnelKeepalive } from '../../ios/config/types.js';

export interface KeepaliveStep {
  /** Send a keepalive now. */
  send: boolean;
  /** The line protocol went down at this step. */
  wentDown: boolean;
}

export class GreKeepalive {
  /** Keepalives sent and not answered yet. */
  private unanswered = 0;
  private isDown = false;
  private next: number;

  constructor(
    private settings: TunnelKeepalive,
    now: number,
  ) {
    this.next = now;
  }

  get down(): boolean {
    return this.isDown;
  }

  get outstanding(): number {
    return this.unanswered;
  }

  /** When tick has work next (ms). */
  deadline(): number {
    return this.next;
  }

  /** New period or retries: the count and the state stay; the next keepalive is at most a period away. */
  reconfigure(settings: TunnelKeepalive, now: number): void {
    this.settings = settings;
    this.next = Math.min(this.next, now + settings.period * 1000);
  }

  tick(now: number): KeepaliveStep {
    if (now < this.next) return { send: false, wentDown: false };
    this.next = now + this.settings.period * 1000;
    let wentDown = false;
    if (this.unanswered >= this.settings.retries && !this.isDown) {
      this.isDown = true;
      wentDown = true;
    }
    this.unanswered = Math.min(this.unanswered + 1, this.settings.retries + 1);
    return { send: true, wentDown };
  }

  /** An answer arrived. Returns true when it brings the line protocol back up. */
  answered(): boolean {
    this.unanswered = 0;
    if (!this.isDown) return false;
    this.isDown = false;
    return true;
  }
}
