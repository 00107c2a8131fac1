/**
 * Compile one of the lab image's native modules (images/router2600/addon/NAME.c)
 * on this machine, the way the image does (gcc against node-api-headers), into
 * dist/addon/NAME.node, and return its path. Used by the unit tests and the
 * benchmarks; inside the lab the image carries its own build.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

export function compileAddon(name: string): string {
  const dir = join(root, 'dist', 'addon');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `${name}.node`);
  const args = [
    '-O2',
    '-Wall',
    '-Werror',
    '-shared',
    '-fPIC',
    `-DNODE_GYP_MODULE_NAME=${name}`,
    `-I${join(root, 'node_modules', 'node-api-headers', 'include')}`,
    '-o',
    out,
    join(root, 'images', 'router2600', 'addon', `${name}.c`),
  ];
  try {
    execFileSync('gcc', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`gcc could not build ${out} (install gcc: apt-get install gcc libc6-dev): ${err.stderr?.toString() || err.message}`);
  }
  return out;
}
