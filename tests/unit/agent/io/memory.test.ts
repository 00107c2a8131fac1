/**
 * The agent's memory report (the soak's `ios --memory`): V8's figures of
 * this process, and with a snapshot asked for, a heap snapshot file that
 * V8 wrote.
 */
import test from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentMemory } from '../../../../src/agent/io/memory.js';

test('the figures of the process and its heap spaces; no snapshot unless asked', (t) => {
  const m = agentMemory();
  t.true(m.heapUsed > 0 && m.heapUsed <= m.heapTotal && m.heapTotal < m.rss);
  t.true(m.spaces.some((s) => s.name === 'old_space' && s.used > 0 && s.used <= s.size));
  t.is(m.snapshot, undefined);
});

test('a heap snapshot written where asked, in V8 format', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'testbed-memory-'));
  try {
    const m = agentMemory(true, dir);
    t.true(m.snapshot?.startsWith(dir));
    const s = JSON.parse(await readFile(m.snapshot!, 'utf8')) as { snapshot: { meta: { node_fields: string[] } } };
    t.true(s.snapshot.meta.node_fields.includes('self_size'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
