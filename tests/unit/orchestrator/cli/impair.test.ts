/** testbed impair's arguments and text (pure); the command's effect is in tests/integration/impair.test.ts. */
import test from 'ava';
import { ImpairUsageError, parseImpairArgs, renderImpairState } from '../../../../src/orchestrator/cli/impair.js';
import { formatKnobs } from '../../../../src/orchestrator/impair/spec.js';

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
