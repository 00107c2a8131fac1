/**
 * The `tests:` section of a topology file, checked for meaning after the
 * JSON Schema has checked its shape: node and link names exist, fields of
 * typed show checks exist, regular expressions compile, conditions fit
 * their fields, `since` and `flow` name earlier steps. Every mistake is an
 * issue with file, line and column; nothing starts until there are none.
 */
import type { Locate, SourcePos } from '../topology/source.js';
import type { LabShape } from './shape.js';
import { SHOW_TABLES, type FieldType, type ShowTableName } from '../show/index.js';
import { filterFromYaml, prefixPair } from './filters.js';
import { parseCondition, parseDuration } from './values.js';
import { KNOB_NAMES, parseKnobs, type Direction } from '../impair/spec.js';
import type { CaptureExpect, Condition, ExecExpect, Pattern, RecordQuery, Relation, ShowExpect, Step, TrafficKind, Wait } from './types.js';

export interface CheckIssue extends SourcePos {
  message: string;
}

export const STEP_KINDS = ['exec', 'show', 'capture', 'configure', 'restart', 'cut', 'restore', 'impair', 'traffic'] as const;
const DEFAULT_EXEC_TIMEOUT_MS = 60000;
const DEFAULT_RESTART_TIMEOUT_MS = 60000;

type Raw = Record<string, unknown>;

class Ctx {
  issues: CheckIssue[] = [];
  constructor(
    readonly locate: Locate,
    readonly lab: LabShape,
    readonly index: number,
    readonly name: string,
  ) {}
  issue(path: (string | number)[], message: string, key = false): void {
    this.issues.push({ ...this.locate(['tests', this.index, ...path], key), message: `tests[${this.index}] "${this.name}": ${message}` });
  }
  node(path: (string | number)[], name: unknown): string | null {
    if (typeof name === 'string' && this.lab.nodes.has(name)) return name;
    this.issue(path, `no node named ${JSON.stringify(name)} (nodes: ${[...this.lab.nodes.keys()].join(', ')})`);
    return null;
  }
  nodeList(path: (string | number)[], v: unknown): string[] {
    const list = Array.isArray(v) ? v : [v];
    return list.map((n, i) => this.node(Array.isArray(v) ? [...path, i] : path, n)).filter((n): n is string => n !== null);
  }
  link(path: (string | number)[], name: unknown): string | null {
    if (typeof name === 'string' && this.lab.links.has(name)) return name;
    this.issue(path, `no link named ${JSON.stringify(name)} (links: ${[...this.lab.links.keys()].join(', ')})`);
    return null;
  }
  duration(path: (string | number)[], v: unknown, fallback: number): number {
    if (v === undefined) return fallback;
    const d = parseDuration(v);
    if (typeof d === 'string') {
      this.issue(path, d);
      return fallback;
    }
    return d;
  }
  condition(path: (string | number)[], v: unknown, type: FieldType | 'count'): Condition | null {
    const c = parseCondition(v, type);
    if (typeof c === 'string') {
      this.issue(path, c);
      return null;
    }
    return c;
  }
  pattern(path: (string | number)[], v: unknown): Pattern | null {
    try {
      return { regex: new RegExp(String(v), 'm'), source: String(v) };
    } catch (e) {
      this.issue(path, `invalid regular expression /${String(v)}/: ${(e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '')}`);
      return null;
    }
  }
}

