/**
 * Removing a lab (or every lab): found by its labels alone, so it works
 * after a crash too. The routers' keys are written next to the pcaps first
 * (the nodes that hold no keys are removed meanwhile), then captures stop,
 * the other containers and the networks go, and the lab's transit rules are
 * removed. Idempotent. On a swarm with an engine that does not
 * answer, what is on the engines that answer is removed, and the result
 * names the engines it could not reach and the networks left because they
 * reach such an engine (or live on the manager, when that is the one).
 */
import { ARTIFACTS_LABEL, ENGINE_LABEL, KIND_LABEL, LAB_LABEL, OWNER_LABEL, OWNER_VALUE, ROLE_LABEL } from '../../contract/labels.js';
import { builtinKinds } from '../../kinds/index.js';
import type { KindRegistry } from '../../kinds/registry.js';
import type { Engine } from '../docker/engine.js';
import { EngineUnreachableError, isFederated, type Unanswered } from '../engines/federated.js';
import { silentProgress, withStep, type Progress } from '../progress.js';
import { stopCapture } from './capture.js';
import { chooseFirewall, type Firewall } from './firewall.js';
import { collectKeys, writeKeyTables } from './keys.js';
import { LabError, type DownResult } from './types.js';

export interface DownOptions {
  progress?: Progress;
  /** The host's firewall (default: iptables, directly as root or through a helper container). */
  firewall?: Firewall;
  kinds?: KindRegistry;
}

/** What `down` is doing, in order, as its step's updates (a long `down` shows where it is; bench:scale times each). */
export const DOWN_PHASES = {
  keys: "reading the routers' keys, removing the other nodes",
  captures: 'stopping the captures',
  keyHolders: 'removing the routers',
  networks: 'removing the networks',
  firewall: 'removing the firewall rules',
} as const;

/** Remove a lab (or every lab when `lab` is undefined). Idempotent. */
export async function down(everywhere: Engine, lab?: string, opts: DownOptions = {}): Promise<DownResult> {
  const progress = opts.progress ?? silentProgress;
  const kinds = opts.kinds ?? builtinKinds;
  let engine = everywhere;
  let unreachable: Unanswered[] = [];
  if (isFederated(everywhere)) {
    // an engine that does not answer keeps its part; the others are cleaned
    const split = await everywhere.answering();
    if (!split.engine) throw new EngineUnreachableError(split.unanswered);
    engine = split.engine;
    unreachable = split.unanswered;
  } else await everywhere.ping();
  const labels: Record<string, string> = { [OWNER_LABEL]: OWNER_VALUE };
  if (lab) labels[LAB_LABEL] = lab;
  const containers = await engine.listContainers(labels);
  const listed = await engine.listNetworks(labels);
  // a network that reaches an engine that does not answer still has its endpoints there; an overlay lives on the manager
  const managerGone = unreachable.some((u) => u.manager);
  const reachesGone = (n: (typeof listed)[number]) =>
    (managerGone && n.driver === 'overlay') || (n.labels[ENGINE_LABEL] ?? '').split('+').some((e) => unreachable.some((u) => u.engine === e));
  const networks = listed.filter((n) => !reachesGone(n));
  const networksLeft = listed.filter(reachesGone).map((n) => n.name);
  for (const u of unreachable) progress.note(`note: engine ${u.engine} (${u.host}) does not answer (${u.error}): what the lab has there stays`);
  const labs = [...new Set([...containers, ...networks].map((x) => x.labels[LAB_LABEL]!).filter((l) => l && l !== '-'))].sort();
  const image = containers.find((c) => c.image.startsWith('testbed/'))?.image ?? null;
  return withStep(progress, lab ? `removing lab ${lab}` : `removing ${labs.length} labs`, async (step) => {
    // the keys go next to the pcaps before the nodes that hold them go; the nodes that hold none go meanwhile
    const holdsKeys = (c: (typeof containers)[number]) => (kinds.find(c.labels[KIND_LABEL])?.keysFile ?? null) !== null;
    const nodes = containers.filter((c) => c.labels[ROLE_LABEL] !== 'capture');
    step.update(DOWN_PHASES.keys);
    await Promise.all([
      ...labs.map(async (name) => {
        const mine = containers.filter((c) => c.labels[LAB_LABEL] === name);
        const dir = mine.find((c) => c.labels[ARTIFACTS_LABEL])?.labels[ARTIFACTS_LABEL];
        if (!dir || !mine.some((c) => c.state === 'running' && holdsKeys(c))) return;
        const files = await writeKeyTables(dir, await collectKeys(engine, name, kinds)).catch((e: unknown) => {
          progress.note(`note: key tables of ${name} not written: ${(e as Error).message}`);
          return null;
        });
        for (const u of files?.unread ?? []) progress.note(`note: keys not read from ${u}`);
      }),
      ...nodes.filter((c) => !holdsKeys(c)).map((c) => engine.removeContainer(c.id)),
    ]);
    step.update(DOWN_PHASES.captures);
    await stopCapture(engine, lab);
    step.update(DOWN_PHASES.keyHolders);
    await Promise.all(nodes.filter(holdsKeys).map((c) => engine.removeContainer(c.id)));
    step.update(DOWN_PHASES.networks);
    // a network Docker refuses to remove (its stale-endpoint bug under load) keeps neither the firewall rules nor
    // the other networks from going; it is named at the end
    const refused: string[] = [];
    await Promise.all(networks.map((n) => engine.removeNetwork(n.id).catch((e: unknown) => void refused.push(`${n.name}: ${(e as Error).message}`))));
    step.update(DOWN_PHASES.firewall);
    let rules = 0;
    try {
      const firewall = opts.firewall ?? (await chooseFirewall(engine, image));
      rules = await firewall.removeRules(lab);
    } catch (e) {
      // without root and without an image we cannot look; say so rather than pretend
      if (!(e instanceof Error && /needs root|needs the lab image/.test(e.message))) throw e;
      progress.note(`note: could not check iptables for leftover rules: ${e.message}`);
    }
    if (refused.length > 0)
      throw new LabError(
        `Docker did not remove ${refused.length} of the ${networks.length} networks (everything else is removed; run testbed down again, after restarting dockerd if it says "active endpoints"): ${refused.sort().join('; ')}`,
      );
    const result: DownResult = { labs: lab ? [lab] : labs, containers: containers.length, networks: networks.length, firewallRules: rules };
    if (unreachable.length > 0) {
      result.unreachable = unreachable.map(({ engine: e, host, error }) => ({ engine: e, host, error }));
      result.networksLeft = networksLeft.sort();
    }
    return result;
  });
}
