/**
 * Where each node of a lab runs when the lab spans several Docker engines
 * (a Swarm), and what that makes of each link. Pure: engines, pins and the
 * topology's order in, a node -> engine map out.
 *
 * A node goes where `--place node=engine` puts it, else where the
 * topology's `placement:` puts it, else automatically: every engine gets a
 * share of the lab's nodes proportional to its capacity (its CPUs), and the
 * unpinned nodes fill the engines one engine after the other, in the order
 * of a walk along the links (neighbourOrder: from the first node, each
 * node's stubs, the hosts that hang off it alone, right after it, then its
 * other neighbours depth first), so that a router and the hosts behind it,
 * and routers next to each other, tend to share an engine and their links
 * stay bridges.
 * A link whose endpoints all run on one engine is a bridge on that engine;
 * a link that crosses engines is an attachable overlay network.
 */

export interface EngineCapacity {
  name: string;
  /** Relative capacity (CPUs); 0 means: only pinned nodes. */
  capacity: number;
}

export interface PlacementRequest {
  /** The lab's nodes, in the topology's order. */
  nodes: readonly string[];
  engines: readonly EngineCapacity[];
  /** The topology's `placement:` (node -> engine). */
  pinned?: Readonly<Record<string, string>>;
  /** `--place node=engine` from the command line; beats `pinned`. */
  overrides?: Readonly<Record<string, string>>;
  /** The lab's links: the automatic fill walks along them (without: the topology's order). */
  links?: readonly { endpoints: readonly { node: string }[] }[];
}

/**
 * The nodes in the order of a depth-first walk along the links, from the
 * first node in topology order; at each node, first its neighbours that
 * have no other neighbour (stubs), then the others in topology order. Nodes
 * the walk does not reach start a walk of their own, in topology order.
 */
export function neighbourOrder(nodes: readonly string[], links: readonly { endpoints: readonly { node: string }[] }[]): string[] {
  const index = new Map(nodes.map((n, i) => [n, i]));
  const near = new Map(nodes.map((n) => [n, new Set<string>()]));
  for (const l of links) {
    for (const a of l.endpoints) for (const b of l.endpoints) if (a.node !== b.node) near.get(a.node)?.add(b.node);
  }
  const byTopology = (a: string, b: string) => index.get(a)! - index.get(b)!;
  const seen = new Set<string>();
  const out: string[] = [];
  const visit = (start: string) => {
    const stack = [start];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      out.push(n);
      const next = [...(near.get(n) ?? [])].filter((m) => !seen.has(m)).sort(byTopology);
      for (const stub of next.filter((m) => near.get(m)!.size === 1)) {
        seen.add(stub);
        out.push(stub);
      }
      // pushed in reverse, so the first in topology order is walked first
      stack.push(...next.filter((m) => near.get(m)!.size !== 1).reverse());
    }
  };
  for (const n of nodes) if (!seen.has(n)) visit(n);
  return out;
}

export class PlacementError extends Error {
  override name = 'PlacementError';
}

/** `["fred=e2", "a1=e2"]` -> { fred: 'e2', a1: 'e2' }; a malformed entry is an error naming it. */
export function parsePlaceOptions(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const m = /^([^=\s]+)=([^=\s]+)$/.exec(v);
    if (!m) throw new PlacementError(`--place ${v}: expected node=engine, for example --place fred=e2`);
    if (out[m[1]!] !== undefined && out[m[1]!] !== m[2]) throw new PlacementError(`--place ${v}: node ${m[1]} is already placed on ${out[m[1]!]}`);
    out[m[1]!] = m[2]!;
  }
  return out;
}

/** How many nodes each engine should hold: shares of `total` by capacity, rounded by largest remainder. */
export function shares(engines: readonly EngineCapacity[], total: number): number[] {
  const sum = engines.reduce((a, e) => a + Math.max(0, e.capacity), 0);
  if (sum === 0) return engines.map((_, i) => (i === 0 ? total : 0));
  const exact = engines.map((e) => (Math.max(0, e.capacity) / sum) * total);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, frac: x - Math.floor(x) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) {
    if (left-- <= 0) break;
    out[i]!++;
  }
  return out;
}

/** Node -> engine for every node. Throws PlacementError naming the pin that is wrong. */
export function place(req: PlacementRequest): Map<string, string> {
  if (req.engines.length === 0) throw new PlacementError('no Docker engine to place the lab on');
  const names = req.engines.map((e) => e.name);
  const known = new Set(names);
  const nodes = new Set(req.nodes);
  const list = names.join(', ');
  const result = new Map<string, string>();
  const check = (source: string, node: string, engine: string) => {
    if (!nodes.has(node)) throw new PlacementError(`${source}: no node named "${node}" in the lab (nodes: ${req.nodes.join(', ')})`);
    if (!known.has(engine))
      throw new PlacementError(`${source}: node ${node} is placed on "${engine}", which is not an engine of the swarm (engines: ${list})`);
  };
  for (const [node, engine] of Object.entries(req.pinned ?? {})) check(`placement.${node}`, node, engine);
  for (const [node, engine] of Object.entries(req.overrides ?? {})) check(`--place ${node}=${engine}`, node, engine);
  for (const node of req.nodes) {
    const engine = req.overrides?.[node] ?? req.pinned?.[node];
    if (engine) result.set(node, engine);
  }
  const target = shares(req.engines, req.nodes.length);
  const load = names.map((n) => [...result.values()].filter((e) => e === n).length);
  let current = 0;
  for (const node of req.links ? neighbourOrder(req.nodes, req.links) : req.nodes) {
    if (result.has(node)) continue;
    while (current < names.length && load[current]! >= target[current]!) current++;
    // pins took more than their share somewhere: the least loaded engine for its capacity
    const i = current < names.length ? current : leastLoaded(req.engines, load);
    result.set(node, names[i]!);
    load[i]!++;
  }
  return result;
}

function leastLoaded(engines: readonly EngineCapacity[], load: number[]): number {
  let best = 0;
  let bestRatio = Infinity;
  engines.forEach((e, i) => {
    const ratio = (load[i]! + 1) / Math.max(e.capacity, 1e-9);
    if (ratio < bestRatio) {
      best = i;
      bestRatio = ratio;
    }
  });
  return best;
}

export interface LinkPlacement {
  link: string;
  /** The engines with an endpoint of the link, in the order of the engine list. */
  engines: string[];
  /** Crosses engines: an attachable overlay network; otherwise a bridge on engines[0]. */
  overlay: boolean;
}

/** What each link becomes, given where its endpoints run. */
export function placeLinks(
  links: readonly { name: string; endpoints: readonly { node: string }[] }[],
  placement: ReadonlyMap<string, string>,
  engineOrder: readonly string[],
): LinkPlacement[] {
  return links.map((l) => {
    const on = new Set(l.endpoints.map((e) => placement.get(e.node)).filter((e): e is string => !!e));
    const engines = engineOrder.filter((e) => on.has(e));
    return { link: l.name, engines, overlay: engines.length > 1 };
  });
}
