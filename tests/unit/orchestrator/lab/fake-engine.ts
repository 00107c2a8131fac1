/**
 * An in-memory Engine (and Firewall) for unit tests of plan, up, down and
 * inventory: networks and containers with their labels and specs, a
 * console per container that a test writes to (the node "booting"), exec
 * answered by a function, subnet overlaps refused as Docker refuses them.
 * Every call is recorded.
 */
import type {
  ContainerInfo,
  ContainerSpec,
  Engine,
  ExecOptions,
  ExecResult,
  ImageInfo,
  Labels,
  NetworkInfo,
  NetworkSpec,
  OutputStream,
} from '../../../../src/orchestrator/docker/engine.js';
import type { Firewall } from '../../../../src/orchestrator/lab/firewall.js';
import { KIND_LABEL, NODE_LABEL, ownerLabels } from '../../../../src/contract/labels.js';

export interface FakeContainer {
  id: string;
  spec: ContainerSpec;
  state: 'created' | 'running' | 'exited';
  log: string;
  followers: Set<(text: string) => void>;
  networks: Map<string, string>;
}

function within(labels: Labels, wanted: Labels): boolean {
  return Object.entries(wanted).every(([k, v]) => labels[k] === v);
}

function block(cidr: string): [number, number] {
  const [ip, len] = cidr.split('/');
  const start = ip!.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  return [start, start + 2 ** (32 - Number(len))];
}

export class FakeEngine implements Engine {
  /** Whether bound paths are this machine's (a daemon on a local socket); off unless a test says so. */
  sharesHostFiles = false;
  readonly calls: string[] = [];
  readonly networks = new Map<string, { spec: NetworkSpec; info: NetworkInfo }>();
  readonly containers = new Map<string, FakeContainer>();
  /** Subnets of networks that are not ours (other Docker users). */
  foreignSubnets: string[] = [];
  /** Called when a container starts (or restarts): the test makes it print its lines. */
  onStart: (c: FakeContainer) => void = () => undefined;
  /** Answers exec; default: exit 0, no output. Its output reaches ExecOptions.onOutput in one piece per stream. */
  onExec: (c: FakeContainer, cmd: string[]) => ExecResult = () => ({ exitCode: 0, stdout: '', stderr: '' });
  /**
   * Answers exec over time instead, when set: `emit` hands a piece of output
   * to ExecOptions.onOutput as it comes; the result it resolves to is the
   * whole output, as Docker's is.
   */
  onExecStream: ((c: FakeContainer, cmd: string[], emit: (stream: OutputStream, text: string) => void) => Promise<ExecResult>) | null = null;
  /** Answers readFile (a file in a container): its content, or null for a file that is not there (the default). */
  onReadFile: (c: FakeContainer, path: string) => string | null = () => null;
  /** Make a call fail: return an Error to throw for it. */
  failing: (call: string) => Error | null = () => null;
  private next = 1;

  /** `idPrefix` keeps the ids of several fakes apart (a swarm of fakes). */
  constructor(private readonly idPrefix = '') {}

  private call(text: string): void {
    this.calls.push(text);
    const e = this.failing(text);
    if (e) throw e;
  }

  /** A container's console gets a line. */
  print(c: FakeContainer | string, line: string): void {
    const box = typeof c === 'string' ? this.byName(c) : c;
    box.log += `${line}\n`;
    for (const f of box.followers) f(`${line}\n`);
  }

  /** A running node of a lab, labelled as up labels it (no networks). */
  async addNode(lab: string, node: string, kind: string): Promise<FakeContainer> {
    const id = await this.createContainer({
      name: `tb-${lab}-${node}`,
      hostname: node,
      image: 'testbed/router2600:fake',
      cmd: [],
      env: {},
      labels: { ...ownerLabels(lab, 'node'), [NODE_LABEL]: node, [KIND_LABEL]: kind },
      endpoints: [],
      capAdd: [],
      devices: [],
      sysctls: {},
    });
    await this.startContainer(id);
    return this.containers.get(id)!;
  }

  byName(name: string): FakeContainer {
    const c = [...this.containers.values()].find((x) => x.spec.name === name);
    if (!c) throw new Error(`no container ${name}`);
    return c;
  }

  private info(c: FakeContainer): ContainerInfo {
    return { id: c.id, name: c.spec.name, labels: c.spec.labels, state: c.state, image: c.spec.image };
  }

  async ping(): Promise<void> {
    this.call('ping');
  }
  async serverVersion() {
    return { version: '20.10-fake', apiVersion: '1.41' };
  }

  async listNetworks(labels: Labels): Promise<NetworkInfo[]> {
    return [...this.networks.values()].filter((n) => within(n.info.labels, labels)).map((n) => n.info);
  }
  async allSubnets(): Promise<string[]> {
    return [...this.foreignSubnets, ...[...this.networks.values()].map((n) => n.spec.subnet)];
  }
  async createNetwork(spec: NetworkSpec): Promise<string> {
    this.call(`createNetwork ${spec.name}`);
    const [a0, a1] = block(spec.subnet);
    for (const s of await this.allSubnets()) {
      const [b0, b1] = block(s);
      if (a0 < b1 && b0 < a1) throw new Error(`Pool overlaps with other one on this address space (${spec.subnet})`);
    }
    if ([...this.networks.values()].some((n) => n.spec.name === spec.name)) throw new Error(`network with name ${spec.name} already exists`);
    const id = `${this.idPrefix}net${this.next++}`;
    this.networks.set(id, { spec, info: { id, name: spec.name, labels: spec.labels, subnets: [spec.subnet], bridgeName: spec.bridgeName } });
    return id;
  }
  async removeNetwork(id: string): Promise<void> {
    this.call(`removeNetwork ${this.networks.get(id)?.spec.name ?? id}`);
    if ([...this.containers.values()].some((c) => [...c.networks.keys()].includes(this.networks.get(id)!.spec.name)))
      throw new Error('network has active endpoints');
    this.networks.delete(id);
  }
  async connectNetwork(network: string, id: string, ipv4: string): Promise<void> {
    this.call(`connectNetwork ${network} ${id}`);
    this.containers.get(id)!.networks.set(network, ipv4);
  }
  async disconnectNetwork(network: string, id: string): Promise<void> {
    this.call(`disconnectNetwork ${network} ${id}`);
    this.containers.get(id)!.networks.delete(network);
  }

