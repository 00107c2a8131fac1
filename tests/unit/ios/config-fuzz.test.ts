import test, { type ExecutionContext } from 'ava';
import { applyConfigLines, parseConfig, parseExec, renderRunningConfig, type ParseResult } from '../../../src/ios/index.js';
import { DAPHNE_CFG, FRED_CFG } from './fixtures.js';

/** mulberry32: a small seeded PRNG so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = [...'abcdefghijklmnopqrstuvwxyz0123456789', ' ', ' ', '.', '/', '!', '^', '-', '#', '\t', '\r', 'é', '\u0000', '\u0003', '😀', '|', '"'];
const TOKENS = [
  ...new Set((DAPHNE_CFG + FRED_CFG).split(/\s+/).filter(Boolean)),
  '999999999999',
  '-1',
  '256.1.1.1',
  '0.0.0.0',
  '255.255.255.255',
  'no',
  'exit',
  'end',
  'banner',
  '^C',
  'any',
  'host',
  '65536',
];

function mutate(text: string, rnd: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  let lines = text.split('\n');
  const rounds = 1 + Math.floor(rnd() * 6);
  for (let i = 0; i < rounds; i++) {
    const at = Math.floor(rnd() * lines.length);
    const line = lines[at] ?? '';
    switch (Math.floor(rnd() * 8)) {
      case 0: {
        // delete a character
        const p = Math.floor(rnd() * (line.length + 1));
        lines[at] = line.slice(0, p) + line.slice(p + 1);
        break;
      }
      case 1: {
        // insert a character
        const p = Math.floor(rnd() * (line.length + 1));
        lines[at] = line.slice(0, p) + pick(ALPHABET) + line.slice(p);
        break;
      }
      case 2: {
        // replace a token
        const words = line.split(' ');
        words[Math.floor(rnd() * words.length)] = pick(TOKENS);
        lines[at] = words.join(' ');
        break;
      }
      case 3: // drop a line
        lines.splice(at, 1);
        break;
      case 4: // duplicate a line elsewhere
        lines.splice(Math.floor(rnd() * lines.length), 0, line);
        break;
      case 5: // truncate a line
        lines[at] = line.slice(0, Math.floor(rnd() * line.length));
        break;
      case 6: // a line of random tokens
        lines.splice(at, 0, Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => pick(TOKENS)).join(' '));
        break;
      default: // shuffle two lines
        lines = lines.map((l, i) => (i === at ? (lines[(at + 7) % lines.length] ?? l) : l));
    }
  }
  return lines.join('\n');
}

function garbage(rnd: () => number): string {
  const n = Math.floor(rnd() * 400);
  let s = '';
  for (let i = 0; i < n; i++)
    s += rnd() < 0.1 ? '\n' : rnd() < 0.5 ? ALPHABET[Math.floor(rnd() * ALPHABET.length)] : `${TOKENS[Math.floor(rnd() * TOKENS.length)]} `;
  return s;
}

function checkResult(t: ExecutionContext, text: string, r: ParseResult): void {
  const lineCount = text.split(/\r\n|\r|\n/).length;
  for (const d of r.diagnostics) {
    if (d.code === 'internal' || d.line < 1 || d.line > lineCount || d.column < 1) {
      t.fail(`bad diagnostic ${JSON.stringify(d)} for input ${JSON.stringify(text)}`);
    }
  }
}

test('parseConfig never throws on mutated seed configurations, and their running-config parses back cleanly', (t) => {
  const rnd = prng(0x7ed);
  let diagnosticsSeen = 0;
  for (let i = 0; i < 1500; i++) {
    const text = mutate(i % 2 ? DAPHNE_CFG : FRED_CFG, rnd);
    let result: ParseResult | undefined;
    t.notThrows(() => {
      result = parseConfig(text);
    }, JSON.stringify(text));
    if (!result) continue;
    diagnosticsSeen += result.diagnostics.length;
    checkResult(t, text, result);
    const rendered = renderRunningConfig(result.config);
    const errors = parseConfig(rendered).diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) t.fail(`running-config of ${JSON.stringify(text)} does not parse back: ${JSON.stringify(errors)}`);
  }
  t.true(diagnosticsSeen > 500); // the mutations really produced bad lines
});

test('parseConfig and applyConfigLines never throw on garbage', (t) => {
  const rnd = prng(42);
  const base = parseConfig(DAPHNE_CFG).config;
  for (let i = 0; i < 800; i++) {
    const text = garbage(rnd);
    t.notThrows(() => checkResult(t, text, parseConfig(text)), JSON.stringify(text));
    t.notThrows(() => applyConfigLines(base, text), JSON.stringify(text));
  }
});

test('parseExec never throws and always answers with a command or IOS output ending in a newline', (t) => {
  const rnd = prng(7);
  const words = [
    'show',
    'sh',
    'ip',
    'int',
    'br',
    'crypto',
    'cry',
    'isakmp',
    'sa',
    'ping',
    '12.12.12.13',
    'repeat',
    'source',
    'fa0/1',
    'debug',
    'undebug',
    'all',
    'no',
    'clear',
    'peer',
    '|',
    'include',
    'conf',
    't',
    'x',
    '999999999999',
    '',
  ];
  for (let i = 0; i < 3000; i++) {
    const line = Array.from({ length: Math.floor(rnd() * 7) }, () => words[Math.floor(rnd() * words.length)]).join(rnd() < 0.9 ? ' ' : '  ');
    const r = parseExec(rnd() < 0.2 ? garbage(rnd) : line, { promptLength: 7 });
    if (!r.ok && !r.output.endsWith('\n')) t.fail(`output without newline for ${JSON.stringify(line)}`);
    if (!r.ok && r.output.includes('Internal error')) t.fail(`internal error for ${JSON.stringify(line)}: ${r.output}`);
  }
  t.pass();
});
