/**
 * A keyword trie per configuration mode. Each path ends in a handler that
 * parses the arguments and returns an Effect; nothing touches the model until
 * the whole line has parsed, so the engine can try a sub-mode and the global
 * mode and keep the better reading, as IOS does. Every path of a classified
 * mode carries its support-table row, so a parsed line always has a class.
 */
import { ParseFail, type Cursor } from '../cli/cursor.js';
import type { RouterConfig } from './types.js';
import type { ConfigMode } from './modes.js';
import type { ConfigDiagnostic } from './diagnostics.js';
import { modelEntry, modelPaths, parseCommand, type SupportEntry, type SupportMode } from './support.js';
import { laterCommands } from './support-refused.js';

/** A name used by a command that must be defined somewhere in the configuration. */
export interface PendingReference {
  kind: 'transform-set' | 'access-list' | 'dynamic-map' | 'crypto-map' | 'route-map' | 'nat-pool';
  name: string;
  /** Who refers to it, for the message ("crypto map tedtag 10"). */
  from: string;
  line: number;
  column: number;
  text: string;
}

/** An open block whose header is not emulated: its lines are counted under one diagnostic. */
export interface OpenBlock {
  diagnostic: ConfigDiagnostic | null;
  cls: SupportEntry['class'];
  reason: string;
  lines: number;
}

/** Mutable state while applying lines. */
export interface EngineState {
  config: RouterConfig;
  mode: ConfigMode;
  lineNo: number;
  text: string;
  references: PendingReference[];
  diagnostics: ConfigDiagnostic[];
  /** `end` seen (or `exit` at the top level of a terminal session). */
  ended: boolean;
  /** True for `configure terminal` input: a global `exit` leaves configuration mode. */
  exitLeavesConfig: boolean;
  /** The block the current sub-mode belongs to, with the class of its header. */
  block: OpenBlock | null;
  /** The last refused line and its indentation: deeper lines belong to it and are refused too. */
  refused: { line: number; indent: number; text: string } | null;
  /** Line of each `crypto isakmp policy N` header, for checks after the parse. */
  policyLines: Map<number, { line: number; column: number; text: string; rsaWarned?: boolean }>;
  /** Line of each routing process header (`ospf 1`, `eigrp 100`, `rip`), for routing-check.ts. */
  routingLines: Map<string, { line: number; column: number; text: string; autoSummaryWarned?: boolean }>;
  /** Match clauses of route maps other than `match ip address|interface`, for the NAT check after the parse. */
  routeMapClauses?: { map: string; line: number; column: number; text: string }[];
}

/**
 * Applies a parsed line. `lenient` marks lines accepted only because a
 * kept command takes any arguments: a modeled reading is preferred.
 * `variant` names a reading with a row of its own (`crypto map (ipsec-manual)`);
 * `lateVariant`, set by the effect itself, one that depends on the state the
 * line meets (a second `router ospf` process).
 */
export type Effect = ((state: EngineState) => void) & { lenient?: boolean; variant?: string; lateVariant?: string };

/** Parses the arguments after the keyword path; must not touch the model. `mode`: the mode the line is typed in. */
export type Handler = (cursor: Cursor, mode: ConfigMode) => Effect;

export interface GrammarNode {
  readonly children: Map<string, GrammarNode>;
  readonly path: string;
  handler?: Handler;
  /** The handler takes any arguments: a longer path that fails falls back to it. */
  rest?: boolean;
  /** A keyword of a later IOS release: refused, even where a shorter path takes any arguments. */
  refuse?: boolean;
  entry?: SupportEntry;
}

export interface Parsed {
  effect: Effect;
  /** The row of the line; null in block vocabularies, whose lines take their block's class. */
  entry: SupportEntry | null;
}

/** Failures of a refused keyword: no shorter path takes the line. */
const FINAL = new WeakSet<ParseFail>();

/**
 * Runs `read` (a handler's reading of its arguments); a ParseFail it throws
 * is final: no shorter path that takes any arguments (`ip tcp *`) gets the
 * line instead, so a bad value is refused as IOS refuses it.
 */
export function finalArguments<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof ParseFail) FINAL.add(e);
    throw e;
  }
}

function failsOver(e: unknown): boolean {
  return e instanceof ParseFail && !FINAL.has(e) && (e.kind === 'invalid' || e.kind === 'incomplete');
}

export class Grammar {
  readonly root: GrammarNode = { children: new Map(), path: '' };

  /** `mode`: the support-table mode of its lines; null for a block vocabulary (unclassified). */
  constructor(readonly mode: SupportMode | null = null) {}

