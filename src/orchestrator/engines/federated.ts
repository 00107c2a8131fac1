/**
 * One `Engine` over the engines of a Swarm, so that up, down, status, exec,
 * logs and keys work on a spread lab as they do on one engine. Containers
 * and bridge networks are created on the engine their label
 * `testbed.engine` names; overlay networks on the manager; every call about
 * an existing container goes to the engine that holds it; lists are the
 * union over all engines (an overlay network once). Images are built and
 * kept on the builder (the default Docker host) and copied to the members
 * that lack them, through a registry if one is named (images.ts).
 */
import Docker from 'dockerode';
import { ENGINE_LABEL } from '../../contract/labels.js';
import { DockerodeEngine } from '../docker/dockerode.js';
import {
  DockerError,
  DockerUnavailableError,
  type BuildProgress,
  type ContainerInfo,
  type ContainerSpec,
  type Engine,
  type ExecOptions,
  type ExecResult,
  type ImageInfo,
  type Labels,
  type NetworkInfo,
  type NetworkSpec,
} from '../docker/engine.js';
import { dockerOptions, within, type EngineRef } from './engines.js';
import type { Registry } from './registry.js';
import type { Readable } from 'node:stream';

export interface Member {
  ref: EngineRef;
  engine: DockerodeEngine;
}

/** An engine of the swarm that did not answer, and why. */
export interface Unanswered {
  engine: string;
  /** Its Docker host address (node label or engines file). */
  host: string;
  manager: boolean;
  error: string;
}

/** How long an engine has to answer a ping before it counts as unreachable. */
export const PING_TIMEOUT_MS = 10_000;

/** One or more engines of the swarm do not answer: each named, with its address and the reason. */
export class EngineUnreachableError extends DockerUnavailableError {
  override name = 'EngineUnreachableError';
  constructor(readonly engines: readonly Unanswered[]) {
    super(
      `${engines.map((u) => `engine ${u.engine} (${u.host}) of the swarm does not answer: ${u.error}`).join('; ')}. ` +
        'Check that its dockerd runs and that this machine reaches it, correct its address (node label testbed.engine-host or the engines file), ' +
        'or drain its node (docker node update --availability drain NODE) so that testbed leaves it out',
    );
  }
}

export interface FederatedOptions {
  /** How long each engine has to answer a ping (default PING_TIMEOUT_MS). */
  pingTimeoutMs?: number;
  /** A registry the members pull the lab image from (TESTBED_REGISTRY); none: docker save | docker load (images.ts). */
  registry?: Registry;
}

export class FederatedEngine implements Engine {
  private readonly containerHome = new Map<string, Member>();
  private readonly networkHome = new Map<string, Member>();

  constructor(
    readonly members: readonly Member[],
    /** Where images are built and listed (the default Docker host). */
    readonly builder: Engine,
    readonly options: FederatedOptions = {},
  ) {
    if (members.length === 0) throw new DockerError('a federated engine needs at least one member');
  }

  static fromRefs(refs: readonly EngineRef[], builder: Engine, options: FederatedOptions = {}): FederatedEngine {
    return new FederatedEngine(
      refs.map((ref) => ({ ref, engine: new DockerodeEngine(new Docker(dockerOptions(ref.host))) })),
      builder,
      options,
    );
  }

  get names(): string[] {
    return this.members.map((m) => m.ref.name);
  }

  member(name: string | undefined): Member {
    if (name === undefined) return this.manager;
    const m = this.members.find((x) => x.ref.name === name);
    if (!m) throw new DockerError(`no engine named "${name}" in the swarm (engines: ${this.names.join(', ')})`);
    return m;
  }

  get manager(): Member {
    return this.members.find((m) => m.ref.manager) ?? this.members[0]!;
  }

  /** The member that holds a container (looked up on every member when not known yet). */
  async home(id: string): Promise<Member> {
    const known = this.containerHome.get(id);
    if (known) return known;
    for (const m of this.members) {
      const list = await m.engine.listContainers({});
      for (const c of list) this.containerHome.set(c.id, m);
      const hit = list.find((c) => c.id === id || c.id.startsWith(id) || c.name === id);
      if (hit) {
        this.containerHome.set(id, m);
        return m;
      }
    }
    throw new DockerError(`no container ${id.slice(0, 12)} on any engine of the swarm (${this.names.join(', ')})`);
  }

  /** Ping every member at once; the ones that did not answer within the ping timeout, with why. */
  async unanswered(): Promise<Unanswered[]> {
    const timeout = this.options.pingTimeoutMs ?? PING_TIMEOUT_MS;
    const results = await Promise.all(
      this.members.map(async (m): Promise<Unanswered | null> => {
        try {
          await within(m.engine.ping(), timeout);
          return null;
        } catch (e) {
          // the single-engine message names DOCKER_HOST; what matters here is the member's own address and the cause
          const cause = (e as { cause?: unknown }).cause ?? e;
          const error = (cause as { message?: string }).message ?? String(cause);
          return { engine: m.ref.name, host: m.ref.host, manager: m.ref.manager, error };
        }
      }),
    );
    return results.filter((u): u is Unanswered => u !== null);
  }

  /** Every member answers, or an EngineUnreachableError names those that do not (before anything is created). */
  async ping(): Promise<void> {
    const gone = await this.unanswered();
    if (gone.length > 0) throw new EngineUnreachableError(gone);
  }

  /**
   * The same swarm without the members that do not answer (what `down`
   * can still clean), and those members; `engine` is null when none answers.
   */
  async answering(): Promise<{ engine: FederatedEngine | null; unanswered: Unanswered[] }> {
    const unanswered = await this.unanswered();
    if (unanswered.length === 0) return { engine: this, unanswered };
    const members = this.members.filter((m) => !unanswered.some((u) => u.engine === m.ref.name));
    return { engine: members.length > 0 ? new FederatedEngine(members, this.builder, this.options) : null, unanswered };
  }

