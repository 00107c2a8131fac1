/** What the lab commands return: a lab as Docker's labels describe it, what down removed, a command's output. Plain data. */
import type { NodeConfigWarning } from '../topology/config-report.js';

export class LabError extends Error {
  override name = 'LabError';
}

export interface InterfaceInfo {
  name: string;
  link: string | null;
  address: string | null;
}

export interface NodeInfo {
  name: string;
  kind: string;
  container: string;
  state: string;
  interfaces: InterfaceInfo[];
  /** On a swarm: the engine the node runs on. */
  engine?: string;
}

export interface LinkInfo {
  name: string;
  network: string;
  bridge: string;
  subnet: string;
  endpoints: string[];
  pcap: string | null;
  /** On a swarm: the engine of a bridge, or "e1+e2" for an overlay between engines. */
  engine?: string;
}

export interface LabInfo {
  name: string;
  topology: string;
  artifacts: string;
  image: string;
  nodes: NodeInfo[];
  links: LinkInfo[];
  capturing: boolean;
  /** What the nodes said of their configurations at up: lines refused (they run without them), accepted but not emulated, undefined names. */
  configWarnings: NodeConfigWarning[];
}

export interface DownResult {
  labs: string[];
  containers: number;
  networks: number;
  firewallRules: number;
  /** On a swarm: the engines that did not answer (what the labs have there was not removed). */
  unreachable?: { engine: string; host: string; error: string }[];
  /** On a swarm with an engine that did not answer: the networks left because they reach it. */
  networksLeft?: string[];
}

export interface ExecOutput {
  node: string;
  kind: string;
  exitCode: number;
  stdout: string;
  stderr: string;
}
