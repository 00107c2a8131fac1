/**
 * Expectations against what a lab answered: command output, parsed show
 * records, captured packets. Pure: each function returns the failures, each
 * with what was expected and what was found, in words a report can print.
 */
import type { CapturedPacket } from '../capture/pcap-reader.js';
import { describePacket, matches, summarisePackets } from './filters.js';
import { SHOW_TABLES, type ShowRecord, type ShowTableName } from '../show/index.js';
import type { CaptureExpect, Condition, ExecExpect, RecordQuery, Relation, ShowExpect } from './types.js';
import { compare, describeCondition, formatValue, inPrefix, test } from './values.js';

export interface Failure {
  node?: string;
  expected: string;
  found: string;
}

const MAX_SHOWN = 8;

function lineOf(text: string, index: number): string {
  const start = text.lastIndexOf('\n', index - 1) + 1;
  const end = text.indexOf('\n', index);
  return text.slice(start, end < 0 ? undefined : end);
}

export function evaluateExec(e: ExecExpect, exitCode: number, output: string): Failure[] {
  const out: Failure[] = [];
  if (!test(e.exit, exitCode)) out.push({ expected: `exit code ${describeCondition(e.exit, 'count')}`, found: `exit code ${exitCode}` });
  for (const p of e.match) {
    if (!p.regex.test(output)) out.push({ expected: `output matches /${p.source}/`, found: 'no line matches' });
  }
  for (const p of e.noMatch) {
    const m = p.regex.exec(output);
    if (m) out.push({ expected: `output does not match /${p.source}/`, found: `it does: "${lineOf(output, m.index).trim()}"` });
  }
  for (const l of e.lines) {
    const re = new RegExp(l.pattern.source);
    const hits = output.split('\n').filter((line) => re.test(line));
    if (!test(l.count, hits.length)) {
      const shown = hits
        .slice(0, MAX_SHOWN)
        .map((h) => `"${h.trim()}"`)
        .join('; ');
      out.push({
        expected: `lines matching /${l.pattern.source}/: ${describeCondition(l.count, 'count')}`,
        found: `${hits.length} line${hits.length === 1 ? '' : 's'}${hits.length ? `: ${shown}${hits.length > MAX_SHOWN ? ' ...' : ''}` : ''}`,
      });
    }
  }
  return out;
}

function fieldTypes(table: ShowTableName) {
  return SHOW_TABLES[table].fields;
}

function mismatches(table: ShowTableName, q: RecordQuery, r: ShowRecord): string[] {
  const types = fieldTypes(table);
  return Object.entries(q.fields)
    .filter(([f, c]) => !test(c, r[f] ?? null))
    .map(([f]) => `${f} = ${formatValue(r[f] ?? null, types[f]?.type)}`);
}

function describeRecord(table: ShowTableName, r: ShowRecord, fields?: string[]): string {
  const types = fieldTypes(table);
  const keys =
    fields ??
    Object.keys(types)
      .filter((k) => r[k] !== null && r[k] !== undefined && !(Array.isArray(r[k]) && (r[k] as unknown[]).length === 0))
      .slice(0, 8);
  return keys.map((k) => `${k} ${formatValue(r[k] ?? null, types[k]?.type)}`).join(', ');
}

/** The record a node is represented by in relations: the first one that matches the first `has`, else the first. */
export function representative(table: ShowTableName, e: ShowExpect, records: ShowRecord[]): ShowRecord | null {
  const q = e.has[0];
  if (q) return records.find((r) => mismatches(table, q, r).length === 0) ?? null;
  return records[0] ?? null;
}

export function evaluateShow(table: ShowTableName, e: ShowExpect, records: ShowRecord[]): Failure[] {
  const out: Failure[] = [];
  const noun = (n: number) => `${n} record${n === 1 ? '' : 's'}`;
  if (e.count && !test(e.count, records.length))
    out.push({ expected: `number of records ${describeCondition(e.count, 'count')}`, found: noun(records.length) });
  for (const q of e.has) {
    if (records.some((r) => mismatches(table, q, r).length === 0)) continue;
    if (records.length === 0) {
      out.push({ expected: `a record with ${q.text}`, found: 'no records' });
      continue;
    }
    const ranked = records.map((r, i) => ({ i, miss: mismatches(table, q, r) })).sort((a, b) => a.miss.length - b.miss.length);
    const best = ranked[0]!;
    out.push({ expected: `a record with ${q.text}`, found: `none of ${noun(records.length)}; closest is #${best.i + 1} with ${best.miss.join(', ')}` });
  }
  for (const q of e.all) {
    const bad = records.map((r, i) => ({ i, miss: mismatches(table, q, r) })).filter((x) => x.miss.length > 0);
    if (bad.length)
      out.push({
        expected: `every record with ${q.text}`,
        found: bad
          .slice(0, MAX_SHOWN)
          .map((b) => `#${b.i + 1} has ${b.miss.join(', ')}`)
          .join('; '),
      });
  }
  for (const q of e.none) {
    const hits = records.map((r, i) => ({ i, r })).filter((x) => mismatches(table, q, x.r).length === 0);
    if (hits.length)
      out.push({
        expected: `no record with ${q.text}`,
        found: hits
          .slice(0, MAX_SHOWN)
          .map((h) => `#${h.i + 1}: ${describeRecord(table, h.r)}`)
          .join('; '),
      });
  }
  return out;
}

