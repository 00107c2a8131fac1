/**
 * The node kinds testbed knows, in one list. Adding a kind is a folder
 * src/kinds/<kind>/ with a kind.ts exporting its NodeKind (and its main.ts,
 * the program in the container), and one line here (docs/architecture.md).
 */
import type { NodeKind } from './kind.js';
import { host } from './host/kind.js';
import { nat } from './nat/kind.js';
import { KindRegistry } from './registry.js';
import { router2600 } from './router2600/kind.js';
import { strongswan } from './strongswan/kind.js';

export const KINDS: readonly NodeKind[] = [router2600, host, strongswan, nat];

export const builtinKinds = new KindRegistry(KINDS);
