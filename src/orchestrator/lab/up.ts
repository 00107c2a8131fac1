/**
 * Bringing a lab up: the networks (a throwaway subnet each, retried when
 * another lab takes it first), the transit rules, the containers the plan
 * gives (plan.ts), each started and awaited with its kind's readiness
 * strategy, then the captures. On any failure `down` removes what was made:
 * nothing is left behind.
 */
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, resolve } from 'node:path';
import { KEYS_LABEL, LAB_LABEL, OWNER_LABEL, OWNER_VALUE } from '../../contract/labels.js';
import { NotReadyError } from '../../kinds/wait.js';
import type { Engine } from '../docker/engine.js';
import { ensureLabImage, type BaseStrategy } from '../image/build.js';
import { silentProgress, withStep, type Progress, type StepHandle } from '../progress.js';
import type { Topology } from '../topology/types.js';
import { keepPrevious, startCapture } from './capture.js';
import { down } from './down.js';
import { chooseFirewall, quietBridge, type Firewall } from './firewall.js';
import { status } from './inventory.js';
import { allocateSubnets, bridgeName, LAB_NAME_PATTERN, type Allocation } from './naming.js';
import { configReport } from '../topology/config-report.js';
import { applyImpairment } from '../impair/apply.js';
import { describeTarget, formatKnobs } from '../impair/spec.js';
import { addressesNeeded, networkedLinks, networkSpec, planLab } from './plan.js';
import { isFederated, type FederatedEngine } from '../engines/federated.js';
import { place, placeLinks, type LinkPlacement } from '../engines/placement.js';
import { distributeImage } from '../engines/images.js';
import { fixOverlayL2 } from '../engines/overlay-l2.js';
import { startSwarmCapture } from '../engines/capture.js';
import { LabError, type LabInfo } from './types.js';

export interface UpOptions {
  /** Lab name (default: the topology's `name`). Two labs from one file need two names. */
  name?: string;
  capture?: boolean;
  /** Where pcaps and key tables go (default ./artifacts/<lab>). */
  artifacts?: string;
  base?: BaseStrategy;
  progress?: Progress;
  /** How long to wait for each node to be ready (ms; default: its kind's own). */
  readyTimeoutMs?: number;
  /** The lab image to use as it is (default: the current one, built when missing). */
  image?: string;
  /** The host's firewall (default: iptables, directly as root or through a helper container). */
  firewall?: Firewall;
  /** How many nodes are started and not yet ready at once (default: bootWidth()); `docker start` calls are fewer (startWidth()). */
  bootWidth?: number;
  /** On a swarm: node -> engine, beating the topology's `placement:` (`--place node=engine`). */
  place?: Record<string, string>;
}

/** Where each node runs and what each link is, on a swarm (null on one engine). */
export interface SwarmLayout {
  placement: Map<string, string>;
  links: Map<string, LinkPlacement>;
}

export function swarmLayout(fed: FederatedEngine, topo: Topology, overrides: Record<string, string> = {}): SwarmLayout {
  const placement = place({
    nodes: topo.nodes.map((n) => n.name),
    engines: fed.members.map((m) => ({ name: m.ref.name, capacity: m.ref.capacity })),
    pinned: topo.placement,
    overrides,
    links: networkedLinks(topo),
  });
  return { placement, links: new Map(placeLinks(networkedLinks(topo), placement, fed.names).map((l) => [l.link, l])) };
}

/**
 * Nodes started and not yet ready at once. Docker starts containers one
 * after the other anyway (a few per second on two cores), so this bound is
 * rarely reached; it keeps a hundred boots from piling up on the CPUs (each
 * would be slower and its readiness timeout meaningless) should Docker be
 * quicker than the boots. A slot is held from `docker start` to the ready
 * line: a narrower pool (it was 4 per core) left Docker idle while the slots
 * waited for boots.
 */
export function bootWidth(cpuCount = availableParallelism()): number {
  return Math.max(32, 16 * cpuCount);
}

/** `docker start` calls in flight at once: Docker's own pace; more only queue inside the daemon. */
export function startWidth(cpuCount = availableParallelism()): number {
  return Math.max(8, 4 * cpuCount);
}

/** At most `width` calls of `fn` at a time. */
function limited<A extends unknown[], R>(width: number, fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (...args) => {
    if (running >= width) await new Promise<void>((r) => waiting.push(r));
    running++;
    try {
      return await fn(...args);
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

/** Run `fn` over `items`, at most `width` at a time; the first failure stops the rest from starting. */
async function inPool<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length && !failed) {
        const item = items[next++]!;
        await fn(item).catch((e: unknown) => {
          failed = true;
          throw e;
        });
      }
    }),
  );
}

export function validateLabName(name: string): void {
  if (!LAB_NAME_PATTERN.test(name)) {
    throw new LabError(`lab name "${name}" must be lower-case letters, digits and dashes (at most 24), starting with a letter or digit`);
  }
}

/** One network per link, each on a free subnet; a subnet another lab took meanwhile is tried again elsewhere. */
async function createNetworks(engine: Engine, lab: string, topo: Topology, step: StepHandle, layout: SwarmLayout | null): Promise<Map<string, Allocation>> {
  const result = new Map<string, Allocation>();
  let pending = networkedLinks(topo);
  for (let attempt = 0; pending.length > 0; attempt++) {
    const inUse = await engine.allSubnets();
    const allocs = allocateSubnets(
      pending.map((l) => addressesNeeded(l, layout?.links.get(l.name))),
      inUse,
      `${lab}#${attempt}`,
    );
    const failed: typeof pending = [];
    await Promise.all(
      pending.map(async (link, i) => {
        const alloc = allocs[i]!;
        try {
          const where = layout?.links.get(link.name);
          await engine.createNetwork(networkSpec(lab, link, alloc, where));
          result.set(link.name, alloc);
          step.update(`${link.name} (${alloc.subnet}${where ? (where.overlay ? `, overlay ${where.engines.join('+')}` : ` on ${where.engines[0]}`) : ''})`);
        } catch (e) {
          // another lab took the block between our look and our create: try another
          if (attempt < 8 && /overlap|conflict|in use/i.test((e as Error).message)) failed.push(link);
          else throw e;
        }
      }),
    );
    pending = failed;
  }
  return result;
}

