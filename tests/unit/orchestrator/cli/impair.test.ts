/**
 * testbed impair: its arguments and text (pure), and the command through the
 * CLI's main against the in-memory engine (exit codes, text, JSON). Its
 * effect on real links is in tests/integration/impair.test.ts.
 */
import test from 'ava';
import { ROLE_LABEL } from '../../../../src/contract/labels.js';
import { main } from '../../../../src/orchestrator/cli/main.js';
import { ImpairUsageError, parseImpairArgs, renderImpairState } from '../../../../src/orchestrator/cli/impair.js';
import { formatKnobs } from '../../../../src/orchestrator/impair/spec.js';
import type { FakeEngine } from '../lab/fake-engine.js';
import { fakePairLab } from '../impair/fake-lab.js';

test('list, set, clear', (t) => {
  t.deepEqual(parseImpairArgs(['lab1']), { action: 'list', lab: 'lab1' });
  const set = parseImpairArgs(['lab1', 'wan', '--endpoint', 'fred', '--direction', 'in', 'loss=30%', 'delay=50ms']);
  t.like(set, { action: 'set', lab: 'lab1', link: 'wan', endpoint: 'fred', direction: 'in' });
  t.is(set.action === 'set' ? formatKnobs(set.knobs) : '', 'loss=30% delay=50ms');
  t.like(parseImpairArgs(['lab1', 'wan', 'rate=1mbit']), { action: 'set', endpoint: null, direction: 'both' });
  t.deepEqual(parseImpairArgs(['lab1', 'wan', 'clear']), { action: 'clear', lab: 'lab1', link: 'wan', endpoint: null });
  t.deepEqual(parseImpairArgs(['lab1', 'wan', '--endpoint', 'fred', 'clear']), { action: 'clear', lab: 'lab1', link: 'wan', endpoint: 'fred' });
  t.deepEqual(parseImpairArgs(['lab1', 'clear']), { action: 'clear', lab: 'lab1', link: null, endpoint: null });
});

test('mistakes are usage errors that say what is wrong', (t) => {
  const err = (argv: string[]) => t.throws(() => parseImpairArgs(argv), { instanceOf: ImpairUsageError })!.message;
  t.regex(err([]), /needs a lab/);
  t.regex(err(['lab1', 'wan']), /say what to set/);
  t.regex(err(['lab1', 'wan', '--direction', 'in', 'loss=1%']), /--direction needs --endpoint/);
  t.regex(err(['lab1', 'wan', '--endpoint', 'fred', '--direction', 'up', 'loss=1%']), /in, out or both/);
  t.regex(err(['lab1', 'wan', 'loss=130%']), /not a percentage/);
  t.regex(err(['lab1', 'wan', 'latency=1ms']), /unknown impairment "latency"/);
  t.regex(err(['lab1', '--endpoint', 'fred']), /need a link/);
});

test('the list as text: each setting where it applies, then the helpers', (t) => {
  const text = renderImpairState(
    {
      lab: 'lab1',
      settings: [
        { link: 'wan', endpoint: null, direction: 'both', knobs: { loss: 0.3, delayMs: 50 } },
        { link: 'wan', endpoint: 'fred', direction: 'in', knobs: { rateBps: 1e6 } },
      ],
      helpers: [
        { node: 'daphne', state: 'running', path: 'netfilter' },
        { node: 'fred', state: 'running', path: 'netfilter' },
      ],
      skipped: [],
    },
    'set wan: loss=30% delay=50ms',
  );
  t.is(
    text,
    'set wan: loss=30% delay=50ms\nlab lab1: 2 impairment settings\n  wan               loss=30% delay=50ms\n  wan at fred (in)  rate=1mbit\nhelpers: daphne (netfilter, running), fred (netfilter, running)\n',
  );
  t.is(renderImpairState({ lab: 'lab1', settings: [], helpers: [], skipped: [] }, null), 'lab lab1: no link is impaired\n');
});

