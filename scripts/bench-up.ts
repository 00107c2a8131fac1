/**
 * npm run bench:up: how long `up` and `down` of the seed lab take, next to
 * the floor: the time Docker itself needs to create and start the same
 * networks and containers (same image, same options) with plain API calls,
 * and to remove them. Median of several runs; the image is built first and
 * not counted.
 *
 *   node dist/scripts/bench-up.js [runs]
 */
import { cpus } from 'node:os';
import { DockerodeEngine } from '../src/orchestrator/docker/dockerode.js';
import { ensureLabImage } from '../src/orchestrator/image/build.js';
import { down } from '../src/orchestrator/lab/down.js';
import { up } from '../src/orchestrator/lab/up.js';
import { loadTopology } from '../src/orchestrator/labfile/load.js';
import { ownerLabels } from '../src/contract/labels.js';
import { allocateSubnets, bridgeName } from '../src/orchestrator/lab/naming.js';
import { silentProgress, streamProgress } from '../src/orchestrator/progress.js';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 7);
const topology = fileURLToPath(new URL('../../topologies/daphne-fred.yaml', import.meta.url));
const engine = new DockerodeEngine();

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const r = await fn();
  return [performance.now() - t0, r];
}

/** The same Docker objects as the seed lab, created with plain API calls and nothing else. */
async function floorRun(image: string, lab: string): Promise<{ upMs: number; downMs: number }> {
  const links = [
    { name: 'wan', nodes: ['daphne', 'fred'] },
    { name: 'lan-daphne', nodes: ['daphne', 'd1'] },
    { name: 'lan-fred', nodes: ['fred', 'a1'] },
  ];
  const nodes = ['daphne', 'fred', 'd1', 'a1'];
  const labels = ownerLabels(lab, 'helper');
  const allocs = allocateSubnets(links.map((l) => l.nodes.length), await engine.allSubnets(), lab);
  const ids: string[] = [];
  const nets: string[] = [];
  const [upMs] = await timed(async () => {
    await Promise.all(
      links.map(async (l, i) => {
        nets.push(await engine.createNetwork({ name: `${lab}-${l.name}`, subnet: allocs[i]!.subnet, gateway: allocs[i]!.gateway, bridgeName: bridgeName(lab, l.name), mtu: 1500, labels }));
      }),
    );
    await Promise.all(
      nodes.map(async (n) => {
        const endpoints = links.flatMap((l, i) => (l.nodes.includes(n) ? [{ network: `${lab}-${l.name}`, ipv4: allocs[i]!.addresses[l.nodes.indexOf(n)]! }] : []));
        const id = await engine.createContainer({
          name: `${lab}-${n}`,
          hostname: n,
          image,
          cmd: ['sleep', '3600'],
          env: {},
          labels,
          endpoints,
          capAdd: ['NET_ADMIN', 'NET_RAW'],
          devices: n === 'daphne' || n === 'fred' ? ['/dev/net/tun'] : [],
          sysctls: { 'net.ipv6.conf.all.disable_ipv6': '1' },
          stopTimeoutSeconds: 1,
        });
        ids.push(id);
        await engine.startContainer(id);
      }),
    );
  });
  const [downMs] = await timed(async () => {
    await Promise.all(ids.map((id) => engine.removeContainer(id)));
    await Promise.all(nets.map((id) => engine.removeNetwork(id)));
  });
  return { upMs, downMs };
}

async function main(): Promise<void> {
  await engine.ping();
  const version = await engine.serverVersion();
  const image = await ensureLabImage(engine, { progress: streamProgress() });
  const lab = 'bench-up';
  await down(engine, lab);
  const ours = { up: [] as number[], down: [] as number[] };
  const floor = { up: [] as number[], down: [] as number[] };
  // one warm-up of each, not counted
  await floorRun(image, `${lab}-floor`);
  await up(engine, await loadTopology(topology), { name: lab, progress: silentProgress });
  await down(engine, lab);
  for (let i = 0; i < runs; i++) {
    const f = await floorRun(image, `${lab}-floor`);
    floor.up.push(f.upMs);
    floor.down.push(f.downMs);
    const [u] = await timed(async () => up(engine, await loadTopology(topology), { name: lab, progress: silentProgress }));
    const [d] = await timed(() => down(engine, lab));
    ours.up.push(u);
    ours.down.push(d);
    process.stderr.write(`run ${i + 1}/${runs}: up ${u.toFixed(0)} ms (floor ${f.upMs.toFixed(0)}), down ${d.toFixed(0)} ms (floor ${f.downMs.toFixed(0)})\n`);
  }
  const row = (what: string, o: number[], f: number[]) => {
    const mo = median(o);
    const mf = median(f);
    return `${what.padEnd(6)} ${mo.toFixed(0).padStart(8)} ms ${mf.toFixed(0).padStart(8)} ms ${(mo / mf).toFixed(2).padStart(7)}x`;
  };
  const upRatio = median(ours.up) / median(floor.up);
  console.log(`\nbench:up  seed lab (2 routers, 2 hosts, 3 links), median of ${runs} runs`);
  console.log(`machine: ${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}, Docker ${version.version} (API ${version.apiVersion}), Node ${process.version}`);
  console.log(`\nstep   testbed       Docker floor   ratio`);
  console.log(row('up', ours.up, floor.up));
  console.log(row('down', ours.down, floor.down));
  console.log(`\ntarget: up within 1.5x of the floor: ${upRatio <= 1.5 ? 'met' : 'NOT met'} (${upRatio.toFixed(2)}x); up well under 10 s: ${median(ours.up) < 10000 ? 'met' : 'NOT met'} (${(median(ours.up) / 1000).toFixed(2)} s)`);
}

main().catch((e: unknown) => {
  console.error(`bench:up failed: ${(e as Error).message}`);
  process.exitCode = 1;
});