function listOf(v: unknown): unknown[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Parse the `tests:` list. `raw` has passed the JSON Schema. */
export function parseSteps(raw: unknown[], locate: Locate, lab: LabShape): { steps: Step[]; issues: CheckIssue[] } {
  const steps: Step[] = [];
  const issues: CheckIssue[] = [];
  const seen = new Map<string, number>();
  raw.forEach((item, index) => {
    const r = item as Raw;
    const name = String(r.name);
    const ctx = new Ctx(locate, lab, index, name);
    if (seen.has(name)) ctx.issue(['name'], `the name is already used by tests[${seen.get(name)}]; names must be unique (--only uses them)`);
    seen.set(name, index);
    const step = parseStep(r, ctx, steps);
    issues.push(...ctx.issues);
    if (step) steps.push(step);
  });
  return { steps, issues };
}

function parseStep(r: Raw, ctx: Ctx, earlier: Step[]): Step | null {
  const kinds = STEP_KINDS.filter((k) => k in r);
  if (kinds.length !== 1) {
    const unknown = Object.keys(r).filter((k) => !['name', 'description', 'stop_on_error'].includes(k));
    ctx.issue(
      kinds.length ? [kinds[1]!] : [],
      kinds.length
        ? `a step does one thing: it has both "${kinds[0]}" and "${kinds[1]}"`
        : `needs one of ${STEP_KINDS.join(', ')}${unknown.length ? ` (found ${unknown.map((k) => `"${k}"`).join(', ')})` : ''}`,
      kinds.length > 0,
    );
    return null;
  }
  const base = {
    name: String(r.name),
    description: typeof r.description === 'string' ? r.description.trim() : null,
    stopOnError: r.stop_on_error === true,
    pos: ctx.locate(['tests', ctx.index], false),
  };
  const wait = (): Wait | null => {
    if (r.wait === undefined) return null;
    if (typeof r.wait === 'object' && r.wait !== null) {
      const w = r.wait as Raw;
      return { timeoutMs: ctx.duration(['wait', 'timeout'], w.timeout, 30000), intervalMs: ctx.duration(['wait', 'interval'], w.interval, 1000) };
    }
    return { timeoutMs: ctx.duration(['wait'], r.wait, 30000), intervalMs: 1000 };
  };
  switch (kinds[0]!) {
    case 'exec': {
      const nodes = ctx.nodeList(['nodes'], r.nodes);
      const command = listOf(r.exec)
        .flatMap((l) => String(l).split('\n'))
        .filter((l) => l.trim() !== '');
      if (command.length === 0) ctx.issue(['exec'], 'the command is empty');
      return {
        ...base,
        kind: 'exec',
        wait: wait(),
        nodes,
        command,
        timeoutMs: ctx.duration(['timeout'], r.timeout, DEFAULT_EXEC_TIMEOUT_MS),
        expect: execExpect(ctx, ['expect'], r.expect as Raw | undefined),
      };
    }
    case 'show': {
      const table = r.show as ShowTableName;
      const nodes = ctx.nodeList(['nodes'], r.nodes);
      for (const n of nodes) if (!ctx.lab.nodes.get(n)!.ios) ctx.issue(['nodes'], `${n} is a ${ctx.lab.nodes.get(n)!.name}; show ${table} runs on routers`);
      return {
        ...base,
        kind: 'show',
        wait: wait(),
        table,
        nodes,
        timeoutMs: ctx.duration(['timeout'], r.timeout, DEFAULT_EXEC_TIMEOUT_MS),
        expect: showExpect(ctx, table, (r.expect ?? {}) as Raw),
        relate: relations(ctx, table, nodes, r.relate),
      };
    }
    case 'capture': {
      const link = ctx.link(['capture'], r.capture) ?? String(r.capture);
      let since: string | null = null;
      if (r.since !== undefined) {
        since = String(r.since);
        if (since !== 'start' && !earlier.some((s) => s.name === since))
          ctx.issue(['since'], `"${since}" is not an earlier step (since: start, or the name of a step before this one)`);
        if (since === 'start') since = null;
      }
      return { ...base, kind: 'capture', wait: wait(), link, since, expect: captureExpect(ctx, (r.expect ?? {}) as Raw) };
    }
    case 'configure': {
      const node = ctx.node(['configure'], r.configure) ?? String(r.configure);
      const kind = ctx.lab.nodes.get(node);
      if (kind && !kind.ios) ctx.issue(['configure'], `${node} is a ${kind.name}; configure takes IOS lines for a router`);
      const lines = listOf(r.lines)
        .flatMap((l) => String(l).split('\n'))
        .map((l) => l.trimEnd())
        .filter((l) => l.trim() !== '');
      if (lines.length === 0) ctx.issue(['lines'], 'configure needs IOS configuration lines');
      if (lines.some((l) => /^\s*(configure|end|exit)\b/.test(l) && /^\s*(configure terminal|end)\s*$/.test(l)))
        ctx.issue(['lines'], 'leave out "configure terminal" and "end": testbed adds them');
      return { ...base, kind: 'configure', node, lines };
    }
    case 'restart':
      return {
        ...base,
        kind: 'restart',
        nodes: ctx.nodeList(['restart'], r.restart),
        timeoutMs: ctx.duration(['timeout'], r.timeout, DEFAULT_RESTART_TIMEOUT_MS),
      };
    case 'cut':
    case 'restore': {
      const kind = kinds[0] as 'cut' | 'restore';
      const link = ctx.link([kind], r[kind]) ?? String(r[kind]);
      let nodes: string[] | null = null;
      if (r.nodes !== undefined) {
        nodes = ctx.nodeList(['nodes'], r.nodes);
        const on = ctx.lab.links.get(link) ?? [];
        for (const n of nodes) if (!on.includes(n)) ctx.issue(['nodes'], `${n} is not on link ${link} (it joins ${on.join(', ')})`);
      }
      return { ...base, kind, link, nodes };
    }
    case 'impair': {
      const link = ctx.link(['impair'], r.impair) ?? String(r.impair);
      const endpoint = r.endpoint === undefined ? null : ctx.node(['endpoint'], r.endpoint);
      if (endpoint && !(ctx.lab.links.get(link) ?? [endpoint]).includes(endpoint))
        ctx.issue(['endpoint'], `${endpoint} is not on link ${link} (it joins ${(ctx.lab.links.get(link) ?? []).join(', ')})`);
      const direction = (r.direction ?? 'both') as Direction;
      if (r.endpoint === undefined && direction !== 'both')
        ctx.issue(['direction'], `direction ${direction} needs an endpoint: a whole link's setting applies to both directions`);
      const entries = Object.entries(r).filter(([k]) => (KNOB_NAMES as readonly string[]).includes(k));
      if (r.clear === true) {
        if (entries.length) ctx.issue([entries[0]![0]], 'a step either clears (clear: true) or sets knobs, not both', true);
        return { ...base, kind: 'impair', link, endpoint, direction, knobs: null };
      }
      if (entries.length === 0) ctx.issue(['impair'], `names no impairment: set ${KNOB_NAMES.join(', ')}, or clear: true`);
      const { knobs, errors } = parseKnobs(entries);
      for (const e of errors) ctx.issue([e.split(':')[0]!], e);
      return { ...base, kind: 'impair', link, endpoint, direction, knobs };
    }
    case 'traffic':
      return traffic(ctx, r, base, earlier);
  }
  return null;
}

function traffic(ctx: Ctx, r: Raw, base: Omit<Step, 'kind'> & { name: string }, earlier: Step[]): Step | null {
  if (r.traffic === 'stop') {
    let flows: string[] | null = null;
    if (r.flow !== undefined) {
      flows = listOf(r.flow).map(String);
      for (const f of flows)
        if (!earlier.some((s) => s.kind === 'traffic-start' && s.name === f)) ctx.issue(['flow'], `"${f}" is not an earlier "traffic: start" step`);
    }
    return { ...base, kind: 'traffic-stop', flows, expect: r.expect === undefined ? null : execExpect(ctx, ['expect'], r.expect as Raw) };
  }
  const from = ctx.node(['from'], r.from) ?? String(r.from);
  const fromKind = ctx.lab.nodes.get(from);
  if (fromKind && !fromKind.shell) ctx.issue(['from'], `${from} is a ${fromKind.name}, which has no shell; traffic starts on a host`);
  const kind = (r.kind ?? 'ping') as TrafficKind;
  let to = String(r.to);
  let toNode: string | null = null;
  if (ctx.lab.nodes.has(to)) {
    toNode = to;
    to = ctx.lab.addresses.get(to)?.[0] ?? '';
    if (!to) ctx.issue(['to'], `${toNode} has no address to send to`);
  } else if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(to)) ctx.issue(['to'], `"${to}" is neither a node nor an IPv4 address`);
  if (kind !== 'ping' && (!toNode || !ctx.lab.nodes.get(toNode)!.shell))
    ctx.issue(['to'], `${kind} traffic needs a host to receive it (an iperf3 server): name a host node as "to"`);
  const rate = r.rate === undefined ? (kind === 'ping' ? 5 : 1_000_000) : Number(r.rate);
  if (kind === 'ping' && (rate <= 0 || rate > 100)) ctx.issue(['rate'], 'a ping rate is 1 to 100 packets per second');
  return { ...base, kind: 'traffic-start', from, to, toNode, traffic: kind, rate };
}

