/**
 * The agent's own memory, for the soak (`npm run soak`), not IOS: what
 * `process.memoryUsage()` and V8's heap spaces say, and on request a heap
 * snapshot written to a file in the container (V8's own format, the one
 * Chrome DevTools reads), so that two snapshots can be compared by
 * constructor. Writing a snapshot stops the agent for as long as V8 takes to
 * walk the heap (about a second for the agent's 10-20 MB).
 */
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { join } from 'node:path';

export interface AgentMemory {
  /** process.memoryUsage(), bytes. */
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** V8's heap spaces (new, old, code, large object, ...): committed size and used, bytes. */
  spaces: { name: string; size: number; used: number }[];
  /** The heap snapshot's path in the container, when one was asked for. */
  snapshot?: string;
}

export const SNAPSHOT_DIR = '/tmp';

export function agentMemory(snapshot = false, dir = SNAPSHOT_DIR): AgentMemory {
  // the snapshot first: V8 collects garbage before it walks the heap, so the figures after it are of live objects
  const file = snapshot ? writeHeapSnapshot(join(dir, `testbed-agent-${process.pid}-${Date.now()}.heapsnapshot`)) : undefined;
  const m = process.memoryUsage();
  return {
    rss: m.rss,
    heapTotal: m.heapTotal,
    heapUsed: m.heapUsed,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
    spaces: getHeapSpaceStatistics().map((s) => ({ name: s.space_name, size: s.space_size, used: s.space_used_size })),
    ...(file ? { snapshot: file } : {}),
  };
}
