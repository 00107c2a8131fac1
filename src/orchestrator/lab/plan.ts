/**
 * What bringing a lab up creates, decided without Docker: one --internal
 * network per link (on the subnet allocated to it), one transit rule per
 * bridge, and one container per node, whose program, environment and files
 * its kind gives. Pure: topology and options in, the plan out.
 */
import { dirname } from 'node:path';
import { TESTBED_INTERFACES, envEntry, type InterfaceBinding } from '../../contract/env.js';
import {
  ARTIFACTS_LABEL,
  BRIDGE_LABEL,
  ENGINE_LABEL,
  INTERFACES_LABEL,
  KEYS_LABEL,
  KIND_LABEL,
  LINK_LABEL,
  NODE_LABEL,
  ownerLabels,
  TOPOLOGY_LABEL,
} from '../../contract/labels.js';
import { formatIpv4, parseIpv4 } from '../../codecs/net/address.js';
import type { LinkPlacement } from '../engines/placement.js';
import type { NodeKind, TopologyNode } from '../../kinds/kind.js';
import type { ContainerSpec, NetworkSpec } from '../docker/engine.js';
import type { Topology, TopologyLink } from '../topology/types.js';
import { bridgeName, containerName, keysHostDir, networkName, type Allocation } from './naming.js';
import type { InterfaceInfo } from './types.js';

export interface PlanOptions {
  lab: string;
  image: string;
  /** Where the lab's pcaps and key tables go (a label on every node). */
  artifacts: string;
  /** The subnet and endpoint addresses of each link, by link name (naming.ts allocateSubnets). */
  allocations: ReadonlyMap<string, Allocation>;
  /** The orchestrator's environment, for switches a kind passes on (default: none). */
  env?: Readonly<Record<string, string | undefined>>;
  /** On a Swarm: the engine of each node (engines/placement.ts). */
  placement?: ReadonlyMap<string, string>;
  /** On a Swarm: what each link is (a bridge on one engine, or an overlay). */
  links?: ReadonlyMap<string, LinkPlacement>;
  /**
   * The engine shares this machine's files (Engine.sharesHostFiles): the key journal of a node that keeps one is
   * bound to keysHostDir(artifacts, node), named by KEYS_LABEL. Not on a Swarm (a node's engine may be elsewhere).
   */
  keysOnHost?: boolean;
}

export interface NodePlan {
  node: TopologyNode;
  kind: NodeKind;
  spec: ContainerSpec;
}

export interface LabPlan {
  lab: string;
  networks: NetworkSpec[];
  /** The Linux bridges that get a transit rule (firewall.ts); an overlay's bridge lives in a namespace of Docker's and needs none. */
  bridges: string[];
  nodes: NodePlan[];
}

/** Sysctls every node gets: no IPv6 on lab segments, no reverse-path filter (lab routing is asymmetric at times). */
export const NODE_SYSCTLS: Readonly<Record<string, string>> = {
  'net.ipv6.conf.all.disable_ipv6': '1',
  'net.ipv6.conf.default.disable_ipv6': '1',
  'net.ipv4.conf.all.rp_filter': '0',
  'net.ipv4.conf.default.rp_filter': '0',
};

/** The links that get a network: those with endpoints. */
export function networkedLinks(topology: Topology): TopologyLink[] {
  return topology.links.filter((l) => l.endpoints.length > 0);
}

/**
 * How many addresses to ask allocateSubnets for: a bridge needs one per
 * endpoint; an overlay also gives every engine an address of its own, which
 * Docker picks itself, so its subnet is twice as large and Docker's picks
 * are kept in the upper half (overlayRange), ours in the lower.
 */
export function addressesNeeded(link: TopologyLink, where?: LinkPlacement): number {
  if (!where?.overlay) return link.endpoints.length;
  return 2 * (link.endpoints.length + where.engines.length + 1);
}

/** The upper half of a subnet: where Docker picks an overlay's own addresses. */
export function overlayRange(subnet: string): string {
  const [base, len] = subnet.split('/');
  const bits = Number(len);
  return `${formatIpv4(parseIpv4(base!) + 2 ** (31 - bits))}/${bits + 1}`;
}

