/**
 * Topology files: YAML, checked against schema/topology.schema.json, then
 * checked for meaning (links name existing nodes and interfaces, router
 * configs exist). Every problem is reported with file, line and column, and
 * nothing is touched on the host before the whole file is known to be good.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { normalizeInterfaceName, parseConfig } from '../../ios/index.js';
import { broadcastAddress, inPrefix, networkAddress, parseIpv4 } from '../../codecs/net/address.js';
import { parseSteps, type LabShape } from '../checks/parse.js';
import type { LinkEndpoint, LinuxNodeBase, RouterNode, SourcePos, Topology, TopologyLink, TopologyNode } from './types.js';

export interface TopologyIssue extends SourcePos {
  message: string;
}

/** A topology file that cannot be used; `issues` says where and why. */
export class TopologyError extends Error {
  constructor(readonly issues: TopologyIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'TopologyError';
  }
}

export function formatIssue(i: TopologyIssue): string {
  return `${i.file}:${i.line}:${i.column}: ${i.message}`;
}

export const SCHEMA_PATH = fileURLToPath(new URL('../../../../schema/topology.schema.json', import.meta.url));

type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
let validator: Validator | undefined;

function schemaValidator(): Validator {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    validator = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8'))) as Validator;
  }
  return validator;
}

/** Read and check a topology file. Throws TopologyError. */
export async function loadTopology(path: string): Promise<Topology> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new TopologyError([{ file: displayPath(file), line: 1, column: 1, message: `cannot read the topology file: ${(e as Error).message}` }]);
  }
  const raw = parseTopologyText(text, file);
  return resolveTopology(raw.data, raw.locate, file);
}

export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}

export type Locate = (path: (string | number)[], key?: boolean) => SourcePos;

/** YAML syntax and schema checks. Pure apart from reading the schema. */
export function parseTopologyText(text: string, file: string): { data: RawTopology; locate: Locate } {
  const shown = displayPath(file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): SourcePos => {
    const p = lineCounter.linePos(offset);
    return { file: shown, line: p.line, column: p.col };
  };
  if (doc.errors.length > 0) {
    throw new TopologyError(doc.errors.map((e) => ({ ...at(e.pos[0]), message: `YAML: ${firstLine(e.message)}` })));
  }
  const locate: Locate = (path, key = false) => locateIn(doc, path, key, at);
  const data = doc.toJS() as unknown;
  const validate = schemaValidator();
  if (!validate(data)) {
    throw new TopologyError(schemaIssues(validate.errors ?? [], data, locate));
  }
  return { data: data as RawTopology, locate };
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}

function locateIn(doc: Document, path: (string | number)[], key: boolean, at: (o: number) => SourcePos): SourcePos {
  // Walk down as far as the path exists; point at the deepest node found.
  let node: unknown = doc.contents;
  let best = 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === seg);
      if (!pair) break;
      const wantKey = key && i === path.length - 1;
      const target = (wantKey ? pair.key : pair.value ?? pair.key) as YamlNode | null;
      if (target?.range) best = target.range[0];
      node = pair.value;
      if (wantKey) break;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as YamlNode | undefined;
      if (!item) break;
      if (item.range) best = item.range[0];
      node = item;
    } else break;
  }
  if (best === 0 && (doc.contents as YamlNode | null)?.range) best = (doc.contents as YamlNode).range![0];
  return at(best);
}

function pointerPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

const FORMAT_HINTS: Record<string, string> = {
  ipv4Prefix: 'an IPv4 address with its prefix length, like 13.13.13.4/24',
  ipv4: 'an IPv4 address, like 13.13.13.13',
  endpoint: 'node:Interface, like daphne:FastEthernet0/0 or d1:eth0',
};

