/**
 * A lab as an object, for test suites and the commands that act on a
 * running lab:
 *
 *   await using lab = await Lab.up('topologies/daphne-fred.yaml', { name: 'my-test', capture: true });
 *   const ping = await lab.sh('d1', 'ping -c 3 12.12.12.13');
 *   const route = await lab.ios('daphne', 'show ip route');
 *   const wan = await lab.packets('wan');
 *   // the lab is torn down when `lab` goes out of scope (or call lab.down())
 */
import { DockerodeEngine } from '../docker/dockerode.js';
import type { Engine } from '../docker/engine.js';
import { readPcap, type CapturedPacket } from '../capture/pcap-reader.js';
import type { WiresharkKeys } from '../capture/wireshark.js';
import { mergeCaptureParts, startCapture, stopCapture } from './capture.js';
import { isFederated } from '../engines/federated.js';
import { followSwarmCapture, startSwarmCapture } from '../engines/capture.js';
import { applyOverlayL2 } from '../engines/overlay-l2.js';
import { builtinKinds } from '../../kinds/index.js';
import type { KindRegistry } from '../../kinds/registry.js';
import { loadLabFile } from '../labfile/load.js';
import { down } from './down.js';
import { execOnNode, kindOfContainer, restartNode } from './exec.js';
import { findNode, listLabs, status } from './inventory.js';
import { LabError, type DownResult, type ExecOutput, type LabInfo } from './types.js';
import { up, type UpOptions } from './up.js';
import { bridgeName } from './naming.js';
import { collectKeys, writeKeyTables, type KeyTableFiles } from './keys.js';
import { reapplyImpairment } from '../impair/apply.js';

export class CommandError extends Error {
  override name = 'CommandError';
  constructor(
    message: string,
    readonly result: ExecOutput,
  ) {
    super(message);
  }
}

export interface LabOptions {
  engine?: Engine;
  /** The node kinds (default: the built-in ones). */
  kinds?: KindRegistry;
}

export class Lab implements AsyncDisposable {
  private constructor(
    readonly engine: Engine,
    public info: LabInfo,
    readonly kinds: KindRegistry,
  ) {}

  get name(): string {
    return this.info.name;
  }

  /** Bring a lab up from a topology file (its tests: section is checked too, not run). */
  static async up(topology: string, opts: UpOptions & LabOptions = {}): Promise<Lab> {
    const kinds = opts.kinds ?? builtinKinds;
    const { topology: topo } = await loadLabFile(topology, { kinds }); // TopologyError before anything is created
    const engine = opts.engine ?? new DockerodeEngine();
    return new Lab(engine, await up(engine, topo, opts), kinds);
  }

  /** Attach to a lab that is already up. */
  static async attach(name: string, opts: LabOptions = {}): Promise<Lab> {
    const engine = opts.engine ?? new DockerodeEngine();
    const info = await status(engine, name);
    if (!info) throw new LabError(`no lab named "${name}" is up`);
    return new Lab(engine, info, opts.kinds ?? builtinKinds);
  }

  static async list(opts: LabOptions = {}): Promise<LabInfo[]> {
    return listLabs(opts.engine ?? new DockerodeEngine());
  }

  /** Run IOS commands (routers) or a shell command line (hosts); never throws on a non-zero exit. */
  exec(node: string, command: string | string[], timeoutMs?: number): Promise<ExecOutput> {
    return execOnNode(this.engine, this.name, node, command, timeoutMs, this.kinds);
  }

  /** IOS commands on a router, as one console session; throws CommandError if IOS refused a line. */
  async ios(node: string, ...lines: string[]): Promise<string> {
    const r = await this.exec(node, lines);
    if (r.exitCode !== 0) throw new CommandError(`${node}: ${lines.join(' / ')}: ${(r.stdout + r.stderr).trim()}`, r);
    return r.stdout;
  }

