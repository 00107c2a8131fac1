/**
 * Short deterministic fuzz runs for the unit suite: a few thousand inputs
 * per target with a fixed seed, the failures listed in full (they name the
 * input, its index and the invariant), no timing asserted.
 */
import type { ExecutionContext } from 'ava';
import { runTarget, type RunResult } from '../../../fuzz/lib/runner.js';
import { targetNamed } from '../../../fuzz/targets/index.js';

/** Runs `count` inputs of `name` from each start (stateful targets: each start is a new instance, so a new lab). */
export function shortRun(t: ExecutionContext, name: string, seed: number, count: number, starts: readonly number[] = [0]): Record<string, number> {
  const stats: Record<string, number> = {};
  for (const start of starts) {
    const r: RunResult = runTarget(targetNamed(name), { seed, start, count });
    t.deepEqual(
      r.failures.map((f) => `#${f.index} (instance from #${f.instanceStart}) ${f.invariant}: ${f.message}`),
      [],
    );
    t.is(r.failureCount, 0);
    t.is(r.inputs, count);
    for (const [k, v] of Object.entries(r.stats)) stats[k] = k.startsWith('max') ? Math.max(stats[k] ?? 0, v) : (stats[k] ?? 0) + v;
  }
  t.log(JSON.stringify(stats));
  return stats;
}
