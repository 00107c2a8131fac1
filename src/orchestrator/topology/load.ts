/**
 * A topology's meaning, once its file has passed the schema
 * (labfile/yaml.ts): each node is read by its kind (which checks its own
 * fields, reads its config files and names its interfaces), then links must
 * name existing nodes and interfaces, each interface on one link. Every
 * problem is an issue with file, line and column; the loader one layer up
 * (labfile/load.ts) reports them all at once, before anything is created.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { ResolveContext, TopologyNode } from '../../kinds/kind.js';
import type { KindRegistry } from '../../kinds/registry.js';
import type { RawTopology } from './schema.js';
import type { Locate, TopologyIssue } from './source.js';
import type { LinkEndpoint, Topology, TopologyLink } from './types.js';
import { parseKnobs, type ImpairSetting } from '../impair/spec.js';

/** Resolve a schema-valid topology; the issues are returned, not thrown. */
export async function resolveTopology(
  raw: RawTopology,
  locate: Locate,
  file: string,
  kinds: KindRegistry,
): Promise<{ topology: Topology; issues: TopologyIssue[] }> {
  const issues: TopologyIssue[] = [];
  const dir = dirname(file);
  const nodes: (TopologyNode | null)[] = [];

  await Promise.all(
    Object.entries(raw.nodes).map(async ([name, entry], index) => {
      const under = (path: (string | number)[]) => ['nodes', name, ...path];
      const ctx: ResolveContext = {
        name,
        pos: locate(['nodes', name], true),
        at: (path, key) => locate(under(path), key),
        issue: (path, message, key) => issues.push({ ...locate(under(path), key), message }),
        async readFile(key) {
          const relative = String(entry[key]);
          const path = resolve(dir, relative);
          try {
            return { file: path, text: await readFile(path, 'utf8') };
          } catch (e) {
            issues.push({
              ...locate(under([key])),
              message: `nodes.${name}.${key}: cannot read ${relative}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
            });
            return null;
          }
        },
      };
      nodes[index] = await kinds.get(entry.kind).resolve(entry, ctx);
    }),
  );

  const present = nodes.filter((n): n is TopologyNode => n !== null && n !== undefined);
  const byName = new Map(present.map((n) => [n.name, n]));
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
        if (!(nodeName in raw.nodes))
          issues.push({ ...where, message: `links.${linkName}: no node named "${nodeName}" (nodes: ${Object.keys(raw.nodes).join(', ')})` });
        return;
      }
      const ifname = kinds.of(node).endpoint(node, ifText);
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
    const impair = Array.isArray(rawLink) ? [] : linkImpairment(linkName, rawLink.impair, endpoints, locate, issues);
    links.push({ name: linkName, endpoints, mtu: Array.isArray(rawLink) ? 1500 : (rawLink.mtu ?? 1500), impair, pos: locate(['links', linkName], true) });
  }
  for (const node of Object.keys(raw.placement ?? {})) {
    if (!(node in raw.nodes))
      issues.push({ ...locate(['placement', node], true), message: `placement: no node named "${node}" (nodes: ${Object.keys(raw.nodes).join(', ')})` });
  }
  const placement = { ...(raw.placement ?? {}) };
  return { topology: { name: raw.name, description: raw.description ?? null, file, nodes: present, links, placement, kinds }, issues };
}

/** A link's `impair:` (one setting or a list) as settings; mistakes are issues at their place. */
function linkImpairment(link: string, raw: unknown, endpoints: LinkEndpoint[], locate: Locate, issues: TopologyIssue[]): ImpairSetting[] {
  if (raw === undefined) return [];
  const list = (Array.isArray(raw) ? raw : [raw]) as Record<string, unknown>[];
  const out: ImpairSetting[] = [];
  list.forEach((entry, i) => {
    const path = Array.isArray(raw) ? ['links', link, 'impair', i] : ['links', link, 'impair'];
    const issue = (key: string | null, message: string) =>
      issues.push({ ...locate(key ? [...path, key] : path, key !== null), message: `links.${link}.impair: ${message}` });
    const endpoint = typeof entry.endpoint === 'string' ? entry.endpoint : null;
    const direction = (entry.direction as ImpairSetting['direction'] | undefined) ?? 'both';
    if (endpoint && !endpoints.some((e) => e.node === endpoint))
      issue('endpoint', `${endpoint} is not on link ${link} (it joins ${[...new Set(endpoints.map((e) => e.node))].join(', ')})`);
    if (!endpoint && direction !== 'both') issue('direction', `direction ${direction} needs an endpoint: a whole link's setting applies to both directions`);
    const knobEntries = Object.entries(entry).filter(([k]) => k !== 'endpoint' && k !== 'direction');
    const { knobs, errors } = parseKnobs(knobEntries);
    for (const e of errors) issue(e.split(':')[0]!, e);
    if (knobEntries.length === 0) issue(null, 'names no impairment (loss, duplicate, reorder, delay, jitter, rate)');
    out.push({ link, endpoint, direction, knobs });
  });
  return out;
}
