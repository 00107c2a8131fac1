/**
 * Diffie-Hellman key pairs computed ahead of time, so a negotiation does
 * not wait for a modular exponentiation of its own: each pair is used once,
 * and the pool refills itself a little later, once the negotiation that
 * took a pair is over (refilling right away would put the exponentiation
 * back on the path of the negotiation's next message). Groups are learnt
 * from use (the first pair of a group is made on the spot) and from the
 * configuration (prime()).
 */
import { randomBytes } from 'node:crypto';
import { dhGroupById, generateDhKeyPair, type DhGroup, type DhKeyPair } from '../crypto/dh.js';

export class DhPool {
  private readonly ready = new Map<number, DhKeyPair[]>();
  private timer: NodeJS.Timeout | undefined;
  /** Pairs handed out that were ready in advance, and those made on the spot. */
  readonly stats = { hits: 0, misses: 0 };

  constructor(
    private readonly depth = 4,
    private readonly quietMs = 150,
  ) {}

  /** Start keeping pairs for these groups (from the ISAKMP policies and PFS settings). */
  prime(groupIds: Iterable<number>): void {
    for (const id of groupIds) if (!this.ready.has(id)) this.ready.set(id, []);
    this.refillSoon();
  }

  take = (group: DhGroup): DhKeyPair => {
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

  /** Refill once things have been quiet for a moment; one pair per timer, so packets never wait long behind one. */
  private refillSoon(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const [id, list] of this.ready) {
        if (list.length < this.depth) {
          list.push(make(dhGroupById(id)));
          this.refillSoon();
          return;
        }
      }
    }, this.quietMs);
    this.timer.unref();
  }
}

function make(group: DhGroup): DhKeyPair {
  const priv = randomBytes(32);
  priv[0] = (priv[0]! & 0x7f) | 0x40;
  return generateDhKeyPair(group, priv);
}
