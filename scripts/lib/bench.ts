/**
 * Small benchmark toolkit for scripts/bench-*.ts: time-bounded repetitions
 * after a warm-up, median and spread, machine description, text tables.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';

export interface MeasureOptions {
  /** Time spent running the function before measuring (JIT, caches). */
  readonly warmupMs: number;
  /** Number of measured repetitions; the median is reported. */
  readonly repetitions: number;
  /** Minimum length of one repetition. */
  readonly repetitionMs: number;
}

export interface Measurement {
  /** Median operations per second over the repetitions. */
  readonly opsPerSecond: number;
  /** Every repetition's operations per second, sorted. */
  readonly samples: readonly number[];
  /** (max - min) / median of the samples. */
  readonly spread: number;
}

/** Written, never read, on purpose: a module-level write is a side effect the compiler cannot drop. */
let _sink = 0;
/** Keeps results observable so no call can be optimised away. */
export function consume(value: unknown): void {
  if (value instanceof Uint8Array) _sink ^= value.length;
  else if (typeof value === 'number') _sink ^= value | 0;
  else if (value !== undefined && value !== null) _sink ^= 1;
}

function runFor(fn: () => unknown, ms: number): { ops: number; elapsed: number } {
  let ops = 0;
  let batch = 1;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < batch; i++) consume(fn());
    ops += batch;
    now = performance.now();
    // Grow batches so that reading the clock stays negligible (about 1 ms per batch).
    if (now - start < 1 && batch < 1 << 16) batch *= 2;
  }
  return { ops, elapsed: now - start };
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The least-squares slope of v over h (units of v per unit of h); 0 for fewer than two distinct h. */
export function slope(points: readonly { h: number; v: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mh = points.reduce((a, p) => a + p.h, 0) / n;
  const mv = points.reduce((a, p) => a + p.v, 0) / n;
  const sxx = points.reduce((a, p) => a + (p.h - mh) ** 2, 0);
  return sxx === 0 ? 0 : points.reduce((a, p) => a + (p.h - mh) * (p.v - mv), 0) / sxx;
}

/** Runs `fn` repeatedly: a warm-up, then `repetitions` timed runs of at least `repetitionMs`. */
export function measure(fn: () => unknown, opts: MeasureOptions): Measurement {
  return measureInterleaved([fn], opts)[0]!;
}

function summarise(samples: number[]): Measurement {
  samples.sort((a, b) => a - b);
  const m = median(samples);
  return { opsPerSecond: m, samples, spread: (samples[samples.length - 1]! - samples[0]!) / m };
}

/**
 * Measures several functions that are to be compared, alternating their
 * repetitions (A B A B ...) so that a change in background load hits all of
 * them alike. Each is warmed up first.
 */
export function measureInterleaved(fns: readonly (() => unknown)[], opts: MeasureOptions): Measurement[] {
  for (const fn of fns) runFor(fn, opts.warmupMs);
  const samples: number[][] = fns.map(() => []);
  for (let r = 0; r < opts.repetitions; r++) {
    fns.forEach((fn, i) => {
      const { ops, elapsed } = runFor(fn, opts.repetitionMs);
      samples[i]!.push((ops * 1000) / elapsed);
    });
  }
  return samples.map(summarise);
}

/**
 * measureInterleaved with a reference that runs outside this process (an
 * `openssl speed` run): once per repetition, between the repetitions of
 * `fns`, alternately after and before them, so both see the same
 * background load. `reference` resolves to operations per second (any unit,
 * summarised as is), or undefined when it cannot run; then no reference is
 * reported.
 */
export async function measureInterleavedWith(
  fns: readonly (() => unknown)[],
  opts: MeasureOptions,
  reference: () => Promise<number | undefined>,
): Promise<{ measurements: Measurement[]; reference: Measurement | undefined }> {
  for (const fn of fns) runFor(fn, opts.warmupMs);
  const samples: number[][] = fns.map(() => []);
  const ref: number[] = [];
  let refOk = true;
  const runRef = async () => {
    if (!refOk) return;
    const v = await reference();
    if (v === undefined) refOk = false;
    else ref.push(v);
  };
  for (let r = 0; r < opts.repetitions; r++) {
    if (r % 2 === 1) await runRef();
    fns.forEach((fn, i) => {
      const { ops, elapsed } = runFor(fn, opts.repetitionMs);
      samples[i]!.push((ops * 1000) / elapsed);
    });
    if (r % 2 === 0) await runRef();
  }
  return { measurements: samples.map(summarise), reference: refOk && ref.length ? summarise(ref) : undefined };
}

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly nodeOpenssl: string;
  /** `openssl version` of the CLI, when installed. */
  readonly opensslCli?: string;
  readonly cpuFlags: readonly string[];
}

function run(cmd: string, args: readonly string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(cmd, [...args], { encoding: 'utf8', timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => resolve(err ? undefined : stdout));
  });
}

/** Runs a command and returns its stdout, or undefined when it cannot be run or fails. */
export const tryRun = run;

/** CPU model (from /proc/cpuinfo), core count, Node and OpenSSL versions. */
export async function describeMachine(): Promise<Machine> {
  let cpu = cpus()[0]?.model ?? 'unknown';
  let cpuFlags: string[] = [];
  try {
    const info = await readFile('/proc/cpuinfo', 'utf8');
    cpu = /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? cpu;
    const flags = /^flags\s*:\s*(.+)$/m.exec(info)?.[1]?.split(/\s+/) ?? [];
    cpuFlags = ['aes', 'sha_ni', 'avx2', 'avx512f'].filter((f) => flags.includes(f));
  } catch {
    // not Linux: keep os.cpus()
  }
  const cli = await run('openssl', ['version']);
  return {
    cpu,
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    nodeOpenssl: process.versions.openssl ?? 'unknown',
    opensslCli: cli?.trim(),
    cpuFlags,
  };
}

/** The load averages (1, 5 and 15 minutes) as uptime prints them: the machine is shared, so every figure carries them. */
export function loadAverage(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');
}

export function formatMachine(m: Machine): string {
  return [
    `CPU      ${m.cpu} (${m.cores} cores${m.cpuFlags.length ? `, ${m.cpuFlags.join(' ')}` : ''}), ${m.memoryGiB} GiB`,
    `Node     ${m.node} (OpenSSL ${m.nodeOpenssl})`,
    `openssl  ${m.opensslCli ?? 'not installed'}`,
  ].join('\n');
}

export type Align = 'left' | 'right';

/** A plain-text table with a header row and a rule. Numbers should be formatted by the caller. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => ((align[i] ?? (i === 0 ? 'left' : 'right')) === 'left' ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** 1234.5 -> "1,234"; small numbers keep `digits` decimals. */
export function fmt(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return 'n/a';
  const d = Math.abs(value) >= 1000 ? 0 : digits;
  return value.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

export function pct(value: number): string {
  return `${Math.round(value * 100)}%`;
}
