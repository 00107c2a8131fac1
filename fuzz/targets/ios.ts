/**
 * Targets `ios-config` and `ios-exec`: the IOS configuration parser
 * (parseConfig, applyConfigLines: a whole configuration, or `configure
 * terminal` lines applied to a parsed one, starting in the mode earlier
 * lines left) on line-level mutations of every configuration of the
 * repository, and the exec parser (parseExec, with output filters applied)
 * on mutations of the exec corpus. Invariants: they never throw; no line
 * meets the parser's internal-error net; every configuration line before
 * `end` that is not blank, a comment or pasted show output has a class
 * (emulated, cosmetic, not emulated, refused); one error per refused line;
 * the not-emulated warnings cover every not-emulated line; diagnostics
 * point into the text; the running-config of a result parses back without
 * errors; applyConfigLines leaves its argument alone; an exec line is a
 * command or IOS output ending in a newline, never "% Internal error".
 */
import {
  applyConfigLines,
  applyOutputFilter,
  parseConfig,
  parseExec,
  renderRunningConfig,
  type ConfigMode,
  type ParseResult,
  type RouterConfig,
} from '../../src/ios/index.js';
import { blockOfMode } from '../../src/ios/config/classify.js';
import { isPreambleLine } from '../../src/ios/config/engine.js';
import { execCommands, iosConfigs } from '../corpus/ios.js';
import type { Rng } from '../lib/prng.js';
import { ensure, type Instance, type Target } from '../lib/target.js';
import { mutateLine, mutateText, vocabulary, type Vocabulary } from '../lib/text.js';
import { never } from '../lib/typed.js';

const CLASSES = new Set(['emulated', 'cosmetic', 'not-emulated', 'refused']);

function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * The contract of a parse result over `lines`. `inherited`: the session
 * started inside a not-emulated block (an interface or kept block entered by
 * earlier lines): the lines that stay in it take its class without a
 * warning of their own, its header's warning was given when it was entered
 * (src/ios/config/classify.ts, blockOfMode).
 */
function checkResult(what: string, lines: readonly string[], r: ParseResult, text: string, inherited = false): void {
  const quote = () => JSON.stringify(text.length > 2000 ? `${text.slice(0, 2000)}...` : text);
  ensure(r.lines.length === lines.length, 'parser', () => `${what}: ${r.lines.length} classes for ${lines.length} lines of ${quote()}`);
  let ended = false;
  for (let i = 0; i < lines.length; i++) {
    const c = r.lines[i];
    const t = lines[i]!.trim();
    if (c === null) {
      if (t === '' || t.startsWith('!') || isPreambleLine(t)) continue;
      ended = true; // after `end` nothing is configuration
      continue;
    }
    ensure(!ended, 'parser', () => `${what}: line ${i + 1} ${JSON.stringify(lines[i])} has a class after a line that had none`);
    ensure(CLASSES.has(c), 'parser', () => `${what}: line ${i + 1} has class ${c}`);
  }
  for (const d of r.diagnostics) {
    ensure(d.code !== 'internal', 'parser', () => `${what}: internal error on line ${d.line} ${JSON.stringify(d.text)}: ${d.message} in ${quote()}`);
    ensure(
      d.line >= 1 && d.line <= Math.max(1, lines.length) && d.column >= 1,
      'parser',
      () => `${what}: diagnostic at ${d.line}:${d.column} outside the text: ${JSON.stringify(d)}`,
    );
  }
  const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
  ensure(errors === r.summary.refused, 'parser', () => `${what}: ${errors} errors for ${r.summary.refused} refused lines in ${quote()}`);
  const warnings = r.diagnostics.filter((d) => d.code === 'not-emulated');
  const covered = warnings.reduce((n, d) => n + 1 + (d.blockLines ?? 0), 0);
  ensure(
    inherited ? covered <= r.summary.notEmulated : covered === r.summary.notEmulated,
    'parser',
    () => `${what}: not-emulated warnings cover ${covered} lines, ${r.summary.notEmulated} are not emulated, in ${quote()}`,
  );
  for (const d of warnings)
    ensure(r.lines[d.line - 1] === 'not-emulated', 'parser', () => `${what}: a not-emulated warning on line ${d.line}, whose class is ${r.lines[d.line - 1]}`);
}

function checkRunning(what: string, config: RouterConfig, text: string): void {
  const rendered = never('renderRunningConfig', () => renderRunningConfig(config));
  const back = never('parseConfig (running-config)', () => parseConfig(rendered));
  const errors = back.diagnostics.filter((d) => d.severity === 'error');
  ensure(
    errors.length === 0,
    'parser',
    () => `${what}: the running-config of ${JSON.stringify(text.slice(0, 1500))} does not parse back: ${JSON.stringify(errors.slice(0, 2))}`,
  );
}

interface ConfigInput {
  readonly op: 'parse' | 'apply';
  readonly text: string;
  /** For apply: the configuration it starts from, and lines entered before (they set the mode). */
  readonly base: number;
  readonly before: string;
}

class ConfigInstance implements Instance<ConfigInput> {
  private readonly corpus = iosConfigs();
  private readonly v: Vocabulary = vocabulary(this.corpus);
  private readonly parsed = new Map<number, RouterConfig>();
  private readonly counts = { lines: 0, refused: 0, notEmulated: 0, applied: 0 };

