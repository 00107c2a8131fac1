/**
 * The class of each configuration line and the diagnostics of the lines the
 * router accepts without emulating them ("accepted, not emulated: ...").
 */
import { caretLine, INVALID_INPUT, type ConfigDiagnostic } from './diagnostics.js';
import { canonicalLine } from './extras.js';
import type { EngineState, OpenBlock } from './grammar.js';
import { interfaceEmulated } from './interface-names.js';
import type { ConfigMode } from './modes.js';
import { modelEntry } from './support.js';
import type { SupportClass } from './support-types.js';

/** What became of a configuration line. */
export type LineClass = SupportClass | 'refused';

export function notEmulatedMessage(text: string, reason: string, blockLines: number): string {
  const block = blockLines > 0 ? ` and the ${blockLines} line${blockLines === 1 ? '' : 's'} of its block` : '';
  return `accepted, not emulated: ${canonicalLine(text)}${block} (${reason})`;
}

/** The warning for an accepted line (or block header) the router does not emulate. */
export function notEmulated(st: EngineState, raw: string, reason: string): ConfigDiagnostic {
  return {
    line: st.lineNo,
    column: raw.length - raw.trimStart().length + 1,
    text: raw,
    severity: 'warning',
    code: 'not-emulated',
    message: notEmulatedMessage(raw, reason, 0),
  };
}

/** Ends the current block: its not-emulated header's message counts the lines it took. */
export function closeBlock(st: EngineState): void {
  const block = st.block;
  if (block?.diagnostic) {
    block.diagnostic.blockLines = block.lines;
    block.diagnostic.message = notEmulatedMessage(block.diagnostic.text, block.reason, block.lines);
  }
  st.block = null;
}

/**
 * A line indented under a refused line that would parse on its own (` log
 * config` under a refused `archive`): it belongs to the refused block, so it is
 * refused too, with the marker under its first word.
 */
export function refusedBody(st: EngineState, raw: string, under: { line: number; text: string }): ConfigDiagnostic {
  const column0 = raw.length - raw.trimStart().length;
  return {
    line: st.lineNo,
    column: column0 + 1,
    text: raw,
    severity: 'error',
    code: 'invalid-input',
    message: `${raw}\n${caretLine(column0)}\n${INVALID_INPUT}`,
    detail: `a sub-mode line of "${canonicalLine(under.text)}" (line ${under.line}), which was refused`,
  };
}

/**
 * The block a configuration session starts in (`configure terminal` input
 * comes one line at a time): the lines of a kept block or of a not-emulated
 * interface take its class. Its header was reported when it was entered.
 */
export function blockOfMode(mode: ConfigMode): OpenBlock | null {
  if (mode.kind === 'extra') return { cls: mode.cls, diagnostic: null, reason: '', lines: 0 };
  if (mode.kind === 'interface') {
    const e = interfaceEmulated(mode.name);
    if (e !== 'emulated') return { cls: modelEntry('global', 'interface', e).class, diagnostic: null, reason: '', lines: 0 };
  }
  return null;
}
