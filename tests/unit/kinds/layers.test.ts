/**
 * The layer rules, read from the sources: the orchestrator and the
 * orchestrator side of every kind reach nothing in src/agent and no node
 * program (a kind's main.ts, the router's ios command); src/contract
 * imports nothing of ours but itself.
 */
import test from 'ava';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { root } from '../../root.js';

const IMPORT = /^\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]/gm;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function importsOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(IMPORT)].map((m) => normalize(join(dirname(file), m[1]!.replace(/\.js$/, '.ts'))));
}

/** Every file `start` reaches through relative imports, type imports included. */
function reach(start: string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...start];
  while (todo.length) {
    const f = todo.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    try {
      todo.push(...importsOf(f));
    } catch {
      // a module that is not a .ts file of ours (JSON)
    }
  }
  return seen;
}

const src = join(root, 'src');
const rel = (f: string) => relative(root, f);
const isNodeProgram = (f: string) => /^src\/kinds\/[^/]+\/(main|cli)\.ts$/.test(rel(f));

test("the orchestrator and the kinds' orchestrator side import nothing from src/agent and no node program", (t) => {
  const kindsSide = files(join(src, 'kinds')).filter((f) => !isNodeProgram(f));
  const reached = [...reach([...files(join(src, 'orchestrator')), ...kindsSide])].map(rel);
  t.true(reached.includes('src/kinds/router2600/kind.ts'), 'the walk reaches the kinds');
  t.deepEqual(
    reached.filter((f) => f.startsWith('src/agent/')),
    [],
  );
  t.deepEqual(
    reached.filter((f) => /^src\/kinds\/[^/]+\/(main|cli)\.ts$/.test(f)),
    [],
  );
});

test('every kind folder holds its node program, which the kind names, or the kind runs a shell program and has none', (t) => {
  const dirs = readdirSync(join(src, 'kinds')).filter((d) => statSync(join(src, 'kinds', d)).isDirectory() && d !== 'linux');
  t.true(dirs.includes('router2600') && dirs.includes('host'));
  for (const dir of dirs) {
    const kind = readFileSync(join(src, 'kinds', dir, 'kind.ts'), 'utf8');
    const main = existsSync(join(src, 'kinds', dir, 'main.ts'));
    if (/^\s*entry: null,$/m.test(kind)) {
      t.false(main, `${dir} runs no Node program: no ${dir}/main.ts`);
      t.regex(kind, /cmd: linuxProgram\(/, `${dir}/kind.ts gives its container the shell program`);
    } else {
      t.true(main, `${dir}/main.ts`);
      t.regex(kind, new RegExp(`'kinds/${dir}/main\\.js'`), `${dir}/kind.ts names its entry`);
    }
  }
});

test('src/contract imports nothing of ours but itself', (t) => {
  const outside = files(join(src, 'contract')).flatMap((f) =>
    importsOf(f)
      .filter((i) => !rel(i).startsWith('src/contract/'))
      .map((i) => `${rel(f)} -> ${rel(i)}`),
  );
  t.deepEqual(outside, []);
});
