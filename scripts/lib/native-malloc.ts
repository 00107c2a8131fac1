/**
 * Compile the malloc module (images/router2600/addon/malloc.c) on this
 * machine, the way the lab image does (gcc, node-api-headers), into
 * dist/addon/malloc.node, and load it. Used by the unit tests; inside the
 * lab the image carries its own build.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadNativeMalloc, type NativeMalloc } from '../../src/agent/io/memory.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

export function buildNativeMalloc(): NativeMalloc {
  const dir = join(root, 'dist', 'addon');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'malloc.node');
  const src = join(root, 'images', 'router2600', 'addon', 'malloc.c');
  const args = [
    '-O2',
    '-Wall',
    '-Werror',
    '-shared',
    '-fPIC',
    '-DNODE_GYP_MODULE_NAME=malloc',
    `-I${join(root, 'node_modules', 'node-api-headers', 'include')}`,
    '-o',
    out,
    src,
  ];
  try {
    execFileSync('gcc', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`gcc could not build ${out} (install gcc: apt-get install gcc libc6-dev): ${err.stderr?.toString() || err.message}`);
  }
  const malloc = loadNativeMalloc(out);
  if (!malloc) throw new Error(`${out} does not load`);
  return malloc;
}
