/**
 * What a node kind is to testbed (containerlab's Node interface): one
 * object per kind, in src/kinds/<kind>/kind.ts, registered in one list
 * (index.ts). The orchestrator never compares kind names: it asks the kind
 * how to read the node's entry in a topology file, what its container runs,
 * how to know it is up, how to run a command on it, what to collect after a
 * test run, how to draw it and whether it holds IPsec keys.
 *
 * This is the orchestrator side of a kind; the program that runs in the
 * container (the kind's main.ts) is only named here, never imported.
 */
import type { TObject } from '@sinclair/typebox';
import type { InterfaceBinding } from '../contract/env.js';
import type { SourcePos } from '../orchestrator/topology/source.js';
import type { Readiness } from './wait.js';

/** What every node of every kind has; a kind's own node type extends it. */
export interface TopologyNode {
  readonly kind: string;
  readonly name: string;
  /** Where the node's name is in the topology file. */
  readonly pos: SourcePos;
}

/** One interface of a node and its lab address. */
export interface NodeInterface {
  /** Full name: FastEthernet0/0, eth0. */
  name: string;
  /** A.B.C.D/LEN, or null when the interface has none. */
  address: string | null;
}

/** What `resolve` gets besides the node's entry: where things are, and where problems go. */
export interface ResolveContext {
  /** The node's name. */
  readonly name: string;
  readonly pos: SourcePos;
  /** The place of a key (or its value) under the node's entry. */
  at(path: (string | number)[], key?: boolean): SourcePos;
  /** Report a problem at a key under the node's entry; the message is complete ("nodes.r1.config: ..."). */
  issue(path: (string | number)[], message: string, key?: boolean): void;
  /** A file named by the key `key` of the entry, relative to the topology file; null (and an issue) when unreadable. */
  readFile(key: string): Promise<{ file: string; text: string } | null>;
}

/**
 * What a node says of a line of its configuration: it will refuse it at boot
 * (it runs without it), it accepts it without emulating it, or it names
 * something never defined.
 */
export type ConfigWarningClass = 'refused' | 'not-emulated' | 'undefined-reference';

/** A line of the node's configuration that is not simply emulated. */
export interface ConfigWarning {
  class: ConfigWarningClass;
  file: string;
  line: number;
  column: number;
  /** The line as written. */
  text: string;
  /** What the node says about it, as it would print it. */
  message: string;
  detail: string | null;
  /** For a block reported at its header: how many lines the block holds. */
  blockLines?: number;
}

/** What the planner gives `container`: the node's interface bindings and the orchestrator's environment. */
export interface ContainerContext {
  readonly bindings: InterfaceBinding[];
  /** The orchestrator's own environment (for switches passed on, like TESTBED_TRACE). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The kind's part of a container: the planner adds name, image, labels, networks and TESTBED_INTERFACES. */
export interface NodeContainer {
  cmd: string[];
  env: Record<string, string>;
  capAdd: string[];
  devices: string[];
  /** Added to the sysctls every node gets (no IPv6, no reverse-path filter). */
  sysctls: Record<string, string>;
  /** Files written into the container before it starts. */
  files: { path: string; content: string }[];
}

/** What `testbed test` keeps of a node at the end of a run: nodes/<name><suffix> holds each command and its output. */
export interface NodeArtifacts {
  /** ".show.txt" for routers, ".txt" for Linux nodes. */
  suffix: string;
  /** The prompt written before each command in the file: "#" (IOS) or "$" (a shell). */
  prompt: string;
  commands: string[];
}

/** How pictures of the lab draw the node. */
export interface GraphRole {
  /** The box's style: routers and hosts look different. */
  style: 'router' | 'host';
  /** A name shown beside the node's (the IOS hostname), or null. */
  hostname(node: TopologyNode): string | null;
  /** The short form of an interface name (Fa0/0). */
  shortName(ifname: string): string;
}

export interface NodeKind<N extends TopologyNode = TopologyNode, Raw = Record<string, unknown>> {
  readonly name: string;
  /** One sentence for the schema's description of `kind`. */
  readonly summary: string;
  /** The node's entry in a topology file (TypeBox; its `kind` is the literal name). The schema and the Raw type come from it. */
  readonly schema: TObject;
  /**
   * The node's Node.js program in the lab image, as a path under src/ (kinds/router2600/main.js); null for a
   * kind whose `container` command is a shell program of its own (host and nat: src/kinds/linux/program.ts).
   */
  readonly entry: string | null;
  /** Speaks IOS: typed show checks, configure steps and the graph's tunnels ask it. */
  readonly ios: boolean;
  /** Has a Linux shell with ping and iperf3: traffic flows start and end on it. */
  readonly shell: boolean;
  /** The file in the node's container where it journals its IPsec keys (contract/keys.ts); null: it holds none. */
  readonly keysFile: string | null;
  readonly readiness: Readiness;
  readonly artifacts: NodeArtifacts;
  readonly graph: GraphRole;

  /** The schema-valid entry as a node, with the kind's own checks; null when nothing usable is left. */
  resolve(raw: Raw, ctx: ResolveContext): Promise<N | null>;
  interfaces(node: N): NodeInterface[];
  /** The full name of an interface named in a link endpoint, or why there is none. */
  endpoint(node: N, text: string): string | { error: string };
  /** Lines of the node's configuration it will refuse (validate and up print them). */
  warnings(node: N): ConfigWarning[];
  /** What the node's container runs. Pure. */
  container(node: N, ctx: ContainerContext): NodeContainer;
  /** The command line that runs a command on the node: IOS lines (one console session), or a shell command line. */
  execCommand(command: string | string[]): string[];
  /** The console line that says an interface came up again after a restored link; null when the node says nothing. */
  linkUpLine(ifname: string): string | null;
}
