/**
 * The heap snapshot summary: a real snapshot of this process (V8's own
 * writer) counts the objects of a class made for the test, and the
 * comparison of two snapshots names the class that gained them.
 */
import test from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { compareHeapSummaries, summarizeHeapSnapshot } from '../../../scripts/lib/heap-snapshot.js';

class SoakProbeEntry {
  constructor(readonly n: number) {}
}

test('a snapshot counts the live objects by constructor; two compared name what grew', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'testbed-heap-'));
  const kept: SoakProbeEntry[] = [];
  try {
    const before = summarizeHeapSnapshot(await readFile(writeHeapSnapshot(join(dir, 'before.heapsnapshot')), 'utf8'));
    for (let i = 0; i < 5000; i++) kept.push(new SoakProbeEntry(i));
    const after = summarizeHeapSnapshot(await readFile(writeHeapSnapshot(join(dir, 'after.heapsnapshot')), 'utf8'));
    t.is(before.get('SoakProbeEntry')?.count ?? 0, 0);
    t.is(after.get('SoakProbeEntry')?.count, 5000);
    t.true(after.get('SoakProbeEntry')!.size >= 5000 * 16, 'each object has a self size');
    const growth = compareHeapSummaries(before, after);
    const row = growth.find((g) => g.name === 'SoakProbeEntry');
    t.deepEqual([row?.countBefore, row?.countAfter], [0, 5000]);
    t.true(
      growth.indexOf(row!) < 10,
      `among the largest changes: ${growth
        .slice(0, 10)
        .map((g) => g.name)
        .join(', ')}`,
    );
  } finally {
    t.is(kept.length, 5000);
    await rm(dir, { recursive: true, force: true });
  }
});

test('text that is not a heap snapshot is refused', (t) => {
  t.throws(() => summarizeHeapSnapshot(JSON.stringify({ snapshot: { meta: { node_fields: ['id'], node_types: [[]] } }, nodes: [], strings: [] })), {
    message: /not a V8 heap snapshot/,
  });
});