/** Bring a lab up from a loaded topology (labfile/load.ts). On failure nothing is left behind. */
export async function up(engine: Engine, topo: Topology, opts: UpOptions = {}): Promise<LabInfo> {
  const progress = opts.progress ?? silentProgress;
  const lab = opts.name ?? topo.name;
  validateLabName(lab);
  const artifacts = resolve(opts.artifacts ?? resolve('artifacts', lab));
  await engine.ping();
  const owned = { [OWNER_LABEL]: OWNER_VALUE, [LAB_LABEL]: lab };
  const existing = await engine.listContainers(owned);
  const existingNets = await engine.listNetworks(owned);
  if (existing.length > 0 || existingNets.length > 0) {
    throw new LabError(`a lab named "${lab}" is already up (or left over from a crash): run \`testbed down ${lab}\` first, or choose another name with --name`);
  }
  const fed = isFederated(engine) ? engine : null;
  if (!fed && Object.keys(opts.place ?? {}).length > 0)
    throw new LabError('--place needs a lab on a swarm (set TESTBED_SWARM to a swarm manager); one engine runs every node');
  // placement errors come before anything is created
  const layout = fed ? swarmLayout(fed, topo, opts.place) : null;
  const image = opts.image ?? (await ensureLabImage(engine, { base: opts.base, progress }));
  if (fed)
    await withStep(progress, `the lab image on ${fed.members.length} engines`, (step) =>
      distributeImage(
        fed,
        image,
        (line) => step.update(line),
        (line) => progress.note(line),
      ),
    );
  const { warnings } = configReport(topo);
  let firewall = opts.firewall;
  try {
    const allocations = await withStep(progress, `creating ${topo.links.length} networks`, (step) => createNetworks(engine, lab, topo, step, layout));
    const plan = planLab(topo, {
      lab,
      image,
      artifacts,
      allocations,
      env: process.env,
      ...(layout ? { placement: layout.placement, links: layout.links } : { keysOnHost: engine.sharesHostFiles === true }),
    });
    firewall ??= await chooseFirewall(engine, image);
    const fw = firewall;
    await withStep(progress, 'allowing transit traffic on the lab bridges', async () => {
      for (const bridge of plan.bridges) await quietBridge(bridge);
      await fw.allowBridges(lab, plan.bridges);
    });
    await mkdir(artifacts, { recursive: true });
    // the routers' key journals are bound to directories here; an earlier lab's journal is kept under its time
    for (const { spec, kind } of plan.nodes) {
      const dir = spec.labels[KEYS_LABEL];
      if (!dir || !kind.keysFile) continue;
      await mkdir(dir, { recursive: true });
      await keepPrevious(dir, basename(kind.keysFile));
    }
    const ids = new Map<string, string>();
    await withStep(progress, `creating ${plan.nodes.length} nodes`, async (step) => {
      await Promise.all(
        plan.nodes.map(async ({ node, spec }) => {
          ids.set(node.name, await engine.createContainer(spec));
          step.update(node.name);
        }),
      );
    });
    await withStep(progress, `starting ${plan.nodes.length} nodes`, async (step) => {
      const start = limited(startWidth(), (id: string) => engine.startContainer(id));
      await inPool(plan.nodes, opts.bootWidth ?? bootWidth(), async ({ node, kind }) => {
        const id = ids.get(node.name)!;
        await start(id);
        const readiness = opts.readyTimeoutMs ? kind.readiness.withTimeout(opts.readyTimeoutMs) : kind.readiness;
        await readiness.wait(node.name, { follow: (onText) => engine.followLogs(id, onText) }).catch((e: unknown) => {
          throw e instanceof NotReadyError ? new LabError(e.message) : e;
        });
        step.update(`${node.name} ready`);
      });
    });
    if (fed && [...(layout?.links.values() ?? [])].some((l) => l.overlay)) {
      await withStep(progress, 'making the links between engines real Ethernet segments', async (step) => {
        for (const line of await fixOverlayL2(fed, lab, image)) step.update(line);
      });
    }
    const impairments = topo.links.flatMap((l) => l.impair);
    if (impairments.length > 0) {
      await withStep(progress, `impairing ${impairments.map((s) => `${describeTarget(s)}: ${formatKnobs(s.knobs)}`).join('; ')}`, () =>
        applyImpairment(engine, lab, impairments),
      );
    }
    let pcaps: Record<string, string> = {};
    if (opts.capture) {
      pcaps = await withStep(progress, `capturing ${topo.links.length} links`, () =>
        fed
          ? startSwarmCapture(fed, lab, image, artifacts)
          : startCapture(
              engine,
              lab,
              image,
              artifacts,
              networkedLinks(topo)
                .filter((l) => allocations.has(l.name))
                .map((l) => ({ link: l.name, bridge: bridgeName(lab, l.name) })),
            ),
      );
    }
    const info = await status(engine, lab);
    if (!info) throw new LabError(`lab ${lab} vanished while it was being brought up`);
    for (const l of info.links) l.pcap = pcaps[l.name] ?? l.pcap;
    info.configWarnings = warnings;
    return info;
  } catch (e) {
    await down(engine, lab, { firewall }).catch(() => undefined);
    throw e;
  }
}
