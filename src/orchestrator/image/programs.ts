/**
 * The programs that run inside the lab's containers, as paths under
 * dist/src: each kind's entry point (host and nat run a shell program instead), and the router's `ios` command
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

export const NODE_PROGRAMS: readonly string[] = [...new Set([...KINDS.flatMap((k) => (k.entry ? [k.entry] : [])), ROUTER_CLI])];

/**
 * Programs started through V8's code cache (src/agent/io/code-cache.ts): the
 * bundle is CommonJS beside the program's path (`main.cjs`), the program
 * itself a small loader, and the image build's training run writes the
 * cache (`main.cache`). The router's boot is the one a lab pays a hundred
 * times.
 */
export const CODE_CACHED: readonly string[] = ['kinds/router2600/main.js'];

/** Where a code-cached program's CommonJS bundle sits, beside its loader. */
export function codeCachedBundle(program: string): string {
  return program.replace(/\.js$/, '.cjs');
}
