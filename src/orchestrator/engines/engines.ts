/**
 * The Docker engines a lab may use: one (the default Docker host, as
 * always), or every ready node of a Swarm, found from its manager
 * (`docker node ls`). Each Swarm node names the engine to reach it by with
 * the node label `testbed.engine-host` (unix:///path or tcp://host:port), or an
 * engines file maps node names to engines; the node's own name for testbed
 * is its label `testbed.name`, else its hostname. Pure but for
 * `discoverEngines`.
 */
import { readFile } from 'node:fs/promises';
import type Docker from 'dockerode';

/** The node label that holds the address of a Swarm node's Docker engine. */
export const ENGINE_ADDRESS_LABEL = 'testbed.engine-host';
/** The node label that names a Swarm node for placement (default: its hostname). */
export const ENGINE_NAME_LABEL = 'testbed.name';

export interface EngineRef {
  name: string;
  /** How to reach its Docker API: unix:///path or tcp://host:port. */
  host: string;
  /** The node's address in the swarm (its VXLAN endpoint), null for a single engine. */
  address: string | null;
  /** CPUs, for automatic placement. */
  capacity: number;
  manager: boolean;
}

/** A Swarm node as `docker node inspect` has it, reduced to what placement needs. */
export interface SwarmNodeView {
  id: string;
  hostname: string;
  labels: Record<string, string>;
  addr: string;
  role: string;
  state: string;
  availability: string;
  nanoCpus: number;
}

export class EnginesError extends Error {
  override name = 'EnginesError';
}

/** Dockerode's connection options for a Docker host address. */
export function dockerOptions(host: string): Docker.DockerOptions {
  const unix = /^unix:\/\/(\/.+)$/.exec(host);
  if (unix) return { socketPath: unix[1]! };
  const tcp = /^tcp:\/\/([^:/]+):(\d+)\/?$/.exec(host);
  if (tcp) return { host: tcp[1]!, port: Number(tcp[2]), protocol: 'http' };
  throw new EnginesError(`"${host}" is not a Docker host address (unix:///path/to/docker.sock or tcp://host:port)`);
}

/** An engines file: { "engines": { "<node name>": "<docker host>" } }. */
export function parseEnginesFile(text: string, file: string): Record<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new EnginesError(`${file}: not JSON: ${(e as Error).message}`);
  }
  const engines = (json as { engines?: unknown }).engines;
  if (!engines || typeof engines !== 'object' || Array.isArray(engines))
    throw new EnginesError(`${file}: expected { "engines": { "<node>": "<docker host>" } }`);
  for (const [name, host] of Object.entries(engines)) {
    if (typeof host !== 'string') throw new EnginesError(`${file}: engines.${name}: expected a Docker host address as a string`);
    dockerOptions(host);
  }
  return engines as Record<string, string>;
}

/** The engines of a swarm: its ready, active nodes, in order of name. */
export function enginesFromNodes(nodes: readonly SwarmNodeView[], file: Readonly<Record<string, string>> = {}): EngineRef[] {
  const usable = nodes.filter((n) => n.state === 'ready' && n.availability === 'active');
  if (usable.length === 0) throw new EnginesError('the swarm has no ready, active node');
  const named = usable.map((n) => ({ n, name: n.labels[ENGINE_NAME_LABEL] ?? n.hostname }));
  const seen = new Map<string, string>();
  for (const { n, name } of named) {
    const other = seen.get(name);
    if (other) throw new EnginesError(`swarm nodes ${other} and ${n.id} are both named "${name}": give each a label ${ENGINE_NAME_LABEL}=<name>`);
    seen.set(name, n.id);
  }
  return named
    .map(({ n, name }) => {
      const host = file[name] ?? n.labels[ENGINE_ADDRESS_LABEL];
      if (!host) {
        throw new EnginesError(
          `swarm node ${name} (${n.id}) has no engine address: add one with \`docker node update --label-add ${ENGINE_ADDRESS_LABEL}=tcp://HOST:2375 ${n.id}\`, or name it in an engines file`,
        );
      }
      dockerOptions(host);
      return { name, host, address: n.addr, capacity: Math.max(1, Math.round(n.nanoCpus / 1e9)), manager: n.role === 'manager' };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The fields of the Engine API's Node object that are read here. */
interface RawSwarmNode {
  ID?: string;
  Description?: { Hostname?: string; Resources?: { NanoCPUs?: number } };
  Spec?: { Labels?: Record<string, string>; Role?: string; Availability?: string };
  Status?: { Addr?: string; State?: string };
}

/** `work`, or a rejection after `ms` that says so (an address that swallows packets would otherwise hang for minutes). */
export async function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Errors that mean nothing answered at the address, not that the engine said no. */
const NO_ANSWER = /ENOENT|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EACCES|no answer within/;

/** Ask a swarm manager for its nodes (`docker node ls` and inspect); `where` names it in errors. */
export async function swarmNodes(manager: Docker, where = 'the swarm manager', timeoutMs = 10_000): Promise<SwarmNodeView[]> {
  let list: RawSwarmNode[];
  try {
    list = (await within(manager.listNodes(), timeoutMs)) as RawSwarmNode[];
  } catch (e) {
    const message = (e as { json?: { message?: string } }).json?.message ?? (e as Error).message;
    if (NO_ANSWER.test(message)) throw new EnginesError(`${where} does not answer: ${message} (does its dockerd run, and is the address right?)`);
    throw new EnginesError(`cannot list the swarm's nodes on ${where}: ${message} (is that engine a swarm manager?)`);
  }
  return list.map((n) => ({
    id: n.ID ?? '',
    hostname: n.Description?.Hostname ?? '',
    labels: n.Spec?.Labels ?? {},
    addr: n.Status?.Addr ?? '',
    role: n.Spec?.Role ?? 'worker',
    state: n.Status?.State ?? 'unknown',
    availability: n.Spec?.Availability ?? 'active',
    nanoCpus: n.Description?.Resources?.NanoCPUs ?? 1e9,
  }));
}

/** The engines of the swarm whose manager is `managerHost`, with the engines file's addresses when one is given. */
export async function discoverEngines(managerHost: string, enginesFile?: string): Promise<EngineRef[]> {
  const { default: DockerCtor } = await import('dockerode');
  const file = enginesFile ? parseEnginesFile(await readFile(enginesFile, 'utf8'), enginesFile) : {};
  return enginesFromNodes(await swarmNodes(new DockerCtor(dockerOptions(managerHost)), `the swarm manager ${managerHost} (TESTBED_SWARM)`), file);
}
