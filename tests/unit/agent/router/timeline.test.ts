/**
 * The routers' time line keeps its first and its last events and says how
 * many it left out between them: bounded, and both ends readable.
 */
import test from 'ava';
import { Timeline } from '../../../../src/agent/router/timeline.js';

test('under the bound every event is kept, in order', (t) => {
  let now = 0;
  const tl = new Timeline(3, () => now++);
  for (const e of ['acquire', 'probe', 'phase1-up', 'install']) tl.note(e, '');
  t.deepEqual(
    tl.events().map((e) => [e.event, e.at]),
    [
      ['acquire', 0],
      ['probe', 1],
      ['phase1-up', 2],
      ['install', 3],
    ],
  );
});

test('past it: the first `keep`, one dropped event with the count, the last `keep`; never more than 2 x keep + 1', (t) => {
  let now = 0;
  const tl = new Timeline(3, () => now++);
  for (let i = 0; i < 100; i++) tl.note(i === 0 ? 'acquire' : i === 99 ? 'install' : 'acquire', String(i));
  const ev = tl.events();
  t.is(ev.length, 7);
  t.deepEqual(
    ev.map((e) => e.detail),
    ['0', '1', '2', '94', '97', '98', '99'],
  );
  t.like(ev[3], { event: 'dropped', at: 97 });
  t.is(ev[0]!.event, 'acquire', 'the first acquire is still there');
  t.is(ev.at(-1)!.event, 'install', 'and the last install');
});
