/**
 * A keyword trie per configuration mode. Each path ends in a handler that
 * parses the arguments and returns an Effect; nothing touches the model until
 * the whole line has parsed, so the engine can try a sub-mode and the global
 * mode and keep the better reading, as IOS does.
 */
import type { Cursor } from '../cli/cursor.js';
import type { RouterConfig } from './types.js';
import type { ConfigMode } from './modes.js';
import type { ConfigDiagnostic } from './diagnostics.js';

/** A name used by a command that must be defined somewhere in the configuration. */
export interface PendingReference {
  kind: 'transform-set' | 'access-list' | 'dynamic-map' | 'crypto-map';
  name: string;
  /** Who refers to it, for the message ("crypto map tedtag 10"). */
  from: string;
  line: number;
  column: number;
  text: string;
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
}

/**
 * Applies a parsed line. `lenient` marks lines accepted only because a
 * not-emulated command takes any arguments: a modeled reading is preferred.
 */
export type Effect = ((state: EngineState) => void) & { lenient?: boolean };

/** Parses the arguments after the keyword path; must not touch the model. */
export type Handler = (cursor: Cursor) => Effect;

export interface GrammarNode {
  readonly children: Map<string, GrammarNode>;
  handler?: Handler;
}

export class Grammar {
  readonly root: GrammarNode = { children: new Map() };

  /** Registers `path` (space separated keywords) with its handler. */
  on(path: string, handler: Handler): this {
    let node = this.root;
    for (const word of path.split(' ')) {
      let child = node.children.get(word);
      if (!child) {
        child = { children: new Map() };
        node.children.set(word, child);
      }
      node = child;
    }
    node.handler = handler;
    return this;
  }

  /** Handler for lines whose first word is no keyword (`10 permit ...` in a named list). */
  fallback(handler: Handler): this {
    this.root.handler = handler;
    return this;
  }

  /** Registers many paths with handlers made by `make(path)`. */
  onAll(paths: readonly string[], make: (path: string) => Handler): this {
    for (const p of paths) this.on(p, make(p));
    return this;
  }

  /**
   * Walks the keywords of the line and runs the handler at the end of the
   * path, then checks the line is consumed. Throws ParseFail.
   */
  parse(cursor: Cursor): Effect {
    let node = this.root;
    for (;;) {
      if (node.children.size > 0) {
        if (cursor.atEnd) {
          if (node.handler) break;
          throw cursor.incomplete();
        }
        const keyword = cursor.optKeyword([...node.children.keys()]);
        if (keyword !== undefined) {
          node = node.children.get(keyword)!;
          continue;
        }
        if (node.handler) break;
        throw cursor.invalidHere();
      }
      break;
    }
    if (!node.handler) throw cursor.invalidHere();
    const effect = node.handler(cursor);
    cursor.end();
    return effect;
  }
}
