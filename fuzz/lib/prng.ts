/**
 * The fuzzer's one source of randomness: a seeded PRNG (sfc32, seeded
 * through splitmix32), so the same seed and index always give the same
 * input. Input `i` of a run draws from `Rng.forInput(seed, i)` alone, and an
 * instance of a stateful target from `Rng.forInstance(seed, start)`: an input
 * can be made again without making the ones before it.
 */
import { Buffer } from 'node:buffer';

/** splitmix32: spreads a 32-bit state into well-mixed words (seeding only). */
function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Mixes a seed with a stream name and a number into one 32-bit seed. */
export function mixSeed(seed: number, stream: string, n: number): number {
  let h = (seed ^ 0x811c9dc5) >>> 0;
  for (const c of `${stream}:${n}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  const sm = splitmix32(h ^ Math.imul(n >>> 0, 0x9e3779b1));
  return (sm() ^ Math.imul(Math.floor(n / 0x100000000), 0x85ebca6b)) >>> 0;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    const sm = splitmix32(seed);
    this.a = sm();
    this.b = sm();
    this.c = sm();
    this.d = sm() | 1;
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** The generator of input `index` of a run with `seed`. */
  static forInput(seed: number, index: number): Rng {
    return new Rng(mixSeed(seed, 'input', index));
  }

  /** The generator of the instance of a stateful target that starts at input `start`. */
  static forInstance(seed: number, start: number): Rng {
    return new Rng(mixSeed(seed, 'instance', start));
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** An integer in [0, n) (n >= 1). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(items.length)]!;
  }

  /** One of `choices` with probability proportional to its weight. */
  weighted<T>(choices: readonly (readonly [number, T])[]): T {
    let total = 0;
    for (const [w] of choices) total += w;
    let x = this.float() * total;
    for (const [w, v] of choices) {
      x -= w;
      if (x < 0) return v;
    }
    return choices[choices.length - 1]![1];
  }

  bytes(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let i = 0;
    for (; i + 4 <= n; i += 4) out.writeUInt32LE(this.u32(), i);
    if (i < n) {
      const last = this.u32();
      for (let k = 0; i < n; i++, k++) out[i] = (last >>> (8 * k)) & 0xff;
    }
    return out;
  }

  /** A RandomSource (n -> n bytes) drawing from this generator: the engines' and datapaths' randomness. */
  source(): (n: number) => Buffer {
    return (n: number) => this.bytes(n);
  }

  /** A new generator split off this one (its own stream). */
  fork(): Rng {
    return new Rng(this.u32() ^ Math.imul(this.u32(), 0x9e3779b1));
  }
}
