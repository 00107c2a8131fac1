/**
 * Link impairment as data: the knobs (loss, duplication, reordering, delay
 * with jitter, rate), where they apply (a whole link, or one endpoint in one
 * or both directions), and the text forms the topology file, the CLI and
 * the test steps share (`loss=30%`, `delay: 50ms`, `rate: 1mbit`). Pure.
 */

export type Direction = 'in' | 'out' | 'both';

/** Probabilities are fractions (0.3 for 30%); absent knobs are off. */
export interface Knobs {
  loss?: number;
  duplicate?: number;
  reorder?: number;
  delayMs?: number;
  jitterMs?: number;
  /** bits per second */
  rateBps?: number;
}

/**
 * One setting. `endpoint: null` is the whole link: every packet that crosses
 * it, in either direction, once (applied where each endpoint sends).
 * With an endpoint, `out` is what that node sends onto the link, `in` what
 * it receives from it.
 */
export interface ImpairSetting {
  link: string;
  endpoint: string | null;
  direction: Direction;
  knobs: Knobs;
}

export const KNOB_NAMES = ['loss', 'duplicate', 'reorder', 'delay', 'jitter', 'rate'] as const;
export type KnobName = (typeof KNOB_NAMES)[number];

const PERCENT = /^\s*([0-9]+(?:\.[0-9]+)?)\s*%?\s*$/;
const TIME = /^\s*([0-9]+(?:\.[0-9]+)?)\s*(us|ms|s)?\s*$/;
const RATE = /^\s*([0-9]+(?:\.[0-9]+)?)\s*(bit|kbit|mbit|gbit)?\s*$/i;
const RATE_UNITS: Record<string, number> = { bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9 };

/** One knob's value: a percentage (`30%`, or a number: percent), a time (`50ms`, `1s`, a number: ms), a rate (`1mbit`, a number: bit/s). Returns an error text when it is not one. */
export function parseKnob(name: string, value: unknown): { key: keyof Knobs; value: number } | string {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : null;
  if (text === null) return `${name}: expected a string or a number, got ${JSON.stringify(value)}`;
  switch (name) {
    case 'loss':
    case 'duplicate':
    case 'reorder': {
      const m = PERCENT.exec(text);
      const pct = m ? Number(m[1]) : NaN;
      if (!(pct >= 0 && pct <= 100)) return `${name}: "${text}" is not a percentage from 0% to 100%`;
      return { key: name, value: pct / 100 };
    }
    case 'delay':
    case 'jitter': {
      const m = TIME.exec(text);
      if (!m) return `${name}: "${text}" is not a time like 50ms, 1.5s or 200us`;
      const ms = Number(m[1]) * (m[2] === 's' ? 1000 : m[2] === 'us' ? 0.001 : 1);
      if (ms > 60000) return `${name}: ${text} is more than a minute`;
      return { key: name === 'delay' ? 'delayMs' : 'jitterMs', value: ms };
    }
    case 'rate': {
      const m = RATE.exec(text);
      const bps = m ? Number(m[1]) * RATE_UNITS[(m[2] ?? 'bit').toLowerCase()]! : NaN;
      if (!(bps >= 8000)) return `rate: "${text}" is not a rate of at least 8kbit (units bit, kbit, mbit, gbit)`;
      return { key: 'rateBps', value: Math.round(bps) };
    }
    default:
      return `unknown impairment "${name}" (${KNOB_NAMES.join(', ')})`;
  }
}

/** Knobs from `name=value` words (the CLI) or a mapping (topology, test steps). Errors are collected, not thrown. */
export function parseKnobs(entries: [string, unknown][]): { knobs: Knobs; errors: string[] } {
  const knobs: Knobs = {};
  const errors: string[] = [];
  for (const [name, value] of entries) {
    const r = parseKnob(name, value);
    if (typeof r === 'string') errors.push(r);
    else knobs[r.key] = r.value;
  }
  return { knobs, errors };
}

/** `loss=30%` words. */
export function parseKnobWords(words: string[]): { knobs: Knobs; errors: string[] } {
  const entries: [string, unknown][] = [];
  const errors: string[] = [];
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq <= 0) errors.push(`"${w}" is not NAME=VALUE (${KNOB_NAMES.join(', ')})`);
    else entries.push([w.slice(0, eq), w.slice(eq + 1)]);
  }
  const r = parseKnobs(entries);
  return { knobs: r.knobs, errors: [...errors, ...r.errors] };
}

function pct(f: number): string {
  return `${Number((f * 100).toFixed(4))}%`;
}

function rate(bps: number): string {
  for (const [unit, n] of [
    ['gbit', 1e9],
    ['mbit', 1e6],
    ['kbit', 1e3],
  ] as const)
    if (bps >= n && bps % n === 0) return `${bps / n}${unit}`;
  return `${bps}bit`;
}

/** The knobs as `loss=30% delay=50ms` words, in a fixed order. */
export function formatKnobs(k: Knobs): string {
  const out: string[] = [];
  if (k.loss !== undefined) out.push(`loss=${pct(k.loss)}`);
  if (k.delayMs !== undefined) out.push(`delay=${Number(k.delayMs.toFixed(3))}ms`);
  if (k.jitterMs !== undefined) out.push(`jitter=${Number(k.jitterMs.toFixed(3))}ms`);
  if (k.duplicate !== undefined) out.push(`duplicate=${pct(k.duplicate)}`);
  if (k.reorder !== undefined) out.push(`reorder=${pct(k.reorder)}`);
  if (k.rateBps !== undefined) out.push(`rate=${rate(k.rateBps)}`);
  return out.join(' ');
}

/** Knobs that do something (zero probabilities and times are off). */
export function activeKnobs(k: Knobs): Knobs {
  const out: Knobs = {};
  for (const [key, v] of Object.entries(k) as [keyof Knobs, number][]) if (v !== undefined && v > 0) out[key] = v;
  return out;
}

export function isEmpty(k: Knobs): boolean {
  return Object.keys(activeKnobs(k)).length === 0;
}

export function settingKey(s: Pick<ImpairSetting, 'link' | 'endpoint' | 'direction'>): string {
  return `${s.link}/${s.endpoint ?? '*'}/${s.direction}`;
}

/** Where a setting applies, as words. */
export function describeTarget(s: Pick<ImpairSetting, 'link' | 'endpoint' | 'direction'>): string {
  if (!s.endpoint) return `${s.link}`;
  return `${s.link} at ${s.endpoint}${s.direction === 'both' ? '' : ` (${s.direction})`}`;
}

/**
 * A new setting on top of the ones in force: the same place (link,
 * endpoint, direction) takes the new knobs over the old ones; a knob set to
 * 0 goes away; a place left with no knob is removed.
 */
export function mergeSetting(current: ImpairSetting[], next: ImpairSetting): ImpairSetting[] {
  const key = settingKey(next);
  const old = current.find((s) => settingKey(s) === key);
  const knobs = activeKnobs({ ...(old?.knobs ?? {}), ...next.knobs });
  const rest = current.filter((s) => settingKey(s) !== key);
  return isEmpty(knobs) ? rest : [...rest, { ...next, knobs }];
}

/** Remove the settings of a link (every endpoint), or of one endpoint of it. */
export function clearSettings(current: ImpairSetting[], link: string, endpoint: string | null = null): ImpairSetting[] {
  return current.filter((s) => s.link !== link || (endpoint !== null && s.endpoint !== endpoint));
}
