/**
 * npm run fuzz: the long fuzz run (fuzz/, docs/fuzzing.md).
 *
 *   npm run fuzz -- --target <name|a,b|all> [--seed N] (--count N | --duration 10m) [--start I]
 *                   [--slow-ms 100] [--json FILE] [--crashes DIR]
 *   npm run fuzz -- --replay fuzz/crashes/<target>-<hash>.json
 *   npm run fuzz -- --list
 *
 * Each target runs `--count` inputs (or for `--duration`) from input index
 * `--start` (default 0) with `--seed` (default 1); the same seed, start and
 * count make the same inputs. It prints inputs per second per target, the
 * slowest input, and what each target reached (bounds, refusals); every
 * input over `--slow-ms` (wall and CPU time both) is a failure. A reproducer
 * is written for each distinct failure: the input, the target, the seed,
 * the index and the start of its instance, as JSON in `--crashes`
 * (default fuzz/crashes/). `--replay FILE` runs one again: alone on a fresh
 * instance, then after the inputs that built its instance's state.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { replay, runTarget, type Failure, type RunResult } from '../fuzz/lib/runner.js';
import { decodeInput, encodeInput, type Invariant } from '../fuzz/lib/target.js';
import { TARGETS, targetNamed } from '../fuzz/targets/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function duration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text);
  if (!m) throw new Error(`--duration ${text}: give 30s, 10m or 1h`);
  const n = Number(m[1]);
  return n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
}

function commit(): string {
  try {
    const head = execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['-C', root, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim();
    return dirty ? `${head}+changes` : head;
  } catch {
    return 'unknown';
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

interface Reproducer {
  readonly target: string;
  readonly seed: number;
  readonly index: number;
  readonly instanceStart: number;
  readonly invariant: Invariant;
  readonly message: string;
  readonly input: unknown;
  readonly commit: string;
  readonly wallMs?: number;
}

function writeReproducers(result: RunResult, dir: string, head: string): string[] {
  mkdirSync(dir, { recursive: true });
  const seen = new Set<string>();
  const files: string[] = [];
  for (const f of result.failures) {
    const signature = `${f.invariant} ${f.message.split('\n')[0]!.replace(/\d+/g, 'N')}`;
    if (seen.has(signature)) continue;
    seen.add(signature);
    const input = encodeInput(f.input);
    const hash = createHash('sha256').update(JSON.stringify(input)).digest('hex').slice(0, 12);
    const file = `${dir}/${f.target}-${hash}.json`;
    const r: Reproducer = {
      target: f.target,
      seed: f.seed,
      index: f.index,
      instanceStart: f.instanceStart,
      invariant: f.invariant,
      message: f.message,
      input,
      commit: head,
      wallMs: f.wallMs,
    };
    writeFileSync(file, `${JSON.stringify(r, null, 1)}\n`);
    files.push(file);
  }
  return files;
}

function statsLine(stats: Readonly<Record<string, number>>): string {
  return Object.entries(stats)
    .filter(([, v]) => v !== 0)
    .map(([k, v]) => `${k}=${fmt(v)}`)
    .join(' ');
}

function runAll(): number {
  const names = (arg('target') ?? 'all') === 'all' ? TARGETS.map((t) => t.name) : arg('target')!.split(',');
  const targets = names.map(targetNamed);
  const seed = Number(arg('seed') ?? 1);
  const start = Number(arg('start') ?? 0);
  const count = arg('count') !== undefined ? Number(arg('count')) : undefined;
  const durationMs = arg('duration') !== undefined ? duration(arg('duration')!) : undefined;
  if (count === undefined && durationMs === undefined) throw new Error('give --count N or --duration 10m');
  const slowMs = Number(arg('slow-ms') ?? 100);
  const crashes = arg('crashes') ?? `${root}fuzz/crashes`;
  const head = commit();
  console.log(
    `fuzz: commit ${head}, seed ${seed}, start ${start}, ${count !== undefined ? `${fmt(count)} inputs` : arg('duration')} per target, slow > ${slowMs} ms`,
  );
  console.log(
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, Node ${process.version}, load ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  const results: RunResult[] = [];
  let failed = 0;
  for (const t of targets) {
    console.log(`\n${t.name}: ${t.summary}`);
    const r = runTarget(t, {
      seed,
      start,
      count,
      durationMs,
      timing: true,
      slowMs,
      keepFailures: 200,
      progress: (done, ms) => {
        if (Math.floor(ms / 10_000) !== Math.floor((ms - 1000) / 10_000)) console.log(`  ${fmt(done)} inputs, ${fmt((done / ms) * 1000)}/s`);
      },
    });
    results.push(r);
    failed += r.failureCount;
    console.log(
      `  ${fmt(r.inputs)} inputs in ${(r.wallMs / 1000).toFixed(1)} s: ${fmt((r.inputs / r.wallMs) * 1000)} inputs/s (${fmt((r.inputs / r.runMs) * 1000)}/s in the target alone), ${r.instances} instances`,
    );
    console.log(
      `  slowest input ${r.maxInputMs.toFixed(1)} ms (#${r.maxInputIndex}); failures ${r.failureCount}${r.failureCount ? ` ${JSON.stringify(r.byInvariant)}` : ''}`,
    );
    console.log(`  ${statsLine(r.stats)}`);
    if (r.failureCount > 0) {
      for (const f of writeReproducers(r, crashes, head)) console.log(`  reproducer: ${f}`);
      for (const f of r.failures.slice(0, 3)) console.log(`  #${f.index} ${f.invariant}: ${f.message.split('\n').slice(0, 4).join('\n    ')}`);
    }
  }
  const total = results.reduce((n, r) => n + r.inputs, 0);
  const wall = results.reduce((n, r) => n + r.wallMs, 0);
  console.log(`\ntotal: ${fmt(total)} inputs in ${(wall / 1000).toFixed(0)} s, failures ${failed}`);
  const json = arg('json');
  if (json) {
    const out = {
      commit: head,
      seed,
      start,
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      load: loadavg(),
      results: results.map((r) => ({ ...r, failures: r.failures.map((f: Failure) => ({ ...f, input: encodeInput(f.input) })) })),
    };
    writeFileSync(json, `${JSON.stringify(out, null, 1)}\n`);
    console.log(`summary: ${json}`);
  }
  return failed > 0 ? 1 : 0;
}

function replayFile(file: string): number {
  const r = JSON.parse(readFileSync(file, 'utf8')) as Reproducer;
  const target = targetNamed(r.target);
  const slowMs = Number(arg('slow-ms') ?? 100);
  console.log(`replay: ${r.target}, seed ${r.seed}, input #${r.index} (instance from #${r.instanceStart}), recorded at ${r.commit}: ${r.invariant}`);
  const out = replay(
    target,
    { seed: r.seed, index: r.index, instanceStart: r.instanceStart, input: decodeInput(r.input), invariant: r.invariant },
    { timing: r.invariant === 'slow', slowMs },
  );
  if (out.invariant === null) {
    console.log("not reproduced: the input passes alone and after its instance's earlier inputs");
    return 0;
  }
  console.log(
    `reproduced ${out.alone ? 'alone, on a fresh instance' : `after inputs #${r.instanceStart}..#${r.index - 1}`}: ${out.invariant} (${out.wallMs.toFixed(1)} ms)\n${out.message}`,
  );
  return 1;
}

try {
  if (process.argv.includes('--list')) {
    for (const t of TARGETS) console.log(`${t.name.padEnd(12)} ${t.summary}`);
    process.exitCode = 0;
  } else {
    const file = arg('replay');
    process.exitCode = file ? replayFile(file) : runAll();
  }
} catch (e) {
  console.error(`fuzz: ${(e as Error).message}`);
  process.exitCode = 2;
}
