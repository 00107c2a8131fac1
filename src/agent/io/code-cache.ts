/**
 * Start a bundled program with V8's code cache: the router's boot is mostly
 * the first run of cold code (parsing and compiling the bundle's functions,
 * then running them once), and a hundred routers booting at once pay it a
 * hundred times on the same cores. The image build runs the bundle once in
 * its training mode (`TESTBED_CODE_CACHE=train`: the bundle's exported
 * `train()` parses a config, builds the IKE policy and negotiates in
 * memory, the code a boot and a first tunnel run) and writes what V8
 * compiled to a file beside the bundle; every boot after that hands the
 * file to V8, which then skips compiling what it holds. A cache V8 refuses
 * (another Node, other flags, another bundle) only costs the compile it
 * would have saved: the program runs the same either way.
 *
 * The bundle is CommonJS (vm.Script runs scripts, not ES modules), run as a
 * module function with its own require.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';

/** The environment variable that asks for the training run, and the one that tells the program how its code was loaded. */
export const CODE_CACHE_ENV = 'TESTBED_CODE_CACHE';
export const CODE_CACHE_STATE_ENV = 'TESTBED_CODE_CACHE_STATE';

/** How the code was loaded: from V8's cache, compiled because V8 refused the cache, or compiled because there is none. */
export type CodeCacheState = 'accepted' | 'rejected' | 'absent';

/** How this process's code was loaded, as the loader left it in the environment; null: not through the loader. */
export function codeCacheState(): CodeCacheState | null {
  const v = process.env[CODE_CACHE_STATE_ENV];
  return v === 'accepted' || v === 'rejected' || v === 'absent' ? v : null;
}

export interface Trainable {
  /** Run the code a boot and a first tunnel run, without the machine's devices. */
  train?: () => Promise<void>;
}

/**
 * V8 flags for the programs started here, set before the bundle is compiled,
 * in the training run and in every start alike: V8 refuses a cache made
 * under other flags. The interrupt budget is 4 times V8's 67,584: a
 * function must run about four times as much before TurboFan optimizes it.
 * With V8's own budget a router spent about a fifth of its CPU during a
 * 100-spoke mesh in TurboFan (a system-wide profile, its worker threads),
 * optimizing code each of a hundred processes runs for only a hundred
 * tunnels; with this one, about a fifteenth (docs/benchmarks.md,
 * "2026-12-03, night"). What runs for every packet still gets optimized,
 * only later.
 */
export const CODE_CACHED_V8_FLAGS: readonly string[] = ['--interrupt-budget=270336'];

/** The source V8 compiles (and caches): the bundle as a module function, with its own require. */
export function wrapBundle(source: string): string {
  return `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
}

export function runWithCodeCache(bundle: string, cacheFile: string): void {
  for (const flag of CODE_CACHED_V8_FLAGS) setFlagsFromString(flag);
  const source = readFileSync(bundle, 'utf8');
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new Script(wrapBundle(source), {
    filename: bundle,
    ...(cachedData ? { cachedData } : {}),
  });
  const state: CodeCacheState = cachedData === undefined ? 'absent' : script.cachedDataRejected ? 'rejected' : 'accepted';
  process.env[CODE_CACHE_STATE_ENV] = state;
  const module = { exports: {} as Trainable };
  const run = script.runInThisContext() as (e: object, r: NodeJS.Require, m: object, f: string, d: string) => void;
  run(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  if (process.env[CODE_CACHE_ENV] !== 'train') return;
  const train = module.exports.train;
  if (!train) throw new Error(`${bundle} has no train() to make its code cache with`);
  train().then(
    () => {
      const data = script.createCachedData();
      writeFileSync(cacheFile, data);
      process.stdout.write(`code cache: ${data.length} bytes written to ${cacheFile}\n`);
    },
    (e: unknown) => {
      process.stderr.write(`code cache: the training run failed: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