  /** A shell command on a host; throws CommandError on a non-zero exit. */
  async sh(node: string, command: string, timeoutMs?: number): Promise<string> {
    const r = await this.exec(node, command, timeoutMs);
    if (r.exitCode !== 0) throw new CommandError(`${node}: ${command}: exit ${r.exitCode}: ${(r.stdout + r.stderr).trim()}`, r);
    return r.stdout;
  }

  /** Restart a node and wait until its kind says it is ready again; the lab's impairment is applied again (the node's network namespace is new). */
  async restart(node: string, timeoutMs?: number): Promise<void> {
    await restartNode(this.engine, this.name, node, timeoutMs, this.kinds);
    await this.relinkEngines();
    await reapplyImpairment(this.engine, this.name);
  }

  /**
   * On a swarm, after anything that may have made Docker recreate an
   * overlay's namespace (a restart, a restored link): the L2 fix-up again
   * (idempotent), and the capture of a link whose namespace is new started
   * there again. Returns what was done, one line each.
   */
  async relinkEngines(): Promise<string[]> {
    if (!isFederated(this.engine)) return [];
    const fix = await applyOverlayL2(this.engine, this.name, this.info.image);
    return [...fix.changes, ...(await followSwarmCapture(this.engine, this.name, this.info.image, fix.namespaces))];
  }

  /** The kind of a running node (by its container's label). */
  async kindOf(node: string) {
    return kindOfContainer(await findNode(this.engine, this.name, node), node, this.kinds);
  }

  /** The router's console output so far (log and debug lines). */
  async console(node: string): Promise<string> {
    const c = await findNode(this.engine, this.name, node);
    return this.engine.logs(c.id);
  }

  pcapPath(link: string): string {
    const l = this.info.links.find((x) => x.name === link);
    if (!l) throw new LabError(`lab ${this.name} has no link "${link}" (links: ${this.info.links.map((x) => x.name).join(', ')})`);
    if (!l.pcap) throw new LabError(`link ${link} of lab ${this.name} is not being captured (up with capture: true, or lab.startCapture())`);
    return l.pcap;
  }

  /** Packets captured on a link so far (on a swarm: merged from every engine's capture of it first). */
  async packets(link: string): Promise<CapturedPacket[]> {
    const path = this.pcapPath(link);
    if (isFederated(this.engine)) await mergeCaptureParts(this.info.artifacts, link);
    return readPcap(path);
  }

  async startCapture(): Promise<void> {
    if (this.info.capturing) return;
    const image = this.info.image;
    const engine = this.engine;
    const files = isFederated(engine)
      ? await startSwarmCapture(engine, this.name, image, this.info.artifacts)
      : await startCapture(
          this.engine,
          this.name,
          image,
          this.info.artifacts,
          this.info.links.map((l) => ({ link: l.name, bridge: l.bridge || bridgeName(this.name, l.name) })),
        );
    await this.refresh();
    for (const l of this.info.links) l.pcap = files[l.name] ?? l.pcap;
  }

  /** Stop capturing; the pcaps stay in the artifacts folder. */
  async stopCapture(): Promise<void> {
    await this.writeKeyTables();
    const paths = Object.fromEntries(this.info.links.map((l) => [l.name, l.pcap]));
    await stopCapture(this.engine, this.name);
    await this.refresh();
    for (const l of this.info.links) l.pcap = paths[l.name] ?? null;
  }

  async refresh(): Promise<LabInfo> {
    const info = await status(this.engine, this.name);
    if (!info) throw new LabError(`lab ${this.name} is not up any more`);
    this.info = info;
    return info;
  }

  /** Write Wireshark's key tables for the lab's captures now (down does it too). */
  async writeKeyTables(): Promise<KeyTableFiles> {
    return writeKeyTables(this.info.artifacts, await collectKeys(this.engine, this.name, this.kinds));
  }

  /** The keys of every SA the lab's routers have had. */
  keys(): Promise<WiresharkKeys> {
    return collectKeys(this.engine, this.name, this.kinds);
  }

  down(): Promise<DownResult> {
    return down(this.engine, this.name, { kinds: this.kinds });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.down();
  }
}
