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
import { buildNativeMalloc } from '../../../../scripts/lib/native-malloc.js';

test('the figures of the process and its heap spaces; no snapshot unless asked', (t) => {
  const m = agentMemory();
  t.true(m.heapUsed > 0 && m.heapUsed <= m.heapTotal && m.heapTotal < m.rss);
  t.true(m.spaces.some((s) => s.name === 'old_space' && s.used > 0 && s.used <= s.size));
  t.is(m.snapshot, undefined);
});

test('a heap snapshot written where asked, in V8 format', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'testbed-memory-'));
  try {
    const m = agentMemory({ snapshot: true, dir });
    t.true(m.snapshot?.startsWith(dir));
    const s = JSON.parse(await readFile(m.snapshot!, 'utf8')) as { snapshot: { meta: { node_fields: string[] } } };
    t.true(s.snapshot.meta.node_fields.includes('self_size'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("malloc's figures (malloc.c, compiled here as the image does): what is allocated shows as in use, and a trim keeps it", (t) => {
  const malloc = buildNativeMalloc();
  const before = malloc.stats();
  t.is(before.inUse + before.free, before.arena, 'mallinfo2: the arena is what is in use and what is free');
  // 2,000 ArrayBuffers of 4 KB: Node takes their memory from malloc, below its mmap threshold
  const kept = Array.from({ length: 2000 }, () => Buffer.allocUnsafeSlow(4096).fill(1));
  const after = malloc.stats();
  t.true(after.inUse - before.inUse >= 2000 * 4096, `in use grew by ${after.inUse - before.inUse} bytes`);
  t.is(typeof malloc.trim(), 'boolean');
  const trimmed = agentMemory({ malloc });
  t.true(trimmed.malloc!.inUse >= after.inUse - 1024 * 1024, 'a trim frees nothing in use');
  t.is(kept.length, 2000);
});
