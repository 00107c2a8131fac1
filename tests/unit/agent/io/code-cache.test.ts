/**
 * The code cache loader on a real CommonJS bundle, each run in a fresh Node
 * process as a container starts it: the training run writes the cache, the
 * next runs take it, and a cache V8 refuses or none at all changes nothing
 * but the state reported.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CODE_CACHED_V8_FLAGS } from '../../../../src/agent/io/code-cache.js';

const loader = fileURLToPath(new URL('../../../../src/agent/io/code-cache.js', import.meta.url));

// a program as the bundler writes it: strict CommonJS, a require of its own, and a train() export
const BUNDLE = `"use strict";
const { join } = require('node:path');
function work(n) { let s = 0; for (let i = 0; i < n; i++) s += join('a', String(i)).length; return s; }
exports.train = async () => { work(1000); };
if (process.env.TESTBED_CODE_CACHE !== 'train') process.stdout.write(JSON.stringify({ state: process.env.TESTBED_CODE_CACHE_STATE, result: work(10), strict: (function () { return this === undefined; })() }));
`;

function run(dir: string, env: Record<string, string> = {}): string {
  const driver = `import { runWithCodeCache } from ${JSON.stringify(loader)}; runWithCodeCache(${JSON.stringify(join(dir, 'main.cjs'))}, ${JSON.stringify(join(dir, 'main.cache'))});`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', driver], { env: { ...process.env, ...env }, encoding: 'utf8' });
}

test('trained once, every later start takes the cache; a refused cache or none runs the same program', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'testbed-code-cache-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'main.cjs'), BUNDLE);

  t.deepEqual(JSON.parse(run(dir)), { state: 'absent', result: 30, strict: true }, 'no cache yet: compiled as usual');
  t.false(existsSync(join(dir, 'main.cache')), 'only the training run writes a cache');

  t.regex(run(dir, { TESTBED_CODE_CACHE: 'train' }), /^code cache: \d+ bytes written to .*main\.cache\n$/);
  t.true((await readFile(join(dir, 'main.cache'))).length > 0);
  t.deepEqual(JSON.parse(run(dir)), { state: 'accepted', result: 30, strict: true }, 'V8 took the cache');

  await writeFile(join(dir, 'main.cache'), Buffer.from('not a code cache'));
  t.deepEqual(JSON.parse(run(dir)), { state: 'rejected', result: 30, strict: true }, 'a cache V8 refuses costs only the compile');

  // V8 tells sources apart by their length: a cache made for a longer bundle
  await writeFile(join(dir, 'main.cjs'), BUNDLE.replace('work(10)', 'work(100)'));
  run(dir, { TESTBED_CODE_CACHE: 'train' });
  await writeFile(join(dir, 'main.cjs'), BUNDLE);
  t.deepEqual(JSON.parse(run(dir)), { state: 'rejected', result: 30, strict: true }, "another bundle's cache is refused");
});

/** A cache of the wrapped bundle made by a plain `node` process started with `flags` (and no loader). */
function cacheMadeBy(dir: string, flags: readonly string[]): void {
  const script = `import { readFileSync, writeFileSync } from 'node:fs'; import { Script } from 'node:vm'; import { wrapBundle } from ${JSON.stringify(loader)};
const s = new Script(wrapBundle(readFileSync(${JSON.stringify(join(dir, 'main.cjs'))}, 'utf8')));
writeFileSync(${JSON.stringify(join(dir, 'main.cache'))}, s.createCachedData());`;
  execFileSync(process.execPath, [...flags, '--input-type=module', '-e', script]);
}

test("the loader's V8 flags are set before the bundle is compiled: a cache made under V8's defaults is refused, one made under the same flags taken", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'testbed-code-cache-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'main.cjs'), BUNDLE);
  t.deepEqual(CODE_CACHED_V8_FLAGS, ['--interrupt-budget=270336']);

  cacheMadeBy(dir, []);
  t.is(JSON.parse(run(dir)).state, 'rejected', "V8's default flags hash differently from the loader's");
  cacheMadeBy(dir, CODE_CACHED_V8_FLAGS);
  t.is(JSON.parse(run(dir)).state, 'accepted', 'the same source under the same flags');
});

test('a bundle without train() fails the training run with its name (the image build stops there)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'testbed-code-cache-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'main.cjs'), '"use strict";\n');
  const error = t.throws(() => run(dir, { TESTBED_CODE_CACHE: 'train' }));
  t.regex(String((error as Error & { stderr?: string }).stderr), /main\.cjs has no train\(\) to make its code cache with/);
});
