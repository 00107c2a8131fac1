/**
 * The image takes each in-container program from its bundle (dist/nodes/,
 * made by `npm run build`) when there is one, and everything else from
 * dist/src as it is; the programs are every kind's entry point and the
 * router's `ios` command, and `npm run build` made a bundle of each.
 */
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withBundles } from '../../../../src/orchestrator/image/build.js';
import { BUNDLE_DIST, CODE_CACHED, codeCachedBundle, NODE_PROGRAMS, ROUTER_CLI } from '../../../../src/orchestrator/image/programs.js';
import { KINDS } from '../../../../src/kinds/index.js';

test('a bundled program comes from its bundle; other files, and programs without a bundle, from dist/src', (t) => {
  const files = [
    { src: '/r/dist/src/kinds/router2600/main.js', dest: join('app', 'src', 'kinds', 'router2600', 'main.js') },
    { src: '/r/dist/src/kinds/strongswan/main.js', dest: join('app', 'src', 'kinds', 'strongswan', 'main.js') },
    { src: '/r/dist/src/agent/router/router.js', dest: join('app', 'src', 'agent', 'router', 'router.js') },
    { src: '/r/images/router2600/bin/ios', dest: join('bin', 'ios') },
  ];
  t.deepEqual(withBundles(files, new Set(['kinds/router2600/main.js']), '/r/dist/nodes', []), [
    { src: join('/r/dist/nodes', 'kinds/router2600/main.js'), dest: files[0]!.dest },
    files[1],
    files[2],
    files[3],
  ]);
  t.deepEqual(
    withBundles(files, new Set(['kinds/router2600/main.js']), '/r/dist/nodes', ['kinds/router2600/main.js']),
    [
      { src: join('/r/dist/nodes', 'kinds/router2600/main.js'), dest: files[0]!.dest },
      files[1],
      files[2],
      files[3],
      { src: join('/r/dist/nodes', 'kinds/router2600/main.cjs'), dest: join('app', 'src', 'kinds', 'router2600', 'main.cjs') },
    ],
    "a code-cached program's loader takes its place, and its CommonJS bundle comes beside it",
  );
  t.deepEqual(withBundles(files, new Set(), '/r/dist/nodes'), files, 'no bundles: the image as before');
});

test('every kind entry and the ios command are bundled, and a bundle imports nothing but Node', (t) => {
  t.deepEqual([...NODE_PROGRAMS].sort(), [...KINDS.flatMap((k) => (k.entry ? [k.entry] : [])), ROUTER_CLI].sort());
  t.true(NODE_PROGRAMS.includes('kinds/router2600/main.js'));
  for (const program of NODE_PROGRAMS) {
    const path = join(BUNDLE_DIST, program);
    t.true(existsSync(path), `${program} was bundled by npm run build`);
    const text = readFileSync(path, 'utf8');
    const imports = [...text.matchAll(/^\s*import\s[^;]*?from\s*["']([^"']+)["']/gm)].map((m) => m[1]!);
    t.deepEqual(
      imports.filter((m) => !m.startsWith('node:')),
      [],
      `${program} imports only node: modules`,
    );
  }
});

test("a code-cached program's CommonJS bundle sits beside its loader, requires only Node, and loads no module through import()", (t) => {
  t.deepEqual(CODE_CACHED, ['kinds/router2600/main.js']);
  for (const program of CODE_CACHED) {
    const cjs = join(BUNDLE_DIST, codeCachedBundle(program));
    t.true(existsSync(cjs), `${codeCachedBundle(program)} was bundled by npm run build`);
    const text = readFileSync(cjs, 'utf8');
    t.true(text.startsWith('"use strict";'), 'strict, as the ES modules it was made of');
    const required = [...text.matchAll(/\brequire\(["']([^"']+)["']\)/g)].map((m) => m[1]!);
    t.true(required.length > 0);
    t.deepEqual(
      required.filter((m) => !m.startsWith('node:')),
      [],
      'requires only node: modules',
    );
    t.notRegex(text, /\bimport\(|import\.meta/, 'vm.Script has no module loader: no import() and no import.meta');
    t.regex(readFileSync(join(BUNDLE_DIST, program), 'utf8'), /runWithCodeCache\(bundle, bundle\.replace\(/, 'the program is the loader');
  }
});
