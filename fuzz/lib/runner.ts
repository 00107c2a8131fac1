/**
 * The fuzz loop. Input `i` of target T with seed S is made by T's instance
 * from `Rng.forInput(S, i)`; a stateful target gets a fresh instance every
 * `epoch` inputs (from `Rng.forInstance(S, start)`) and after a failure, so
 * any input can be made again from (T, S, start, i) alone and one run never
 * carries state over millions of inputs. Every input is run, `check` every
 * `checkEvery` inputs and when an instance ends; with `timing` each input's
 * wall and CPU time is measured and one over `slowMs` (both) is a failure.
 * Failures carry what a reproducer needs: target, seed, index, the start of
 * the instance, and the input. Pure apart from the clock: reproducers are
 * written by scripts/fuzz.ts.
 */
import { Rng } from './prng.js';
import { Violation, type Instance, type Invariant, type Target } from './target.js';

export interface RunOptions {
  readonly seed: number;
  /** First input index (default 0): a long run in parts continues where the last part stopped. */
  readonly start?: number;
  /** Inputs to run (default: until `durationMs`). */
  readonly count?: number;
  readonly durationMs?: number;
  /** Measure each input (long runs); unit tests leave it off and assert no timing. */
  readonly timing?: boolean;
  readonly slowMs?: number;
  /** Failures kept with their inputs (all are counted). */
  readonly keepFailures?: number;
  /** Called about once a second with the inputs run so far. */
  readonly progress?: (done: number, elapsedMs: number) => void;
}

export interface Failure {
  readonly target: string;
  readonly seed: number;
  readonly index: number;
  /** The input the instance started at (its generator and the inputs before `index` that built its state). */
  readonly instanceStart: number;
  readonly invariant: Invariant;
  readonly message: string;
  readonly input: unknown;
  readonly wallMs?: number;
  readonly cpuMs?: number;
}

export interface RunResult {
  readonly target: string;
  readonly seed: number;
  readonly start: number;
  readonly inputs: number;
  /** Wall time of the whole run, instances' setup and checks included. */
  readonly wallMs: number;
  /** Wall time spent in `run` alone. */
  readonly runMs: number;
  readonly instances: number;
  readonly maxInputMs: number;
  readonly maxInputIndex: number;
  readonly failures: readonly Failure[];
  readonly failureCount: number;
  readonly byInvariant: Readonly<Record<string, number>>;
  readonly stats: Readonly<Record<string, number>>;
}

function describe(err: unknown): { invariant: Invariant; message: string } {
  if (err instanceof Violation) return { invariant: err.invariant, message: err.message };
  const e = err as Error;
  return {
    invariant: 'untyped-exception',
    message: `${e?.name ?? typeof err}: ${e?.message ?? String(err)}\n${(e?.stack ?? '').split('\n').slice(1, 6).join('\n')}`,
  };
}

