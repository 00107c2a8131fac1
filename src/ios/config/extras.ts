/**
 * Recording the lines kept verbatim (cosmetic or not emulated), so that
 * `show running-config` shows back what was written. `no X` cancels a
 * recorded `X` (and the reverse).
 */
import type { Grammar, EngineState } from './grammar.js';
import { SINGLE_VALUED_PREFIXES } from './kept-settings.js';
import type { SupportEntry } from './support.js';
import type { BlockKind, SupportClass } from './support-types.js';
import type { ExtraBlock, ExtraSection, InterfaceConfig } from './types.js';

/** Collapses internal whitespace: the canonical text of a kept line. */
export function canonicalLine(text: string): string {
  return text.trim().split(/\s+/).join(' ');
}

function opposite(text: string): string {
  return text.startsWith('no ') ? text.slice(3) : `no ${text}`;
}

/** Adds a line to a flat list, dropping a duplicate or its negation. */
export function recordLine(list: string[], text: string): void {
  const line = canonicalLine(text);
  const other = opposite(line);
  for (let i = list.length - 1; i >= 0; i--) {
    if (list[i] === line || list[i] === other) list.splice(i, 1);
  }
  list.push(line);
}

export function recordGlobalExtra(state: EngineState, section: ExtraSection, text: string, block: BlockKind | null, cls: SupportClass = 'cosmetic'): void {
  const line = canonicalLine(text);
  const extras = state.config.extras;
  if (block) {
    // Re-entering an existing block (`line vty 0 4` twice) adds to it.
    const existing = extras.find((e) => e.lines[0] === line);
    if (!existing) extras.push({ section, lines: [line] });
    state.mode = { kind: 'extra', header: line, children: block, cls };
    return;
  }
  const other = opposite(line);
  // `crypto ipsec df-bit set` replaces `crypto ipsec df-bit clear`; `no crypto ipsec df-bit` removes it
  const single = SINGLE_VALUED_PREFIXES.find((p) => line.startsWith(p) || `${other} `.startsWith(p));
  for (let i = extras.length - 1; i >= 0; i--) {
    const e = extras[i]!;
    if (e.lines.length !== 1) continue;
    if (e.lines[0] === line || e.lines[0] === other || (single !== undefined && e.lines[0]!.startsWith(single))) extras.splice(i, 1);
  }
  if (single !== undefined && line.startsWith('no ')) return;
  extras.push({ section, lines: [line] });
}

export function currentExtraBlock(state: EngineState): ExtraBlock | undefined {
  const mode = state.mode;
  if (mode.kind !== 'extra') return undefined;
  return state.config.extras.find((e) => e.lines[0] === mode.header);
}

export function recordBlockChild(state: EngineState, text: string): void {
  const block = currentExtraBlock(state);
  if (!block) return;
  const child = ` ${canonicalLine(text)}`;
  if (!block.lines.includes(child)) block.lines.push(child);
}

/** Registers the kept rows of a grammar's mode; `record` stores the line. */
export function addKept(grammar: Grammar, entries: readonly SupportEntry[], record: (state: EngineState, text: string, entry: SupportEntry) => void): void {
  for (const entry of entries) grammar.keep(entry.command, entry, (state, text) => record(state, text, entry));
}

export function recordInterfaceExtra(iface: InterfaceConfig, text: string): void {
  recordLine(iface.extras, text);
}