test('more mistakes: clear with a direction or an endpoint but no link, an unknown option, words after clear', (t) => {
  const err = (argv: string[]) => t.throws(() => parseImpairArgs(argv), { instanceOf: ImpairUsageError })!.message;
  t.regex(err(['lab1', 'wan', '--endpoint', 'fred', '--direction', 'in', 'clear']), /clear removes both directions/);
  t.regex(err(['lab1', 'clear', '--endpoint', 'fred']), /name its link: impair LAB LINK --endpoint NODE clear/);
  t.regex(err(['lab1', 'clear', '--direction', 'in']), /clears every link/);
  t.regex(err(['lab1', 'wan', '--delay', '5ms']), /Unknown option '--delay'/);
  t.regex(err(['lab1', 'wan', 'clear', 'loss=1%']), /"clear" is not NAME=VALUE/);
  t.regex(err(['lab1', 'wan', 'loss']), /"loss" is not NAME=VALUE/);
  t.regex(err(['lab1', 'wan', 'delay=2m']), /not a time like 50ms/);
  t.regex(err(['lab1', 'wan', 'rate=100bit']), /at least 8kbit/);
  // every mistake at once, not the first alone
  t.is(err(['lab1', 'wan', 'loss=x', 'jitter=-1ms']).split('; ').length, 2);
});

test("values: --json is the renderer's, --direction both is the default, 0 is a value (it switches a knob off)", (t) => {
  t.deepEqual(parseImpairArgs(['lab1', '--json']), { action: 'list', lab: 'lab1' });
  const a = parseImpairArgs(['lab1', 'wan', '--direction', 'both', 'loss=0', 'delay=1.5s', 'jitter=200us', 'rate=2.5mbit', '--json']);
  t.deepEqual(a, {
    action: 'set',
    lab: 'lab1',
    link: 'wan',
    endpoint: null,
    direction: 'both',
    knobs: { loss: 0, delayMs: 1500, jitterMs: 0.2, rateBps: 2500000 },
  });
  const b = parseImpairArgs(['lab1', 'wan', '--endpoint=h2', '--direction=out', 'duplicate=1.5', 'reorder=25%']);
  t.deepEqual(b, { action: 'set', lab: 'lab1', link: 'wan', endpoint: 'h2', direction: 'out', knobs: { duplicate: 0.015, reorder: 0.25 } });
});

/** `testbed impair` through the CLI's main against the in-memory engine: what it prints and its exit code. */
async function cli(engine: FakeEngine, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['impair', ...argv], { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) }, engine);
  return { code, stdout, stderr };
}

test('testbed impair sets, lists (text and JSON) and clears; usage errors exit 2, a missing lab or link 1', async (t) => {
  const engine = await fakePairLab(t, '');
  const set = await cli(engine, 'pair', 'wan', '--endpoint', 'h2', '--direction', 'in', 'loss=30%', 'delay=50ms');
  t.is(set.code, 0, set.stderr);
  t.is(
    set.stdout,
    'set wan at h2 (in): loss=30% delay=50ms\nlab pair: 1 impairment setting\n  wan at h2 (in)  loss=30% delay=50ms\nhelpers: h2 (netfilter, running)\n',
  );
  const listed = await cli(engine, 'pair', '--json');
  t.is(listed.code, 0);
  t.like(JSON.parse(listed.stdout), {
    lab: 'pair',
    settings: [{ link: 'wan', endpoint: 'h2', direction: 'in', knobs: { loss: 0.3, delayMs: 50 } }],
    helpers: [{ node: 'h2', state: 'running', path: 'netfilter' }],
    skipped: [],
  });
  const cleared = await cli(engine, 'pair', 'clear');
  t.is(cleared.code, 0);
  t.is(cleared.stdout, 'cleared every link\nlab pair: no link is impaired\n');

  const usage = await cli(engine, 'pair', 'wan');
  t.is(usage.code, 2);
  t.regex(usage.stderr, /impair pair wan: say what to set/);
  t.is(usage.stdout, '');
  const noLab = await cli(engine, 'nolab');
  t.is(noLab.code, 1);
  t.regex(noLab.stderr, /no lab named "nolab" is up/);
  const noLink = await cli(engine, 'pair', 'lan', 'loss=1%');
  t.is(noLink.code, 1);
  t.regex(noLink.stderr, /no link named "lan" \(links: wan\)/);
  const asJson = await cli(engine, 'pair', 'wan', '--endpoint', 'h9', 'loss=1%', '--json');
  t.is(asJson.code, 1);
  t.like(JSON.parse(asJson.stdout || asJson.stderr), { error: { kind: 'LabError', message: 'impair pair: h9 is not on link wan (it joins h1, h2)' } });
  t.deepEqual(
    [...engine.containers.values()].filter((c) => c.spec.labels[ROLE_LABEL] === 'impair'),
    [],
    'nothing was applied by the refused commands',
  );
});
