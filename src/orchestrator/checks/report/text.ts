/**
 * The readable report: one block per step (status, name, time, description;
 * on failure the node, the command, what was expected, what was found and
 * the output), and a summary line. Pure; the live reporter prints these
 * blocks as steps finish, report.txt holds them all.
 */
import type { RunSummary, StepResult } from '../results.js';

export interface TextStyle {
  color: boolean;
}

const TAGS: Record<StepResult['status'], string> = { passed: 'PASS', failed: 'FAIL', error: 'ERROR', skipped: 'SKIP' };
const COLORS: Record<string, string> = { PASS: '32', DONE: '32', FAIL: '31', ERROR: '31', SKIP: '33' };
const OUTPUT_LINES = 25;

function paint(style: TextStyle, code: string, s: string): string {
  return style.color ? `\x1b[${code}m${s}\x1b[0m` : s;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

function indent(text: string, prefix: string): string[] {
  return text.split('\n').map((l) => `${prefix}${l}`);
}

function tail(output: string): string[] {
  const lines = output.replace(/\s+$/, '').split('\n');
  const shown =
    lines.length > OUTPUT_LINES ? [`... (${lines.length - OUTPUT_LINES} lines above, full output in report.json)`, ...lines.slice(-OUTPUT_LINES)] : lines;
  return shown.map((l) => `          | ${l}`);
}

/** The lines of one step's result. */
export function formatStep(r: StepResult, style: TextStyle = { color: false }): string[] {
  const tag = r.status === 'passed' && !r.check ? 'DONE' : TAGS[r.status];
  const timing = r.status === 'skipped' ? '' : `  (${seconds(r.durationMs)}${r.attempts > 1 ? `, ${r.attempts} attempts` : ''})`;
  const lines = [`  ${paint(style, COLORS[tag]!, tag.padEnd(5))} ${r.name}${timing}`];
  if (r.description) lines.push(`        ${r.description}`);
  if (r.detail && r.status !== 'skipped') lines.push(`        ${r.detail}`);
  if (r.skipped) lines.push(`        skipped: ${r.skipped}`);
  if (r.status === 'passed' || r.status === 'skipped') return lines;
  lines.push(`        at ${r.pos.file}:${r.pos.line}:${r.pos.column}`);
  if (r.timedOutAfterMs !== null) lines.push(`        gave up after ${seconds(r.timedOutAfterMs)} (wait), ${r.attempts} attempts`);
  if (r.error && !r.failures.length) lines.push(...indent(`error: ${r.error}`, '        '));
  const byNode = new Map<string | null, typeof r.failures>();
  for (const f of r.failures) byNode.set(f.node, [...(byNode.get(f.node) ?? []), f]);
  for (const [node, failures] of byNode) {
    const ev = r.evidence.find((e) => e.node === node) ?? (node === null ? r.evidence[0] : undefined);
    if (ev?.command) {
      const where = ev.node ? `${ev.node}: ` : '';
      lines.push(`        ${where}${ev.command.split('\n').join(' / ')}${ev.exitCode !== null ? `   (exit ${ev.exitCode})` : ''}`);
    } else if (node) lines.push(`        ${node}:`);
    for (const f of failures) {
      lines.push(...indent(f.expected, '          expected: ').map((l, i) => (i ? `                    ${l.trimStart()}` : l)));
      lines.push(...f.found.split('\n').map((l, i) => (i ? `                    ${l}` : `          found:    ${l}`)));
    }
    if (ev?.output && ev.exitCode !== null) {
      lines.push('          output:');
      lines.push(...tail(ev.output));
    }
  }
  return lines;
}

export function formatHeader(topology: string, lab: string, steps: number, keep: boolean): string {
  return `testbed test ${topology}: lab ${lab}${keep ? ' (kept)' : ''}, ${steps} step${steps === 1 ? '' : 's'}\n\n`;
}

export function formatSummary(s: RunSummary, style: TextStyle = { color: false }): string {
  const c = s.counts;
  const verdict = s.status === 'passed' ? paint(style, '32', 'PASSED') : paint(style, '31', 'FAILED');
  let out = `\n${verdict}: ${c.passed} passed, ${c.failed} failed, ${c.errors} errors, ${c.skipped} skipped of ${c.total} steps (${seconds(s.durationMs)})\n`;
  if (s.artifacts) out += `artifacts: ${s.artifacts}\n`;
  return out;
}

/** The whole report as text (report.txt). */
export function formatReport(s: RunSummary): string {
  return formatHeader(s.topology, s.lab, s.counts.total, false) + s.steps.map((r) => formatStep(r).join('\n') + '\n').join('') + formatSummary(s);
}
