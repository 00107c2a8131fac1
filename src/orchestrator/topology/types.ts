import type { ConfigDiagnostic, RouterConfig } from '../../agent/ios/index.js';
import type { Step } from '../checks/types.js';

/** A place in a topology file, for error messages (1-based). */
export interface SourcePos {
  file: string;
  line: number;
  column: number;
}

export interface RouterNode {
  kind: 'router2600';
  name: string;
  /** Absolute path of the IOS running-config. */
  configFile: string;
  configText: string;
  config: RouterConfig;
  /** What IOS would print for lines it does not accept; the router still boots. */
  diagnostics: ConfigDiagnostic[];
  pos: SourcePos;
}

export interface HostInterface {
  name: string;
  /** Address with prefix length, e.g. 13.13.13.4/24. */
  address: string;
}

export interface HostNode {
  kind: 'host';
  name: string;
  interfaces: HostInterface[];
  gateway: string | null;
  routes: { to: string; via: string }[];
  pos: SourcePos;
}

export type TopologyNode = RouterNode | HostNode;
export type NodeKind = TopologyNode['kind'];

export interface LinkEndpoint {
  node: string;
  /** Full interface name: FastEthernet0/0 for routers, eth0 for hosts. */
  interface: string;
}

export interface TopologyLink {
  name: string;
  endpoints: LinkEndpoint[];
  mtu: number;
  pos: SourcePos;
}

export interface Topology {
  name: string;
  description: string | null;
  /** Absolute path of the topology file. */
  file: string;
  nodes: TopologyNode[];
  links: TopologyLink[];
  /** The `tests:` section: checks and actions for `testbed test` (docs/testing.md). */
  tests: Step[];
}
