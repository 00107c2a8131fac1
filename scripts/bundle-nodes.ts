/**
 * `npm run build`, after tsc: each program that runs inside the lab's
 * containers (every kind's entry point and the router's `ios` command) as
 * one file, bundled by esbuild into dist/nodes/ at the same relative path.
 * The image build puts each bundle in place of its entry
 * (src/orchestrator/image/build.ts), so a node starting loads one file
 * instead of a few hundred modules: about 100 ms of CPU less per router
 * boot and per `ios` call, which a lab of a hundred routers pays a hundred
 * times (docs/benchmarks.md, bench:scale). The bundles need nothing but Node:
 * the programs import no npm package, and the native addons are loaded from
 * absolute paths at run time.
 */
import { build } from 'esbuild';
import { join } from 'node:path';
import { NODE_PROGRAMS, SRC_DIST, BUNDLE_DIST } from '../src/orchestrator/image/programs.js';

async function main(): Promise<void> {
  const started = Date.now();
  for (const program of NODE_PROGRAMS) {
    await build({
      entryPoints: [join(SRC_DIST, program)],
      outfile: join(BUNDLE_DIST, program),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // the addons (tun.node, esp.node) come from absolute paths in the image; nothing else is external
      external: ['*.node'],
      logLevel: 'warning',
      legalComments: 'none',
    });
  }
  process.stdout.write(`bundled ${NODE_PROGRAMS.length} node programs into ${BUNDLE_DIST} in ${Date.now() - started} ms\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bundle-nodes: ${(e as Error).message}\n`);
  process.exit(1);
});
