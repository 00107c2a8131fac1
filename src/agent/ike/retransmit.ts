/**
 * Retransmission and the other timer constants of the engine, in one place.
 *
 * IOS 12.2 resends the last message of an exchange when no answer came in
 * time ("retransmitting phase 1 MM_KEY_EXCH..."), up to 5 times, then deletes
 * the SA ("death by retransmission P1 sa"). IOS 12.2 captures show the resends
 * 10 s apart (a responder receives the initiator's duplicate 10 s after its
 * answer), so the default is a constant 10 s; `backoff` lets a test or a
 * driver choose an exponential schedule instead. A message that went out
 * again as the answer to the peer's duplicate resets the timer: the timer's
 * own resend is skipped ("retransmission skipped for phase 1 (time since last
 * transmission N)"). What was found and what was inferred:
 * docs/research/ios-12.2-notes.md, section 4.
 */
import type { Buffer } from 'node:buffer';
import type { Endpoint } from './types.js';

export interface RetransmitPolicy {
  /** Delay before the first resend. */
  readonly intervalMs: number;
  /** Resends before giving up (IOS: 5). */
  readonly maxRetransmits: number;
  /** Each next delay is the previous one times this (1 = constant). */
  readonly backoff: number;
  /** Upper bound of one delay. */
  readonly maxIntervalMs: number;
}

/** Every timer of the engine; {@link IOS_TIMERS} holds the IOS-like defaults. */
export interface IkeTimers {
  readonly phase1: RetransmitPolicy;
  readonly phase2: RetransmitPolicy;
  /** TED probes (PEER_DISCOVERY). */
  readonly probe: RetransmitPolicy;
  /** How long a finished Quick Mode is kept to answer duplicates of its last message. */
  readonly nodeLingerMs: number;
  /** Delay between "deleting SA" and "purging SA" (the seed: about 1 s). */
  readonly purgeDelayMs: number;
  /**
   * IPsec rekey: a new SA is negotiated this long before the seconds lifetime
   * ends (Cisco: "30 seconds before the seconds lifetime expires").
   */
  readonly rekeyBeforeMs: number;
  /** ... or when this fraction of the kilobytes lifetime was used (Cisco: 90 percent). */
  readonly rekeyVolumeFraction: number;
  /** After a rekey, the old pair is deleted this long after the new one is installed (at most at its own expiry). */
  readonly oldSaGraceMs: number;
  /** DPD: unanswered R-U-THERE messages (sent `retry` seconds apart) before the peer is declared dead (IOS: 5). */
  readonly dpdRetries: number;
  /**
   * How many times the very same encrypted phase-1 message may fail to
   * decrypt or authenticate before the SA fails with AUTHENTICATION-FAILED.
   * A corrupted packet fails once (its retransmission is intact) and forged
   * garbage never repeats, but with a wrong pre-shared key the peer's
   * retransmissions of one message keep failing.
   */
  readonly badMessageRepeats: number;
  /**
   * The first resend of the Quick Mode an Aggressive Mode initiator starts
   * with its message 3. AM3 gets no answer, and a peer that handles its
   * datagrams on several threads (strongSwan) may take up QM1, sent right
   * after it, before AM3 and drop it: QM1 then goes again after this delay
   * rather than a whole phase-2 interval. The later resends keep the
   * phase-2 schedule.
   */
  readonly quickAfterAggressiveMs: number;
}

export const IOS_RETRANSMIT: RetransmitPolicy = { intervalMs: 10_000, maxRetransmits: 5, backoff: 1, maxIntervalMs: 60_000 };

export const IOS_TIMERS: IkeTimers = {
  phase1: IOS_RETRANSMIT,
  phase2: IOS_RETRANSMIT,
  probe: { intervalMs: 10_000, maxRetransmits: 2, backoff: 1, maxIntervalMs: 60_000 },
  nodeLingerMs: 60_000,
  purgeDelayMs: 1_000,
  rekeyBeforeMs: 30_000,
  rekeyVolumeFraction: 0.9,
  oldSaGraceMs: 10_000,
  dpdRetries: 5,
  badMessageRepeats: 2,
  quickAfterAggressiveMs: 1_000,
};

/** One message as it goes on the wire (already framed for port 4500 when needed). */
export interface WireMessage {
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly payload: Buffer;
}

/**
 * The last message(s) sent in one exchange, waiting for an answer. The
 * owner calls `due(now)` from its tick; `fire(now)` counts a resend and
 * schedules the next one; `exhausted` says when to give up.
 */
export class Retransmitter {
  private count = 0;
  private delay: number;
  nextAt: number;
  /** When these messages last went out (first send, a resend, or an answer to the peer's duplicate). */
  lastSentAt: number;

  /** The first timeout is `firstDelayMs` instead of the policy's interval (the schedule resumes after it). */
  private early: boolean;

  constructor(
    readonly policy: RetransmitPolicy,
    now: number,
    readonly messages: readonly WireMessage[],
    firstDelayMs?: number,
  ) {
    this.delay = firstDelayMs !== undefined && firstDelayMs < policy.intervalMs ? firstDelayMs : policy.intervalMs;
    this.early = this.delay < policy.intervalMs;
    this.nextAt = now + this.delay;
    this.lastSentAt = now;
  }

  /** Whether `sent` is (one of) the messages this retransmitter resends. */
  holds(sent: readonly WireMessage[]): boolean {
    return sent.some((w) => this.messages.some((m) => m.payload.equals(w.payload)));
  }

  /**
   * The same messages went out as the answer to the peer's duplicate: the
   * timer then skips its resend when it fires less than one interval later
   * (IOS: "retransmission skipped for phase 1 (time since last transmission N)").
   */
  sentAgain(now: number): void {
    this.lastSentAt = now;
  }

  /** Milliseconds since the last transmission when the timer's resend is to be skipped, else null. */
  skip(now: number): number | null {
    const since = now - this.lastSentAt;
    return since < this.delay ? since : null;
  }

  /** Brings the next timeout forward to `delayMs` from now when it is later (the schedule resumes after it). */
  soon(now: number, delayMs: number): void {
    if (now + delayMs >= this.nextAt) return;
    this.nextAt = now + delayMs;
    this.delay = delayMs;
    this.early = true;
  }

  /** Pushes the timeout back to one delay after the last transmission, without counting a resend. */
  postpone(): void {
    this.nextAt = this.lastSentAt + this.delay;
  }

  /** Resends so far. */
  get retransmits(): number {
    return this.count;
  }

  due(now: number): boolean {
    return now >= this.nextAt;
  }

  /** True when the resends are used up: the next timeout ends the exchange. */
  get exhausted(): boolean {
    return this.count >= this.policy.maxRetransmits;
  }

  /** Counts one resend and schedules the next timeout. */
  fire(now: number): void {
    this.count++;
    this.delay = this.early ? this.policy.intervalMs : Math.min(this.policy.maxIntervalMs, Math.round(this.delay * this.policy.backoff));
    this.early = false;
    this.nextAt = now + this.delay;
    this.lastSentAt = now;
  }
}