  serverVersion(): Promise<{ version: string; apiVersion: string }> {
    return this.manager.engine.serverVersion();
  }

  async listNetworks(labels: Labels): Promise<NetworkInfo[]> {
    const seen = new Map<string, NetworkInfo>();
    for (const m of this.members) {
      for (const n of await m.engine.listNetworks(labels)) {
        if (seen.has(n.id)) continue;
        seen.set(n.id, n);
        this.networkHome.set(n.id, n.driver === 'overlay' ? this.manager : m);
      }
    }
    return [...seen.values()];
  }

  async allSubnets(): Promise<string[]> {
    const all = await Promise.all(this.members.map((m) => m.engine.allSubnets()));
    return [...new Set(all.flat())];
  }

  async createNetwork(spec: NetworkSpec): Promise<string> {
    const m = spec.driver === 'overlay' ? this.manager : this.member(spec.labels[ENGINE_LABEL]);
    const id = await m.engine.createNetwork(spec);
    this.networkHome.set(id, m);
    return id;
  }

  async removeNetwork(idOrName: string): Promise<void> {
    if (!this.networkHome.has(idOrName)) await this.listNetworks({});
    const m = this.networkHome.get(idOrName);
    if (!m) return;
    // the swarm releases a removed container's attachment to an overlay a moment later: until then the network is "in use by task"
    for (let attempt = 0; ; attempt++) {
      try {
        await m.engine.removeNetwork(idOrName);
        return;
      } catch (e) {
        if (attempt >= 60 || !/in use by task|active endpoints/.test((e as Error).message)) throw e;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  async connectNetwork(network: string, containerId: string, ipv4: string): Promise<void> {
    return (await this.home(containerId)).engine.connectNetwork(network, containerId, ipv4);
  }

  async disconnectNetwork(network: string, containerId: string): Promise<void> {
    return (await this.home(containerId)).engine.disconnectNetwork(network, containerId);
  }

  async listContainers(labels: Labels): Promise<ContainerInfo[]> {
    const out: ContainerInfo[] = [];
    for (const m of this.members) {
      for (const c of await m.engine.listContainers(labels)) {
        this.containerHome.set(c.id, m);
        out.push(c);
      }
    }
    return out;
  }

  async containerAddresses(id: string): Promise<Record<string, string>> {
    return (await this.home(id)).engine.containerAddresses(id);
  }

  async containerMacs(id: string): Promise<Record<string, string>> {
    return (await this.home(id)).engine.containerMacs(id);
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    // a helper in a node's network namespace runs where the node runs
    const m = spec.networkContainer ? await this.home(spec.networkContainer) : this.member(spec.labels[ENGINE_LABEL]);
    const id = await m.engine.createContainer(spec);
    this.containerHome.set(id, m);
    return id;
  }

  async startContainer(id: string): Promise<void> {
    return (await this.home(id)).engine.startContainer(id);
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    return (await this.home(id)).engine.stopContainer(id, timeoutSeconds);
  }

  async restartContainer(id: string, timeoutSeconds: number): Promise<void> {
    return (await this.home(id)).engine.restartContainer(id, timeoutSeconds);
  }

  async removeContainer(id: string): Promise<void> {
    return (await this.home(id)).engine.removeContainer(id);
  }

  async killContainer(id: string, signal: string): Promise<void> {
    return (await this.home(id)).engine.killContainer(id, signal);
  }

  async followLogs(id: string, onText: (text: string) => void, since?: number): Promise<() => void> {
    return (await this.home(id)).engine.followLogs(id, onText, since);
  }

  async logs(id: string): Promise<string> {
    return (await this.home(id)).engine.logs(id);
  }

  async exec(id: string, cmd: string[], opts?: ExecOptions): Promise<ExecResult> {
    return (await this.home(id)).engine.exec(id, cmd, opts);
  }

  async putFiles(id: string, files: { path: string; content: string | Buffer; mode?: number }[]): Promise<void> {
    return (await this.home(id)).engine.putFiles(id, files);
  }

  async readFile(id: string, path: string): Promise<Buffer> {
    return (await this.home(id)).engine.readFile(id, path);
  }

  imageExists(tag: string): Promise<boolean> {
    return this.builder.imageExists(tag);
  }

  buildImage(contextDir: string, tag: string, buildArgs: Record<string, string>, labels: Labels, progress: BuildProgress): Promise<void> {
    return this.builder.buildImage(contextDir, tag, buildArgs, labels, progress);
  }

  importImage(rootfsTar: Readable, tag: string, progress: BuildProgress): Promise<void> {
    return this.builder.importImage(rootfsTar, tag, progress);
  }

  pullImage(ref: string, progress: BuildProgress): Promise<void> {
    return this.builder.pullImage(ref, progress);
  }

  removeImage(tag: string): Promise<void> {
    return this.builder.removeImage(tag);
  }

  listImages(): Promise<ImageInfo[]> {
    return this.builder.listImages();
  }

  /** The directory holding the network namespaces of a member's sandboxes (Docker's exec-root/netns), from a container's sandbox key. */
  async netnsDir(m: Member, containerId: string): Promise<string> {
    const info = await m.engine.docker.getContainer(containerId).inspect();
    const key = info.NetworkSettings?.SandboxKey;
    if (!key) throw new DockerError(`container ${containerId.slice(0, 12)} on ${m.ref.name} has no network sandbox`);
    return key.slice(0, key.lastIndexOf('/'));
  }
}

/** Is this engine a swarm of several (works through the interrupter's proxy too). */
export function isFederated(engine: Engine): engine is FederatedEngine {
  return engine instanceof FederatedEngine;
}
