/**
 * The unit tests mirror the sources: every folder under tests/unit/ is the
 * folder of src/ whose code its tests exercise (or, for the benchmark and
 * fuzz code outside src/, that folder from the repository's root), so the
 * tests of a module are found where the module is (issue 10). Held here so
 * that CI checks it.
 */
import test from 'ava';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { root } from '../root.js';

/** Folders that hold a test, at any depth (git keeps no empty folder, so neither does this). */
function folders(dir: string): string[] {
  const entries = readdirSync(dir, { withFileTypes: true });
  const below = entries.filter((e) => e.isDirectory()).flatMap((e) => folders(join(dir, e.name)));
  return entries.some((e) => e.isFile() && e.name.endsWith('.test.ts')) ? [dir, ...below] : below;
}

/** Code that lives outside src/, mirrored from the root. */
const OUTSIDE_SRC = ['scripts', 'fuzz'];

const isFolder = (path: string) => statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;

test('every folder of tests/unit/ has its folder in src/ (scripts/ and fuzz/ from the root)', (t) => {
  const unit = join(root, 'tests', 'unit');
  const strays = folders(unit)
    .map((d) => relative(unit, d))
    .filter((d) => !isFolder(join(root, 'src', d)) && !(OUTSIDE_SRC.includes(d.split(sep)[0]!) && isFolder(join(root, d))));
  t.deepEqual(strays, []);
});
