/**
 * npm run bench:scale: TED labs at scale. For N spokes behind a core (one
 * host each; `testbed generate --shape core`, supernet ACLs, the seed's
 * suite):
 *   - `up` and `down` next to the Docker floor for the same objects
 *     (scripts/lib/scale-floor.ts), the two alternating run by run, and
 *     the CPU each node had used when the first `up` returned (cpuacct):
 *     what the nodes' own boots add to Docker's work;
 *   - memory per router and per host (cgroup v1 memory.usage_in_bytes and
 *     memory.stat) and the whole lab's CPU (cpuacct) at idle after `up`;
 *   - a full mesh driven from inside the lab (scripts/lib/scale-mesh.ts):
 *     every host sends to every other host from one common instant, at
 *     most --inflight (4) peers waiting for an answer at a time; time
 *     from the first packet to the last tunnel, tunnels per second, and a
 *     final sweep (3 rounds of a request to every peer, at most
 *     --sweep-rate (500) requests per second over the lab) in which every
 *     ordered pair must get an answer; then the lab's CPU over 5 s.
 * Figures and ratios are printed with the targets; nothing here is a test.
 *
 *   node dist/scripts/bench-scale.js [N ...] [--runs R] [--settle S] [--window S] [--interval MS] [--inflight K] [--sweep-rate R] [--deadline S] [--per-peer] [--no-mesh] [--json]
 */
import Docker from 'dockerode';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { KIND_LABEL, LAB_LABEL, NODE_LABEL, OWNER_LABEL, OWNER_VALUE } from '../src/contract/labels.js';
import { DockerodeEngine } from '../src/orchestrator/docker/dockerode.js';
import { generateTedLab } from '../src/orchestrator/generate/index.js';
import { ensureLabImage } from '../src/orchestrator/image/build.js';
import { down, DOWN_PHASES } from '../src/orchestrator/lab/down.js';
import { allocateSubnets } from '../src/orchestrator/lab/naming.js';
import { networkedLinks, planLab } from '../src/orchestrator/lab/plan.js';
import { LabError } from '../src/orchestrator/lab/types.js';
import { up } from '../src/orchestrator/lab/up.js';
import { loadTopology } from '../src/orchestrator/labfile/load.js';
import { streamProgress, type Progress } from '../src/orchestrator/progress.js';
import { cgroupV1, cpuNs, cpuPercent, memoryOf, type Memory } from './lib/scale-cgroup.js';
import { floorDown, floorUp } from './lib/scale-floor.js';
import { MAX_RATE, MESH_INFLIGHT, runMesh, type MeshReport } from './lib/scale-mesh-run.js';

const TARGET = { upRatio: 1.3, downRatio: 1.3, routerMb: 25, idleCpu: 5, meshSeconds: 60 };

function options(argv: string[]) {
  const flag = (name: string, def: number) => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : def;
  };
  const valued = new Set(['--runs', '--settle', '--window', '--interval', '--deadline', '--boot-width', '--inflight', '--sweep-rate']);
  const switches = new Set(['--per-peer', '--no-mesh', '--json']);
  argv.forEach((a, i) => {
    const value = valued.has(argv[i - 1] ?? '');
    if (value ? !Number.isFinite(Number(a)) : !/^\d+$/.test(a) && !valued.has(a) && !switches.has(a))
      throw new Error(`bench-scale: ${value ? `${argv[i - 1]} wants a number, not "${a}"` : `unknown argument "${a}"`} (usage in scripts/bench-scale.ts)`);
  });
  const sizes = argv.filter((a, i) => /^\d+$/.test(a) && !valued.has(argv[i - 1] ?? '')).map(Number);
  return {
    sizes: sizes.length ? sizes : [10, 50, 100],
    runs: flag('--runs', 2),
    settleS: flag('--settle', 30),
    windowS: flag('--window', 10),
    intervalMs: flag('--interval', 1000),
    /** Peers each host's driver asks at once while the mesh forms. */
    inflight: flag('--inflight', MESH_INFLIGHT),
    /** Requests per second the whole lab sends at most in the final sweep (default 500). */
    sweepRate: flag('--sweep-rate', MAX_RATE),
    deadlineS: flag('--deadline', 180),
    /** Nodes `up` starts at once (its default: bootWidth()). */
    bootWidth: flag('--boot-width', 0),
    mesh: !argv.includes('--no-mesh'),
    acl: (argv.includes('--per-peer') ? 'per-peer' : 'supernet') as 'supernet' | 'per-peer',
    json: argv.includes('--json'),
  };
}