function execExpect(ctx: Ctx, path: (string | number)[], e: Raw | undefined): ExecExpect {
  const x = e ?? {};
  const exit =
    x.exit === undefined
      ? { op: '==' as const, value: 0, text: '0' }
      : (ctx.condition([...path, 'exit'], x.exit, 'count') ?? { op: '==' as const, value: 0, text: '0' });
  const patterns = (key: string) =>
    listOf(x[key])
      .map((p, i) => ctx.pattern(Array.isArray(x[key]) ? [...path, key, i] : [...path, key], p))
      .filter((p): p is Pattern => p !== null);
  const lines = listOf(x.lines).flatMap((l, i) => {
    const lp = Array.isArray(x.lines) ? [...path, 'lines', i] : [...path, 'lines'];
    const item = l as Raw;
    const pattern = ctx.pattern([...lp, 'match'], item.match);
    const count = ctx.condition([...lp, 'count'], item.count, 'count');
    return pattern && count ? [{ pattern, count }] : [];
  });
  return { exit, match: patterns('match'), noMatch: patterns('no_match'), lines };
}

function query(ctx: Ctx, table: ShowTableName, path: (string | number)[], q: Raw): RecordQuery {
  const fields: Record<string, Condition> = {};
  const known = SHOW_TABLES[table].fields;
  for (const [field, v] of Object.entries(q)) {
    const doc = known[field];
    if (!doc) {
      ctx.issue([...path, field], `${table} has no field "${field}" (fields: ${Object.keys(known).join(', ')})`, true);
      continue;
    }
    const c = ctx.condition([...path, field], v, doc.type);
    if (c) fields[field] = c;
  }
  const text = Object.entries(q)
    .map(
      ([k, v]) =>
        `${k} ${typeof v === 'string' && /^(==|!=|>=|<=|>|<|~|!~)/.test(v.trim()) ? v.trim() : `= ${Array.isArray(v) ? `[${v.join(', ')}]` : String(v)}`}`,
    )
    .join(', ');
  return { fields, text };
}

