/**
 * npm run bench:up: how long `up` and `down` of the seed lab take, next to
 * the floor: the time Docker itself needs to create and start the same
 * networks and containers (same image, same options) with plain API calls,
 * and to remove them. The image is built first and not counted.
 *
 * `up` is timed twice: to its return (every router printed its ready line,
 * every host is configured) and to the moment both routers are idle (their
 * warm-up of the IKE and ESP code and their Diffie-Hellman pool are done,
 * read afterwards from `ios --status`: the routers' own time stamps, which
 * share the host's clock). The floor and testbed alternate, and which of the
 * two goes first alternates run by run. Medians, ratios over the floor.
 *
 *   node dist/scripts/bench-up.js [runs] [--quick] [--json]
 */
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';
import { DockerodeEngine } from '../src/orchestrator/docker/dockerode.js';
import { ensureLabImage } from '../src/orchestrator/image/build.js';
import { down } from '../src/orchestrator/lab/down.js';
import { execOnNode } from '../src/orchestrator/lab/exec.js';
import { up } from '../src/orchestrator/lab/up.js';
import { loadTopology } from '../src/orchestrator/labfile/load.js';
import { ownerLabels } from '../src/contract/labels.js';
import { allocateSubnets, bridgeName } from '../src/orchestrator/lab/naming.js';
import { silentProgress, streamProgress } from '../src/orchestrator/progress.js';
import { loadAverage, median } from './lib/bench.js';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const positional = argv.find((a) => /^\d+$/.test(a));
const runs = positional ? Number(positional) : quick ? 3 : 9;
/** How long after `up` returned the routers are asked when they became idle (asking earlier would load them while they work). */
const PROBE_AFTER_MS = 4000;
const topology = fileURLToPath(new URL('../../topologies/daphne-fred.yaml', import.meta.url));
const ROUTERS = ['daphne', 'fred'];
const engine = new DockerodeEngine();

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
  const allocs = allocateSubnets(
    links.map((l) => l.nodes.length),
    await engine.allSubnets(),
    lab,
  );
  const ids: string[] = [];
  const nets: string[] = [];
  const [upMs] = await timed(async () => {
    await Promise.all(
      links.map(async (l, i) => {
        nets.push(
          await engine.createNetwork({
            name: `${lab}-${l.name}`,
            subnet: allocs[i]!.subnet,
            gateway: allocs[i]!.gateway,
            bridgeName: bridgeName(lab, l.name),
            mtu: 1500,
            labels,
          }),
        );
      }),
    );
    await Promise.all(
      nodes.map(async (n) => {
        const endpoints = links.flatMap((l, i) =>
          l.nodes.includes(n) ? [{ network: `${lab}-${l.name}`, ipv4: allocs[i]!.addresses[l.nodes.indexOf(n)]! }] : [],
        );
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

interface RouterStatus {
  readyAt: number | null;
  idleAt: number | null;
  warmup: { doneAt: number | null };
  dhPool: { idleSince: number | null };
  /** The agent process's CPU (ms, since it started) at the end of each boot step, and when the status was taken (at idle). */
  phases: { phase: string; cpuMs: number }[];
  cpuMs: number;
}

/** One router's agent CPU in one run: what each boot step took (ms, in order), and the total at idle. */
interface AgentCpu {
  steps: [string, number][];
  idleMs: number;
}

function agentCpu(s: RouterStatus): AgentCpu {
  let before = 0;
  const steps: [string, number][] = s.phases.map((p) => {
    const step: [string, number] = [p.phase, p.cpuMs - before];
    before = p.cpuMs;
    return step;
  });
  return { steps, idleMs: s.cpuMs };
}

interface OursRun {
  /** up() returned: every ready line seen. */
  readyMs: number;
  /** Both routers idle (warm-up and DH pool done), by their own clocks. */
  idleMs: number;
  /** The later warm-up end and the later full pool, from the start of up. */
  warmupMs: number;
  poolMs: number;
  /** The status query was sent before a router was idle (it then competed with the work it waits for). */
  probedEarly: boolean;
  downMs: number;
  /** Each router's agent CPU. */
  cpu: AgentCpu[];
}

async function oursRun(lab: string): Promise<OursRun> {
  const start = Date.now();
  await up(engine, await loadTopology(topology), { name: lab, progress: silentProgress });
  const readyMs = Date.now() - start;
  const wait = start + readyMs + PROBE_AFTER_MS - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const askedAt = Date.now();
  let status: RouterStatus[];
  try {
    status = await Promise.all(
      ROUTERS.map(async (r) => {
        const res = await execOnNode(engine, lab, r, ['--status', '--wait', '60000'], 70_000);
        if (res.exitCode !== 0) throw new Error(`${r}: ios --status: ${res.stdout}${res.stderr}`);
        return JSON.parse(res.stdout) as RouterStatus;
      }),
    );
  } catch (e) {
    await down(engine, lab);
    throw e;
  }
  const idle = status.map((s) => s.idleAt);
  const latest = (xs: (number | null)[]) => Math.max(...xs.map((x) => x!)) - start;
  const [downMs] = await timed(() => down(engine, lab));
  if (idle.some((x) => x === null)) throw new Error('a router was not idle 60 s after up');
  return {
    readyMs,
    idleMs: latest(idle),
    warmupMs: latest(status.map((s) => s.warmup.doneAt)),
    poolMs: latest(status.map((s) => s.dhPool.idleSince)),
    probedEarly: idle.some((x) => x! > askedAt),
    downMs,
    cpu: status.map(agentCpu),
  };
}

async function main(): Promise<void> {
  await engine.ping();
  const version = await engine.serverVersion();
  const image = await ensureLabImage(engine, { progress: streamProgress() });
  const lab = 'bench-up';
  await down(engine, lab);
  const loadBefore = loadAverage();
  const ours: OursRun[] = [];
  const floor: { upMs: number; downMs: number }[] = [];
  // one warm-up of each, not counted
  await floorRun(image, `${lab}-floor`);
  await oursRun(lab);
  for (let i = 0; i < runs; i++) {
    // the order alternates: a run's first half must not always meet the same machine state
    const floorFirst = i % 2 === 0;
    if (floorFirst) floor.push(await floorRun(image, `${lab}-floor`));
    ours.push(await oursRun(lab));
    if (!floorFirst) floor.push(await floorRun(image, `${lab}-floor`));
    const o = ours.at(-1)!;
    const f = floor.at(-1)!;
    process.stderr.write(
      `run ${i + 1}/${runs} (${floorFirst ? 'floor first' : 'testbed first'}): up ${o.readyMs.toFixed(0)} ms to the ready lines, ${o.idleMs.toFixed(0)} ms to idle (floor ${f.upMs.toFixed(0)}), down ${o.downMs.toFixed(0)} ms (floor ${f.downMs.toFixed(0)})${o.probedEarly ? ' [status asked before idle]' : ''}\n`,
    );
  }
  const loadAfter = loadAverage();
  const m = (xs: number[]) => median(xs);
  const res = {
    runs,
    machine: `${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}, Docker ${version.version} (API ${version.apiVersion}), Node ${process.version}`,
    load: `${loadBefore} at the start, ${loadAfter} at the end (1, 5, 15 min)`,
    floor: { up: m(floor.map((f) => f.upMs)), down: m(floor.map((f) => f.downMs)) },
    ready: m(ours.map((o) => o.readyMs)),
    idle: m(ours.map((o) => o.idleMs)),
    warmup: m(ours.map((o) => o.warmupMs)),
    pool: m(ours.map((o) => o.poolMs)),
    down: m(ours.map((o) => o.downMs)),
    probedEarly: ours.filter((o) => o.probedEarly).length,
    samples: { ours, floor },
  };
  if (argv.includes('--json')) {
    console.log(JSON.stringify(res, null, 2));
    return;
  }
  const row = (what: string, o: number, f: number) =>
    `${what.padEnd(28)} ${o.toFixed(0).padStart(8)} ms ${f.toFixed(0).padStart(8)} ms ${(o / f).toFixed(2).padStart(7)}x`;
  const range = (xs: number[]) => `${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)} ms`;
  console.log(`\nbench:up  seed lab (2 routers, 2 hosts, 3 links), median of ${runs} runs, floor and testbed in alternating order`);
  console.log(`machine: ${res.machine}`);
  console.log(`load: ${res.load}`);
  console.log(`\nstep                          testbed   Docker floor   ratio`);
  console.log(row('up, to the ready lines', res.ready, res.floor.up));
  console.log(row('up, to both routers idle', res.idle, res.floor.up));
  console.log(row('down', res.down, res.floor.down));
  console.log(`\nranges: ready ${range(ours.map((o) => o.readyMs))}, idle ${range(ours.map((o) => o.idleMs))}, floor up ${range(floor.map((f) => f.upMs))}`);
  console.log(
    `idle = the later of: warm-up done (median ${res.warmup.toFixed(0)} ms after the start of up) and DH pool full (median ${res.pool.toFixed(0)} ms), on both routers`,
  );
  if (res.probedEarly) console.log(`note: in ${res.probedEarly} of ${runs} runs the status was asked ${PROBE_AFTER_MS} ms after up, before a router was idle`);
  // the agents' own CPU (not their children's: ip, iptables), median over every router of every run
  const agents = ours.flatMap((o) => o.cpu);
  const names = [...new Set(agents.flatMap((c) => c.steps.map(([n]) => n)))];
  const stepMedian = (n: string) => median(agents.map((c) => c.steps.find(([x]) => x === n)?.[1] ?? 0));
  const toReady = (c: AgentCpu) => c.steps.slice(0, c.steps.findIndex(([n]) => n === 'ready') + 1).reduce((a, [, ms]) => a + ms, 0);
  console.log(
    `agent CPU per router (the agent process alone, median of ${agents.length}): ${median(agents.map(toReady)).toFixed(0)} ms to the ready line, ${median(agents.map((c) => c.idleMs)).toFixed(0)} ms to idle; by step: ${names.map((n) => `${n} ${stepMedian(n).toFixed(0)}`).join(', ')} ms`,
  );
  const upRatio = res.ready / res.floor.up;
  const idleRatio = res.idle / res.floor.up;
  console.log(
    `\ntarget: up within 1.5x of the floor: to the ready lines ${upRatio <= 1.5 ? 'met' : 'NOT met'} (${upRatio.toFixed(2)}x); to idle ${idleRatio <= 1.5 ? 'met' : 'NOT met'} (${idleRatio.toFixed(2)}x); up well under 10 s: ${res.idle < 10000 ? 'met' : 'NOT met'} (${(res.idle / 1000).toFixed(2)} s to idle)`,
  );
}

main().catch(async (e: unknown) => {
  console.error(`bench:up failed: ${(e as Error).message}`);
  process.exitCode = 1;
  // leave nothing behind
  await down(engine, 'bench-up').catch(() => undefined);
  await down(engine, 'bench-up-floor').catch(() => undefined);
});