const engine = new DockerodeEngine();
const docker = new Docker();
const log = (s: string) => process.stderr.write(`${s}\n`);
const mb = (n: number) => n / 1024 / 1024;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** down's phase texts (its progress updates) to their names. */
const DOWN_PHASE_NAMES = new Map<string, string>(Object.entries(DOWN_PHASES).map(([k, v]) => [v, k]));

/** A Progress that keeps each step's time (where `up` and `down` spend theirs), and each of down's phases as `down:PHASE`. */
function recorder(steps: { title: string; ms: number }[]): Progress {
  return {
    step(title) {
      const t0 = performance.now();
      let phase: { name: string; t: number } | null = null;
      const endPhase = () => {
        if (phase) steps.push({ title: `down:${phase.name}`, ms: performance.now() - phase.t });
        phase = null;
      };
      return {
        update(detail) {
          const name = DOWN_PHASE_NAMES.get(detail);
          if (name === undefined) return;
          endPhase();
          phase = { name, t: performance.now() };
        },
        done: () => {
          endPhase();
          steps.push({ title: title.replace(/\d+/g, 'N'), ms: performance.now() - t0 });
        },
        fail() {},
      };
    },
    note() {},
  };
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const r = await fn();
  return [performance.now() - t0, r];
}

/** CPU each node had used when `up` returned (its boot to the ready line, and what it did after while the others booted), ms. */
interface BootCpu {
  routers: number[];
  hosts: number[];
}

async function bootCpu(lab: string): Promise<BootCpu> {
  const { routers, hosts } = await labContainers(lab);
  const ms = (ids: string[]) => Promise.all(ids.map(async (id) => (await cpuNs(id)) / 1e6));
  return { routers: await ms(routers.map((c) => c.id)), hosts: await ms(hosts.map((c) => c.id)) };
}

interface Idle {
  settle: { atS: number; cpu: number }[];
  routers: Memory[];
  hosts: Memory[];
  /** Each router's name, in the order of `routers` (to name the one with the largest working set). */
  routerNames: string[];
  cpu: { total: number; routers: number; hosts: number };
}

interface SizeResult {
  spokes: number;
  nodes: number;
  networks: number;
  runs: { order: string; up: number; down: number; floorUp: number; floorDown: number; steps: { title: string; ms: number }[] }[];
  idle: Idle | null;
  bootCpu: BootCpu | null;
  mesh: MeshReport | null;
  /** The lab's CPU over 5 s right after the mesh's sweep (% of one core): does a lab that carried a mesh go quiet? */
  afterMesh: { routers: number; hosts: number; routerMedian: number; routerMax: number; busiest: string } | null;
}

/** The lab's containers by kind. */
async function labContainers(lab: string) {
  const list = await engine.listContainers({ [OWNER_LABEL]: OWNER_VALUE, [LAB_LABEL]: lab });
  const nodes = list.filter((c) => c.labels[NODE_LABEL]);
  return { routers: nodes.filter((c) => c.labels[KIND_LABEL] === 'router2600'), hosts: nodes.filter((c) => c.labels[KIND_LABEL] === 'host') };
}