function addStats(into: Record<string, number>, more: Record<string, number>): void {
  for (const [k, v] of Object.entries(more)) into[k] = k.startsWith('max') ? Math.max(into[k] ?? 0, v) : (into[k] ?? 0) + v;
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

export function runTarget(target: Target, o: RunOptions): RunResult {
  const start = o.start ?? 0;
  const end = o.count !== undefined ? start + o.count : Infinity;
  const deadline = o.durationMs !== undefined ? performance.now() + o.durationMs : Infinity;
  if (end === Infinity && deadline === Infinity) throw new Error('runTarget: give a count or a duration');
  const slowMs = o.slowMs ?? 100;
  const keep = o.keepFailures ?? 50;
  const began = performance.now();
  let lastProgress = began;
  const failures: Failure[] = [];
  const byInvariant: Record<string, number> = {};
  const stats: Record<string, number> = {};
  let failureCount = 0;
  let instance: Instance | null = null;
  let instanceStart = start;
  let instances = 0;
  let runMs = 0;
  let maxInputMs = 0;
  let maxInputIndex = -1;
  let i = start;

  const fail = (index: number, input: unknown, err: unknown, wall?: number, cpu?: number): void => {
    const { invariant, message } = describe(err);
    failureCount++;
    byInvariant[invariant] = (byInvariant[invariant] ?? 0) + 1;
    if (failures.length < keep) failures.push({ target: target.name, seed: o.seed, index, instanceStart, invariant, message, input, wallMs: wall, cpuMs: cpu });
  };
  const close = (lastIndex: number, lastInput: unknown): void => {
    if (!instance) return;
    try {
      instance.check();
    } catch (err) {
      fail(lastIndex, lastInput, err);
    }
    addStats(stats, instance.stats());
    instance = null;
  };

  let input: unknown = null;
  for (; i < end; i++) {
    if ((i - start) % 64 === 0) {
      const now = performance.now();
      if (now >= deadline) break;
      if (o.progress && now - lastProgress >= 1000) {
        lastProgress = now;
        o.progress(i - start, now - began);
      }
    }
    if (instance && Number.isFinite(target.epoch) && (i - instanceStart) % target.epoch === 0) close(i - 1, input);
    if (!instance) {
      instanceStart = i;
      instance = target.create(Rng.forInstance(o.seed, i));
      instances++;
    }
    const inst: Instance = instance;
    input = inst.generate(Rng.forInput(o.seed, i), i);
    const t0 = performance.now();
    const c0 = o.timing ? cpuMs() : 0;
    let broken: unknown = null;
    try {
      inst.run(input);
    } catch (err) {
      broken = err;
    }
    const wall = performance.now() - t0;
    runMs += wall;
    if (wall > maxInputMs) {
      maxInputMs = wall;
      maxInputIndex = i;
    }
    if (broken === null && o.timing && wall > slowMs) {
      const cpu = cpuMs() - c0;
      if (cpu > slowMs) broken = new Violation('slow', `input took ${wall.toFixed(1)} ms (${cpu.toFixed(1)} ms of CPU), over ${slowMs} ms`);
    }
    if (broken === null && (i - instanceStart + 1) % target.checkEvery === 0) {
      try {
        inst.check();
      } catch (err) {
        broken = err;
      }
    }
    if (broken !== null) {
      fail(i, input, broken, o.timing ? wall : undefined);
      // a broken instance may be in any state: the next input starts a fresh one
      addStats(stats, inst.stats());
      instance = null;
    }
  }
  close(i - 1, input);
  return {
    target: target.name,
    seed: o.seed,
    start,
    inputs: i - start,
    wallMs: performance.now() - began,
    runMs,
    instances,
    maxInputMs,
    maxInputIndex,
    failures,
    failureCount,
    byInvariant,
    stats,
  };
}

export interface ReplayResult {
  /** The input alone, on a fresh instance, broke the same invariant. */
  readonly alone: boolean;
  /** After the instance's earlier inputs, it did. */
  readonly inSequence: boolean;
  readonly invariant: Invariant | null;
  readonly message: string | null;
  readonly wallMs: number;
}

/** Runs a failure's input again: alone on a fresh instance, then (if that passes) after the inputs that built its instance's state. */
export function replay(
  target: Target,
  f: Pick<Failure, 'seed' | 'index' | 'instanceStart' | 'input' | 'invariant'>,
  o: { timing?: boolean; slowMs?: number } = {},
): ReplayResult {
  const attempt = (prefix: boolean): { invariant: Invariant; message: string; wall: number } | null => {
    const inst = target.create(Rng.forInstance(f.seed, f.instanceStart));
    if (prefix) {
      for (let j = f.instanceStart; j < f.index; j++) {
        inst.run(inst.generate(Rng.forInput(f.seed, j), j));
        if ((j - f.instanceStart + 1) % target.checkEvery === 0) inst.check();
      }
    }
    const t0 = performance.now();
    try {
      inst.run(f.input);
      const wall = performance.now() - t0;
      if (o.timing && wall > (o.slowMs ?? 100)) return { invariant: 'slow', message: `input took ${wall.toFixed(1)} ms`, wall };
      inst.check();
      return null;
    } catch (err) {
      return { ...describe(err), wall: performance.now() - t0 };
    }
  };
  const alone = attempt(false);
  if (alone) return { alone: true, inSequence: true, invariant: alone.invariant, message: alone.message, wallMs: alone.wall };
  const seq = f.index > f.instanceStart ? attempt(true) : null;
  return { alone: false, inSequence: seq !== null, invariant: seq?.invariant ?? null, message: seq?.message ?? null, wallMs: seq?.wall ?? 0 };
}
