/**
 * The native ESP module (images/router2600/addon/esp.c) built on this
 * machine (addon-build.ts) and loaded. Used by the unit tests and
 * bench:crypto; inside the lab the image carries its own build.
 */
import type { NativeEsp } from '../../src/agent/esp/index.js';
import { loadNativeEsp } from '../../src/agent/io/esp-native.js';
import { compileAddon } from './addon-build.js';

export function buildNativeEsp(): NativeEsp {
  const out = compileAddon('esp');
  const { esp, problem } = loadNativeEsp(out);
  if (!esp) throw new Error(`${out} does not load: ${problem}`);
  return esp;
}
