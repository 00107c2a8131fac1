/**
 * Link impairment on a running lab: one helper container per impaired node
 * (`tb-<lab>--impair-<node>`, the lab image, sharing the node's network
 * namespace with NET_ADMIN), running the script the planner (plan.ts)
 * writes. The node's own program is never touched, so every kind is
 * impaired the same way. Each helper carries the lab's settings in a label,
 * so `testbed impair LAB` lists them and `down` removes the helpers with the
 * lab. Stopping a helper (SIGTERM) removes its rules, qdiscs and ifb devices;
 * a new helper removes whatever a killed one left before it sets up.
 */
import { IMPAIR_LABEL, LAB_LABEL, NODE_LABEL, OWNER_LABEL, OWNER_VALUE, ownerLabels, ROLE_LABEL } from '../../contract/labels.js';
import type { ContainerInfo, Engine } from '../docker/engine.js';
import { findNode, status } from '../lab/inventory.js';
import { impairContainerName } from '../lab/naming.js';
import { LabError, type LabInfo } from '../lab/types.js';
import { checkSetting, helperScript, planImpairment, TEARDOWN, type ImpairEndpoint, type NodeImpairPlan } from './plan.js';
import { clearSettings, mergeSetting, type ImpairSetting } from './spec.js';

export interface HelperState {
  node: string;
  /** Docker's state of the helper (running, exited ...). */
  state: string;
  /** netem, or netfilter (iptables, tc and tb-impair); null until it said. */
  path: string | null;
}

export interface ImpairState {
  lab: string;
  settings: ImpairSetting[];
  helpers: HelperState[];
  /** Endpoints a setting names that are not connected now (a cut link): nothing applies there. */
  skipped: string[];
}

const READY_TIMEOUT_MS = 20000;

async function helpers(engine: Engine, lab: string): Promise<ContainerInfo[]> {
  return engine.listContainers({ [OWNER_LABEL]: OWNER_VALUE, [LAB_LABEL]: lab, [ROLE_LABEL]: 'impair' });
}

function settingsOf(list: ContainerInfo[]): ImpairSetting[] {
  for (const c of list) {
    try {
      return JSON.parse(c.labels[IMPAIR_LABEL] ?? '[]') as ImpairSetting[];
    } catch {
      /* a label we did not write: try the next helper */
    }
  }
  return [];
}

async function labInfo(engine: Engine, lab: string): Promise<LabInfo> {
  const info = await status(engine, lab);
  if (!info) throw new LabError(`no lab named "${lab}" is up`);
  return info;
}

/** Which nodes each link joins. */
export function linkNodes(info: LabInfo): Map<string, string[]> {
  return new Map(info.links.map((l) => [l.name, [...new Set(info.nodes.filter((n) => n.interfaces.some((i) => i.link === l.name)).map((n) => n.name))]]));
}

/** The settings in force and the helpers that apply them. */
export async function listImpairment(engine: Engine, lab: string): Promise<ImpairState> {
  await labInfo(engine, lab);
  const list = await helpers(engine, lab);
  const states = await Promise.all(
    list.map(async (c) => {
      const logs = await engine.logs(c.id).catch(() => '');
      return { node: c.labels[NODE_LABEL] ?? '?', state: c.state, path: /impair-ready (\w+)/.exec(logs)?.[1] ?? null };
    }),
  );
  return { lab, settings: settingsOf(list), helpers: states.sort((a, b) => a.node.localeCompare(b.node)), skipped: [] };
}

/** Add (or change) one setting; knobs at 0 are removed. */
export async function impair(engine: Engine, lab: string, setting: ImpairSetting): Promise<ImpairState> {
  const current = settingsOf(await helpers(engine, lab));
  return applyImpairment(engine, lab, mergeSetting(current, setting));
}

/** Remove the settings of a link (or one endpoint of it), or every setting of the lab. */
export async function clearImpairment(engine: Engine, lab: string, link?: string, endpoint?: string): Promise<ImpairState> {
  const current = settingsOf(await helpers(engine, lab));
  if (link !== undefined) {
    const info = await labInfo(engine, lab);
    if (!info.links.some((l) => l.name === link)) throw new LabError(`lab ${lab} has no link "${link}" (links: ${info.links.map((l) => l.name).join(', ')})`);
  }
  return applyImpairment(engine, lab, link === undefined ? [] : clearSettings(current, link, endpoint ?? null));
}

/** Apply the settings in force again (after a node restart: its namespace is new). */
export async function reapplyImpairment(engine: Engine, lab: string): Promise<ImpairState | null> {
  const list = await helpers(engine, lab);
  if (list.length === 0) return null;
  return applyImpairment(engine, lab, settingsOf(list));
}

