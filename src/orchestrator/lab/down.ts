/**
 * Removing a lab (or every lab): found by its labels alone, so it works
 * after a crash too. The nodes go (a router whose key journal is kept only
 * inside its container is read first and goes after the captures stop),
 * the routers' keys are written next to the pcaps, then the networks go and
 * the lab's transit rules are removed. Idempotent. On a swarm with an engine that does not
 * answer, what is on the engines that answer is removed, and the result
 * names the engines it could not reach and the networks left because they
 * reach such an engine (or live on the manager, when that is the one).
 */
import { ARTIFACTS_LABEL, ENGINE_LABEL, LAB_LABEL, OWNER_LABEL, OWNER_VALUE, ROLE_LABEL } from '../../contract/labels.js';
import { builtinKinds } from '../../kinds/index.js';
import type { KindRegistry } from '../../kinds/registry.js';
import type { Engine } from '../docker/engine.js';
import { EngineUnreachableError, isFederated, type Unanswered } from '../engines/federated.js';
import { silentProgress, withStep, type Progress } from '../progress.js';
import { stopCapture } from './capture.js';
import { chooseFirewall, type Firewall } from './firewall.js';
import { hasHostJournal, journalFile, mergeKeys, readJournals, writeKeyTables, type JournalReports } from './keys.js';
import { LabError, type DownResult } from './types.js';

export interface DownOptions {
  progress?: Progress;
  /** The host's firewall (default: iptables, directly as root or through a helper container). */
  firewall?: Firewall;
  kinds?: KindRegistry;
}

/** What `down` is doing, in order, as its step's updates (a long `down` shows where it is; bench:scale times each). */
export const DOWN_PHASES = {
  nodes: 'removing the nodes (reading first the keys only a router holds)',
  captures: 'stopping the captures',
  readInside: 'removing the routers whose keys were read from inside them',
  tables: 'writing the key tables',
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
    // the keys go next to the pcaps. A router whose journal is a file here (bound, KEYS_LABEL) goes with the other
    // nodes, and its file is read once it is gone (final then); one whose journal is only inside it (a swarm, an
    // engine elsewhere) is read first and removed after the captures
    const nodes = containers.filter((c) => c.labels[ROLE_LABEL] !== 'capture');
    const holders = nodes.filter((c) => journalFile(c, kinds) !== null);
    const here = new Set<string>();
    await Promise.all(holders.map(async (c) => ((await hasHostJournal(c, kinds)) ? here.add(c.id) : undefined)));
    const inside = holders.filter((c) => !here.has(c.id));
    const insideIds = new Set(inside.map((c) => c.id));
    const reports = new Map<string, JournalReports>();
    step.update(DOWN_PHASES.nodes);
    await Promise.all([
      ...labs.map(async (name) => {
        const mine = inside.filter((c) => c.labels[LAB_LABEL] === name);
        if (mine.length > 0) reports.set(name, await readJournals(engine, mine, kinds));
      }),
      ...nodes.filter((c) => !insideIds.has(c.id)).map((c) => engine.removeContainer(c.id)),
    ]);
    step.update(DOWN_PHASES.captures);
    await stopCapture(engine, lab);
    step.update(DOWN_PHASES.readInside);
    await Promise.all(inside.map((c) => engine.removeContainer(c.id)));
    step.update(DOWN_PHASES.tables);
    for (const name of labs) {
      const mine = holders.filter((c) => c.labels[LAB_LABEL] === name);
      const dir = containers.find((c) => c.labels[LAB_LABEL] === name && c.labels[ARTIFACTS_LABEL])?.labels[ARTIFACTS_LABEL];
      if (!dir || !mine.some((c) => c.state === 'running' || here.has(c.id))) continue;
      const fromHere = await readJournals(
        engine,
        mine.filter((c) => here.has(c.id)),
        kinds,
        false,
      );
      const fromInside = reports.get(name) ?? { reports: [], unread: [] };
      const files = await writeKeyTables(dir, {
        ...mergeKeys([...fromInside.reports, ...fromHere.reports]),
        unread: [...fromInside.unread, ...fromHere.unread].sort(),
      }).catch((e: unknown) => {
        progress.note(`note: key tables of ${name} not written: ${(e as Error).message}`);
        return null;
      });
      for (const u of files?.unread ?? []) progress.note(`note: keys not read from ${u}`);
    }
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
