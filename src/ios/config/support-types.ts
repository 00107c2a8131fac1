/**
 * The vocabulary of the support table (support.ts): the three classes of an
 * accepted line, the modes lines are typed in, and small builders for rows.
 */
import type { ExtraSection } from './types.js';

/**
 * emulated: the router behaves as the line says (on the wire and at the console);
 * cosmetic: the line changes nothing the lab can observe;
 * not-emulated: the router accepts the line but behaves as if it were absent.
 */
export type SupportClass = 'emulated' | 'cosmetic' | 'not-emulated';

/** The configuration modes whose lines are classified one by one. */
export type SupportMode =
  | 'global'
  | 'interface'
  | 'isakmp-policy'
  | 'isakmp-peer'
  | 'transform-set'
  | 'crypto-map'
  | 'access-list'
  | 'route-map'
  | 'router-ospf'
  | 'router-eigrp'
  | 'router-rip';

/**
 * Blocks kept verbatim: their sub-mode lines take the class of the block's
 * header (one diagnostic per not-emulated block). The kind names the
 * vocabulary of sub-mode commands the block knows (blocks.ts).
 */
export type BlockKind = 'line' | 'router' | 'key-chain' | 'dhcp-pool' | 'any';

export interface SupportEntry {
  mode: SupportMode;
  /**
   * Keywords as typed. A trailing `*` takes any arguments; `(name)` at the end
   * is a reading the command's parser reports (`crypto map (ipsec-manual)`).
   */
  command: string;
  class: SupportClass;
  /** One line: why it has this class (what the router does, or does not do). */
  reason: string;
  /** Parsed into the typed model by a handler in cmd-*.ts; otherwise the line is kept verbatim. */
  model?: boolean;
  /** Kept global lines: where `show running-config` prints them. */
  section?: ExtraSection;
  /** The command opens a block kept verbatim, with this vocabulary. */
  block?: BlockKind;
}

type Options = Pick<SupportEntry, 'model' | 'section' | 'block'>;

/** Row builders for one mode: `em`, `cos`, `ne` (kept verbatim) and `model` (parsed by a handler). */
export function rows(mode: SupportMode) {
  const make =
    (cls: SupportClass) =>
    (command: string, reason: string, options: Options = {}): SupportEntry => ({
      mode,
      command,
      class: cls,
      reason,
      ...options,
    });
  const em = make('emulated');
  const cos = make('cosmetic');
  const ne = make('not-emulated');
  return {
    em,
    cos,
    ne,
    /** A command with a handler; `cls` defaults to emulated. */
    model: (command: string, reason: string, cls: SupportClass = 'emulated'): SupportEntry => make(cls)(command, reason, { model: true }),
  };
}

/** `crypto map (ipsec-manual)` -> { path: 'crypto map', variant: 'ipsec-manual', rest: false }. */
export function parseCommand(command: string): { path: string; variant: string | null; rest: boolean } {
  const words = command.split(' ');
  let variant: string | null = null;
  const last = words[words.length - 1]!;
  if (last.startsWith('(') && last.endsWith(')')) {
    variant = last.slice(1, -1);
    words.pop();
  }
  const rest = words[words.length - 1] === '*';
  if (rest) words.pop();
  return { path: words.join(' '), variant, rest };
}
