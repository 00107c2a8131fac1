/**
 * The malloc module (images/router2600/addon/malloc.c) built on this machine
 * (addon-build.ts) and loaded. Used by the unit tests; inside the lab the
 * image carries its own build.
 */
import { loadNativeMalloc, type NativeMalloc } from '../../src/agent/io/memory.js';
import { compileAddon } from './addon-build.js';

export function buildNativeMalloc(): NativeMalloc {
  const out = compileAddon('malloc');
  const malloc = loadNativeMalloc(out);
  if (!malloc) throw new Error(`${out} does not load`);
  return malloc;
}
