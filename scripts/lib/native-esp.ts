/**
 * Compile the native ESP module (images/router2600/addon/esp.c) on this
 * machine, the way the lab image does (gcc, node-api-headers), into
 * dist/addon/esp.node, and load it. Used by the unit tests and bench:crypto;
 * inside the lab the image carries its own build.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NativeEsp } from '../../src/agent/esp/index.js';
import { loadNativeEsp } from '../../src/agent/io/esp-native.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

export function buildNativeEsp(): NativeEsp {
  const dir = join(root, 'dist', 'addon');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'esp.node');
  const args = [
    '-O2',
    '-Wall',
    '-Werror',
    '-shared',
    '-fPIC',
    '-DNODE_GYP_MODULE_NAME=esp',
    `-I${join(root, 'node_modules', 'node-api-headers', 'include')}`,
    '-o',
    out,
    join(root, 'images', 'router2600', 'addon', 'esp.c'),
  ];
  try {
    execFileSync('gcc', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`gcc could not build ${out} (install gcc: apt-get install gcc libc6-dev): ${err.stderr?.toString() || err.message}`);
  }
  const { esp, problem } = loadNativeEsp(out);
  if (!esp) throw new Error(`${out} does not load: ${problem}`);
  return esp;
}