function showExpect(ctx: Ctx, table: ShowTableName, e: Raw): ShowExpect {
  const queries = (key: string) => listOf(e[key]).map((q, i) => query(ctx, table, Array.isArray(e[key]) ? ['expect', key, i] : ['expect', key], q as Raw));
  return {
    count: e.count === undefined ? null : ctx.condition(['expect', 'count'], e.count, 'count'),
    has: queries('has'),
    all: queries('all'),
    none: queries('none'),
  };
}

const RELATION = /^\s*([a-z][a-z0-9-]*)\.([a-z_]+)\s*(==|!=|>=|<=|>|<|\s(?:not\s+)?in\s)\s*(?:([a-z][a-z0-9-]*)\.([a-z_]+)|(\S+))\s*$/;

function listFields(table: ShowTableName): string[] {
  return Object.entries(SHOW_TABLES[table].fields)
    .filter(([, doc]) => doc.type === 'list')
    .map(([name]) => name);
}

function relations(ctx: Ctx, table: ShowTableName, nodes: string[], v: unknown): Relation[] {
  const out: Relation[] = [];
  listOf(v).forEach((item, i) => {
    const path = Array.isArray(v) ? ['relate', i] : ['relate'];
    const m = RELATION.exec(String(item));
    if (!m) {
      ctx.issue(path, `"${String(item)}" is not a relation like "daphne.outbound_spi == fred.inbound_spi"`);
      return;
    }
    const fields = SHOW_TABLES[table].fields;
    const ref = (node: string, field: string) => {
      let ok = true;
      if (!nodes.includes(node)) {
        ctx.issue(path, `${node} is not one of this check's nodes (${nodes.join(', ')})`);
        ok = false;
      }
      if (!fields[field]) {
        ctx.issue(path, `${table} has no field "${field}" (fields: ${Object.keys(fields).join(', ')})`);
        ok = false;
      }
      return ok;
    };
    const leftOk = ref(m[1]!, m[2]!);
    const rightOk = m[4] ? ref(m[4], m[5]!) : true;
    if (!leftOk || !rightOk) return;
    const op = m[3]!.trim().replace(/\s+/, ' ') as Relation['op'];
    if ((op === 'in' || op === 'not in') && (!m[4] || fields[m[5]!]!.type !== 'list')) {
      ctx.issue(path, `"${op}" needs a list field of a node on its right (${table}'s lists: ${listFields(table).join(', ') || 'none'})`);
      return;
    }
    const literal = m[6] !== undefined ? (/^(0x[0-9a-f]+|\d+)$/i.test(m[6]) ? Number(m[6]) : m[6]) : null;
    out.push({
      left: { node: m[1]!, field: m[2]! },
      op,
      right: m[4] ? { node: m[4], field: m[5]! } : { literal: literal! },
      text: String(item).trim(),
    });
  });
  return out;
}

