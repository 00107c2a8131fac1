/**
 * The heap keeper: a full collection when old space has grown by its threshold since the last full collection
 * (its own or V8's) and no negotiation runs; the decision pure, the keeper over a fake heap, and one real
 * collection through exposeGc.
 */
import test from 'ava';
import { HeapKeeper, keeperDecision, KEEPER_GROWTH_BYTES } from '../../../../src/agent/router/heap-keeper.js';
import { exposeGc, oldSpaceUsed } from '../../../../src/agent/io/memory.js';

const MB = 1024 * 1024;

test('the first look sets the base and collects nothing', (t) => {
  t.deepEqual(keeperDecision({ base: null }, 9 * MB, false), { collect: false, grown: false, base: 9 * MB });
});

test('old space grown by the threshold on a quiet router: collect', (t) => {
  t.true(keeperDecision({ base: 8 * MB }, 8 * MB + KEEPER_GROWTH_BYTES, false).collect);
  t.false(keeperDecision({ base: 8 * MB }, 8 * MB + KEEPER_GROWTH_BYTES - 1, false).collect, 'just under: not yet');
});

test('a negotiating router is left alone, however much the heap grew', (t) => {
  t.like(keeperDecision({ base: 8 * MB }, 30 * MB, true), { collect: false, grown: true });
});

test("a fall below the base is V8's own collection: the lower figure becomes the base", (t) => {
  t.deepEqual(keeperDecision({ base: 10 * MB }, 7 * MB, false), { collect: false, grown: false, base: 7 * MB });
});

test('the keeper collects garbage, counts it, defers while busy and takes the new base', (t) => {
  let used = 8 * MB;
  let busy = false;
  let gcs = 0;
  const keeper = new HeapKeeper({
    gc: () => {
      gcs++;
      used = 8.2 * MB; // the garbage is gone, the live heap stays
    },
    oldSpaceUsed: () => used,
    busy: () => busy,
    now: () => 1234,
  });
  keeper.look();
  t.is(gcs, 0, 'first look: the base only');
  used = 9.5 * MB;
  busy = true;
  keeper.look();
  t.is(gcs, 0, 'grown, but a negotiation runs');
  t.like(keeper.status(), { collections: 0, deferred: 1 });
  busy = false;
  keeper.look();
  t.is(gcs, 1);
  t.like(keeper.status(), { collections: 1, lastAt: 1234, lastBefore: 9.5 * MB, lastAfter: 8.2 * MB });
  used = 8.9 * MB; // grown by 0.7 MB since the collection: not enough
  keeper.look();
  t.is(gcs, 1, 'measured from the heap after the collection, not from the first base');
});

test("after boot: one collection of the boot's garbage, unless a negotiation runs; the looks then measure from it", (t) => {
  let used = 12 * MB;
  let busy = true;
  let gcs = 0;
  const events: string[] = [];
  const keeper = new HeapKeeper({
    gc: () => {
      gcs++;
      events.push('gc');
      used = 7 * MB;
    },
    trim: () => void events.push('trim'),
    oldSpaceUsed: () => used,
    busy: () => busy,
    now: () => 99,
  });
  keeper.afterBoot();
  t.is(gcs, 0, 'a negotiation runs: left to the looks');
  busy = false;
  keeper.afterBoot();
  t.is(gcs, 1);
  t.like(keeper.status(), { collections: 1, lastAt: 99, lastBefore: 12 * MB, lastAfter: 7 * MB });
  used = 7.5 * MB;
  keeper.look();
  t.is(gcs, 1, 'the base is the heap after the boot collection');
  used = 8.1 * MB;
  keeper.look();
  t.is(gcs, 2, 'grown by a megabyte since then: collected');
  t.deepEqual(events, ['gc', 'trim', 'gc', 'trim'], "malloc's free pages go back after each collection");
});

test('exposeGc gives a working full collection in a process started without --expose-gc', (t) => {
  const gc = exposeGc();
  // garbage in old space: objects that survived two scavenges, then dropped
  let keep: object[] | null = Array.from({ length: 200_000 }, (_, i) => ({ i, s: `x${i}` }));
  gc(); // promoted to old space by a full collection while still referenced
  const withGarbage = oldSpaceUsed();
  t.is(keep.length, 200_000);
  keep = null;
  gc();
  t.true(oldSpaceUsed() < withGarbage - 4 * MB, `old space ${withGarbage} -> ${oldSpaceUsed()} bytes`);
});
