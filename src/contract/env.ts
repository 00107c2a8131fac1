/**
 * The environment the orchestrator gives a node's container: one typed
 * encode/decode pair per variable. The orchestrator encodes, the node's
 * program decodes; a value that is not what the other side wrote is a
 * ContractError that says which variable and why.
 */

export class ContractError extends Error {
  override name = 'ContractError';
}

export interface EnvVar<T> {
  readonly name: string;
  encode(value: T): string;
  /** `text` is process.env[name]; undefined when the variable is not set. */
  decode(text: string | undefined): T;
}

function parseJson(name: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ContractError(`${name} is not JSON: ${(e as Error).message}`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function check(ok: boolean, name: string, what: string): void {
  if (!ok) throw new ContractError(`${name}: ${what}`);
}

/** One of the node's interfaces and the throwaway address Docker gave it, which identifies it inside the container. */
export interface InterfaceBinding {
  /** IOS or Linux name: FastEthernet0/0, eth0. */
  name: string;
  /** The address Docker gave this endpoint. */
  dockerIp: string;
  mtu: number;
}

/** TESTBED_INTERFACES: which Docker address belongs to which of the node's interfaces (every kind). */
export const TESTBED_INTERFACES: EnvVar<InterfaceBinding[]> = {
  name: 'TESTBED_INTERFACES',
  encode: (bindings) => JSON.stringify(bindings.map((b) => ({ name: b.name, dockerIp: b.dockerIp, mtu: b.mtu }))),
  decode(text) {
    if (!text) return [];
    const list = parseJson(this.name, text);
    check(Array.isArray(list), this.name, 'must be a JSON list');
    return (list as unknown[]).map((b, i) => {
      check(
        isObject(b) && typeof b.name === 'string' && typeof b.dockerIp === 'string' && typeof b.mtu === 'number',
        this.name,
        `entry ${i} needs name, dockerIp and mtu`,
      );
      const o = b as Record<string, unknown>;
      return { name: o.name as string, dockerIp: o.dockerIp as string, mtu: o.mtu as number };
    });
  },
};

/** A Linux node's addressing (host, nat, strongswan). */
export interface LinuxSpec {
  interfaces: { name: string; address: string }[];
  gateway: string | null;
  routes: { to: string; via: string }[];
}

/** TESTBED_HOST: the addresses, gateway and routes a strongSwan node takes at boot (host and nat nodes get theirs in their shell program). */
export const TESTBED_HOST: EnvVar<LinuxSpec> = {
  name: 'TESTBED_HOST',
  encode: (spec) => JSON.stringify(spec),
  decode(text) {
    if (!text) return { interfaces: [], gateway: null, routes: [] };
    const v = parseJson(this.name, text);
    check(isObject(v), this.name, 'must be a JSON object');
    const o = v as Record<string, unknown>;
    const pairs = (x: unknown, a: string, b: string) => Array.isArray(x) && x.every((e) => isObject(e) && typeof e[a] === 'string' && typeof e[b] === 'string');
    check(pairs(o.interfaces, 'name', 'address'), this.name, 'interfaces must be a list of {name, address}');
    check(o.gateway === null || o.gateway === undefined || typeof o.gateway === 'string', this.name, 'gateway must be an address or null');
    check(o.routes === undefined || pairs(o.routes, 'to', 'via'), this.name, 'routes must be a list of {to, via}');
    return {
      interfaces: o.interfaces as LinuxSpec['interfaces'],
      gateway: (o.gateway as string | null | undefined) ?? null,
      routes: (o.routes as LinuxSpec['routes'] | undefined) ?? [],
    };
  },
};

/** TESTBED_CONFIG: router2600 reads its startup-config from this path instead of the default (tests, benchmarks). */
export const TESTBED_CONFIG: EnvVar<string | null> = {
  name: 'TESTBED_CONFIG',
  encode: (path) => path ?? '',
  decode: (text) => text || null,
};

/** TESTBED_TRACE=1: a router logs every packet of its datapath in its time line (the orchestrator passes its own on). */
export const TESTBED_TRACE: EnvVar<boolean> = {
  name: 'TESTBED_TRACE',
  encode: (on) => (on ? '1' : '0'),
  decode: (text) => text === '1',
};

/** `{ NAME: encoded }` for one variable, to spread into a container's environment. */
export function envEntry<T>(v: EnvVar<T>, value: T): Record<string, string> {
  return { [v.name]: v.encode(value) };
}
