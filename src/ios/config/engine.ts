/**
 * Applies configuration lines one by one, as IOS does at the console: a line
 * is tried in the current sub-mode and in global mode; the reading that parses
 * wins (a global command leaves the sub-mode). A bad line gives one diagnostic
 * and the next line is processed as if it had not been there.
 */
import { Cursor, ParseFail, tokenize } from '../cli/cursor.js';
import { accessListModeGrammar, addAccessListCommands } from './cmd-acl.js';
import { cryptoMapEntryGrammar, isakmpPeerGrammar, isakmpPolicyGrammar, transformSetGrammar } from './cmd-crypto-modes.js';
import { addCryptoCommands } from './cmd-crypto.js';
import { addGlobalCommands } from './cmd-global.js';
import { addInterfaceCommands, interfaceModeGrammar } from './cmd-interface.js';
import { diagnosticFromFail } from './diagnostics.js';
import { addIgnored, recordBlockChild } from './extras.js';
import { Grammar, type Effect, type EngineState } from './grammar.js';
import { IGNORED_LINE, IGNORED_ROUTER } from './ignored.js';
import type { ConfigMode, ExtraChildren } from './modes.js';

function buildGlobal(): Grammar {
  const g = new Grammar();
  addGlobalCommands(g);
  addInterfaceCommands(g);
  addAccessListCommands(g);
  addCryptoCommands(g);
  return g;
}

function extraGrammar(children: ExtraChildren): Grammar {
  const g = new Grammar();
  if (children === 'line') addIgnored(g, IGNORED_LINE, (st, text) => recordBlockChild(st, text));
  if (children === 'router') addIgnored(g, IGNORED_ROUTER, (st, text) => recordBlockChild(st, text));
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
    'extra-line': extraGrammar('line'),
    'extra-router': extraGrammar('router'),
    'extra-any-indented': extraGrammar('any-indented'),
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

type Outcome =
  | { ok: true; effect: Effect; exact: boolean; global: boolean }
  | { ok: false; fail: ParseFail; exact: boolean; global: boolean };

function attempt(grammar: Grammar, line: string, global: boolean): Outcome {
  const cursor = new Cursor(line, tokenize(line));
  try {
    const effect = grammar.parse(cursor);
    return { ok: true, effect, exact: cursor.allExact, global };
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

/** Processes one line; never throws. */
export function processLine(st: EngineState, raw: string, opts: RunOptions): void {
  const mode = st.mode;
  if (mode.kind === 'banner') {
    st.config.extras.find((e) => e.lines[0] === mode.header)?.lines.push(raw);
    if (raw.includes(mode.delimiter)) st.mode = { kind: 'global' };
    return;
  }
  const trimmed = raw.trim();
  if (trimmed === '' || trimmed.startsWith('!')) return;
  if (opts.skipPreamble && isPreambleLine(trimmed)) return;
  try {
    const sub = modeGrammar(st.mode);
    const outcomes: Outcome[] = [];
    if (sub) outcomes.push(attempt(sub, raw, false));
    outcomes.push(attempt(grammarsOnce().global!, raw, true));
    const oks = outcomes.filter((o): o is Extract<Outcome, { ok: true }> => o.ok);
    const indented = /^\s/.test(raw);
    // A command spelled out in full that IOS refuses for its value (Bad mask ...)
    // beats a reading that only parses through an abbreviation.
    const refused = outcomes.find((o): o is Extract<Outcome, { ok: false }> => !o.ok && o.exact && o.fail.kind === 'value');
    if (refused && !oks.some((o) => o.exact)) {
      st.diagnostics.push(diagnosticFromFail(refused.fail, st.lineNo, raw));
      return;
    }
    if (oks.length > 0) {
      const score = (o: (typeof oks)[number]): number => (o.exact ? 2 : 0) + (o.effect.lenient ? 0 : 1);
      let chosen = oks.reduce((a, b) => (score(b) > score(a) ? b : a));
      // In a block kept verbatim (line, router), indentation tells its lines from global ones.
      if (oks.length > 1 && st.mode.kind === 'extra') chosen = oks.find((o) => o.global !== indented)!;
      // An abbreviation that only a not-emulated command accepts does not hide
      // what another reading says about the line (ambiguous, refused value).
      const strong = outcomes.find(
        (o): o is Extract<Outcome, { ok: false }> => !o.ok && (o.fail.kind === 'ambiguous' || o.fail.kind === 'value'),
      );
      if (chosen.effect.lenient && !chosen.exact && strong) {
        st.diagnostics.push(diagnosticFromFail(strong.fail, st.lineNo, raw));
        return;
      }
      if (chosen.global) st.mode = { kind: 'global' };
      applyEffect(st, chosen.effect);
      return;
    }
    if (st.mode.kind === 'extra' && indented) {
      recordBlockChild(st, raw);
      return;
    }
    const fails = outcomes.map((o) => (o as Extract<Outcome, { ok: false }>).fail);
    const worst = fails.reduce((a, b) => (failRank(b) > failRank(a) ? b : a));
    st.diagnostics.push(diagnosticFromFail(worst, st.lineNo, raw));
  } catch (e) {
    st.diagnostics.push({
      line: st.lineNo, column: 1, text: raw, severity: 'error', code: 'internal',
      message: `% Internal error while parsing this line: ${e instanceof Error ? e.message : String(e)}`,
    });
  }
}

function applyEffect(st: EngineState, effect: Effect): void {
  try {
    effect(st);
  } catch (e) {
    if (e instanceof ParseFail) st.diagnostics.push(diagnosticFromFail(e, st.lineNo, st.text));
    else throw e;
  }
}

export function runLines(st: EngineState, lines: readonly string[], firstLine: number, opts: RunOptions): void {
  for (let i = 0; i < lines.length && !st.ended; i++) {
    st.lineNo = firstLine + i;
    st.text = lines[i]!;
    processLine(st, st.text, opts);
  }
}
