/** Entry points: parse a whole configuration, or apply `configure terminal` lines to one. */
import { checkReferences } from './crossref.js';
import type { ConfigDiagnostic } from './diagnostics.js';
import { runLines } from './engine.js';
import type { EngineState } from './grammar.js';
import { GLOBAL_MODE, type ConfigMode } from './modes.js';
import { newRouterConfig, type RouterConfig } from './types.js';

export interface ParseResult {
  config: RouterConfig;
  diagnostics: ConfigDiagnostic[];
}

export interface ParseOptions {
  /** Report names used but never defined (default true). */
  checkReferences?: boolean;
}

function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function newState(config: RouterConfig, mode: ConfigMode, exitLeavesConfig: boolean): EngineState {
  return {
    config, mode, lineNo: 0, text: '', references: [], diagnostics: [], ended: false, exitLeavesConfig,
  };
}

function byLine(a: ConfigDiagnostic, b: ConfigDiagnostic): number {
  return a.line - b.line || a.column - b.column;
}

/**
 * Parses a configuration as written in a file or pasted from `show
 * running-config` ("Building configuration..." and the prompt line are
 * skipped). Never throws: every bad line yields one diagnostic.
 */
export function parseConfig(text: string, opts: ParseOptions = {}): ParseResult {
  const lines = splitLines(typeof text === 'string' ? text : String(text));
  const config = newRouterConfig();
  config.sourceLines = lines;
  const st = newState(config, GLOBAL_MODE, false);
  runLines(st, lines, 1, { skipPreamble: true });
  const diagnostics = [...st.diagnostics];
  if (opts.checkReferences !== false) diagnostics.push(...checkReferences(st.config, st.references));
  return { config: st.config, diagnostics: diagnostics.sort(byLine) };
}

export interface ApplyResult extends ParseResult {
  /** The mode after the last line, for the prompt: (config), (config-if), ... */
  mode: ConfigMode;
  /** `end` (or a top-level `exit`) was entered: the session is back in exec mode. */
  ended: boolean;
}

/**
 * Applies `configure terminal` input to a copy of `config` (the argument is
 * not modified). `mode` is where the session stands (default global).
 * Diagnostic line numbers count from 1 within `lines`.
 */
export function applyConfigLines(config: RouterConfig, lines: string | readonly string[], mode: ConfigMode = GLOBAL_MODE): ApplyResult {
  const list = typeof lines === 'string' ? splitLines(lines) : lines;
  const st = newState(structuredClone(config), structuredClone(mode), true);
  runLines(st, list, 1, { skipPreamble: false });
  const diagnostics = [...st.diagnostics, ...checkReferences(st.config, st.references)].sort(byLine);
  const endMode: ConfigMode = st.ended ? GLOBAL_MODE : st.mode;
  return { config: st.config, diagnostics, mode: endMode, ended: st.ended };
}
