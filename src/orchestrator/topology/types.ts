/**
 * A topology once it is read and checked: its nodes (each of a kind from
 * src/kinds, which knows what the node holds), its links, and the kinds it
 * was read with, which everything after the loader asks about its nodes.
 */
import type { TopologyNode } from '../../kinds/kind.js';
import type { KindRegistry } from '../../kinds/registry.js';
import type { SourcePos } from './source.js';
import type { ImpairSetting } from '../impair/spec.js';

export type { TopologyNode } from '../../kinds/kind.js';

export interface LinkEndpoint {
  node: string;
  /** Full interface name: FastEthernet0/0 for routers, eth0 for hosts. */
  interface: string;
}

export interface TopologyLink {
  name: string;
  endpoints: LinkEndpoint[];
  mtu: number;
  /** Impairment set at `up` (the link's `impair:`), as settings. */
  impair: ImpairSetting[];
  pos: SourcePos;
}

export interface Topology {
  name: string;
  description: string | null;
  /** Absolute path of the topology file. */
  file: string;
  nodes: TopologyNode[];
  links: TopologyLink[];
  /** The topology's `placement:` (node -> engine name), for a lab spread over a Swarm (src/orchestrator/engines). */
  placement: Record<string, string>;
  /** The node kinds the topology was read with: ask them about its nodes (topology.kinds.of(node)). */
  kinds: KindRegistry;
}
