/**
 * Applies configuration lines one by one, as IOS does at the console: a line
 * is tried in the current sub-mode and in global mode; the reading that parses
 * wins (a global command leaves the sub-mode). A bad line gives one diagnostic
 * and the next line is processed as if it had not been there, except that the
 * lines indented under a refused line belong to it and are refused too. Every
 * accepted line gets its class from the support table (support.ts).
 */
import { Cursor, ParseFail, tokenize } from '../cli/cursor.js';
import { BLOCK_VOCABULARY } from './blocks.js';
import { accessListModeGrammar, addAccessListCommands } from './cmd-acl.js';
import { cryptoMapEntryGrammar, isakmpPeerGrammar, isakmpPolicyGrammar, transformSetGrammar } from './cmd-crypto-modes.js';
import { addCryptoCommands } from './cmd-crypto.js';
import { addGlobalCommands } from './cmd-global.js';
import { addInterfaceCommands, interfaceModeGrammar } from './cmd-interface.js';
import { addRoutingCommands, routerEigrpGrammar, routerOspfGrammar, routerRipGrammar } from './cmd-routing.js';
import { addNatCommands } from './cmd-nat.js';
import { addRouteMapCommands, routeMapModeGrammar } from './cmd-route-map.js';
import { closeBlock, notEmulated, refusedBody, type LineClass } from './classify.js';
import { diagnosticFromFail, type ConfigDiagnostic } from './diagnostics.js';
import { recordBlockChild } from './extras.js';
import { Grammar, type EngineState, type Parsed } from './grammar.js';
import type { ConfigMode } from './modes.js';
import { modelEntry, parseCommand } from './support.js';
import type { BlockKind } from './support-types.js';

export type { LineClass } from './classify.js';

function buildGlobal(): Grammar {
  const g = new Grammar('global');
  addGlobalCommands(g);
  addInterfaceCommands(g);
  addAccessListCommands(g);
  addCryptoCommands(g);
  addRoutingCommands(g);
  addNatCommands(g);
  addRouteMapCommands(g);
  return g.finish();
}

function blockGrammar(kind: BlockKind): Grammar {
  const g = new Grammar(null);
  if (kind !== 'any') for (const spec of BLOCK_VOCABULARY[kind]) g.keep(spec, null, (st, text) => recordBlockChild(st, text));
  g.on('exit', () => (st) => {
    st.mode = { kind: 'global' };
  });
  return g;
}

let grammars: Record<string, Grammar> | undefined;

function grammarsOnce(): Record<string, Grammar> {
  grammars ??= {
    global: buildGlobal(),
    interface: interfaceModeGrammar(),
    'isakmp-policy': isakmpPolicyGrammar(),
    'isakmp-peer': isakmpPeerGrammar(),
    'transform-set': transformSetGrammar(),
    'crypto-map': cryptoMapEntryGrammar(),
    'dynamic-map': cryptoMapEntryGrammar(),
    'acl-standard': accessListModeGrammar('standard'),
    'acl-extended': accessListModeGrammar('extended'),
    'router-ospf': routerOspfGrammar(),
    'router-eigrp': routerEigrpGrammar(),
    'router-rip': routerRipGrammar(),
    'route-map': routeMapModeGrammar(),
    ...Object.fromEntries((['line', 'router', 'key-chain', 'dhcp-pool', 'any'] as const).map((k) => [`extra-${k}`, blockGrammar(k)])),
  };
  return grammars;
}

function modeGrammar(mode: ConfigMode): Grammar | undefined {
  const all = grammarsOnce();
  switch (mode.kind) {
    case 'global':
    case 'banner':
      return undefined;
    case 'access-list':
      return all[`acl-${mode.aclKind}`];
    case 'extra':
      return all[`extra-${mode.children}`];
    default:
      return all[mode.kind];
  }
}

type Outcome = { ok: true; parsed: Parsed; exact: boolean; global: boolean } | { ok: false; fail: ParseFail; exact: boolean; global: boolean };

