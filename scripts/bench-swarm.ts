/**
 * npm run bench:swarm: the same generated TED lab (N spokes behind a core,
 * one host each, supernet ACLs, the seed's suite) on one engine and spread
 * over a two-engine swarm on this machine (src/orchestrator/engines/
 * local-swarm.ts): `up` (to every node ready, the swarm's L2 fix-up and
 * image check included), tunnel formation (bench:scale's full mesh from
 * inside the lab: first packet to the last tunnel) and `down`. The two
 * alternate run by run. On one machine the swarm adds the overlay's and the
 * extra engines' work and gains no CPU: the ratio is the overhead, not a
 * speed-up. Root only (the swarm's namespaces). Figures, not a test.
 *
 *   node dist/scripts/bench-swarm.js [N] [--runs R] [--json]
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { KIND_LABEL, LAB_LABEL, NODE_LABEL, OWNER_LABEL, OWNER_VALUE } from '../src/contract/labels.js';
import { DockerodeEngine } from '../src/orchestrator/docker/dockerode.js';
import type { Engine } from '../src/orchestrator/docker/engine.js';
import { discoverEngines } from '../src/orchestrator/engines/engines.js';
import { FederatedEngine } from '../src/orchestrator/engines/federated.js';
import { localSwarmDown, localSwarmUp } from '../src/orchestrator/engines/local-swarm.js';
import { generateTedLab } from '../src/orchestrator/generate/index.js';
import { ensureLabImage } from '../src/orchestrator/image/build.js';
import { down } from '../src/orchestrator/lab/down.js';
import { up } from '../src/orchestrator/lab/up.js';
import { loadTopology } from '../src/orchestrator/labfile/load.js';
import { silentProgress } from '../src/orchestrator/progress.js';
import { describeMachine, formatMachine, formatTable, median } from './lib/bench.js';
import { runMesh } from './lib/scale-mesh-run.js';

const argv = process.argv.slice(2);
const runsAt = argv.indexOf('--runs');
const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 2;
const n = Number(argv.find((a, i) => /^\d+$/.test(a) && argv[i - 1] !== '--runs') ?? 10);
const json = argv.includes('--json');
const log = (line: string) => (json ? process.stderr : process.stdout).write(`${line}\n`);

interface Sample {
  upS: number;
  tunnelsS: number | null;
  downS: number;
  swept: string;
}

async function once(engine: Engine, file: string, lab: string, image: string): Promise<Sample> {
  const topo = await loadTopology(file);
  const t0 = performance.now();
  await up(engine, topo, { name: lab, image });
  const upS = (performance.now() - t0) / 1000;
  let mesh;
  let downS = 0;
  try {
    const list = (await engine.listContainers({ [OWNER_LABEL]: OWNER_VALUE, [LAB_LABEL]: lab })).filter((c) => c.labels[NODE_LABEL]);
    const hostIp = (name: string) =>
      (topo.nodes.find((x) => x.name === name) as unknown as { interfaces: { address: string }[] }).interfaces[0]!.address.split('/')[0]!;
    const num = (s: string) => Number(s.replace(/\D/g, ''));
    const hosts = list
      .filter((c) => c.labels[KIND_LABEL] === 'host')
      .map((c) => ({ name: c.labels[NODE_LABEL]!, id: c.id, ip: hostIp(c.labels[NODE_LABEL]!) }))
      .sort((a, b) => num(a.name) - num(b.name));
    const spokes = list
      .filter((c) => c.labels[KIND_LABEL] === 'router2600' && c.labels[NODE_LABEL] !== 'core')
      .map((c) => ({ name: c.labels[NODE_LABEL]!, id: c.id, ip: '' }));
    mesh = await runMesh(engine, hosts, spokes, { intervalMs: 200, deadlineMs: 120_000 });
  } finally {
    const t1 = performance.now();
    await down(engine, lab);
    downS = (performance.now() - t1) / 1000;
  }
  return { upS, tunnelsS: mesh.lastTunnelMs === null ? null : mesh.lastTunnelMs / 1000, downS, swept: `${mesh.sweepAnswered}/${mesh.sweepExpected}` };
}

const dir = await mkdtemp(join(tmpdir(), 'bench-swarm-'));
const gen = generateTedLab({ spokes: n, shape: 'core', acl: 'supernet', suite: 'seed', name: `bench-swarm-${n}` });
for (const f of gen.files) {
  await mkdir(dirname(join(dir, f.path)), { recursive: true });
  await writeFile(join(dir, f.path), f.content);
}
const file = join(dir, gen.topology);
const primary = new DockerodeEngine();
const image = await ensureLabImage(primary, { progress: silentProgress });
const swarm = await localSwarmUp(2, log);
const results: Record<'one' | 'two', Sample[]> = { one: [], two: [] };
try {
  const fed = FederatedEngine.fromRefs(await discoverEngines(swarm.manager), primary);
  // the image copy is a one-time cost of a new engine, not of each up
  await up(fed, await loadTopology(file), { name: 'bench-swarm-warm', image }).then(() => down(fed, 'bench-swarm-warm'));
  for (let r = 0; r < runs; r++) {
    for (const mode of r % 2 === 0 ? (['one', 'two'] as const) : (['two', 'one'] as const)) {
      const s = await once(mode === 'one' ? primary : fed, file, `bench-swarm-${mode}`, image);
      results[mode].push(s);
      log(
        `run ${r + 1} ${mode === 'one' ? 'one engine' : 'two engines'}: up ${s.upS.toFixed(1)} s, last tunnel ${s.tunnelsS?.toFixed(1) ?? 'never'} s, down ${s.downS.toFixed(1)} s, sweep ${s.swept}`,
      );
    }
  }
} finally {
  const left = await localSwarmDown(2, log);
  await rm(dir, { recursive: true, force: true });
  if (Object.values(left).some((v) => (v as unknown[]).length > 0)) log(`swarm left over: ${JSON.stringify(left)}`);
}
const med = (mode: 'one' | 'two', k: 'upS' | 'downS' | 'tunnelsS') => median(results[mode].map((s) => s[k] ?? NaN));
const rows = (['upS', 'tunnelsS', 'downS'] as const).map((k) => [
  { upS: 'up', tunnelsS: 'full mesh: last tunnel', downS: 'down' }[k],
  `${med('one', k).toFixed(1)} s`,
  `${med('two', k).toFixed(1)} s`,
  `x${(med('two', k) / med('one', k)).toFixed(2)}`,
]);
if (json) process.stdout.write(`${JSON.stringify({ spokes: n, runs, results }, null, 2)}\n`);
else {
  log(formatMachine(await describeMachine()));
  log(`${n} spokes behind a core, ${n} hosts; medians of ${runs} runs; two engines: local swarm in namespaces on this machine`);
  log(formatTable(['', 'one engine', 'two engines', 'two / one'], rows));
}
