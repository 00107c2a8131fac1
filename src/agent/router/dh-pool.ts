/**
 * Diffie-Hellman key pairs computed ahead of time, so a negotiation does
 * not wait for a modular exponentiation of its own: each pair is used once,
 * and the pool refills itself a little later, once the negotiation that
 * took a pair is over (refilling right away would put the exponentiation
 * back on the path of the negotiation's next message). A pool that nothing
 * has taken from for that long (right after boot or a new configuration)
 * fills at once, one pair per turn of the event loop. Groups are learnt
 * from use (the first pair of a group is made on the spot) and from the
 * configuration (prime()).
 *
 * For benchmarks only (`ios --dh-pool fresh`, never an IOS command), the
 * pool can be switched off: every exchange then makes its key pair on the
 * spot, as an implementation without a pool does. The pool also says since
 * when it has had nothing left to do (`idleSince`), so bench:up can tell
 * when a router's background work after boot is over.
 */
import { randomBytes } from 'node:crypto';
import { dhGroupById, generateDhKeyPair, type DhGroup, type DhKeyPair } from '../crypto/dh.js';

/** pooled: pairs made ahead of time (the router's behaviour); fresh: a new pair per exchange, no pool. */
export type DhPoolMode = 'pooled' | 'fresh';

export interface DhPoolStatus {
  readonly mode: DhPoolMode;
  readonly depth: number;
  /** Pairs ready per group id. */
  readonly ready: Readonly<Record<string, number>>;
  /** Pairs handed out that were ready in advance (hits), made on the spot while pooling (misses), made on the spot because the pool is off (fresh). */
  readonly hits: number;
  readonly misses: number;
  readonly fresh: number;
  /** Since when (ms since the epoch) the pool has had no refill left to do: every group full, or the pool off; null while refilling. */
  readonly idleSince: number | null;
}

export class DhPool {
  private readonly ready = new Map<number, DhKeyPair[]>();
  private timer: NodeJS.Timeout | undefined;
  private mode: DhPoolMode = 'pooled';
  private idleAt: number | null;
  /** When a negotiation last took a pair (ms, this.now()); null: never. */
  private lastTakeAt: number | null = null;
  /** Pairs handed out that were ready in advance, made on the spot while pooling, and made because the pool is off. */
  readonly stats = { hits: 0, misses: 0, fresh: 0 };

  constructor(
    private readonly depth = 4,
    private readonly quietMs = 150,
    private readonly now: () => number = Date.now,
  ) {
    this.idleAt = now();
  }

  /** Start keeping pairs for these groups (from the ISAKMP policies and PFS settings). */
  prime(groupIds: Iterable<number>): void {
    for (const id of groupIds) if (!this.ready.has(id)) this.ready.set(id, []);
    this.refillSoon();
  }

  take = (group: DhGroup): DhKeyPair => {
    if (this.mode === 'fresh') {
      this.stats.fresh++;
      return make(group);
    }
    this.lastTakeAt = this.now();
    const list = this.ready.get(group.id);
    const pair = list?.shift();
    if (!list) this.ready.set(group.id, []);
    this.refillSoon();
    if (pair) {
      this.stats.hits++;
      return pair;
    }
    this.stats.misses++;
    return make(group);
  };

  /** Switch the pool on (pooled, refilled from now on) or off (fresh: pairs dropped, each exchange makes its own). */
  setMode(mode: DhPoolMode): void {
    if (mode === this.mode) return;
    this.mode = mode;
    if (mode === 'fresh') {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      for (const list of this.ready.values()) list.length = 0;
      this.idleAt = this.now();
    } else this.refillSoon();
  }

  status(): DhPoolStatus {
    return {
      mode: this.mode,
      depth: this.depth,
      ready: Object.fromEntries([...this.ready].map(([id, list]) => [String(id), list.length])),
      ...this.stats,
      idleSince: this.idleAt,
    };
  }

  private full(): boolean {
    return [...this.ready.values()].every((list) => list.length >= this.depth);
  }

  /**
   * Refill once things have been quiet for a moment since a negotiation last took a pair (at once when none
   * has); one pair per timer, so packets never wait long behind one.
   */
  private refillSoon(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.mode === 'fresh') return;
    if (this.full()) {
      this.idleAt ??= this.now();
      return;
    }
    this.idleAt = null;
    const wait = this.lastTakeAt === null ? 0 : Math.max(0, this.lastTakeAt + this.quietMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const [id, list] of this.ready) {
        if (list.length < this.depth) {
          list.push(make(dhGroupById(id)));
          break;
        }
      }
      this.refillSoon();
    }, wait);
    this.timer.unref();
  }
}

function make(group: DhGroup): DhKeyPair {
  const priv = randomBytes(32);
  priv[0] = (priv[0]! & 0x7f) | 0x40;
  return generateDhKeyPair(group, priv);
}