async function measureIdle(lab: string, settleS: number, windowS: number): Promise<Idle> {
  const { routers, hosts } = await labContainers(lab);
  const all = [...routers, ...hosts].map((c) => c.id);
  const settle: Idle['settle'] = [];
  // the routers warm their IKE code up after they are ready: watch it fade
  for (let t = 0; t < settleS; t += 5) {
    const c = await cpuPercent(all, 5000);
    settle.push({ atS: t + 5, cpu: c.total });
    log(`  settling: ${t + 5} s after up, lab CPU ${c.total.toFixed(1)}% of a core`);
  }
  const memory = async (ids: string[]) => Promise.all(ids.map(memoryOf));
  const [rm_, hm] = await Promise.all([memory(routers.map((c) => c.id)), memory(hosts.map((c) => c.id))]);
  const cpu = await cpuPercent(all, windowS * 1000);
  const sum = (ids: string[]) => ids.reduce((a, id) => a + (cpu.each.get(id) ?? 0), 0);
  return {
    settle,
    routers: rm_,
    hosts: hm,
    routerNames: routers.map((c) => c.labels[NODE_LABEL]!),
    cpu: { total: cpu.total, routers: sum(routers.map((c) => c.id)), hosts: sum(hosts.map((c) => c.id)) },
  };
}

async function cpuAfterMesh(lab: string): Promise<SizeResult['afterMesh']> {
  const { routers, hosts } = await labContainers(lab);
  const cpu = await cpuPercent(
    [...routers, ...hosts].map((c) => c.id),
    5000,
  );
  const each = routers.map((c) => ({ name: c.labels[NODE_LABEL]!, cpu: cpu.each.get(c.id) ?? 0 })).sort((a, b) => a.cpu - b.cpu);
  const sum = (xs: { id: string }[]) => xs.reduce((a, c) => a + (cpu.each.get(c.id) ?? 0), 0);
  const top = each[each.length - 1];
  return { routers: sum(routers), hosts: sum(hosts), routerMedian: median(each.map((x) => x.cpu)), routerMax: top?.cpu ?? 0, busiest: top?.name ?? '-' };
}

async function mesh(lab: string, file: string, opts: { intervalMs: number; inflight: number; sweepRate: number; deadlineS: number }): Promise<MeshReport> {
  const topo = await loadTopology(file);
  const { routers, hosts } = await labContainers(lab);
  const hostIp = (name: string) => {
    const n = topo.nodes.find((x) => x.name === name) as unknown as { interfaces: { address: string }[] };
    return n.interfaces[0]!.address.split('/')[0]!;
  };
  const byNumber = (a: string, b: string) => Number(a.replace(/\D/g, '')) - Number(b.replace(/\D/g, ''));
  const meshHosts = hosts.map((c) => ({ name: c.labels[NODE_LABEL]!, id: c.id, ip: hostIp(c.labels[NODE_LABEL]!) })).sort((a, b) => byNumber(a.name, b.name));
  const spokes = routers.filter((c) => c.labels[NODE_LABEL] !== 'core').map((c) => ({ name: c.labels[NODE_LABEL]!, id: c.id, ip: '' }));
  return runMesh(engine, meshHosts, spokes, {
    intervalMs: opts.intervalMs,
    inflight: opts.inflight,
    maxRate: opts.sweepRate,
    deadlineMs: opts.deadlineS * 1000,
    log,
  });
}

/**
 * SIGINT or SIGTERM: the bench stops after the Docker work in progress (a floor's creations, testbed's `up`)
 * and removes what it made, its floor labs' networks and containers as well, in runSize's `finally`; a second
 * signal quits at once (then `testbed down --all` removes the rest).
 */
class Stopped extends Error {
  override name = 'Stopped';
}
let stopAsked = false;
function onSignal(): void {
  if (stopAsked) process.exit(130);
  stopAsked = true;
  log('stopping: the bench removes what it made once the step in progress is answered (a second signal quits at once)');
}
function stopPoint(): void {
  if (stopAsked) throw new Stopped('stopped by a signal');
}

