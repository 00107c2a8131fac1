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
import { build, type BuildOptions } from 'esbuild';
import { basename, join } from 'node:path';
import { NODE_PROGRAMS, SRC_DIST, BUNDLE_DIST, CODE_CACHED, codeCachedBundle } from '../src/orchestrator/image/programs.js';

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  // the addons (tun.node, esp.node) come from absolute paths in the image; nothing else is external
  external: ['*.node'],
  logLevel: 'warning',
  legalComments: 'none',
};

async function main(): Promise<void> {
  const started = Date.now();
  for (const program of NODE_PROGRAMS) {
    if (!CODE_CACHED.includes(program)) {
      await build({ ...common, entryPoints: [join(SRC_DIST, program)], outfile: join(BUNDLE_DIST, program), format: 'esm' });
      continue;
    }
    // through V8's code cache (src/agent/io/code-cache.ts): the program as CommonJS, which vm.Script runs ...
    await build({
      ...common,
      entryPoints: [join(SRC_DIST, program)],
      outfile: join(BUNDLE_DIST, codeCachedBundle(program)),
      format: 'cjs',
      // vm.Script has no loader for import(): esbuild turns it into require()
      supported: { 'dynamic-import': false },
    });
    // ... and in the program's place a loader that runs it with the cache beside it
    const bundle = `./${basename(codeCachedBundle(program))}`;
    await build({
      ...common,
      stdin: {
        contents: [
          `import { fileURLToPath } from 'node:url';`,
          `import { runWithCodeCache } from ${JSON.stringify(join(SRC_DIST, 'agent', 'io', 'code-cache.js'))};`,
          `const bundle = fileURLToPath(new URL(${JSON.stringify(bundle)}, import.meta.url));`,
          `runWithCodeCache(bundle, bundle.replace(/\\.cjs$/, '.cache'));`,
        ].join('\n'),
        resolveDir: SRC_DIST,
        sourcefile: `${program} (code cache loader)`,
      },
      outfile: join(BUNDLE_DIST, program),
      format: 'esm',
    });
  }
  process.stdout.write(`bundled ${NODE_PROGRAMS.length} node programs into ${BUNDLE_DIST} in ${Date.now() - started} ms\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bundle-nodes: ${(e as Error).message}\n`);
  process.exit(1);
});
