/**
 * JUnit XML, the format CI systems display (GitHub, GitLab, Jenkins):
 * one <testsuite> per run, one <testcase> per step. Failed checks are
 * <failure>, steps that could not run (or actions that failed) <error>,
 * skipped steps <skipped>; the nodes' output goes to <system-out>.
 */
import type { RunSummary, StepResult } from '../results.js';
import { formatStep } from './text.js';

export function xmlEscape(s: string): string {
  // XML 1.0's legal characters: tab, newline and carriage return are the control characters it allows
  return (
    s
      // eslint-disable-next-line no-control-regex
      .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

const secs = (ms: number) => (ms / 1000).toFixed(3);

function testcase(r: StepResult, lab: string): string {
  const attrs = `name="${xmlEscape(r.name)}" classname="${xmlEscape(`${lab}.${r.kind}`)}" time="${secs(r.durationMs)}" file="${xmlEscape(r.pos.file)}" line="${r.pos.line}"`;
  const body: string[] = [];
  const first = r.failures[0];
  const message = first ? `${first.node ? `${first.node}: ` : ''}expected ${first.expected}; found ${first.found.split('\n')[0]}` : (r.error ?? '');
  const details = formatStep(r).join('\n');
  if (r.status === 'skipped') body.push(`<skipped message="${xmlEscape(r.skipped ?? 'skipped')}"/>`);
  else if (r.status === 'failed' && r.check) body.push(`<failure message="${xmlEscape(message)}" type="${r.kind}">${xmlEscape(details)}</failure>`);
  else if (r.status === 'failed' || r.status === 'error') body.push(`<error message="${xmlEscape(message)}" type="${r.kind}">${xmlEscape(details)}</error>`);
  const out = r.evidence.filter((e) => e.output).map((e) => `${e.node ? `${e.node}: ` : ''}${e.command ?? ''}\n${e.output}`);
  if (out.length) body.push(`<system-out>${xmlEscape(out.join('\n\n'))}</system-out>`);
  return body.length ? `    <testcase ${attrs}>\n      ${body.join('\n      ')}\n    </testcase>` : `    <testcase ${attrs}/>`;
}

export function formatJunit(s: RunSummary): string {
  const failures = s.steps.filter((r) => r.status === 'failed' && r.check).length;
  const errors = s.steps.filter((r) => r.status === 'error' || (r.status === 'failed' && !r.check)).length;
  const counts = `tests="${s.counts.total}" failures="${failures}" errors="${errors}" skipped="${s.counts.skipped}" time="${secs(s.durationMs)}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="testbed" ${counts}>`,
    `  <testsuite name="${xmlEscape(s.lab)}" ${counts} timestamp="${s.startedAt}">`,
    '    <properties>',
    `      <property name="topology" value="${xmlEscape(s.topology)}"/>`,
    ...(s.artifacts ? [`      <property name="artifacts" value="${xmlEscape(s.artifacts)}"/>`] : []),
    '    </properties>',
    ...s.steps.map((r) => testcase(r, s.lab)),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
