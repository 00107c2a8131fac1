/** Entry points: parse a whole configuration, or apply `configure terminal` lines to one. */
import { blockOfMode, type LineClass } from './classify.js';
import { checkReferences } from './crossref.js';
import type { ConfigDiagnostic } from './diagnostics.js';
import { runLines } from './engine.js';
import type { EngineState } from './grammar.js';
import { checkNatRouteMaps, checkPolicies } from './model-check.js';
import { checkRouting } from './routing-check.js';
import { GLOBAL_MODE, type ConfigMode } from './modes.js';
import { newRouterConfig, type RouterConfig } from './types.js';

/** How many configuration lines fell in each class. */
export interface LineSummary {
  emulated: number;
  cosmetic: number;
  notEmulated: number;
  refused: number;
}

export interface ParseResult {
  config: RouterConfig;
  /** Refused lines (errors), lines accepted but not emulated and undefined names (warnings), by line. */
  diagnostics: ConfigDiagnostic[];
  /** The class of each line (index = line number - 1); null for blank lines, comments and pasted show output. */
  lines: (LineClass | null)[];
  summary: LineSummary;
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
    config,
    mode,
    lineNo: 0,
    text: '',
    references: [],
    diagnostics: [],
    ended: false,
    exitLeavesConfig,
    block: blockOfMode(mode),
    refused: null,
    policyLines: new Map(),
    routingLines: new Map(),
  };
}

function byLine(a: ConfigDiagnostic, b: ConfigDiagnostic): number {
  return a.line - b.line || a.column - b.column;
}

export function summarize(lines: readonly (LineClass | null)[]): LineSummary {
  const summary: LineSummary = { emulated: 0, cosmetic: 0, notEmulated: 0, refused: 0 };
  for (const c of lines) {
    if (c === 'emulated') summary.emulated++;
    else if (c === 'cosmetic') summary.cosmetic++;
    else if (c === 'not-emulated') summary.notEmulated++;
    else if (c === 'refused') summary.refused++;
  }
  return summary;
}

function finish(st: EngineState, lines: (LineClass | null)[], references: boolean): ParseResult {
  const diagnostics = [...st.diagnostics];
  const policies = checkPolicies(st);
  diagnostics.push(...policies.diagnostics);
  for (const line of policies.lines) lines[line - 1] = 'not-emulated';
  const routing = checkRouting(st);
  diagnostics.push(...routing.diagnostics);
  for (const line of routing.lines) lines[line - 1] = 'not-emulated';
  const natMaps = checkNatRouteMaps(st);
  diagnostics.push(...natMaps.diagnostics);
  for (const line of natMaps.lines) lines[line - 1] = 'not-emulated';
  if (references) diagnostics.push(...checkReferences(st.config, st.references));
  return { config: st.config, diagnostics: diagnostics.sort(byLine), lines, summary: summarize(lines) };
}

/**
 * Parses a configuration as written in a file or pasted from `show
 * running-config` ("Building configuration..." and the prompt line are
 * skipped). Never throws: every bad line yields one diagnostic, every line
 * the router accepts but does not emulate one warning.
 */
export function parseConfig(text: string, opts: ParseOptions = {}): ParseResult {
  const lines = splitLines(typeof text === 'string' ? text : String(text));
  const config = newRouterConfig();
  config.sourceLines = lines;
  const st = newState(config, GLOBAL_MODE, false);
  const classes = runLines(st, lines, 1, { skipPreamble: true });
  while (classes.length < lines.length) classes.push(null); // after `end`
  return finish(st, classes, opts.checkReferences !== false);
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
  const classes = runLines(st, list, 1, { skipPreamble: false });
  while (classes.length < list.length) classes.push(null);
  const result = finish(st, classes, true);
  const endMode: ConfigMode = st.ended ? GLOBAL_MODE : st.mode;
  return { ...result, mode: endMode, ended: st.ended };
}
