/**
 * The engine's timers: one deadline per key (an ISAKMP SA's tasks, a TED
 * probe, an IPsec pair, a purge line), kept in a binary min-heap so that the
 * next deadline is read in constant time and what is due is taken out in
 * O(log n) each, however many peers the router has. A key that gets a new
 * deadline leaves its old heap entry behind as stale; stale entries are
 * skipped when they come to the top, and the heap is rebuilt when they
 * outnumber the live ones, so it never grows beyond twice the keys.
 */

interface Entry {
  readonly at: number;
  readonly key: string;
}

export class Agenda {
  private heap: Entry[] = [];
  private readonly current = new Map<string, number>();

  /** Number of keys with a deadline. */
  get size(): number {
    return this.current.size;
  }

  /** Sets (or, with null, clears) the deadline of `key`. */
  set(key: string, at: number | null): void {
    if (at === null) {
      this.current.delete(key);
      return;
    }
    if (this.current.get(key) === at) return;
    this.current.set(key, at);
    this.push({ at, key });
    if (this.heap.length > 2 * this.current.size + 64) this.rebuild();
  }

  delete(key: string): void {
    this.current.delete(key);
  }

  /** The earliest deadline, or null. */
  peek(): number | null {
    this.dropStale();
    return this.heap[0]?.at ?? null;
  }

  /** Takes out every key due at `now` (deadline <= now), earliest first. */
  takeDue(now: number): string[] {
    const due: string[] = [];
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
    for (let top = this.heap[0]; top && this.current.get(top.key) !== top.at; top = this.heap[0]) this.pop();
  }

  private rebuild(): void {
    this.heap = [];
    for (const [key, at] of this.current) this.push({ at, key });
  }

  private push(e: Entry): void {
    const h = this.heap;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const parent = (i - 1) >> 1;
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
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && h[r]!.at < h[l]!.at ? r : l;
      if (h[c]!.at >= last.at) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
}
