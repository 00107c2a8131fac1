/**
 * Values of the check language: durations ("30s", 2.5), conditions
 * ("'>= 9'", QM_IDLE, "'~ ^QM'") and prefixes, parsed once and tested many
 * times. Parsing returns an error string instead of throwing, so the parser
 * can report every mistake with its place.
 */
import { formatSpi, normalizePrefix, type FieldType, type ShowValue } from '../show/index.js';
import type { Condition, Operator, Prefix } from './types.js';

const OPERATOR = /^(==|!=|>=|<=|>|<|!~|~)\s*(.*)$/s;
const NUMBER = /^[-+]?(?:0x[0-9a-f]+|\d+(?:\.\d+)?)$/i;

/** Seconds (a number) or "500ms", "30s", "2m". */
export function parseDuration(v: unknown): number | string {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return Math.round(v * 1000);
  if (typeof v === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(v);
    if (m) return Math.round(Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60000 : 1000));
  }
  return `must be a duration: seconds, or like "500ms", "30s", "2m" (got ${JSON.stringify(v)})`;
}

function toNumber(text: string): number | null {
  const t = text.trim();
  if (!NUMBER.test(t)) return null;
  return /0x/i.test(t) ? (t.startsWith('-') ? -1 : 1) * parseInt(t.replace(/^[-+]?0x/i, ''), 16) : Number(t);
}

/**
 * A condition for a value of type `type` (null: untyped, e.g. an exit code
 * or a count, which are numbers). Returns an error message when it cannot be.
 */
export function parseCondition(v: unknown, type: FieldType | 'count'): Condition | string {
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  if (v === null) return { op: '==', value: null, text: 'null' };
  if (Array.isArray(v)) {
    if (type !== 'list') return `a list only compares with a list field`;
    return { op: '==', value: v.map((x) => (typeof x === 'number' ? x : String(x))) as string[], text };
  }
  if (typeof v === 'boolean') {
    if (type !== 'boolean') return `true/false only fits a yes/no field`;
    return { op: '==', value: v, text };
  }
  if (typeof v === 'number') {
    if (!['number', 'spi', 'count', 'list'].includes(type))
      return `${v} is a number; this field holds ${type === 'address' ? 'an address' : type === 'prefix' ? 'a prefix' : 'text'}`;
    return { op: '==', value: v, text };
  }
  if (typeof v !== 'string') return `must be a value or a condition like ">= 9"`;
  const m = OPERATOR.exec(v.trim());
  const op = (m?.[1] ?? '==') as Operator;
  const rest = (m ? m[2]! : v).trim();
  if (op === '~' || op === '!~') {
    try {
      new RegExp(rest);
    } catch (e) {
      return `invalid regular expression /${rest}/: ${(e as Error).message}`;
    }
    return { op, value: rest, text };
  }
  if (['number', 'spi', 'count'].includes(type)) {
    const n = toNumber(rest);
    if (n === null) return `"${v}" is not a number or a comparison like ">= 9"`;
    return { op, value: n, text };
  }
  if (op !== '==' && op !== '!=') return `${op} compares numbers; this field holds ${type === 'list' ? 'a list' : 'text'} (use ==, !=, ~ or !~)`;
  if (type === 'boolean') {
    if (!/^(true|false|yes|no|y|n)$/i.test(rest)) return `"${v}" is not true or false`;
    return { op, value: /^(true|yes|y)$/i.test(rest), text };
  }
  if (type === 'address' && !/^\d{1,3}(\.\d{1,3}){3}$/.test(rest) && rest !== 'null') return `"${rest}" is not an IPv4 address`;
  if (type === 'prefix') return { op, value: normalizePrefix(rest), text };
  if (type === 'list') {
    const n = toNumber(rest);
    return { op, value: n ?? rest, text };
  }
  return { op, value: rest === 'null' ? null : rest, text };
}

function sameValue(a: ShowValue, b: ShowValue): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => String(x) === String(b[i]));
  if (Array.isArray(a)) return (a as (string | number)[]).some((x) => String(x) === String(b));
  return a === b || (a !== null && b !== null && typeof a !== typeof b && String(a) === String(b));
}

/** Does `actual` satisfy the condition? */
export function test(c: Condition, actual: ShowValue): boolean {
  switch (c.op) {
    case '==':
      return sameValue(actual, c.value);
    case '!=':
      return !sameValue(actual, c.value);
    case '~':
    case '!~': {
      const hit = actual !== null && new RegExp(String(c.value)).test(Array.isArray(actual) ? actual.join(' ') : String(actual));
      return c.op === '~' ? hit : !hit;
    }
    default: {
      if (typeof actual !== 'number' || typeof c.value !== 'number') return false;
      return compare(actual, c.op, c.value);
    }
  }
}

export function compare(a: number, op: '>=' | '<=' | '>' | '<' | '==' | '!=', b: number): boolean {
  switch (op) {
    case '>=':
      return a >= b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '<':
      return a < b;
    case '==':
      return a === b;
    case '!=':
      return a !== b;
  }
}

/** "== 9" -> "= 9", for sentences like "expected 3 lines = 9". */
export function describeCondition(c: Condition, type?: FieldType | 'count'): string {
  const v = type === 'spi' && typeof c.value === 'number' ? formatSpi(c.value) : Array.isArray(c.value) ? `[${c.value.join(', ')}]` : String(c.value);
  const op = c.op === '==' ? '=' : c.op === '~' ? 'matches' : c.op === '!~' ? 'does not match' : c.op;
  return `${op} ${v}`;
}

export function formatValue(v: ShowValue, type?: FieldType): string {
  if (v === null) return 'none';
  if (type === 'spi' && typeof v === 'number') return formatSpi(v);
  if (type === 'list' && Array.isArray(v) && v.every((x) => typeof x === 'number') && v.length && (v as number[]).every((x) => x > 0xffff))
    return `[${(v as number[]).map(formatSpi).join(', ')}]`;
  if (Array.isArray(v)) return `[${v.join(', ')}]`;
  return String(v);
}

/** "13.13.13.0/24" or a single address (a /32). */
export function parsePrefix(v: unknown): Prefix | string {
  if (typeof v !== 'string') return `must be an address or prefix like 13.13.13.0/24 (got ${JSON.stringify(v)})`;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(v.trim());
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || (m[5] !== undefined && Number(m[5]) > 32))
    return `"${v}" is not an address or prefix like 13.13.13.0/24`;
  const length = m[5] === undefined ? 32 : Number(m[5]);
  const addr = m.slice(1, 5).reduce((a, o) => a * 256 + Number(o), 0);
  const mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
  return { network: (addr & mask) >>> 0, length, text: v.trim() };
}

export function inPrefix(address: string | null, p: Prefix): boolean {
  if (!address) return false;
  const parts = address.split('.').map(Number);
  if (parts.length !== 4) return false;
  const a = parts.reduce((x, o) => x * 256 + o, 0);
  const mask = p.length === 0 ? 0 : (0xffffffff << (32 - p.length)) >>> 0;
  return (a & mask) >>> 0 === p.network;
}