function captureExpect(ctx: Ctx, e: Raw): CaptureExpect {
  const filters = (key: string) =>
    listOf(e[key]).flatMap((f, i) => {
      const r = filterFromYaml(f);
      if (typeof r === 'string') {
        ctx.issue(Array.isArray(e[key]) ? ['expect', key, i] : ['expect', key], r);
        return [];
      }
      return [r];
    });
  const packets = listOf(e.packets).flatMap((p, i) => {
    const path = Array.isArray(e.packets) ? ['expect', 'packets', i] : ['expect', 'packets'];
    const item = p as Raw;
    const f = filterFromYaml(item.match);
    if (typeof f === 'string') ctx.issue([...path, 'match'], f);
    const count = ctx.condition([...path, 'count'], item.count, 'count');
    return typeof f !== 'string' && count ? [{ filter: f, count }] : [];
  });
  let noClearText: CaptureExpect['noClearText'] = null;
  if (e.no_clear_text !== undefined) {
    const pair = prefixPair(e.no_clear_text);
    if (typeof pair === 'string') ctx.issue(['expect', 'no_clear_text'], pair);
    else noClearText = pair;
  }
  const out = { present: filters('present'), absent: filters('absent'), packets, order: filters('order'), noClearText };
  if (e.order !== undefined && out.order.length < 2 && listOf(e.order).length < 2) ctx.issue(['expect', 'order'], 'order needs at least two packet filters');
  if (!out.present.length && !out.absent.length && !out.packets.length && !out.order.length && !noClearText)
    ctx.issue(['expect'], 'a capture check needs an expectation: present, absent, packets, order or no_clear_text');
  return out;
}
