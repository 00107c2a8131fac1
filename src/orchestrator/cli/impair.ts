/**
 * `testbed impair`: its arguments (pure) and its text. The command itself
 * sits in main.ts; the helpers that impair are in src/orchestrator/impair.
 *
 *   testbed impair LAB                      what is set
 *   testbed impair LAB LINK [--endpoint NODE] [--direction in|out|both] loss=30% delay=50ms ...
 *   testbed impair LAB LINK [--endpoint NODE] clear
 *   testbed impair LAB clear                every link
 */
import { parseArgs } from 'node:util';
import type { ImpairState } from '../impair/apply.js';
import { describeTarget, formatKnobs, parseKnobWords, type Direction, type Knobs } from '../impair/spec.js';

export type ImpairRequest =
  | { action: 'list'; lab: string }
  | { action: 'clear'; lab: string; link: string | null; endpoint: string | null }
  | { action: 'set'; lab: string; link: string; endpoint: string | null; direction: Direction; knobs: Knobs };

export class ImpairUsageError extends Error {
  override name = 'ImpairUsageError';
}

export function parseImpairArgs(argv: string[]): ImpairRequest {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { json: { type: 'boolean' }, endpoint: { type: 'string' }, direction: { type: 'string' } },
    });
  } catch (e) {
    throw new ImpairUsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  const [lab, link, ...words] = positionals;
  if (!lab) throw new ImpairUsageError('impair needs a lab: testbed impair LAB [LINK [--endpoint NODE] [--direction in|out|both] loss=30% ... | clear]');
  const endpoint = values.endpoint ?? null;
  const direction = values.direction ?? 'both';
  if (direction !== 'in' && direction !== 'out' && direction !== 'both') throw new ImpairUsageError(`--direction must be in, out or both, not "${direction}"`);
  if (link === undefined) {
    if (endpoint || values.direction) throw new ImpairUsageError('--endpoint and --direction need a link');
    return { action: 'list', lab };
  }
  if (link === 'clear' && words.length === 0) {
    if (endpoint || values.direction)
      throw new ImpairUsageError('impair LAB clear clears every link; to clear one endpoint name its link: impair LAB LINK --endpoint NODE clear');
    return { action: 'clear', lab, link: null, endpoint: null };
  }
  if (words.length === 1 && words[0] === 'clear') {
    if (values.direction) throw new ImpairUsageError('clear removes both directions; leave out --direction');
    return { action: 'clear', lab, link, endpoint };
  }
  if (words.length === 0)
    throw new ImpairUsageError(`impair ${lab} ${link}: say what to set (loss=30% delay=50ms jitter=5ms duplicate=1% reorder=5% rate=1mbit) or clear`);
  if (!endpoint && direction !== 'both') throw new ImpairUsageError('--direction needs --endpoint: a whole link is impaired in both directions');
  const { knobs, errors } = parseKnobWords(words);
  if (errors.length) throw new ImpairUsageError(errors.join('; '));
  return { action: 'set', lab, link, endpoint, direction, knobs };
}

export function renderImpairState(state: ImpairState, done: string | null): string {
  const lines: string[] = [];
  if (done) lines.push(done);
  if (state.settings.length === 0) lines.push(`lab ${state.lab}: no link is impaired`);
  else {
    const width = Math.max(...state.settings.map((s) => describeTarget(s).length));
    lines.push(`lab ${state.lab}: ${state.settings.length} impairment setting${state.settings.length === 1 ? '' : 's'}`);
    for (const s of state.settings) lines.push(`  ${describeTarget(s).padEnd(width)}  ${formatKnobs(s.knobs)}`);
  }
  if (state.helpers.length) lines.push(`helpers: ${state.helpers.map((h) => `${h.node} (${h.path ?? 'starting'}, ${h.state})`).join(', ')}`);
  if (state.skipped.length) lines.push(`not connected (a cut link), nothing applied there: ${state.skipped.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