  async listContainers(labels: Labels): Promise<ContainerInfo[]> {
    return [...this.containers.values()].filter((c) => within(c.spec.labels, labels)).map((c) => this.info(c));
  }
  async containerAddresses(id: string): Promise<Record<string, string>> {
    return Object.fromEntries(this.containers.get(id)!.networks);
  }
  /** Docker 20.10's MACs: 02:42 and the address. */
  async containerMacs(id: string): Promise<Record<string, string>> {
    const mac = (ip: string) =>
      `02:42:${ip
        .split('.')
        .map((o) => Number(o).toString(16).padStart(2, '0'))
        .join(':')}`;
    return Object.fromEntries([...this.containers.get(id)!.networks].map(([n, ip]) => [n, mac(ip)]));
  }
  async createContainer(spec: ContainerSpec): Promise<string> {
    this.call(`createContainer ${spec.name}`);
    if ([...this.containers.values()].some((c) => c.spec.name === spec.name)) throw new Error(`Conflict. The container name "/${spec.name}" is already in use`);
    for (const e of spec.endpoints) if (![...this.networks.values()].some((n) => n.spec.name === e.network)) throw new Error(`network ${e.network} not found`);
    const id = `${this.idPrefix}c${this.next++}`;
    this.containers.set(id, { id, spec, state: 'created', log: '', followers: new Set(), networks: new Map(spec.endpoints.map((e) => [e.network, e.ipv4])) });
    return id;
  }
  async startContainer(id: string): Promise<void> {
    const c = this.containers.get(id)!;
    this.call(`startContainer ${c.spec.name}`);
    c.state = 'running';
    this.onStart(c);
  }
  async stopContainer(id: string): Promise<void> {
    this.call(`stopContainer ${this.containers.get(id)!.spec.name}`);
    this.containers.get(id)!.state = 'exited';
  }
  async restartContainer(id: string): Promise<void> {
    const c = this.containers.get(id)!;
    this.call(`restartContainer ${c.spec.name}`);
    c.state = 'running';
    this.onStart(c);
  }
  async removeContainer(id: string): Promise<void> {
    this.call(`removeContainer ${this.containers.get(id)?.spec.name ?? id}`);
    this.containers.delete(id);
  }
  async killContainer(id: string): Promise<void> {
    this.containers.get(id)!.state = 'exited';
  }
  async followLogs(id: string, onText: (text: string) => void): Promise<() => void> {
    const c = this.containers.get(id)!;
    // like docker logs --follow: what was printed so far, then what comes
    if (c.log) onText(c.log);
    c.followers.add(onText);
    return () => c.followers.delete(onText);
  }
  async logs(id: string): Promise<string> {
    return this.containers.get(id)!.log;
  }
  async exec(id: string, cmd: string[], opts?: ExecOptions): Promise<ExecResult> {
    const c = this.containers.get(id)!;
    this.call(`exec ${c.spec.name} ${JSON.stringify(cmd)}`);
    const emit = (stream: OutputStream, text: string) => opts?.onOutput?.(stream, text);
    if (this.onExecStream) return this.onExecStream(c, cmd, emit);
    const r = this.onExec(c, cmd);
    if (r.stdout) emit('stdout', r.stdout);
    if (r.stderr) emit('stderr', r.stderr);
    return r;
  }
  async putFiles(): Promise<void> {}
  async readFile(id: string, path: string): Promise<Buffer> {
    const c = this.containers.get(id)!;
    this.call(`readFile ${c.spec.name} ${path}`);
    const content = this.onReadFile(c, path);
    if (content === null) throw new Error(`Could not find the file ${path} in container ${c.spec.name}`);
    return Buffer.from(content);
  }

  async imageExists(): Promise<boolean> {
    return true;
  }
  async buildImage(): Promise<void> {
    throw new Error('the fake engine builds no image');
  }
  async importImage(): Promise<void> {
    throw new Error('the fake engine imports no image');
  }
  async pullImage(): Promise<void> {
    throw new Error('the fake engine pulls no image');
  }
  async removeImage(): Promise<void> {}
  async listImages(): Promise<ImageInfo[]> {
    return [];
  }
}

/** The host's firewall, in memory: one rule per lab bridge. */
export class FakeFirewall implements Firewall {
  readonly rules = new Map<string, Set<string>>();

  async allowBridges(lab: string, bridges: string[]): Promise<void> {
    const set = this.rules.get(lab) ?? new Set();
    for (const b of bridges) set.add(b);
    this.rules.set(lab, set);
  }
  async listRules(lab?: string): Promise<string[]> {
    return [...this.rules]
      .filter(([l]) => !lab || l === lab)
      .flatMap(([l, set]) => [...set].map((b) => `-A DOCKER-USER -i ${b} -o ${b} -m comment --comment testbed:${l} -j ACCEPT`));
  }
  async removeRules(lab?: string): Promise<number> {
    const n = (await this.listRules(lab)).length;
    for (const l of [...this.rules.keys()]) if (!lab || l === lab) this.rules.delete(l);
    return n;
  }
}
