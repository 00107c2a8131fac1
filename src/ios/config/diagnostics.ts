/**
 * Diagnostics for configuration lines, worded as IOS prints them at the
 * console, with the position of the '^' marker.
 */
import { ParseFail } from '../cli/cursor.js';

export type DiagnosticSeverity = 'error' | 'warning';

export type DiagnosticCode =
  | 'invalid-input' // % Invalid input detected at '^' marker.
  | 'incomplete' // % Incomplete command.
  | 'ambiguous' // % Ambiguous command:  "..."
  | 'bad-value' // a value IOS refuses with its own message (Bad mask ...)
  | 'undefined-reference' // a name used but never defined (transform set, ACL, map)
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