/** A link's Docker network: a bridge (on one engine), or an overlay across engines. */
export function networkSpec(lab: string, link: TopologyLink, alloc: Allocation, where?: LinkPlacement): NetworkSpec {
  const labels: Record<string, string> = { ...ownerLabels(lab, 'network'), [LINK_LABEL]: link.name, [BRIDGE_LABEL]: bridgeName(lab, link.name) };
  if (where) labels[ENGINE_LABEL] = where.engines.join('+');
  return {
    name: networkName(lab, link.name),
    subnet: alloc.subnet,
    gateway: alloc.gateway,
    bridgeName: bridgeName(lab, link.name),
    mtu: link.mtu,
    labels,
    ...(where?.overlay ? { driver: 'overlay' as const, ipRange: overlayRange(alloc.subnet) } : {}),
  };
}

/** A node's interfaces with their link and lab address (for status, from a label). */
export function nodeInterfaces(topology: Topology, node: TopologyNode): InterfaceInfo[] {
  const linkOf = (ifname: string) => topology.links.find((l) => l.endpoints.some((e) => e.node === node.name && e.interface === ifname))?.name ?? null;
  return topology.kinds
    .of(node)
    .interfaces(node)
    .map((i) => ({ name: i.name, link: linkOf(i.name), address: i.address }));
}

function containerSpec(topology: Topology, node: TopologyNode, kind: NodeKind, opts: PlanOptions): ContainerSpec {
  const endpoints: { network: string; ipv4: string }[] = [];
  const bindings: InterfaceBinding[] = [];
  for (const link of topology.links) {
    const alloc = opts.allocations.get(link.name);
    if (!alloc) continue;
    link.endpoints.forEach((ep, i) => {
      if (ep.node !== node.name) return;
      endpoints.push({ network: networkName(opts.lab, link.name), ipv4: alloc.addresses[i]! });
      bindings.push({ name: ep.interface, dockerIp: alloc.addresses[i]!, mtu: link.mtu });
    });
  }
  const own = kind.container(node, { bindings, env: opts.env ?? {} });
  const keysDir = opts.keysOnHost && !opts.placement && kind.keysFile ? keysHostDir(opts.artifacts, node.name) : null;
  return {
    name: containerName(opts.lab, node.name),
    hostname: node.name,
    image: opts.image,
    labels: {
      ...ownerLabels(opts.lab, 'node'),
      [NODE_LABEL]: node.name,
      [KIND_LABEL]: node.kind,
      [TOPOLOGY_LABEL]: topology.file,
      [ARTIFACTS_LABEL]: opts.artifacts,
      [INTERFACES_LABEL]: JSON.stringify(nodeInterfaces(topology, node)),
      ...(opts.placement?.has(node.name) ? { [ENGINE_LABEL]: opts.placement.get(node.name)! } : {}),
      ...(keysDir ? { [KEYS_LABEL]: keysDir } : {}),
    },
    endpoints,
    cmd: own.cmd,
    env: { ...envEntry(TESTBED_INTERFACES, bindings), ...own.env },
    capAdd: own.capAdd,
    devices: own.devices,
    sysctls: { ...NODE_SYSCTLS, ...own.sysctls },
    ...(own.files.length ? { files: own.files } : {}),
    ...(keysDir ? { binds: { [keysDir]: dirname(kind.keysFile!) } } : {}),
  };
}

/** The lab's networks, bridges and containers. */
export function planLab(topology: Topology, opts: PlanOptions): LabPlan {
  const linked = networkedLinks(topology).filter((l) => opts.allocations.has(l.name));
  return {
    lab: opts.lab,
    networks: linked.map((l) => networkSpec(opts.lab, l, opts.allocations.get(l.name)!, opts.links?.get(l.name))),
    bridges: linked.filter((l) => !opts.links?.get(l.name)?.overlay).map((l) => bridgeName(opts.lab, l.name)),
    nodes: topology.nodes.map((node) => {
      const kind = topology.kinds.of(node);
      return { node, kind, spec: containerSpec(topology, node, kind, opts) };
    }),
  };
}
