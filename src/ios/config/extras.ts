/**
 * Recording accepted-but-not-emulated lines, so that `show running-config`
 * shows back what was written. `no X` cancels a recorded `X` (and the reverse).
 */
import { Cursor } from '../cli/cursor.js';
import { Grammar, type Effect, type EngineState } from './grammar.js';
import { parseIgnoredPath } from './ignored.js';
import type { ExtraBlock, ExtraSection, InterfaceConfig } from './types.js';
import type { ExtraChildren } from './modes.js';

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

export function recordGlobalExtra(state: EngineState, section: ExtraSection, text: string, block: ExtraChildren | null): void {
  const line = canonicalLine(text);
  const extras = state.config.extras;
  if (block) {
    // Re-entering an existing block (`line vty 0 4` twice) adds to it.
    const existing = extras.find((e) => e.lines[0] === line);
    if (!existing) extras.push({ section, lines: [line] });
    state.mode = { kind: 'extra', header: line, children: block };
    return;
  }
  const other = opposite(line);
  for (let i = extras.length - 1; i >= 0; i--) {
    const e = extras[i]!;
    if (e.lines.length === 1 && (e.lines[0] === line || e.lines[0] === other)) extras.splice(i, 1);
  }
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

/** Registers ignored paths on a grammar; `record` stores the line. */
export function addIgnored(
  grammar: Grammar,
  specs: readonly string[],
  record: (state: EngineState, text: string, block: ExtraChildren | null) => void,
): void {
  for (const spec of specs) {
    const { path, rest, block } = parseIgnoredPath(spec);
    grammar.on(path, (cursor: Cursor): Effect => {
      const args = rest ? cursor.rest() : '';
      const text = cursor.line;
      const effect: Effect = (state) => record(state, text, block);
      if (args !== '') effect.lenient = true;
      return effect;
    });
  }
}

export function recordInterfaceExtra(iface: InterfaceConfig, text: string): void {
  recordLine(iface.extras, text);
}