  generate(rng: Rng): ConfigInput {
    const base = rng.int(this.corpus.length);
    if (rng.chance(0.6)) return { op: 'parse', text: mutateText(rng, this.corpus[base]!, this.v, this.corpus), base, before: '' };
    const lines = () =>
      Array.from({ length: rng.range(1, 6) }, () => (rng.chance(0.5) ? mutateLine(rng, rng.pick(this.v.lines), this.v) : rng.pick(this.v.lines))).join('\n');
    return { op: 'apply', text: lines(), base, before: rng.chance(0.6) ? lines() : '' };
  }

  private config(i: number): RouterConfig {
    let c = this.parsed.get(i);
    if (!c) {
      c = parseConfig(this.corpus[i]!).config;
      this.parsed.set(i, c);
    }
    return c;
  }

  run(input: ConfigInput): void {
    if (input.op === 'parse') {
      const r = never('parseConfig', () => parseConfig(input.text));
      checkResult('parseConfig', splitLines(input.text), r, input.text);
      checkRunning('parseConfig', r.config, input.text);
      this.counts.lines += r.lines.length;
      this.counts.refused += r.summary.refused;
      this.counts.notEmulated += r.summary.notEmulated;
      return;
    }
    const base = this.config(input.base % this.corpus.length);
    const snapshot = renderRunningConfig(base);
    let mode: ConfigMode | undefined;
    let config = base;
    if (input.before) {
      const first = never('applyConfigLines', () => applyConfigLines(base, input.before));
      checkResult('applyConfigLines', splitLines(input.before), first, input.before);
      mode = first.mode;
      config = first.config;
    }
    const r = never('applyConfigLines', () => applyConfigLines(config, input.text, mode));
    checkResult('applyConfigLines', splitLines(input.text), r, input.text, mode !== undefined && blockOfMode(mode)?.cls === 'not-emulated');
    checkRunning('applyConfigLines', r.config, `${input.before}\n${input.text}`);
    ensure(renderRunningConfig(base) === snapshot, 'parser', () => `applyConfigLines changed the configuration it was given (${JSON.stringify(input.text)})`);
    this.counts.applied++;
  }

  check(): void {}

  stats(): Record<string, number> {
    return { ...this.counts };
  }
}

/** Command output to filter (what `| include` and friends see). */
const SAMPLE = [
  'Interface                  IP-Address      OK? Method Status                Protocol',
  'FastEthernet0/0            11.11.11.1      YES manual up                    up',
  'FastEthernet0/1            13.13.13.13     YES manual up                    up',
  'crypto map tedtag 10 ipsec-isakmp dynamic ted-map discover',
  '   local  ident (addr/mask/prot/port): (13.13.13.0/255.255.255.0/0/0)',
  '     current outbound spi: 0x4A0D4A3E(1242385982)',
].join('\n');

class ExecInstance implements Instance<string> {
  private readonly corpus = execCommands();
  private readonly v: Vocabulary = vocabulary(this.corpus);
  private readonly counts = { commands: 0, messages: 0, filtered: 0 };

  generate(rng: Rng): string {
    const line = rng.pick(this.corpus);
    return rng.weighted<() => string>([
      [70, () => mutateLine(rng, rng.chance(0.3) ? mutateLine(rng, line, this.v) : line, this.v)],
      [
        15,
        () =>
          `${line} | ${rng.pick(['include', 'exclude', 'begin', 'section', 'i', 'inc'])} ${rng.pick(['crypto', 'spi', '^ ', '(a+)+', '[', '.*', '\\', '0/0', '', rng.pick(this.v.words)])}`,
      ],
      [10, () => Array.from({ length: rng.range(1, 8) }, () => rng.pick(this.v.words)).join(rng.chance(0.9) ? ' ' : '  ')],
      [5, () => mutateText(rng, line, this.v)],
    ])();
  }

  run(line: string): void {
    const r = never('parseExec', () => parseExec(line, { promptLength: 7 }));
    if (!r.ok) {
      ensure(r.output.endsWith('\n'), 'parser', () => `parseExec answered ${JSON.stringify(r.output)} to ${JSON.stringify(line)}: no newline at the end`);
      ensure(!r.output.includes('Internal error'), 'parser', () => `parseExec: ${r.output.trim()} for ${JSON.stringify(line)}`);
      this.counts.messages++;
      return;
    }
    this.counts.commands++;
    if (r.filter) {
      never('applyOutputFilter', () => applyOutputFilter(SAMPLE, r.filter));
      this.counts.filtered++;
    }
  }

  check(): void {}

  stats(): Record<string, number> {
    return { ...this.counts };
  }
}

export const iosConfigTarget: Target<ConfigInput> = {
  name: 'ios-config',
  summary: 'IOS config parser: parseConfig and applyConfigLines on line-level mutations of every configuration in the repository',
  epoch: Infinity,
  checkEvery: 1_000_000,
  create: () => new ConfigInstance(),
};

export const iosExecTarget: Target<string> = {
  name: 'ios-exec',
  summary: 'IOS exec parser: parseExec (and output filters) on mutations of the exec commands the labs and tests type',
  epoch: Infinity,
  checkEvery: 1_000_000,
  create: () => new ExecInstance(),
};
