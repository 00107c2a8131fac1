/**
 * A small layered layout, enough for lab topologies: nodes and links are
 * the vertices of a bipartite graph; a breadth-first search from a
 * peripheral vertex gives each one a column, and within a column vertices
 * follow the average row of their neighbours in the column before (fewer
 * crossings). Separate parts of the lab are stacked below each other.
 */
import type { GraphModel } from './model.js';

export interface Placed {
  id: string;
  kind: 'node' | 'link';
  name: string;
  column: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Layout {
  width: number;
  height: number;
  items: Map<string, Placed>;
  /** Vertex ids in breadth-first order: draw edges from lower to higher column. */
  columns: Map<string, number>;
}

export const nodeId = (name: string) => `node:${name}`;
export const linkId = (name: string) => `link:${name}`;

export interface Sizes {
  node(name: string): { width: number; height: number };
  link(name: string): { width: number; height: number };
}

const COLUMN_GAP = 56;
const ROW_GAP = 28;
const MARGIN = 24;

function adjacency(m: GraphModel): Map<string, string[]> {
  const adj = new Map<string, string[]>();
  for (const n of m.nodes) adj.set(nodeId(n.name), []);
  for (const l of m.links) {
    adj.set(linkId(l.name), []);
    for (const e of l.endpoints) {
      adj.get(linkId(l.name))!.push(nodeId(e.node));
      adj.get(nodeId(e.node))?.push(linkId(l.name));
    }
  }
  return adj;
}

function bfs(adj: Map<string, string[]>, start: string): Map<string, number> {
  const depth = new Map([[start, 0]]);
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of adj.get(v) ?? []) {
      if (!depth.has(w)) {
        depth.set(w, depth.get(v)! + 1);
        queue.push(w);
      }
    }
  }
  return depth;
}

/** Depths of every vertex, part by part; returns [vertex -> column, vertex -> part]. */
export function columnsOf(m: GraphModel): { column: Map<string, number>; part: Map<string, number> } {
  const adj = adjacency(m);
  const column = new Map<string, number>();
  const part = new Map<string, number>();
  let p = 0;
  for (const v of adj.keys()) {
    if (column.has(v)) continue;
    // double sweep: the farthest vertex from any vertex is peripheral
    const order = [...adj.keys()];
    const farthest = (from: string) => [...bfs(adj, from)].sort((a, b) => b[1] - a[1] || order.indexOf(a[0]) - order.indexOf(b[0]))[0]![0];
    // the two ends of a longest path; start from the one the topology names first
    const u = farthest(v);
    const w2 = farthest(u);
    const start = order.indexOf(u) <= order.indexOf(w2) ? u : w2;
    for (const [w, d] of bfs(adj, start)) {
      column.set(w, d);
      part.set(w, p);
    }
    p++;
  }
  return { column, part };
}

export function layout(m: GraphModel, sizes: Sizes, top = 0): Layout {
  const adj = adjacency(m);
  const { column, part } = columnsOf(m);
  const size = (id: string) => (id.startsWith('node:') ? sizes.node(id.slice(5)) : sizes.link(id.slice(5)));
  const maxColumn = Math.max(0, ...column.values());
  const widths = Array.from({ length: maxColumn + 1 }, (_, c) => Math.max(0, ...[...column].filter(([, d]) => d === c).map(([id]) => size(id).width)));
  const xs: number[] = [];
  widths.reduce((x, w, c) => ((xs[c] = x + w / 2), x + w + COLUMN_GAP), MARGIN);
  const items = new Map<string, Placed>();
  let y0 = MARGIN + top;
  const parts = Math.max(0, ...part.values()) + 1;
  for (let p = 0; p < parts; p++) {
    const rows: string[][] = Array.from({ length: maxColumn + 1 }, () => []);
    for (const [id, c] of column) if (part.get(id) === p) rows[c]!.push(id);
    const rowOf = new Map<string, number>();
    rows.forEach((ids, c) => {
      if (c > 0) {
        const key = (id: string) => {
          const prev = (adj.get(id) ?? []).filter((w) => column.get(w) === c - 1).map((w) => rowOf.get(w) ?? 0);
          return prev.length ? prev.reduce((a, b) => a + b, 0) / prev.length : 0;
        };
        ids.sort((a, b) => key(a) - key(b));
      }
      ids.forEach((id, r) => rowOf.set(id, r));
    });
    const heights = rows.map((ids) => ids.reduce((h, id) => h + size(id).height, 0) + Math.max(0, ids.length - 1) * ROW_GAP);
    const partHeight = Math.max(...heights);
    rows.forEach((ids, c) => {
      let y = y0 + (partHeight - heights[c]!) / 2;
      for (const id of ids) {
        const s = size(id);
        items.set(id, {
          id,
          kind: id.startsWith('node:') ? 'node' : 'link',
          name: id.slice(5),
          column: c,
          x: xs[c]!,
          y: y + s.height / 2,
          width: s.width,
          height: s.height,
        });
        y += s.height + ROW_GAP;
      }
    });
    y0 += partHeight + ROW_GAP * 2;
  }
  const width = widths.reduce((a, w) => a + w, 0) + COLUMN_GAP * Math.max(0, widths.length - 1) + MARGIN * 2;
  return { width, height: y0 - ROW_GAP * 2 + MARGIN, items, columns: column };
}
