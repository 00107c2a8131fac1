import type { ConfigDiagnostic, RouterConfig } from '../../ios/index.js';
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

/** What every Linux node kind (host, strongswan, nat) has: addresses, a default gateway, routes. */
export interface LinuxNodeBase {
  name: string;
  interfaces: HostInterface[];
  gateway: string | null;
  routes: { to: string; via: string }[];
  pos: SourcePos;
}

export interface HostNode extends LinuxNodeBase {
  kind: 'host';
}

/** A strongSwan 5.9.8 IKE gateway (charon with kernel-libipsec), configured by a swanctl.conf. */
export interface StrongswanNode extends LinuxNodeBase {
  kind: 'strongswan';
  /** Absolute path of the swanctl.conf. */
  configFile: string;
  configText: string;
}

/** A Linux NAT box: forwards between its interfaces and masquerades what leaves by `outside`. */
export interface NatNode extends LinuxNodeBase {
  kind: 'nat';
  /** The interfaces whose traffic is translated (private side). */
  inside: string[];
  /** The interface that masquerades (public side); only answers come back in. */
  outside: string;
}

export type LinuxNode = HostNode | StrongswanNode | NatNode;
export type TopologyNode = RouterNode | LinuxNode;
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
