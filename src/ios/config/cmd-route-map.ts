/**
 * `route-map NAME [permit|deny] [SEQ]` and its sub-mode. The model keeps what
 * NAT reads (`match ip address`, `match interface`); every other line of an
 * entry is kept as written. A route map is a definition: it does nothing until
 * something applies it (NAT here; policy routing and BGP are reported where
 * applied), so its lines are cosmetic, except the match clauses NAT ignores in
 * a route map NAT uses (model-check.ts).
 */
import { addKept, canonicalLine } from './extras.js';
import { Grammar, type EngineState } from './grammar.js';
import { readInterfaceName } from './interface-names.js';
import type { RouteMapEntry } from './nat-types.js';
import { keptEntries } from './support.js';

const MAX_SEQ = 65535;

function insertEntry(list: RouteMapEntry[], entry: RouteMapEntry): void {
  let last = -1;
  list.forEach((e, i) => {
    if (e.name === entry.name && e.seq < entry.seq) last = i;
  });
  const firstOfName = list.findIndex((e) => e.name === entry.name);
  if (last >= 0) list.splice(last + 1, 0, entry);
  else if (firstOfName >= 0) list.splice(firstOfName, 0, entry);
  else list.push(entry);
}

export function addRouteMapCommands(g: Grammar): void {
  g.on('route-map', (cursor) => {
    const name = cursor.word();
    const action = (cursor.optKeyword(['permit', 'deny']) as 'permit' | 'deny' | undefined) ?? 'permit';
    const seq = cursor.optInteger(0, MAX_SEQ) ?? null;
    return (st) => {
      const maps = st.config.routeMaps;
      const ofName = maps.filter((e) => e.name === name);
      // without a sequence number IOS enters the map's only entry, or creates entry 10
      const target = seq ?? (ofName.length === 1 ? ofName[0]!.seq : 10);
      let entry = ofName.find((e) => e.seq === target);
      if (!entry) {
        entry = { name, action, seq: target, matchAddress: [], matchInterface: [], extras: [] };
        insertEntry(maps, entry);
      } else {
        entry.action = action;
      }
      st.mode = { kind: 'route-map', name, seq: target };
    };
  });
  g.on('no route-map', (cursor) => {
    const name = cursor.word();
    cursor.optKeyword(['permit', 'deny']);
    const seq = cursor.optInteger(0, MAX_SEQ);
    return (st) => {
      st.config.routeMaps = st.config.routeMaps.filter((e) => !(e.name === name && (seq === undefined || e.seq === seq)));
    };
  });
}

function currentEntry(st: EngineState): RouteMapEntry {
  const mode = st.mode;
  if (mode.kind !== 'route-map') throw new Error('not in route-map mode');
  let entry = st.config.routeMaps.find((e) => e.name === mode.name && e.seq === mode.seq);
  if (!entry) {
    entry = { name: mode.name, action: 'permit', seq: mode.seq, matchAddress: [], matchInterface: [], extras: [] };
    insertEntry(st.config.routeMaps, entry);
  }
  return entry;
}

function readNames(cursor: { atEnd: boolean; word(): string; incomplete(): Error }): string[] {
  const names: string[] = [];
  while (!cursor.atEnd) names.push(cursor.word());
  if (names.length === 0) throw cursor.incomplete();
  return names;
}

function addUnique(list: string[], items: string[]): void {
  for (const i of items) if (!list.includes(i)) list.push(i);
}

/** The `(config-route-map)` sub-mode. */
export function routeMapModeGrammar(): Grammar {
  const g = new Grammar('route-map');
  g.on('match ip address', (cursor) => {
    const first = cursor.peek();
    // `match ip address prefix-list X` is another clause: the kept row takes it
    if (first && /^prefix-list$/i.test(first.text)) throw cursor.invalidHere();
    const column = first?.start ?? 0;
    const names = readNames(cursor);
    return (st) => {
      const entry = currentEntry(st);
      for (const n of names) st.references.push({ kind: 'access-list', name: n, from: `route-map ${entry.name}`, line: st.lineNo, column, text: st.text });
      addUnique(entry.matchAddress, names);
    };
  });
  g.on('no match ip address', (cursor) => {
    const names = cursor.atEnd ? null : readNames(cursor);
    return (st) => {
      const entry = currentEntry(st);
      entry.matchAddress = names === null ? [] : entry.matchAddress.filter((n) => !names.includes(n));
    };
  });
  g.on('match interface', (cursor) => {
    const names: string[] = [];
    while (!cursor.atEnd) names.push(readInterfaceName(cursor));
    if (names.length === 0) throw cursor.incomplete();
    return (st) => addUnique(currentEntry(st).matchInterface, names);
  });
  g.on('no match interface', (cursor) => {
    const names: string[] = [];
    while (!cursor.atEnd) names.push(readInterfaceName(cursor));
    return (st) => {
      const entry = currentEntry(st);
      entry.matchInterface = names.length === 0 ? [] : entry.matchInterface.filter((n) => !names.includes(n));
    };
  });
  g.on('exit', () => (st) => {
    st.mode = { kind: 'global' };
  });
  addKept(g, keptEntries('route-map'), (st, text) => {
    const entry = currentEntry(st);
    const line = canonicalLine(text);
    const other = line.startsWith('no ') ? line.slice(3) : `no ${line}`;
    entry.extras = entry.extras.filter((e) => e !== line && e !== other);
    if (!line.startsWith('no ')) entry.extras.push(line);
    if (line.startsWith('match ')) {
      (st.routeMapClauses ??= []).push({ map: entry.name, line: st.lineNo, column: text.length - text.trimStart().length, text: st.text });
    }
  });
  return g.finish();
}

/** The route maps in the running-config. */
export function routeMapLines(maps: readonly RouteMapEntry[]): string[] {
  const out: string[] = [];
  for (const e of maps) {
    out.push(`route-map ${e.name} ${e.action} ${e.seq}`);
    out.push(...e.extras.filter((x) => x.startsWith('description ')).map((x) => ` ${x}`));
    if (e.matchAddress.length) out.push(` match ip address ${e.matchAddress.join(' ')}`);
    if (e.matchInterface.length) out.push(` match interface ${e.matchInterface.join(' ')}`);
    out.push(...e.extras.filter((x) => !x.startsWith('description ')).map((x) => ` ${x}`));
    out.push('!');
  }
  return out;
}