/** Relations between nodes' representative records; `nodes` names the nodes each failure concerns. */
export function evaluateRelations(table: ShowTableName, relations: Relation[], records: Map<string, ShowRecord | null>): (Failure & { nodes: string[] })[] {
  const types = fieldTypes(table);
  const out: (Failure & { nodes: string[] })[] = [];
  for (const rel of relations) {
    const nodes = [rel.left.node, ...('node' in rel.right ? [rel.right.node] : [])];
    const missing = nodes.filter((n) => !records.get(n));
    if (missing.length) {
      out.push({ nodes, expected: rel.text, found: `${missing.join(' and ')} ${missing.length > 1 ? 'have' : 'has'} no ${table} record to compare` });
      continue;
    }
    const lv = records.get(rel.left.node)![rel.left.field] ?? null;
    const rv = 'node' in rel.right ? (records.get(rel.right.node)![rel.right.field] ?? null) : rel.right.literal;
    const ok =
      rel.op === 'in' || rel.op === 'not in'
        ? Array.isArray(rv) && rv.some((x) => JSON.stringify(x) === JSON.stringify(lv)) === (rel.op === 'in')
        : typeof lv === 'number' && typeof rv === 'number'
          ? compare(lv, rel.op, rv)
          : rel.op === '==' || rel.op === '!='
            ? (JSON.stringify(lv) === JSON.stringify(rv)) === (rel.op === '==')
            : false;
    if (!ok) {
      const lt = types[rel.left.field]?.type;
      const rt = 'node' in rel.right ? types[rel.right.field]?.type : lt;
      const rname = 'node' in rel.right ? `${rel.right.node}.${rel.right.field}` : 'the literal';
      out.push({ nodes, expected: rel.text, found: `${rel.left.node}.${rel.left.field} = ${formatValue(lv, lt)}, ${rname} = ${formatValue(rv as never, rt)}` });
    }
  }
  return out;
}

export function evaluateCapture(e: CaptureExpect, packets: CapturedPacket[], where: string): Failure[] {
  const out: Failure[] = [];
  const list = (ps: CapturedPacket[]) =>
    ps.slice(0, MAX_SHOWN).map(describePacket).join('\n') + (ps.length > MAX_SHOWN ? `\n... and ${ps.length - MAX_SHOWN} more` : '');
  const none = () => `no such packet among ${packets.length} on ${where} (${summarisePackets(packets)})`;
  for (const f of e.present) if (!packets.some((p) => matches(f, p))) out.push({ expected: `a packet ${f.text}`, found: none() });
  for (const f of e.absent) {
    const hits = packets.filter((p) => matches(f, p));
    if (hits.length) out.push({ expected: `no packet ${f.text}`, found: `${hits.length} on ${where}:\n${list(hits)}` });
  }
  for (const c of e.packets) {
    const hits = packets.filter((p) => matches(c.filter, p));
    if (!test(c.count, hits.length))
      out.push({
        expected: `packets ${c.filter.text}: ${describeCondition(c.count as Condition, 'count')}`,
        found: `${hits.length} on ${where}${hits.length ? `:\n${list(hits)}` : ` (${summarisePackets(packets)})`}`,
      });
  }
  if (e.order.length) {
    const firsts = e.order.map((f) => packets.find((p) => matches(f, p)) ?? null);
    const wanted = e.order.map((f) => f.text).join(' before ');
    const absent = e.order.filter((_, i) => !firsts[i]);
    if (absent.length) out.push({ expected: wanted, found: `never seen on ${where}: ${absent.map((f) => f.text).join(', ')} (${summarisePackets(packets)})` });
    else {
      for (let i = 1; i < firsts.length; i++) {
        if (firsts[i]!.frame < firsts[i - 1]!.frame) {
          out.push({
            expected: wanted,
            found: `the first ${e.order[i]!.text} came before the first ${e.order[i - 1]!.text}:\n${describePacket(firsts[i]!)}\n${describePacket(firsts[i - 1]!)}`,
          });
          break;
        }
      }
    }
  }
  if (e.noClearText) {
    const [a, b] = e.noClearText;
    // TED probes are addressed host to host by design (docs/ted.md): they carry no user data
    const clear = packets.filter((p) => !p.isakmp && !p.esp && ((inPrefix(p.src, a) && inPrefix(p.dst, b)) || (inPrefix(p.src, b) && inPrefix(p.dst, a))));
    if (clear.length)
      out.push({
        expected: `no clear text between ${a.text} and ${b.text}`,
        found: `${clear.length} clear-text packet${clear.length === 1 ? '' : 's'} on ${where}:\n${list(clear)}`,
      });
  }
  return out;
}
