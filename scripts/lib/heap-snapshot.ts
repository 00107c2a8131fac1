/**
 * A V8 heap snapshot (the JSON that v8.writeHeapSnapshot writes, Chrome
 * DevTools' format) summed up by constructor, the way DevTools' "Summary"
 * view groups it: objects by their constructor's name, everything else by
 * its node type in parentheses ("(string)", "(closure)", "(code)", ...).
 * Two summaries compared name what a heap gained between two moments.
 */

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export interface HeapGroup {
  name: string;
  count: number;
  /** Self size, bytes. */
  size: number;
}

/** The groups of a snapshot's text, by name. */
export function summarizeHeapSnapshot(text: string): Map<string, HeapGroup> {
  const s = JSON.parse(text) as Snapshot;
  const fields = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  if (typeAt < 0 || nameAt < 0 || sizeAt < 0) throw new Error(`not a V8 heap snapshot: node fields ${fields.join(', ')}`);
  const groups = new Map<string, HeapGroup>();
  for (let i = 0; i < s.nodes.length; i += fields.length) {
    const type = types[s.nodes[i + typeAt]!] ?? '?';
    const name = type === 'object' || type === 'native' ? (s.strings[s.nodes[i + nameAt]!] ?? '?') : `(${type})`;
    const g = groups.get(name) ?? { name, count: 0, size: 0 };
    g.count++;
    g.size += s.nodes[i + sizeAt]!;
    groups.set(name, g);
  }
  return groups;
}

export interface HeapGrowth {
  name: string;
  countBefore: number;
  countAfter: number;
  sizeBefore: number;
  sizeAfter: number;
}

/** What each group gained (or lost) from `before` to `after`, the largest changes of size first. */
export function compareHeapSummaries(before: Map<string, HeapGroup>, after: Map<string, HeapGroup>): HeapGrowth[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names]
    .map((name) => ({
      name,
      countBefore: before.get(name)?.count ?? 0,
      countAfter: after.get(name)?.count ?? 0,
      sizeBefore: before.get(name)?.size ?? 0,
      sizeAfter: after.get(name)?.size ?? 0,
    }))
    .sort((a, b) => Math.abs(b.sizeAfter - b.sizeBefore) - Math.abs(a.sizeAfter - a.sizeBefore) || a.name.localeCompare(b.name));
}