function schemaIssues(errors: ErrorObject[], data: unknown, locate: Locate): TopologyIssue[] {
  // if/then and oneOf produce an error for the branch and one for each
  // alternative: keep the most specific error per place.
  const useful = errors.filter((e) => e.keyword !== 'if' && e.keyword !== 'oneOf' && e.keyword !== 'allOf');
  const hasObjectForm = (e: ErrorObject) => e.keyword === 'type' && (e.params as { type?: string }).type === 'object';
  const chosen = useful.filter((e) => !(hasObjectForm(e) && Array.isArray(valueAt(data, pointerPath(e.instancePath)))));
  const seen = new Set<string>();
  const issues: TopologyIssue[] = [];
  for (const e of chosen.length ? chosen : errors) {
    const path = pointerPath(e.instancePath);
    const { where, message, keyPath } = describeSchemaError(e, path);
    const id = `${where}|${message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    issues.push({ ...locate(keyPath ?? path, keyPath !== undefined), message: where ? `${where}: ${message}` : message });
  }
  return issues;
}

function valueAt(data: unknown, path: (string | number)[]): unknown {
  let v = data;
  for (const seg of path) v = (v as Record<string | number, unknown> | undefined)?.[seg];
  return v;
}

function describeSchemaError(e: ErrorObject, path: (string | number)[]): { where: string; message: string; keyPath?: (string | number)[] } {
  const where = path.join('.');
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const prop = String(params.additionalProperty);
      return { where, message: `unknown property "${prop}"`, keyPath: [...path, prop] };
    }
    case 'required':
      return { where, message: `missing required property "${String(params.missingProperty)}"` };
    case 'enum':
      return { where, message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'const':
      return { where, message: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'pattern': {
      if (e.schemaPath === '#/properties/name/pattern') {
        return { where, message: 'must be lower-case letters, digits and dashes (at most 24), starting with a letter or digit' };
      }
      const def = /#\/definitions\/(\w+)\//.exec(e.schemaPath)?.[1];
      const hint = def ? FORMAT_HINTS[def] : undefined;
      if (e.propertyName !== undefined || e.schemaPath.includes('propertyNames')) {
        return { where, message: `name ${JSON.stringify(e.propertyName ?? '')} must be lower-case letters, digits and dashes (max 24), starting with a letter` };
      }
      return { where, message: hint ? `must be ${hint}` : `does not match ${String(params.pattern)}` };
    }
    case 'propertyNames': {
      const name = String(params.propertyName);
      return { where, message: `name ${JSON.stringify(name)} is not allowed here`, keyPath: [...path, name] };
    }
    case 'type':
      return { where, message: `must be ${params.type === 'object' ? 'a mapping' : params.type === 'array' ? 'a list' : `a ${String(params.type)}`}` };
    case 'minItems':
      return { where, message: `needs at least ${String(params.limit)} entries` };
    case 'minProperties':
      return { where, message: `needs at least ${String(params.limit)} entries` };
    case 'uniqueItems':
      return { where, message: 'lists the same entry twice' };
    case 'minimum':
    case 'maximum':
      return { where, message: `must be ${e.keyword === 'minimum' ? '>=' : '<='} ${String(params.limit)}` };
    default:
      return { where, message: e.message ?? e.keyword };
  }
}

// ------------------------------------------------------------------ meaning

interface RawRouter {
  kind: 'router2600';
  config: string;
}
interface RawHost {
  kind: 'host';
  address?: string;
  interfaces?: Record<string, string>;
  gateway?: string;
  routes?: { to: string; via: string }[];
}
interface RawStrongswan extends Omit<RawHost, 'kind'> {
  kind: 'strongswan';
  config: string;
}
interface RawNat extends Omit<RawHost, 'kind' | 'address'> {
  kind: 'nat';
  outside: string;
  inside?: string | string[];
}
type RawNode = RawRouter | RawHost | RawStrongswan | RawNat;
type RawLink = string[] | { endpoints: string[]; mtu?: number };
export interface RawTopology {
  name: string;
  description?: string;
  nodes: Record<string, RawNode>;
  links?: Record<string, RawLink>;
  tests?: unknown[];
}

async function resolveTopology(raw: RawTopology, locate: Locate, file: string): Promise<Topology> {
  const issues: TopologyIssue[] = [];
  const dir = dirname(file);
  const nodes: TopologyNode[] = [];

  await Promise.all(
    Object.entries(raw.nodes).map(async ([name, n], index) => {
      const pos = locate(['nodes', name], true);
      if (n.kind === 'router2600') {
        const configFile = resolve(dir, n.config);
        let configText: string;
        try {
          configText = await readFile(configFile, 'utf8');
        } catch (e) {
          issues.push({ ...locate(['nodes', name, 'config']), message: `nodes.${name}.config: cannot read ${n.config}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
          return;
        }
        const { config, diagnostics } = parseConfig(configText);
        const node: RouterNode = { kind: 'router2600', name, configFile, configText, config, diagnostics, pos };
        nodes[index] = node;
      } else {
        const base = linuxBase(name, n, pos, locate, issues);
        if (n.kind === 'host') {
          nodes[index] = { kind: 'host', ...base };
        } else if (n.kind === 'strongswan') {
          const configFile = resolve(dir, n.config);
          try {
            nodes[index] = { kind: 'strongswan', ...base, configFile, configText: await readFile(configFile, 'utf8') };
          } catch (e) {
            issues.push({ ...locate(['nodes', name, 'config']), message: `nodes.${name}.config: cannot read ${n.config}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
          }
        } else {
          const names = base.interfaces.map((i) => i.name);
          const inside = n.inside === undefined ? names.filter((i) => i !== n.outside) : typeof n.inside === 'string' ? [n.inside] : n.inside;
          for (const [key, list] of [['outside', [n.outside]], ['inside', inside]] as const) {
            for (const i of list) {
              if (!names.includes(i)) issues.push({ ...locate(['nodes', name, key]), message: `nodes.${name}.${key}: ${i} is not one of its interfaces (${names.join(', ')})` });
            }
          }
          if (inside.includes(n.outside)) issues.push({ ...locate(['nodes', name, 'inside']), message: `nodes.${name}: ${n.outside} cannot be both inside and outside` });
          if (inside.length === 0) issues.push({ ...locate(['nodes', name, 'interfaces']), message: `nodes.${name}: a NAT needs an inside interface besides the outside one (${n.outside})` });
          nodes[index] = { kind: 'nat', ...base, inside, outside: n.outside };
        }
      }
    }),
  );

  const byName = new Map(nodes.filter(Boolean).map((n) => [n.name, n]));
  const used = new Map<string, string>();
  const links: TopologyLink[] = [];
  for (const [linkName, rawLink] of Object.entries(raw.links ?? {})) {
    const list = Array.isArray(rawLink) ? rawLink : rawLink.endpoints;
    const base = Array.isArray(rawLink) ? ['links', linkName] : ['links', linkName, 'endpoints'];
    const endpoints: LinkEndpoint[] = [];
    list.forEach((text, i) => {
      const where = locate([...base, i]);
      const colon = text.indexOf(':');
      const nodeName = text.slice(0, colon);
      const ifText = text.slice(colon + 1);
      const node = byName.get(nodeName);
      if (!node) {
        if (!(nodeName in raw.nodes)) issues.push({ ...where, message: `links.${linkName}: no node named "${nodeName}" (nodes: ${Object.keys(raw.nodes).join(', ')})` });
        return;
      }
      const ifname = interfaceOf(node, ifText);
      if (typeof ifname !== 'string') {
        issues.push({ ...where, message: `links.${linkName}: ${ifname.error}` });
        return;
      }
      const key = `${nodeName}:${ifname}`;
      const other = used.get(key);
      if (other) {
        issues.push({ ...where, message: `links.${linkName}: ${key} is already on link "${other}"; an interface joins one segment` });
        return;
      }
      used.set(key, linkName);
      endpoints.push({ node: nodeName, interface: ifname });
    });
    links.push({ name: linkName, endpoints, mtu: Array.isArray(rawLink) ? 1500 : rawLink.mtu ?? 1500, pos: locate(['links', linkName], true) });
  }
  const present = nodes.filter(Boolean);
  const { steps, issues: checkIssues } = parseSteps(raw.tests ?? [], locate, labShape(present, links));
  issues.push(...checkIssues);
  if (issues.length > 0) throw new TopologyError(sortIssues(issues));
  return { name: raw.name, description: raw.description ?? null, file, nodes: present, links, tests: steps };
}

/** Addresses, gateway and routes of a Linux node (host, strongswan, nat), with their checks. */
function linuxBase(name: string, n: RawHost | RawStrongswan | RawNat, pos: SourcePos, locate: Locate, issues: TopologyIssue[]): LinuxNodeBase {
  const interfaces = Object.entries(n.interfaces ?? {}).map(([ifname, address]) => ({ name: ifname, address }));
  const shorthand = 'address' in n ? n.address : undefined;
  if (shorthand) {
    if (n.interfaces?.eth0) issues.push({ ...locate(['nodes', name, 'address'], true), message: `nodes.${name}: "address" and "interfaces.eth0" both give eth0 an address` });
    interfaces.unshift({ name: 'eth0', address: shorthand });
  }
  for (const i of interfaces) {
    if (!validHostAddress(i.address)) {
      const path = shorthand === i.address && i.name === 'eth0' ? ['nodes', name, 'address'] : ['nodes', name, 'interfaces', i.name];
      issues.push({ ...locate(path), message: `nodes.${name}: ${i.address} is the network or broadcast address of its prefix, not a host address` });
    }
  }
  const gateway = n.gateway ?? null;
  if (gateway && !interfaces.some((i) => sameSubnet(i.address, gateway))) {
    issues.push({ ...locate(['nodes', name, 'gateway']), message: `nodes.${name}.gateway: ${gateway} is not in the subnet of any of its interfaces (${interfaces.map((i) => i.address).join(', ') || 'none'})` });
  }
  return { name, interfaces, gateway, routes: n.routes ?? [], pos };
}

/** Node kinds, addresses and link membership: what the checks are checked against. */
export function labShape(nodes: TopologyNode[], links: TopologyLink[]): LabShape {
  return {
    nodes: new Map(nodes.map((n) => [n.name, n.kind])),
    addresses: new Map(
      nodes.map((n) => [n.name, n.kind === 'router2600' ? n.config.interfaces.flatMap((i) => (i.address ? [i.address.address] : [])) : n.interfaces.map((i) => i.address.split('/')[0]!)]),
    ),
    links: new Map(links.map((l) => [l.name, [...new Set(l.endpoints.map((e) => e.node))]])),
  };
}

function interfaceOf(node: TopologyNode, text: string): string | { error: string } {
  if (node.kind === 'router2600') {
    const full = normalizeInterfaceName(text);
    const names = node.config.interfaces.map((i) => i.name);
    if (!full) return { error: `"${text}" is not an IOS interface name (like FastEthernet0/0 or Fa0/0)` };
    if (!names.includes(full)) {
      return { error: `${node.name} has no interface ${full} in ${displayPath(node.configFile)} (it has ${names.join(', ') || 'none'})` };
    }
    return full;
  }
  if (!node.interfaces.some((i) => i.name === text)) {
    return { error: `${node.kind} ${node.name} has no interface ${text} (it has ${node.interfaces.map((i) => i.name).join(', ') || 'none'}; give it an address)` };
  }
  return text;
}

function sortIssues(issues: TopologyIssue[]): TopologyIssue[] {
  return [...issues].sort((a, b) => a.line - b.line || a.column - b.column);
}

function validHostAddress(cidr: string): boolean {
  const [ip, lenText] = cidr.split('/');
  const address = parseIpv4(ip!);
  const len = Number(lenText);
  if (len >= 31) return true;
  return address !== networkAddress(address, len) && address !== broadcastAddress(address, len);
}

function sameSubnet(cidr: string, ip: string): boolean {
  const len = Number(cidr.split('/')[1]);
  return inPrefix(parseIpv4(ip), parseIpv4(cidr.split('/')[0]!), len);
}