async function runSize(n: number, opts: ReturnType<typeof options>, image: string): Promise<SizeResult> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-scale-'));
  const lab = `bench-scale-${n}`;
  // a name of its own per run, and subnets chosen again: a network Docker will not let go of (a stale endpoint)
  // cannot block the next run
  const floorLabs: string[] = [];
  try {
    const gen = generateTedLab({ spokes: n, shape: 'core', acl: opts.acl, suite: 'seed', name: lab });
    for (const f of gen.files) {
      await mkdir(dirname(join(dir, f.path)), { recursive: true });
      await writeFile(join(dir, f.path), f.content);
    }
    const file = join(dir, gen.topology);
    const topo = await loadTopology(file);
    // the floor's objects: the plan of the same topology under another lab name
    const links = networkedLinks(topo);
    const floorSpec = async (r: number) => {
      const floorLab = `bench-floor-${n}-${process.pid.toString(36)}-${r + 1}`;
      floorLabs.push(floorLab);
      const allocs = allocateSubnets(
        links.map((l) => l.endpoints.length),
        await engine.allSubnets(),
        floorLab,
      );
      const plan = planLab(topo, {
        lab: floorLab,
        image,
        artifacts: join(dir, 'floor'),
        allocations: new Map(links.map((l, i) => [l.name, allocs[i]!])),
        // the routers' key journals bound to this machine, as `up` binds them
        keysOnHost: engine.sharesHostFiles,
      });
      return { networks: plan.networks, containers: plan.nodes.map((x) => x.spec) };
    };
    await down(engine, lab);
    const result: SizeResult = {
      spokes: n,
      nodes: topo.nodes.length,
      networks: links.length,
      runs: [],
      idle: null,
      bootCpu: null,
      mesh: null,
      afterMesh: null,
    };
    for (let r = 0; r < opts.runs; r++) {
      const order = r % 2 === 0 ? ['floor', 'testbed'] : ['testbed', 'floor'];
      const run = { order: order.join(' then '), up: 0, down: 0, floorUp: 0, floorDown: 0, steps: [] as { title: string; ms: number }[] };
      for (const what of order) {
        stopPoint();
        if (what === 'floor') {
          const spec = await floorSpec(r);
          const [u, ids] = await timed(() => floorUp(docker, spec));
          stopPoint();
          const [d, kept] = await timed(() => floorDown(docker, ids));
          Object.assign(run, { floorUp: u, floorDown: d });
          log(`N=${n} run ${r + 1}: floor up ${(u / 1000).toFixed(1)} s, down ${(d / 1000).toFixed(1)} s`);
          for (const k of kept) log(`note: Docker kept a floor network (stale endpoint; it goes when dockerd restarts): ${k}`);
        } else {
          const [u] = await timed(async () =>
            up(engine, await loadTopology(file), { name: lab, progress: recorder(run.steps), ...(opts.bootWidth ? { bootWidth: opts.bootWidth } : {}) }),
          );
          log(`N=${n} run ${r + 1}: testbed up ${(u / 1000).toFixed(1)} s`);
          stopPoint();
          if (r === 0) {
            result.bootCpu = await bootCpu(lab);
            result.idle = await measureIdle(lab, opts.settleS, opts.windowS);
            stopPoint();
            if (opts.mesh) {
              result.mesh = await mesh(lab, file, opts);
              result.afterMesh = await cpuAfterMesh(lab);
            }
          }
          // Docker's stale-endpoint bug can keep a network (down removes the rest and names it): the run's
          // figures stand, the network is named, and the next run's lab has subnets of its own
          const [d] = await timed(() =>
            down(engine, lab, { progress: recorder(run.steps) }).catch((e: unknown) => {
              if (!(e instanceof LabError && /^Docker did not remove/.test(e.message))) throw e;
              log(`note: ${e.message}`);
            }),
          );
          log(`N=${n} run ${r + 1}: testbed down ${(d / 1000).toFixed(1)} s`);
          Object.assign(run, { up: u, down: d });
        }
      }
      result.runs.push(run);
    }
    return result;
  } finally {
    await down(engine, lab).catch(() => undefined);
    for (const floorLab of floorLabs) await down(engine, floorLab).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

const s1 = (ms: number) => (ms / 1000).toFixed(1);
const met = (ok: boolean) => (ok ? 'met' : 'NOT met');

function report(results: SizeResult[], opts: ReturnType<typeof options>, header: string): string {
  const out: string[] = [header, ''];
  out.push('up and down (s; median of the runs, testbed and floor alternating)');
  out.push('spokes  nodes  networks   up: testbed   floor   ratio   down: testbed   floor   ratio');
  for (const r of results) {
    const u = median(r.runs.map((x) => x.up));
    const fu = median(r.runs.map((x) => x.floorUp));
    const d = median(r.runs.map((x) => x.down));
    const fd = median(r.runs.map((x) => x.floorDown));
    out.push(
      `${String(r.spokes).padStart(6)}  ${String(r.nodes).padStart(5)}  ${String(r.networks).padStart(8)}   ${s1(u).padStart(11)}  ${s1(fu).padStart(6)}  ${(u / fu).toFixed(2).padStart(5)}x   ${s1(d).padStart(13)}  ${s1(fd).padStart(6)}  ${(d / fd).toFixed(2).padStart(5)}x`,
    );
    out.push(`        runs: ${r.runs.map((x) => `[${x.order}: up ${s1(x.up)}/${s1(x.floorUp)}, down ${s1(x.down)}/${s1(x.floorDown)}]`).join(' ')}`);
    const phases = (run: (typeof r.runs)[number]) => run.steps.filter((x) => x.title.startsWith('down:'));
    out.push(
      `        testbed's steps (run 1): ${r.runs[0]!.steps.filter((x) => !x.title.startsWith('down:'))
        .map((x) => `${x.title} ${s1(x.ms)}`)
        .join('; ')}`,
    );
    out.push(
      `        down's phases (s): ${r.runs
        .map(
          (x, i) =>
            `[run ${i + 1}: ${phases(x)
              .map((p) => `${p.title.slice(5)} ${s1(p.ms)}`)
              .join(', ')}]`,
        )
        .join(' ')}`,
    );
  }
  out.push('', 'CPU the nodes had used when up returned (run 1; ms per node: median, max; and the sum over the lab)');
  for (const r of results) {
    if (!r.bootCpu) continue;
    const b = r.bootCpu;
    const line = (xs: number[]) => `${median(xs).toFixed(0)} ms (max ${Math.max(...xs).toFixed(0)})`;
    const total = [...b.routers, ...b.hosts].reduce((a, x) => a + x, 0) / 1000;
    out.push(
      `${String(r.spokes).padStart(6)}  routers ${line(b.routers)}, hosts ${line(b.hosts)}; all nodes ${total.toFixed(1)} core-s (${(total / cpus().length).toFixed(1)} s of the machine's ${cpus().length} cores)`,
    );
  }
  out.push('', `at idle after up (settled ${opts.settleS} s; CPU over ${opts.windowS} s; MB = MiB)`);
  out.push('spokes  router: working set  rss  usage (median, max ws)   host: working set  rss  usage   lab CPU (% of a core: all, routers, hosts)');
  for (const r of results) {
    if (!r.idle) continue;
    const m = (xs: Memory[], k: keyof Memory) => mb(median(xs.map((x) => x[k]))).toFixed(1);
    const max = (xs: Memory[]) => mb(Math.max(...xs.map((x) => x.workingSet))).toFixed(1);
    const i = r.idle;
    out.push(
      `${String(r.spokes).padStart(6)}  ${m(i.routers, 'workingSet').padStart(17)}  ${m(i.routers, 'rss').padStart(4)}  ${m(i.routers, 'usage').padStart(5)} (max ${max(i.routers)})   ${m(i.hosts, 'workingSet').padStart(17)}  ${m(i.hosts, 'rss').padStart(4)}  ${m(i.hosts, 'usage').padStart(5)}   ${i.cpu.total.toFixed(2)}%, ${i.cpu.routers.toFixed(2)}%, ${i.cpu.hosts.toFixed(2)}%`,
    );
    out.push(`        CPU while settling (every 5 s): ${i.settle.map((x) => x.cpu.toFixed(0)).join(' ')}%`);
    // page cache of the image's files is charged to the container that read them first: a router's working set
    // can hold some that all the others use
    const top = i.routers.reduce((best, x, k) => (x.workingSet > i.routers[best]!.workingSet ? k : best), 0);
    const t = i.routers[top];
    if (t)
      out.push(
        `        largest router working set: ${i.routerNames[top]} ${mb(t.workingSet).toFixed(1)} MB (rss ${mb(t.rss).toFixed(1)}, page cache ${mb(t.cache).toFixed(1)})`,
      );
  }
  const meshes = results.filter((r) => r.mesh);
  if (meshes.length) {
    out.push(
      '',
      `full mesh from inside the lab (every host to every other, at most ${opts.inflight} peers waiting at a time, each asked again every ${opts.intervalMs} ms until it answers)`,
    );
    out.push(
      'spokes  tunnels  formed  first packet -> last tunnel  tunnels/s  both ways  routers: first acquire -> last SA  sweep answered  ISAKMP SAs per spoke',
    );
    for (const r of meshes) {
      const m = r.mesh!;
      const formed = m.formedMs.filter((x) => x !== null).length;
      const last = m.lastTunnelMs;
      const routerSpan =
        m.routers.lastInstallMs !== null && m.routers.firstAcquireMs !== null ? `${s1(m.routers.lastInstallMs - m.routers.firstAcquireMs)} s` : '-';
      out.push(
        `${String(r.spokes).padStart(6)}  ${String(m.pairs).padStart(7)}  ${String(formed).padStart(6)}  ${(last === null ? 'not all' : `${s1(last)} s`).padStart(27)}  ${(last ? (m.pairs / (last / 1000)).toFixed(1) : '-').padStart(9)}  ${(m.bothWaysMs === null ? '-' : `${s1(m.bothWaysMs)} s`).padStart(9)}  ${routerSpan.padStart(33)}  ${`${m.sweepAnswered}/${m.sweepExpected}`.padStart(14)}  median ${median(m.routers.isakmpSas)}, max ${Math.max(...m.routers.isakmpSas)}`,
      );
      const f = m.formedMs.filter((x): x is number => x !== null).sort((a, b) => a - b);
      const q = (p: number) => s1(f[Math.min(f.length - 1, Math.floor(p * f.length))] ?? 0);
      out.push(
        `        pairs formed by: 10% ${q(0.1)} s, 50% ${q(0.5)} s, 90% ${q(0.9)} s; ${m.requestsSent} requests sent; late hosts ${m.lateHosts}; sweep started by ${m.sweepFrom.join('/')}; time lines truncated on ${m.routers.truncated} routers`,
      );
      if (m.cpu)
        out.push(
          `        CPU from the first packet to the end of the sweep (${s1(m.cpu.spanS * 1000)} s): routers ${m.cpu.routersS.toFixed(1)} core-s, hosts ${m.cpu.hostsS.toFixed(1)} core-s (${(((m.cpu.routersS + m.cpu.hostsS) / m.cpu.spanS) * 100).toFixed(0)}% of one core)`,
        );
      out.push(
        `        dropped: ${m.drops.tunTotal} packets at the routers' ipsec0 queues (at most ${m.drops.tunMax} on one router), ${m.drops.hostRcvbuf} at the hosts' full UDP receive buffers; ` +
          `during the sweep the routers met ${m.routers.sweep.acquires} packets without an SA, installed ${m.routers.sweep.installs} pairs; ESP errors at the end ${m.routers.sweep.espErrors}`,
      );
      if (m.sweepRtt)
        out.push(`        sweep answers came ${m.sweepRtt.p50} ms after the request (median), ${m.sweepRtt.p99} ms (99%), ${m.sweepRtt.max} ms at most`);
      const u = m.routers.unmatched;
      out.push(
        `        SAs at the end: ${u.length} flows whose current outbound SPI the peer router holds no inbound SA for${
          u.length
            ? ` (${u
                .slice(0, 10)
                .map((x) => `${x.from} -> ${x.to} 0x${x.spi.toString(16)}`)
                .join(', ')}${u.length > 10 ? `, and ${u.length - 10} more` : ''})`
            : ''
        }`,
      );
      const a = r.afterMesh;
      if (a)
        out.push(
          `        lab CPU over 5 s after the sweep: routers ${a.routers.toFixed(1)}% of a core (a router ${a.routerMedian.toFixed(2)}% median, ${a.routerMax.toFixed(2)}% most, ${a.busiest}), hosts ${a.hosts.toFixed(1)}%`,
        );
      if (m.sweepMissing.length)
        out.push(
          `        unanswered in the sweep (from -> to): ${m.sweepMissing
            .slice(0, 20)
            .map(([a, b]) => `${a} -> ${b}`)
            .join(', ')}${m.sweepMissing.length > 20 ? `, and ${m.sweepMissing.length - 20} more` : ''}`,
        );
    }
  }
  out.push('', 'targets');
  for (const r of results) {
    const u = median(r.runs.map((x) => x.up)) / median(r.runs.map((x) => x.floorUp));
    const d = median(r.runs.map((x) => x.down)) / median(r.runs.map((x) => x.floorDown));
    const parts = [
      `up ${u.toFixed(2)}x of the floor (target ${TARGET.upRatio}x): ${met(u <= TARGET.upRatio)}`,
      `down ${d.toFixed(2)}x (target ${TARGET.downRatio}x): ${met(d <= TARGET.downRatio)}`,
    ];
    if (r.idle) {
      const ws = mb(median(r.idle.routers.map((x) => x.workingSet)));
      parts.push(`router ${ws.toFixed(1)} MB at idle (target ${TARGET.routerMb}): ${met(ws <= TARGET.routerMb)}`);
      parts.push(`idle lab CPU ${r.idle.cpu.total.toFixed(2)}% of a core (target < ${TARGET.idleCpu}%): ${met(r.idle.cpu.total < TARGET.idleCpu)}`);
    }
    if (r.mesh) {
      const ok = r.mesh.lastTunnelMs !== null && r.mesh.sweepAnswered === r.mesh.sweepExpected;
      parts.push(
        `full mesh ${r.mesh.lastTunnelMs === null ? 'incomplete' : `${s1(r.mesh.lastTunnelMs)} s`}, sweep ${r.mesh.sweepAnswered}/${r.mesh.sweepExpected} (target ${TARGET.meshSeconds} s, all pairs): ${met(ok && r.mesh.lastTunnelMs! <= TARGET.meshSeconds * 1000)}`,
      );
    }
    out.push(`${String(r.spokes).padStart(4)} spokes: ${parts.join('; ')}`);
  }
  out.push('(the targets are for 100 spokes; the other sizes show the trend)');
  return out.join('\n');
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await engine.ping();
  const version = await engine.serverVersion();
  const image = await ensureLabImage(engine, { progress: streamProgress() });
  const probe = await engine.listContainers({ [OWNER_LABEL]: OWNER_VALUE });
  if (probe[0] && !(await cgroupV1(probe[0].id))) log('note: no cgroup v1 memory files for containers here; memory and CPU figures will fail');
  const header = [
    `bench:scale  TED labs: N spokes behind a core (testbed generate --shape core, ${opts.acl} ACLs, seed suite), one host each; ${opts.runs} runs`,
    `machine: ${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Docker ${version.version} (API ${version.apiVersion}), Node ${process.version}; load average at start ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  ].join('\n');
  const results: SizeResult[] = [];
  for (const n of opts.sizes) results.push(await runSize(n, opts, image));
  if (opts.json) console.log(JSON.stringify({ header, results }, null, 2));
  else console.log(`\n${report(results, opts, header)}`);
}

main().catch((e: unknown) => {
  if (e instanceof Stopped) {
    log('stopped; what the bench made is removed');
    process.exitCode = 130;
    return;
  }
  console.error(`bench:scale failed: ${(e as Error).stack ?? (e as Error).message}`);
  process.exitCode = 1;
});
