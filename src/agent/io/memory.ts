/**
 * The agent's own memory, for the soak (`npm run soak`), not IOS: what
 * `process.memoryUsage()` and V8's heap spaces say, and on request a heap
 * snapshot written to a file in the container (V8's own format, the one
 * Chrome DevTools reads), so that two snapshots can be compared by
 * constructor. Writing a snapshot stops the agent for as long as V8 takes to
 * walk the heap (about a second for the agent's 10-20 MB), and leaves tens
 * of MB in malloc's arena. What malloc holds (in use, free) comes from the
 * image's malloc.node (images/router2600/addon/malloc.c, glibc's mallinfo2),
 * which can also trim malloc's free pages (malloc_trim): what of the RSS was
 * free memory malloc kept.
 */
import { existsSync } from 'node:fs';
import { loadAddon } from './addon.js';
import { join } from 'node:path';
import { getHeapSpaceStatistics, setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** glibc's malloc, summed over its arenas (bytes): see malloc.c. */
export interface MallocStats {
  arena: number;
  inUse: number;
  free: number;
  mmapped: number;
  releasable: number;
}
export interface NativeMalloc {
  stats(): MallocStats;
  trim(): boolean;
}

export const MALLOC_ADDON_PATH = '/opt/testbed/addon/malloc.node';

/** The module at `path` (TESTBED_MALLOC_ADDON, else the image's), or undefined when it is missing or does not load. */
export function loadNativeMalloc(path = process.env.TESTBED_MALLOC_ADDON ?? MALLOC_ADDON_PATH): NativeMalloc | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return loadAddon<NativeMalloc>(path);
  } catch {
    return undefined;
  }
}

export interface AgentMemory {
  /** process.memoryUsage(), bytes. */
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** V8's heap spaces (new, old, code, large object, ...): committed size and used, bytes. */
  spaces: { name: string; size: number; used: number }[];
  /** glibc's malloc (malloc.node), null where the module is missing. */
  malloc: MallocStats | null;
  /** The heap snapshot's path in the container, when one was asked for. */
  snapshot?: string;
  /** When a trim was asked for: whether malloc_trim released memory (the figures are after it). */
  trimmed?: boolean;
  /** The router's heap keeper (src/agent/router/heap-keeper.ts): the full collections it asked for. */
  keeper?: HeapKeeperStatus;
}

export interface HeapKeeperStatus {
  /** Full collections the keeper asked for. */
  readonly collections: number;
  /** When the last one was asked for (ms since the epoch); null: never. */
  readonly lastAt: number | null;
  /** Old space used before and after the last one (bytes). */
  readonly lastBefore: number | null;
  readonly lastAfter: number | null;
  /** Looks that found the heap grown enough but a negotiation running, so waited for the next. */
  readonly deferred: number;
}

/** Old space used (bytes): V8's old space, where long-lived objects and their garbage sit. */
export function oldSpaceUsed(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')?.space_used_size ?? 0;
}

/**
 * A full garbage collection of V8's heap, for a process started without --expose-gc: the flag is set now, and
 * the gc function it exposes is taken from a new context (it collects the whole isolate, not that context only).
 */
export function exposeGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === 'function') return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

export const SNAPSHOT_DIR = '/tmp';

export function agentMemory(opts: { snapshot?: boolean; trim?: boolean; dir?: string; malloc?: NativeMalloc } = {}): AgentMemory {
  // the snapshot first: V8 collects garbage before it walks the heap, so the figures after it are of live objects
  const file = opts.snapshot ? writeHeapSnapshot(join(opts.dir ?? SNAPSHOT_DIR, `testbed-agent-${process.pid}-${Date.now()}.heapsnapshot`)) : undefined;
  const malloc = opts.malloc ?? loadNativeMalloc();
  const trimmed = opts.trim && malloc ? malloc.trim() : undefined;
  const m = process.memoryUsage();
  return {
    rss: m.rss,
    heapTotal: m.heapTotal,
    heapUsed: m.heapUsed,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
    spaces: getHeapSpaceStatistics().map((s) => ({ name: s.space_name, size: s.space_size, used: s.space_used_size })),
    malloc: malloc?.stats() ?? null,
    ...(file ? { snapshot: file } : {}),
    ...(trimmed !== undefined ? { trimmed } : {}),
  };
}
