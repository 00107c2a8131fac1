import test from 'ava';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { formatJunit } from '../../../../src/orchestrator/checks/report/junit.js';
import { formatReport } from '../../../../src/orchestrator/checks/report/text.js';
import { summarise, type StepResult } from '../../../../src/orchestrator/checks/results.js';
import { main } from '../../../../src/orchestrator/cli/main.js';
import type { Engine } from '../../../../src/orchestrator/docker/engine.js';
import { fixture } from './helpers.js';

const pos = { file: 'lab.yaml', line: 12, column: 5 };
const result = (r: Partial<StepResult>): StepResult => ({
  name: 'x',
  description: null,
  kind: 'exec',
  check: true,
  status: 'passed',
  durationMs: 1500,
  attempts: 1,
  timedOutAfterMs: null,
  failures: [],
  evidence: [],
  detail: null,
  error: null,
  skipped: null,
  pos,
  ...r,
});

const steps = [
  result({ name: 'ping', evidence: [{ node: 'd1', command: 'ping -c 1 12.12.12.13', exitCode: 0, output: '1 received <ok> & "fine"\x07' }] }),
  result({
    name: 'wrong-peer',
    description: 'the gateway is the peer',
    status: 'failed',
    failures: [{ node: 'daphne', expected: 'output matches /11\\.11\\.11\\.9/', found: 'no line matches' }],
    evidence: [{ node: 'daphne', command: 'show ip route', exitCode: 0, output: 'Gateway of last resort is 11.11.11.2 to network 0.0.0.0\n' }],
  }),
  result({ name: 'cut-wan', kind: 'cut', check: false, status: 'error', error: 'docker refused', detail: null }),
  result({ name: 'later', status: 'skipped', skipped: '"wrong-peer" failed and has stop_on_error' }),
  result({ name: 'add-route', kind: 'configure', check: false, detail: 'daphne: 1 line configured' }),
];
const summary = summarise('lab.yaml', 'lab-1', Date.UTC(2026, 10, 26), 12345, steps, '/tmp/a');

test('JUnit XML: counts, one testcase per step, failures, errors and skips as CI systems read them', (t) => {
  const xml = formatJunit(summary);
  t.is(XMLValidator.validate(xml), true);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testcase' || name === 'property' }).parse(xml);
  const suites = doc.testsuites;
  t.like(suites, { name: 'testbed', tests: '5', failures: '1', errors: '1', skipped: '1', time: '12.345' });
  const suite = suites.testsuite;
  t.like(suite, { name: 'lab-1', tests: '5', failures: '1', errors: '1', skipped: '1', timestamp: '2026-11-26T00:00:00.000Z' });
  const cases = suite.testcase as Record<string, unknown>[];
  t.deepEqual(
    cases.map((c) => [c.name, c.classname, c.time, c.file, c.line]),
    [
      ['ping', 'lab-1.exec', '1.500', 'lab.yaml', '12'],
      ['wrong-peer', 'lab-1.exec', '1.500', 'lab.yaml', '12'],
      ['cut-wan', 'lab-1.cut', '1.500', 'lab.yaml', '12'],
      ['later', 'lab-1.exec', '1.500', 'lab.yaml', '12'],
      ['add-route', 'lab-1.configure', '1.500', 'lab.yaml', '12'],
    ],
  );
  const failure = cases[1]!.failure as Record<string, string>;
  t.is(failure.message, 'daphne: expected output matches /11\\.11\\.11\\.9/; found no line matches');
  t.regex(failure['#text']!, /Gateway of last resort is 11\.11\.11\.2/);
  t.is((cases[2]!.error as Record<string, string>).message, 'docker refused');
  t.is((cases[3]!.skipped as Record<string, string>).message, '"wrong-peer" failed and has stop_on_error');
  // output is escaped, and characters XML cannot carry are dropped
  t.is(cases[0]!['system-out'], 'd1: ping -c 1 12.12.12.13\n1 received <ok> & "fine"');
});

test('the text report names the failing check, where it is, the command, what was expected and found, and the output', (t) => {
  const text = formatReport(summary);
  t.true(
    text.includes(`  FAIL  wrong-peer  (1.5s)
        the gateway is the peer
        at lab.yaml:12:5
        daphne: show ip route   (exit 0)
          expected: output matches /11\\.11\\.11\\.9/
          found:    no line matches
          output:
          | Gateway of last resort is 11.11.11.2 to network 0.0.0.0
`),
  );
  t.true(text.includes('  ERROR cut-wan  (1.5s)\n        at lab.yaml:12:5\n        error: docker refused\n'));
  t.true(text.includes('  SKIP  later\n        skipped: "wrong-peer" failed and has stop_on_error\n'));
  t.true(text.includes('  DONE  add-route  (1.5s)\n        daphne: 1 line configured\n'));
  t.true(text.endsWith('\nFAILED: 2 passed, 1 failed, 1 errors, 1 skipped of 5 steps (12.3s)\nartifacts: /tmp/a\n'));
});

/** An engine that records every call: invalid checks must not reach it. */
function recordingEngine(calls: string[]): Engine {
  return new Proxy({} as Engine, {
    get:
      (_t, prop) =>
      (...args: unknown[]) => {
        calls.push(String(prop));
        return Promise.reject(new Error(`unexpected engine call ${String(prop)}(${args.length} args)`));
      },
  });
}

test('testbed test rejects invalid checks with file:line:column and exit 2 before touching Docker', async (t) => {
  const calls: string[] = [];
  let out = '';
  let err = '';
  const code = await main(['test', fixture('invalid-checks.yaml')], { stdout: (s) => (out += s), stderr: (s) => (err += s) }, recordingEngine(calls));
  t.is(code, 2);
  t.deepEqual(calls, []);
  t.is(out, '');
  t.regex(err, /^testbed: tests\/fixtures\/checks\/invalid-checks\.yaml:16:17: tests\[0\] "unknown-node": no node named "zz"/);
  t.is(err.split('\n').filter((l) => /invalid-checks\.yaml:\d+:\d+: /.test(l)).length, 10);
});

test('testbed test: unknown --only and --node names are usage errors (exit 2), before touching Docker', async (t) => {
  const calls: string[] = [];
  let err = '';
  const io = { stdout: () => undefined, stderr: (s: string) => (err += s) };
  t.is(await main(['test', fixture('passing.yaml'), '--only', 'ping-two-hops', '--only', 'nope'], io, recordingEngine(calls)), 2);
  t.regex(err, /--only: no step named "nope"/);
  t.is(await main(['test', fixture('passing.yaml'), '--node', 'barney'], io, recordingEngine(calls)), 2);
  t.regex(err, /--node: no node named "barney"/);
  t.deepEqual(calls, []);
});