function attempt(grammar: Grammar, line: string, global: boolean, mode: ConfigMode): Outcome {
  const cursor = new Cursor(line, tokenize(line));
  try {
    const parsed = grammar.parse(cursor, mode);
    return { ok: true, parsed, exact: cursor.allExact, global };
  } catch (e) {
    if (e instanceof ParseFail) return { ok: false, fail: e, exact: cursor.allExact, global };
    throw e;
  }
}

function failRank(f: ParseFail): number {
  return f.kind === 'value' ? Number.MAX_SAFE_INTEGER : f.column;
}

/** Lines IOS prints around a configuration that are not part of it. */
const PREAMBLE = [
  /^Building configuration\.\.\.$/,
  /^Current configuration\s*:\s*\d+\s*bytes$/,
  /^Using \d+ out of \d+ bytes$/,
  /^[A-Za-z][\w.-]*[#>]\s*(\S+\s+)?\S*$/, // a prompt with a command: Daphne#show running-config
];

export function isPreambleLine(trimmed: string): boolean {
  return PREAMBLE.some((re) => re.test(trimmed)) && !/^(end|exit|version\b)/.test(trimmed);
}

export interface RunOptions {
  /** Skip "Building configuration..." and friends (pasted show output). */
  skipPreamble: boolean;
}

type Reading = { ok: true; chosen: Extract<Outcome, { ok: true }> } | { ok: false; diagnostic: ConfigDiagnostic };

/** The reading IOS would take of a line in the current mode, without applying it. */
function read(st: EngineState, raw: string): Reading {
  const sub = modeGrammar(st.mode);
  const outcomes: Outcome[] = [];
  if (sub) outcomes.push(attempt(sub, raw, false, st.mode));
  outcomes.push(attempt(grammarsOnce().global!, raw, true, st.mode));
  const oks = outcomes.filter((o): o is Extract<Outcome, { ok: true }> => o.ok);
  const indented = /^\s/.test(raw);
  // A command spelled out in full that IOS refuses for its value (Bad mask ...)
  // beats a reading that only parses through an abbreviation.
  const refused = outcomes.find((o): o is Extract<Outcome, { ok: false }> => !o.ok && o.exact && o.fail.kind === 'value');
  if (refused && !oks.some((o) => o.exact)) return { ok: false, diagnostic: diagnosticFromFail(refused.fail, st.lineNo, raw) };
  if (oks.length > 0) {
    const score = (o: (typeof oks)[number]): number => (o.exact ? 2 : 0) + (o.parsed.effect.lenient ? 0 : 1);
    let chosen = oks.reduce((a, b) => (score(b) > score(a) ? b : a));
    // In a block kept verbatim (line, router), indentation tells its lines from global ones.
    if (oks.length > 1 && st.mode.kind === 'extra') chosen = oks.find((o) => o.global !== indented) ?? chosen;
    // An abbreviation that only a kept command accepts does not hide
    // what another reading says about the line (ambiguous, refused value).
    const strong = outcomes.find((o): o is Extract<Outcome, { ok: false }> => !o.ok && (o.fail.kind === 'ambiguous' || o.fail.kind === 'value'));
    if (chosen.parsed.effect.lenient && !chosen.exact && strong) return { ok: false, diagnostic: diagnosticFromFail(strong.fail, st.lineNo, raw) };
    return { ok: true, chosen };
  }
  const fails = outcomes.map((o) => (o as Extract<Outcome, { ok: false }>).fail);
  const worst = fails.reduce((a, b) => (failRank(b) > failRank(a) ? b : a));
  return { ok: false, diagnostic: diagnosticFromFail(worst, st.lineNo, raw) };
}

function indentOf(raw: string): number {
  return raw.length - raw.trimStart().length;
}

function refuse(st: EngineState, raw: string, diagnostic: ConfigDiagnostic): LineClass {
  st.diagnostics.push(diagnostic);
  st.refused = { line: st.lineNo, indent: indentOf(raw), text: raw.trim() };
  return 'refused';
}

/** Processes one line; never throws. Returns its class, or null for what is not configuration. */
export function processLine(st: EngineState, raw: string, opts: RunOptions): LineClass | null {
  const mode = st.mode;
  if (mode.kind === 'banner') {
    st.config.extras.find((e) => e.lines[0] === mode.header)?.lines.push(raw);
    if (raw.includes(mode.delimiter)) st.mode = { kind: 'global' };
    return modelEntry('global', 'banner').class;
  }
  const trimmed = raw.trim();
  if (trimmed === '' || trimmed.startsWith('!')) return null;
  if (opts.skipPreamble && isPreambleLine(trimmed)) return null;
  try {
    const under = st.refused;
    if (under && indentOf(raw) > under.indent) {
      const r = read(st, raw);
      st.diagnostics.push(r.ok ? refusedBody(st, raw, under) : r.diagnostic);
      return 'refused';
    }
    st.refused = null;
    const r = read(st, raw);
    if (!r.ok) {
      if (st.mode.kind === 'extra' && st.mode.children === 'any' && /^\s/.test(raw)) return keepInBlock(st, raw);
      return refuse(st, raw, r.diagnostic);
    }
    const { global } = r.chosen;
    let { parsed } = r.chosen;
    if (global) {
      closeBlock(st);
      st.mode = { kind: 'global' };
    }
    const before = st.mode;
    const count = st.diagnostics.length;
    try {
      parsed.effect(st);
    } catch (e) {
      if (!(e instanceof ParseFail)) throw e;
      st.mode = before;
      return refuse(st, raw, diagnosticFromFail(e, st.lineNo, st.text));
    }
    const late = parsed.effect.lateVariant;
    if (late !== undefined && parsed.entry) parsed = { ...parsed, entry: modelEntry(parsed.entry.mode, parseCommand(parsed.entry.command).path, late) };
    return classify(st, raw, parsed, global && st.mode.kind !== 'global', count);
  } catch (e) {
    return refuse(st, raw, {
      line: st.lineNo,
      column: 1,
      text: raw,
      severity: 'error',
      code: 'internal',
      message: `% Internal error while parsing this line: ${e instanceof Error ? e.message : String(e)}`,
    });
  }
}

/** An indented line of a block that keeps every line (kind `any`). */
function keepInBlock(st: EngineState, raw: string): LineClass {
  recordBlockChild(st, raw);
  const block = st.block!;
  if (block.cls === 'not-emulated') block.lines++;
  return block.cls;
}

/** The class of an accepted line, with its diagnostic when it is not emulated. */
function classify(st: EngineState, raw: string, parsed: Parsed, opensBlock: boolean, at: number): LineClass {
  const entry = parsed.entry;
  if (opensBlock) {
    if (!entry) throw new Error('a block header without a support-table row');
    const diagnostic = entry.class === 'not-emulated' ? notEmulated(st, raw, entry.reason) : null;
    if (diagnostic) st.diagnostics.splice(at, 0, diagnostic);
    st.block = { cls: entry.class, diagnostic, reason: entry.reason, lines: 0 };
    return entry.class;
  }
  const block = st.block;
  let cls: LineClass;
  if (block && !parsed.entry) cls = block.cls;
  else if (block && block.cls !== 'emulated' && st.mode.kind !== 'global') cls = block.cls;
  else if (entry) cls = entry.class;
  else throw new Error('a line without a support-table row');
  if (block && st.mode.kind !== 'global' && cls === 'not-emulated' && block.cls === 'not-emulated') block.lines++;
  else if (cls === 'not-emulated') st.diagnostics.splice(at, 0, notEmulated(st, raw, entry!.reason));
  if (st.mode.kind === 'global') closeBlock(st);
  return cls;
}

export function runLines(st: EngineState, lines: readonly string[], firstLine: number, opts: RunOptions): (LineClass | null)[] {
  const classes: (LineClass | null)[] = [];
  for (let i = 0; i < lines.length && !st.ended; i++) {
    st.lineNo = firstLine + i;
    st.text = lines[i]!;
    classes.push(processLine(st, st.text, opts));
  }
  closeBlock(st);
  return classes;
}
