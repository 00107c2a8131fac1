/**
 * Keeps the agent's JavaScript heap from holding garbage for hours. V8 runs
 * a full collection of its old space only when the space reaches a limit it
 * sets at the previous one; a router that carries a steady trickle of
 * traffic (a ping a second, a rekey every few minutes) fills that space so
 * slowly that the limit is not reached for hours, and the garbage stays
 * resident in the meantime: the soak saw the agents' RSS rise 2-4 MB an hour
 * with no full collection after the tenth minute, all of it dead objects in
 * old space (docs/benchmarks.md, "Where the memory sits").
 *
 * So every half minute the keeper looks at old space: when it has grown by
 * more than a megabyte since the last full collection (the keeper's own or
 * V8's), and no negotiation is running, it asks V8 for one. That costs a few
 * milliseconds on the agent's heap of about 10 MB, at most once per look; a
 * busy router, whose garbage makes V8 collect by itself, is left alone.
 *
 * The decision is a pure function of what the keeper is shown; the timer and
 * V8 are at the edge (`start`, and the `gc` and `oldSpaceUsed` it is given).
 */

import type { HeapKeeperStatus } from '../io/memory.js';

/** How often the keeper looks. */
export const KEEPER_INTERVAL_MS = 30_000;
/** Old space grown by this much since the last full collection: collect. */
export const KEEPER_GROWTH_BYTES = 1024 * 1024;

export interface KeeperState {
  /** Old space used right after the last full collection seen (bytes); null before the first look. */
  readonly base: number | null;
}

/** grown: old space grew by the threshold since the base; collect: grown and no negotiation running. */
export type KeeperDecision = { readonly collect: boolean; readonly grown: boolean; readonly base: number };

/**
 * Whether to collect now, and the new base: old space used never falls but by a full collection, so a fall
 * below the base is V8's own collection, and the lower figure becomes the base.
 */
export function keeperDecision(state: KeeperState, oldUsed: number, busy: boolean, growth = KEEPER_GROWTH_BYTES): KeeperDecision {
  const base = state.base === null ? oldUsed : Math.min(state.base, oldUsed);
  const grown = oldUsed - base >= growth;
  return { collect: grown && !busy, grown, base };
}

export class HeapKeeper {
  private state: KeeperState = { base: null };
  private timer: NodeJS.Timeout | undefined;
  private counts = { collections: 0, deferred: 0 };
  private last: { at: number; before: number; after: number } | null = null;

  constructor(
    private readonly opts: {
      /** A full collection of V8's heap (src/agent/io/memory.ts exposeGc). */
      readonly gc: () => void;
      /** After each collection: give malloc's free pages back to the system (malloc_trim), when the image has the module. */
      readonly trim?: () => void;
      /** Old space used, bytes. */
      readonly oldSpaceUsed: () => number;
      /** A negotiation is running: the collection waits for the next look. */
      readonly busy: () => boolean;
      readonly now?: () => number;
      readonly intervalMs?: number;
      readonly growthBytes?: number;
    },
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.look(), this.opts.intervalMs ?? KEEPER_INTERVAL_MS);
    this.timer.unref();
  }

  /**
   * Once, when the boot's background work is over (warm-up done, DH pool
   * full): collect the boot's garbage (the bundle's source as it was read,
   * the code cache's buffer, the warm-up's engines) unless a negotiation is
   * running, in which case the regular looks will see it. A router is
   * measured at idle from then on.
   */
  afterBoot(): void {
    if (!this.opts.busy()) this.collect(this.opts.oldSpaceUsed());
  }

  /** One look: collect if the heap grew enough and the router is not negotiating. */
  look(): void {
    const before = this.opts.oldSpaceUsed();
    const d = keeperDecision(this.state, before, this.opts.busy(), this.opts.growthBytes);
    if (!d.collect) {
      if (d.grown) this.counts.deferred++;
      this.state = { base: d.base };
      return;
    }
    this.collect(before);
  }

  private collect(before: number): void {
    this.opts.gc();
    // the Buffers the collection freed went back to malloc, which keeps the pages unless asked
    this.opts.trim?.();
    const after = this.opts.oldSpaceUsed();
    this.counts.collections++;
    this.last = { at: (this.opts.now ?? Date.now)(), before, after };
    this.state = { base: after };
  }

  status(): HeapKeeperStatus {
    return {
      collections: this.counts.collections,
      deferred: this.counts.deferred,
      lastAt: this.last?.at ?? null,
      lastBefore: this.last?.before ?? null,
      lastAfter: this.last?.after ?? null,
    };
  }
}
