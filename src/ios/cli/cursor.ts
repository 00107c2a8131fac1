/**
 * Token cursor shared by the configuration parser and the exec parser.
 *
 * IOS matches keywords by unique prefix, case-insensitively; an exact match
 * wins over longer keywords it prefixes. When nothing matches, the '^' marker
 * goes under the first character no known keyword continues with.
 */
import { tryParseIpv4, formatIpv4 } from '../../codecs/net/address.js';

export interface Token {
  readonly text: string;
  /** 0-based index of the first character in the line. */
  readonly start: number;
  readonly end: number;
}

export function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  const re = /\S+/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) {
    tokens.push({ text: m[0], start: m.index, end: m.index + m[0].length });
  }
  return tokens;
}

export type ParseFailKind = 'invalid' | 'incomplete' | 'ambiguous' | 'value';

/** A line the parser rejects; `column` is 0-based within the line. */
export class ParseFail extends Error {
  constructor(
    readonly kind: ParseFailKind,
    readonly column: number,
    /** For 'ambiguous': the text IOS quotes; for 'value': IOS's own message. */
    readonly text: string = '',
    /** A plain-language explanation beyond what IOS prints. */
    readonly detail?: string,
  ) {
    super(kind === 'value' ? text : `${kind} at column ${column}`);
    this.name = 'ParseFail';
  }
}

export type KeywordMatch =
  | { readonly kind: 'match'; readonly keyword: string; readonly exact: boolean }
  | { readonly kind: 'ambiguous'; readonly candidates: readonly string[] }
  | { readonly kind: 'none'; readonly matchedChars: number };

export function matchKeyword(token: string, keywords: readonly string[]): KeywordMatch {
  const t = token.toLowerCase();
  const hits: string[] = [];
  let best = 0;
  for (const k of keywords) {
    const kl = k.toLowerCase();
    if (kl === t) return { kind: 'match', keyword: k, exact: true };
    if (kl.startsWith(t)) hits.push(k);
    else best = Math.max(best, commonPrefix(t, kl));
  }
  if (hits.length === 1) return { kind: 'match', keyword: hits[0]!, exact: false };
  if (hits.length > 1) return { kind: 'ambiguous', candidates: hits };
  return { kind: 'none', matchedChars: best };
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

export class Cursor {
  private index = 0;
  /** Furthest character IOS would have matched, per token index. */
  private readonly reached = new Map<number, number>();
  /** Whether every keyword so far was typed in full. */
  allExact = true;

  constructor(
    readonly line: string,
    readonly tokens: readonly Token[] = tokenize(line),
  ) {}

  get position(): number {
    return this.index;
  }

  get atEnd(): boolean {
    return this.index >= this.tokens.length;
  }

  peek(offset = 0): Token | undefined {
    return this.tokens[this.index + offset];
  }

  /** Column just past the previous token: where IOS reports an incomplete value. */
  private endColumn(): number {
    const prev = this.tokens[this.index - 1];
    return prev ? prev.end : 0;
  }

  incomplete(): ParseFail {
    return new ParseFail('incomplete', this.endColumn());
  }

  /** Invalid input at the current token, with the caret where matching stopped. */
  invalidHere(): ParseFail {
    const token = this.tokens[this.index];
    if (!token) return this.incomplete();
    return new ParseFail('invalid', token.start + (this.reached.get(this.index) ?? 0));
  }

  invalidAt(token: Token, offset = 0): ParseFail {
    return new ParseFail('invalid', token.start + offset);
  }

  private note(chars: number): void {
    const prev = this.reached.get(this.index) ?? 0;
    if (chars > prev) this.reached.set(this.index, chars);
  }

  private ambiguous(token: Token): ParseFail {
    const first = this.tokens[0]?.start ?? 0;
    return new ParseFail('ambiguous', token.start, this.line.slice(first, token.end));
  }

  /** Consumes one of `keywords` (full name returned) or throws. */
  keyword(keywords: readonly string[]): string {
    const k = this.optKeyword(keywords);
    if (k === undefined) throw this.atEnd ? this.incomplete() : this.invalidHere();
    return k;
  }

  /** Consumes one of `keywords` if the next token abbreviates exactly one. */
  optKeyword(keywords: readonly string[]): string | undefined {
    const token = this.tokens[this.index];
    if (!token) return undefined;
    const m = matchKeyword(token.text, keywords);
    if (m.kind === 'match') {
      this.index++;
      if (!m.exact) this.allExact = false;
      return m.keyword;
    }
    if (m.kind === 'ambiguous') throw this.ambiguous(token);
    this.note(m.matchedChars);
    return undefined;
  }

  /** Consumes any word (names, keys); throws incomplete at end of line. */
  word(): string {
    const token = this.tokens[this.index];
    if (!token) throw this.incomplete();
    this.index++;
    return token.text;
  }

  optWord(): string | undefined {
    return this.atEnd ? undefined : this.word();
  }

  /** The raw remainder of the line from the next token (descriptions, remarks). */
  rest(): string {
    const token = this.tokens[this.index];
    if (!token) return '';
    this.index = this.tokens.length;
    return this.line.slice(token.start).trimEnd();
  }

  /** An IPv4 address in canonical form. */
  ipv4(): string {
    const token = this.tokens[this.index];
    if (!token) throw this.incomplete();
    const value = tryParseIpv4(token.text);
    if (value === null) {
      throw new ParseFail('invalid', token.start + (this.reached.get(this.index) ?? 0), '', `"${token.text}" is not an IPv4 address`);
    }
    this.index++;
    return formatIpv4(value);
  }

  /** Like ipv4() but returns undefined (consuming nothing) when the token is not an address. */
  optIpv4(): string | undefined {
    const token = this.tokens[this.index];
    if (!token) return undefined;
    const value = tryParseIpv4(token.text);
    if (value === null) return undefined;
    this.index++;
    return formatIpv4(value);
  }

  /** A decimal integer within [min, max]. */
  integer(min: number, max: number): number {
    const token = this.tokens[this.index];
    if (!token) throw this.incomplete();
    const value = /^\d{1,10}$/.test(token.text) ? Number(token.text) : NaN;
    if (!(value >= min && value <= max)) {
      throw new ParseFail('invalid', token.start + (this.reached.get(this.index) ?? 0), '', `"${token.text}" is not a number in ${min}-${max}`);
    }
    this.index++;
    return value;
  }

  optInteger(min: number, max: number): number | undefined {
    const token = this.tokens[this.index];
    if (!token || !/^\d{1,10}$/.test(token.text)) return undefined;
    return this.integer(min, max);
  }

  /** Asserts the line is fully consumed. */
  end(): void {
    if (!this.atEnd) throw this.invalidHere();
  }

  /** Rewinds to an earlier position (for alternatives). */
  reset(position: number): void {
    this.index = position;
  }
}
