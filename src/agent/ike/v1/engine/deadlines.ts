/**
 * A min-heap of deadlines by key with lazy invalidation, so that finding
 * the engine's next deadline and the SAs due at a tick costs O(log n), not a
 * walk over every SA. The owner calls `set` whenever a key's deadline may
 * have changed; an entry whose deadline is no longer current is dropped when
 * it reaches the top. `visits` counts the entries examined at the top and
 * `siftSteps` the heap's O(log n) moves (the unit tests count work instead
 * of timing it).
 */

interface Entry<K> {
  readonly at: number;
  readonly key: K;
}

export class DeadlineQueue<K> {
  private heap: Entry<K>[] = [];
  private readonly current = new Map<K, number>();
  /** Entries examined at the top (each one a current deadline or a stale one dropped). */
  visits = 0;
  /** Levels moved while sifting (push and pop). */
  siftSteps = 0;

  /** Keys with a deadline. */
  get size(): number {
    return this.current.size;
  }

  /** The key's deadline is now `at` (null: none). */
  set(key: K, at: number | null): void {
    if (at === null) {
      this.current.delete(key);
      return;
    }
    if (this.current.get(key) === at) return;
    this.current.set(key, at);
    this.push({ at, key });
    // stale entries pile up when deadlines move often: rebuild now and then (amortised O(1) per set)
    if (this.heap.length > 2 * this.current.size + 64) this.rebuild();
  }

  delete(key: K): void {
    this.current.delete(key);
  }

  /** The earliest deadline, or null. */
  peek(): number | null {
    this.dropStale();
    return this.heap[0]?.at ?? null;
  }

  /** The keys due at `now`, earliest first; they leave the queue (the owner sets them again). */
  takeDue(now: number): K[] {
    const due: K[] = [];
    for (;;) {
      this.dropStale();
      const top = this.heap[0];
      if (!top || top.at > now) return due;
      this.pop();
      this.current.delete(top.key);
      due.push(top.key);
    }
  }

  private dropStale(): void {
    for (;;) {
      const top = this.heap[0];
      if (!top) return;
      this.visits++;
      if (this.current.get(top.key) === top.at) return;
      this.pop();
    }
  }

  private rebuild(): void {
    this.heap = [];
    for (const [key, at] of this.current) this.push({ at, key });
  }

  private push(e: Entry<K>): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      this.siftSteps++;
      if (h[parent]!.at <= e.at) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = e;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      let best = last.at;
      if (l < h.length && h[l]!.at < best) {
        m = l;
        best = h[l]!.at;
      }
      if (r < h.length && h[r]!.at < best) m = r;
      this.siftSteps++;
      if (m === i) break;
      h[i] = h[m]!;
      i = m;
    }
    h[i] = last;
  }
}
