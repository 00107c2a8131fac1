/**
 * Diagnostics for configuration lines, worded as IOS prints them at the
 * console, with the position of the '^' marker.
 */
import { type ParseFail } from '../cli/cursor.js';

export type DiagnosticSeverity = 'error' | 'warning';

export type DiagnosticCode =
  | 'invalid-input' // % Invalid input detected at '^' marker.
  | 'incomplete' // % Incomplete command.
  | 'ambiguous' // % Ambiguous command:  "..."
  | 'bad-value' // a value IOS refuses with its own message (Bad mask ...)
  | 'undefined-reference' // a name used but never defined (transform set, ACL, map)
  | 'not-emulated' // accepted, not emulated: the router behaves as if the line were absent
  | 'internal'; // a parser defect; never expected

export interface ConfigDiagnostic {
  /** 1-based line number within the text (or within the lines applied). */
  line: number;
  /** 1-based column of the '^' marker (of the offending token for other codes). */
  column: number;
  /** The line as written. */
  text: string;
  severity: DiagnosticSeverity;
  code: DiagnosticCode;
  /** What IOS prints; for invalid input the echoed line, the marker line and the message. */
  message: string;
  /** A plain explanation when IOS itself says no more than "invalid input". */
  detail?: string;
  /** For a not-emulated block header: how many lines of its block the warning covers. */
  blockLines?: number;
}

/**
 * The three kinds of diagnostic a configuration gets: lines the router
 * refuses (it runs without them, as IOS would), lines it accepts without
 * emulating them, and names used but never defined.
 */
export type DiagnosticClass = 'refused' | 'not-emulated' | 'undefined-reference';

export function diagnosticClass(d: ConfigDiagnostic): DiagnosticClass {
  if (d.code === 'not-emulated' || d.code === 'undefined-reference') return d.code;
  return 'refused';
}

export const INVALID_INPUT = "% Invalid input detected at '^' marker.";
export const INCOMPLETE = '% Incomplete command.';

export function caretLine(column0: number): string {
  return ' '.repeat(Math.max(0, column0)) + '^';
}

export function diagnosticFromFail(fail: ParseFail, line: number, text: string): ConfigDiagnostic {
  const base = { line, column: fail.column + 1, text, severity: 'error' as const };
  const detail = fail.detail === undefined ? {} : { detail: fail.detail };
  switch (fail.kind) {
    case 'invalid':
      return { ...base, code: 'invalid-input', message: `${text}\n${caretLine(fail.column)}\n${INVALID_INPUT}`, ...detail };
    case 'incomplete':
      return { ...base, code: 'incomplete', message: INCOMPLETE, ...detail };
    case 'ambiguous':
      return { ...base, code: 'ambiguous', message: `% Ambiguous command:  "${fail.text}"`, ...detail };
    case 'value':
      return { ...base, code: 'bad-value', message: fail.text, ...detail };
  }
}

/** One line for logs and CLI output: `daphne.cfg:12:14: error: Bad mask ...`. */
export function formatDiagnostic(d: ConfigDiagnostic, source = 'config'): string {
  const headline = d.code === 'invalid-input' ? INVALID_INPUT : d.message;
  const extra = d.detail ? ` (${d.detail})` : '';
  return `${source}:${d.line}:${d.column}: ${d.severity}: ${headline}${extra}`;
}

/**
 * One line for `testbed validate` and `up`: where, which router, what.
 * `strict` makes a not-emulated line an error (validate --strict, up --strict).
 */
export function describeDiagnostic(d: ConfigDiagnostic, file: string, node: string, strict = false): string {
  const where = `${file}:${d.line}:${d.column}`;
  const extra = d.detail ? ` (${d.detail})` : '';
  switch (diagnosticClass(d)) {
    case 'refused':
      return `${where}: ${node} will refuse "${d.text.trim()}": ${d.message.split('\n').pop()}${extra}`;
    case 'not-emulated':
      return `${where}: ${strict ? 'error' : 'warning'}: ${node}: ${d.message}`;
    case 'undefined-reference':
      return `${where}: warning: ${node}: ${d.message}${extra}`;
  }
}

export interface DiagnosticCounts {
  refused: number;
  notEmulated: number;
  undefinedReference: number;
}

export function countDiagnostics(ds: readonly ConfigDiagnostic[]): DiagnosticCounts {
  const counts: DiagnosticCounts = { refused: 0, notEmulated: 0, undefinedReference: 0 };
  for (const d of ds) {
    const c = diagnosticClass(d);
    if (c === 'refused') counts.refused++;
    else if (c === 'not-emulated') counts.notEmulated++;
    else counts.undefinedReference++;
  }
  return counts;
}

/** "1 line refused, 2 accepted but not emulated": the counts that are not zero. */
export function describeCounts(c: DiagnosticCounts): string {
  const parts: string[] = [];
  const n = (k: number, one: string, many: string): string => `${k} ${k === 1 ? one : many}`;
  if (c.refused) parts.push(`${n(c.refused, 'line', 'lines')} refused`);
  if (c.notEmulated) parts.push(`${n(c.notEmulated, 'line', 'lines')} accepted but not emulated`);
  if (c.undefinedReference) parts.push(n(c.undefinedReference, 'undefined name', 'undefined names'));
  return parts.join(', ');
}
