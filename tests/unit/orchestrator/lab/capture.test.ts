/**
 * The parts of a link's capture on a swarm: LINK@ENGINE.pcap, and
 * LINK@ENGINE~N.pcap for a capture started again in a namespace Docker made
 * anew; one engine's parts are joined, then the engines merged into
 * LINK.pcap, each frame between engines once; earlier captures kept with a
 * time stamp are left alone.
 */
import test from 'ava';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRawPcap, writeRawPcap, type RawFrame } from '../../../../src/orchestrator/capture/merge.js';
import { mergeCaptureParts, parsePartName, pcapPartName } from '../../../../src/orchestrator/lab/capture.js';

const frame = (us: number, text: string): RawFrame => ({ us, data: Buffer.from(text), originalLength: text.length });
const pcap = (...frames: RawFrame[]) => writeRawPcap({ linkType: 1, snapLength: 65535, frames });

test('part names: the first capture of a link on an engine, the next ones numbered; stamped earlier captures are no parts', (t) => {
  t.is(pcapPartName('wan', 'e1'), 'wan@e1.pcap');
  t.is(pcapPartName('wan', 'e1', 2), 'wan@e1~2.pcap');
  t.deepEqual(parsePartName('wan@e1.pcap'), { link: 'wan', engine: 'e1', n: 1 });
  t.deepEqual(parsePartName('r1-r2@e2~3.pcap'), { link: 'r1-r2', engine: 'e2', n: 3 });
  t.is(parsePartName('wan.pcap'), null);
  t.is(parsePartName('wan@e1.2026-12-02T091500.pcap'), null);
  t.is(parsePartName('wan@e1~2.2026-12-02T091500.pcap'), null);
});

test("an engine's parts are joined before the engines are merged: the frames after a new namespace are in, each crossing frame once", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'testbed-parts-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  // e1 captured until its namespace went (its second capture has what came after); e2 saw everything that crossed
  await writeFile(join(dir, 'wan@e1.pcap'), pcap(frame(1000, 'esp-1'), frame(2000, 'e1-local-1')));
  await writeFile(join(dir, 'wan@e1~2.pcap'), pcap(frame(9000, 'esp-2'), frame(9500, 'e1-local-2')));
  await writeFile(join(dir, 'wan@e2.pcap'), pcap(frame(1020, 'esp-1'), frame(9030, 'esp-2')));
  await writeFile(join(dir, 'wan@e1.2026-12-02T091500.pcap'), pcap(frame(5, 'an earlier capture')));
  t.deepEqual(await mergeCaptureParts(dir), ['wan']);
  const merged = readRawPcap(await readFile(join(dir, 'wan.pcap')));
  t.deepEqual(
    merged.frames.map((f) => `${f.us}:${f.data.toString()}`),
    ['1000:esp-1', '2000:e1-local-1', '9000:esp-2', '9500:e1-local-2'],
  );
});
