/**
 * The little of Docker that testbed needs, behind one interface. The rest of
 * the orchestrator talks to `Engine`, never to dockerode.
 */
import type { Readable } from 'node:stream';

export type Labels = Record<string, string>;

export interface NetworkSpec {
  name: string;
  subnet: string;
  gateway: string;
  bridgeName: string;
  mtu: number;
  labels: Labels;
  /** bridge (the default): one engine; overlay: an attachable, --internal Swarm overlay spanning engines. */
  driver?: 'bridge' | 'overlay';
  /** Addresses Docker hands out by itself (an overlay's per-engine addresses), kept apart from ours. */
  ipRange?: string;
}

export interface NetworkInfo {
  id: string;
  name: string;
  labels: Labels;
  subnets: string[];
  bridgeName: string | null;
  driver?: string;
}

export interface EndpointSpec {
  network: string;
  ipv4: string;
}

export interface ContainerSpec {
  name: string;
  hostname: string;
  image: string;
  cmd: string[];
  env: Record<string, string>;
  labels: Labels;
  /** Networks to join before start; the first one is the container's network mode. Empty: no network. */
  endpoints: EndpointSpec[];
  capAdd: string[];
  devices: string[];
  sysctls: Record<string, string>;
  /** host path -> container path */
  binds?: Record<string, string>;
  hostNetwork?: boolean;
  /** Join this container's network namespace (docker run --network container:ID); `endpoints` must be empty. */
  networkContainer?: string;
  /** Files written into the container before it starts. */
  files?: { path: string; content: string | Buffer; mode?: number }[];
  stopTimeoutSeconds?: number;
}

export interface ContainerInfo {
  id: string;
  name: string;
  labels: Labels;
  state: string;
  image: string;
}

export interface ImageInfo {
  id: string;
  /** The image it was built on (classic builder), '' for a base. */
  parentId: string;
  /** repo:tag names, none for an intermediate image. */
  tags: string[];
  /** Seconds since the epoch. */
  created: number;
  size: number;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export type OutputStream = 'stdout' | 'stderr';

export interface ExecOptions {
  stdin?: string;
  env?: Record<string, string>;
  /** Give up after this many ms (the process keeps running in the container). */
  timeoutMs?: number;
  /**
   * Called with the output as it arrives, each stream apart, as UTF-8 text
   * (a character split between two reads comes whole with the second); the
   * result still holds all of it.
   */
  onOutput?: (stream: OutputStream, text: string) => void;
}

export interface BuildProgress {
  (line: string): void;
}

export interface Engine {
  /**
   * Whether a path of this machine that a container binds is this machine's file (the daemon listens on a local
   * socket). Unset or false: a bound path would be the engine's machine's, so nothing is read back from one.
   */
  readonly sharesHostFiles?: boolean;
  /** Throws a DockerUnavailableError with a clear message when the daemon can't be reached. */
  ping(): Promise<void>;
  serverVersion(): Promise<{ version: string; apiVersion: string }>;

  listNetworks(labels: Labels): Promise<NetworkInfo[]>;
  /** Every network on the daemon (to avoid subnets in use). */
  allSubnets(): Promise<string[]>;
  createNetwork(spec: NetworkSpec): Promise<string>;
  removeNetwork(idOrName: string): Promise<void>;

  /** Attach a running container to a network with a fixed IPv4 address (a link restored). */
  connectNetwork(network: string, containerId: string, ipv4: string): Promise<void>;
  /** Detach a container from a network (a link cut); the interface disappears inside it. */
  disconnectNetwork(network: string, containerId: string): Promise<void>;

  listContainers(labels: Labels): Promise<ContainerInfo[]>;
  /** The container's IPv4 address on each network it is attached to: network name -> address. */
  containerAddresses(id: string): Promise<Record<string, string>>;
  /** The MAC address of the container's interface on each network it is attached to: network name -> MAC. */
  containerMacs(id: string): Promise<Record<string, string>>;
  createContainer(spec: ContainerSpec): Promise<string>;
  startContainer(id: string): Promise<void>;
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  restartContainer(id: string, timeoutSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  killContainer(id: string, signal: string): Promise<void>;
  /** Follow the container's output (stdout and stderr merged, as text chunks). */
  followLogs(id: string, onText: (text: string) => void, since?: number): Promise<() => void>;
  logs(id: string): Promise<string>;
  exec(id: string, cmd: string[], opts?: ExecOptions): Promise<ExecResult>;
  putFiles(id: string, files: { path: string; content: string | Buffer; mode?: number }[]): Promise<void>;
  readFile(id: string, path: string): Promise<Buffer>;

  imageExists(tag: string): Promise<boolean>;
  buildImage(contextDir: string, tag: string, buildArgs: Record<string, string>, labels: Labels, progress: BuildProgress): Promise<void>;
  importImage(rootfsTar: Readable, tag: string, progress: BuildProgress): Promise<void>;
  pullImage(ref: string, progress: BuildProgress): Promise<void>;
  removeImage(tag: string): Promise<void>;
  /** Every image, intermediate ones included (docker images -a). */
  listImages(): Promise<ImageInfo[]>;
}

export class DockerError extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'DockerError';
  }
}

export class DockerUnavailableError extends DockerError {
  override name = 'DockerUnavailableError';
}
