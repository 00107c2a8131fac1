/**
 * The programs that run inside the lab's containers, as paths under
 * dist/src: each kind's entry point, and the router's `ios` command
 * (images/router2600/bin/ios). `npm run build` bundles each into
 * dist/nodes/ at the same path (scripts/bundle-nodes.ts), and the image
 * build uses the bundle in its place when there is one.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KINDS } from '../../kinds/index.js';

/** The repository (or installed package) root, from dist/src/orchestrator/image/. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const SRC_DIST = join(PACKAGE_ROOT, 'dist', 'src');
export const BUNDLE_DIST = join(PACKAGE_ROOT, 'dist', 'nodes');

/** The router's console command, run by `ios` in its container. */
export const ROUTER_CLI = 'kinds/router2600/cli.js';

export const NODE_PROGRAMS: readonly string[] = [...new Set([...KINDS.map((k) => k.entry), ROUTER_CLI])];
