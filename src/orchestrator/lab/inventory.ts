/**
 * What exists of a lab, from Docker's labels alone (contract/labels.ts):
 * its nodes with their interfaces, its links with their bridges and
 * subnets, whether it is being captured. `status` and `list` read this;
 * so does `down`, which finds everything by the same labels after a crash.
 */
import {
  ARTIFACTS_LABEL,
  BRIDGE_LABEL,
  ENGINE_LABEL,
  INTERFACES_LABEL,
  KIND_LABEL,
  LAB_LABEL,
  LINK_LABEL,
  NODE_LABEL,
  OWNER_LABEL,
  OWNER_VALUE,
  ROLE_LABEL,
  TOPOLOGY_LABEL,
} from '../../contract/labels.js';
import type { ContainerInfo, Engine } from '../docker/engine.js';
import { LabError, type InterfaceInfo, type LabInfo, type LinkInfo, type NodeInfo } from './types.js';

/** What is running for a lab, from Docker's labels alone. */
export async function status(engine: Engine, lab: string): Promise<LabInfo | null> {
  const all = await listLabs(engine, lab);
  return all[0] ?? null;
}

export async function listLabs(engine: Engine, lab?: string): Promise<LabInfo[]> {
  await engine.ping();
  const labels: Record<string, string> = { [OWNER_LABEL]: OWNER_VALUE };
  if (lab) labels[LAB_LABEL] = lab;
  const [containers, networks] = await Promise.all([engine.listContainers(labels), engine.listNetworks(labels)]);
  const names = [...new Set([...containers, ...networks].map((x) => x.labels[LAB_LABEL]!).filter((l) => l && l !== '-'))].sort();
  return names.map((name) => {
    const mine = (c: ContainerInfo) => c.labels[LAB_LABEL] === name;
    const nodes = containers.filter((c) => mine(c) && c.labels[ROLE_LABEL] === 'node');
    // on a swarm a lab has a capture container per engine (and one more per overlay namespace made anew): one running is capturing
    const captures = containers.filter((c) => mine(c) && c.labels[ROLE_LABEL] === 'capture');
    const capture = captures.find((c) => c.state === 'running') ?? captures[0];
    const artifacts = nodes[0]?.labels[ARTIFACTS_LABEL] ?? capture?.labels[ARTIFACTS_LABEL] ?? '';
    const nodeInfos: NodeInfo[] = nodes
      .map((c) => ({
        name: c.labels[NODE_LABEL]!,
        kind: c.labels[KIND_LABEL] ?? '',
        container: c.name,
        state: c.state,
        interfaces: safeJson<InterfaceInfo[]>(c.labels[INTERFACES_LABEL], []),
        ...(c.labels[ENGINE_LABEL] ? { engine: c.labels[ENGINE_LABEL] } : {}),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const links: LinkInfo[] = networks
      .filter((n) => n.labels[LAB_LABEL] === name)
      .map((n) => {
        const link = n.labels[LINK_LABEL]!;
        return {
          name: link,
          network: n.name,
          bridge: n.labels[BRIDGE_LABEL] ?? n.bridgeName ?? '',
          subnet: n.subnets[0] ?? '',
          endpoints: nodeInfos.flatMap((node) => node.interfaces.filter((i) => i.link === link).map((i) => `${node.name}:${i.name}`)),
          pcap: capture?.state === 'running' && artifacts ? `${artifacts}/${link}.pcap` : null,
          ...(n.labels[ENGINE_LABEL] ? { engine: n.labels[ENGINE_LABEL] } : {}),
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
    return {
      name,
      topology: nodes[0]?.labels[TOPOLOGY_LABEL] ?? '',
      artifacts,
      image: nodes[0]?.image ?? '',
      nodes: nodeInfos,
      links,
      capturing: capture?.state === 'running',
      configWarnings: [],
    };
  });
}

function safeJson<T>(text: string | undefined, fallback: T): T {
  try {
    return text ? (JSON.parse(text) as T) : fallback;
  } catch {
    return fallback;
  }
}

/** Find a node's container; a clear error names the nodes that exist. */
export async function findNode(engine: Engine, lab: string, node: string): Promise<ContainerInfo> {
  const list = await engine.listContainers({ [OWNER_LABEL]: OWNER_VALUE, [LAB_LABEL]: lab, [ROLE_LABEL]: 'node' });
  if (list.length === 0) throw new LabError(`no lab named "${lab}" is up (testbed status lists the running labs)`);
  const found = list.find((c) => c.labels[NODE_LABEL] === node);
  if (!found)
    throw new LabError(
      `lab ${lab} has no node "${node}" (nodes: ${list
        .map((c) => c.labels[NODE_LABEL])
        .sort()
        .join(', ')})`,
    );
  if (found.state !== 'running') throw new LabError(`node ${node} of lab ${lab} is ${found.state}, not running`);
  return found;
}
