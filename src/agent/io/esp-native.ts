/**
 * The native ESP module (images/router2600/addon/esp.c), loaded when it is
 * there: inside the lab image it is built next to the tun addon. Anywhere
 * else (unit tests, a machine without the image) the SAs use node:crypto.
 */
import { existsSync } from 'node:fs';
import { loadAddon } from './addon.js';
import type { NativeEsp } from '../esp/index.js';

export const ESP_ADDON_PATH = '/opt/testbed/addon/esp.node';

/** The module at `path` (TESTBED_ESP_ADDON, else the image's), or undefined when it is missing or does not load. */
export function loadNativeEsp(path = process.env.TESTBED_ESP_ADDON ?? ESP_ADDON_PATH): { esp: NativeEsp | undefined; problem: string | null } {
  if (process.env.TESTBED_ESP_NATIVE === '0') return { esp: undefined, problem: 'turned off (TESTBED_ESP_NATIVE=0)' };
  if (!existsSync(path)) return { esp: undefined, problem: `${path} is missing` };
  try {
    return { esp: loadAddon<NativeEsp>(path), problem: null };
  } catch (e) {
    return { esp: undefined, problem: (e as Error).message };
  }
}