/** Make `settings` the lab's whole impairment: old helpers go (removing what they set up), new ones start. */
export async function applyImpairment(engine: Engine, lab: string, settings: ImpairSetting[]): Promise<ImpairState> {
  const info = await labInfo(engine, lab);
  const links = linkNodes(info);
  const errors = settings.map((s) => checkSetting(s, links)).filter((e): e is string => e !== null);
  if (errors.length) throw new LabError(`impair ${lab}: ${errors.join('; ')}`);
  const { endpoints, skipped } = await resolveEndpoints(engine, info, settings);
  const plans = planImpairment(settings, endpoints);

  const old = await helpers(engine, lab);
  await Promise.all(
    old.map(async (c) => {
      if (c.state === 'running') await engine.stopContainer(c.id, 5).catch(() => undefined);
      await engine.removeContainer(c.id);
    }),
  );
  // a helper that died cannot have removed what it set up: clean those nodes (their plan, if any, cleans too)
  const dirty = old.filter((c) => c.state !== 'running').map((c) => c.labels[NODE_LABEL]!);
  const nodes = info.nodes.filter((n) => n.state === 'running');
  await Promise.all(
    dirty
      .filter((n) => !plans.some((p) => p.node === n) && nodes.some((x) => x.name === n))
      .map((n) => runHelper(engine, info, n, `${TEARDOWN}\nteardown\necho impair-ready none\n`, settings, false)),
  );
  await Promise.all(plans.map((p) => runHelper(engine, info, p.node, helperScript(p), settings, true, p)));
  const state = await listImpairment(engine, lab);
  return { ...state, skipped };
}

async function resolveEndpoints(engine: Engine, info: LabInfo, settings: ImpairSetting[]): Promise<{ endpoints: ImpairEndpoint[]; skipped: string[] }> {
  const wanted = new Set(settings.map((s) => s.link));
  const endpoints: ImpairEndpoint[] = [];
  const skipped: string[] = [];
  for (const node of info.nodes) {
    const on = node.interfaces.filter((i) => i.link && wanted.has(i.link));
    if (on.length === 0) continue;
    const macs = node.state === 'running' ? await engine.containerMacs((await findNode(engine, info.name, node.name)).id) : {};
    for (const i of on) {
      const network = info.links.find((l) => l.name === i.link)?.network ?? '';
      const mac = macs[network];
      if (mac) endpoints.push({ link: i.link!, node: node.name, interface: i.name, mac });
      else skipped.push(`${node.name}:${i.name}`);
    }
  }
  return { endpoints, skipped };
}

async function runHelper(
  engine: Engine,
  info: LabInfo,
  node: string,
  script: string,
  settings: ImpairSetting[],
  stays: boolean,
  plan?: NodeImpairPlan,
): Promise<void> {
  const target = await findNode(engine, info.name, node);
  const id = await engine.createContainer({
    name: stays ? impairContainerName(info.name, node) : `${impairContainerName(info.name, node)}-clean`,
    hostname: 'impair',
    image: info.image,
    cmd: ['sh', '-c', script],
    env: {},
    labels: { ...ownerLabels(info.name, 'impair'), [NODE_LABEL]: node, [IMPAIR_LABEL]: JSON.stringify(settings) },
    endpoints: [],
    networkContainer: target.id,
    capAdd: ['NET_ADMIN', 'NET_RAW'],
    devices: [],
    sysctls: {},
    stopTimeoutSeconds: 5,
  });
  try {
    await engine.startContainer(id);
    await waitReady(engine, id, node, stays && plan !== undefined && plan.helperArgs.length > 0);
  } catch (e) {
    await engine.removeContainer(id).catch(() => undefined);
    throw e;
  } finally {
    if (!stays) await engine.removeContainer(id).catch(() => undefined);
  }
}

/** Until the script says impair-ready (and tb-impair is running, when it runs), or fails. */
async function waitReady(engine: Engine, id: string, node: string, needsProgram: boolean): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const logs = await engine.logs(id).catch(() => '');
    const path = /impair-ready (\w+)/.exec(logs)?.[1];
    if (path && (!needsProgram || path === 'netem' || logs.includes('tb-impair: running'))) return;
    const failed = logs.split('\n').filter((l) => /^(impair|tb-impair):/.test(l) && !/running/.test(l));
    const [c] = await engine.listContainers({ [ROLE_LABEL]: 'impair' }).then((l) => l.filter((x) => x.id === id));
    if (failed.length || (c && c.state !== 'running' && !path)) {
      throw new LabError(`impairment on ${node} could not be set up: ${failed.join(' / ') || logs.trim() || 'the helper exited'}`);
    }
    if (Date.now() > deadline) throw new LabError(`impairment on ${node}: the helper did not get ready within ${READY_TIMEOUT_MS / 1000} s: ${logs.trim()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