  private node(path: string): GrammarNode {
    let node = this.root;
    if (path === '') return node;
    for (const word of path.split(' ')) {
      let child = node.children.get(word);
      if (!child) {
        child = { children: new Map(), path: node.path ? `${node.path} ${word}` : word };
        node.children.set(word, child);
      }
      node = child;
    }
    return node;
  }

  /** Registers a modeled command: `path` (space separated keywords) must have a model row. */
  on(path: string, handler: Handler): this {
    const node = this.node(path);
    node.handler = handler;
    if (this.mode) node.entry = modelEntry(this.mode, path);
    return this;
  }

  /** Handler for lines whose first word is no keyword (`10 permit ...` in a named list): row `SEQ`. */
  fallback(handler: Handler): this {
    this.root.handler = handler;
    if (this.mode) this.root.entry = modelEntry(this.mode, 'SEQ');
    return this;
  }

  /** Registers a command kept verbatim (`spec` as in the table: keywords, optional `*`). */
  keep(spec: string, entry: SupportEntry | null, record: (state: EngineState, text: string) => void): this {
    const { path, rest } = parseCommand(spec);
    const node = this.node(path);
    if (node.handler) throw new Error(`grammar: "${path}" is registered twice`);
    node.rest = rest;
    if (entry) node.entry = entry;
    node.handler = (cursor) => {
      const args = rest ? cursor.rest() : '';
      // its keywords spelled out, as `show running-config` prints them: an abbreviation
      // that is unique here (`t 1`) may be ambiguous where the line lands in the running-config
      const text = args ? `${node.path} ${args}` : node.path;
      const effect: Effect = (state) => record(state, text);
      if (args !== '') effect.lenient = true;
      return effect;
    };
    return this;
  }

  /**
   * Refuses `path` (a command of a later release): the first of its keywords
   * the grammar does not know yet is marked, so that a command taking any
   * arguments (`class-map *`) does not accept `class-map type inspect`.
   */
  refuse(path: string): this {
    let node = this.root;
    for (const word of path.split(' ')) {
      const child = node.children.get(word);
      if (!child) {
        node.children.set(word, { children: new Map(), path: node.path ? `${node.path} ${word}` : word, refuse: true });
        return this;
      }
      node = child;
    }
    return this;
  }

  /**
   * Called once the grammar is built: refuses the mode's commands of later
   * releases, and throws unless every model row of the mode has a handler.
   */
  finish(): this {
    if (!this.mode) return this;
    for (const command of laterCommands(this.mode)) this.refuse(command);
    for (const path of modelPaths(this.mode)) {
      const node = path === 'SEQ' ? this.root : this.node(path);
      if (!node.handler) throw new Error(`grammar: the support table lists "${path}" in ${this.mode} mode but nothing parses it`);
    }
    return this;
  }

  /**
   * Walks the keywords of the line and runs the handler at the end of the
   * path, then checks the line is consumed. When a longer path fails, a
   * shorter one that takes any arguments (`service *`) gets the line. Throws ParseFail.
   */
  parse(cursor: Cursor, mode: ConfigMode = { kind: 'global' }): Parsed {
    let node = this.root;
    let fallback: { node: GrammarNode; position: number } | undefined;
    const run = (n: GrammarNode): Parsed => {
      const effect = n.handler!(cursor, mode);
      cursor.end();
      const entry = n.entry && effect.variant !== undefined ? modelEntry(this.mode!, n.path, effect.variant) : (n.entry ?? null);
      return { effect, entry };
    };
    const retry = (e: unknown): Parsed => {
      if (!fallback || !failsOver(e)) throw e;
      cursor.reset(fallback.position);
      return run(fallback.node);
    };
    try {
      for (;;) {
        if (node.handler && node.rest && node !== this.root) fallback = { node, position: cursor.position };
        if (node.children.size > 0) {
          if (cursor.atEnd) {
            if (node.handler) break;
            throw cursor.incomplete();
          }
          const live = [...node.children].filter(([, c]) => !c.refuse).map(([k]) => k);
          const keyword = cursor.optKeyword(live);
          if (keyword !== undefined) {
            node = node.children.get(keyword)!;
            continue;
          }
          const token = cursor.peek()!.text.toLowerCase();
          if ([...node.children].some(([k, c]) => c.refuse && k.toLowerCase().startsWith(token))) {
            const fail = cursor.invalidHere();
            FINAL.add(fail);
            throw fail;
          }
          if (node.handler) break;
          throw cursor.invalidHere();
        }
        break;
      }
      if (!node.handler) throw cursor.invalidHere();
    } catch (e) {
      return retry(e);
    }
    if (fallback?.node === node) fallback = undefined;
    try {
      return run(node);
    } catch (e) {
      return retry(e);
    }
  }
}
