/** Merging one link's captures from several engines: time order, each frame once, truncated tails left out. */
import test from 'ava';
import { concatCaptures, mergeCaptures, readRawPcap, writeRawPcap, type RawCapture, type RawFrame } from '../../../../src/orchestrator/capture/merge.js';
import { encodePcap, LinkType } from '../../../../src/orchestrator/capture/pcap-writer.js';

const frame = (us: number, text: string): RawFrame => ({ us, data: Buffer.from(text), originalLength: text.length });
const cap = (...frames: RawFrame[]): RawCapture => ({ linkType: 1, snapLength: 65535, frames });
const texts = (c: RawCapture) => c.frames.map((f) => `${f.us}:${f.data.toString()}`);

test('frames from two engines come out in time order; a frame seen on both is kept once, at its first sighting', (t) => {
  const e1 = cap(frame(1000, 'arp-request'), frame(3000, 'esp-1'), frame(9000, 'only-on-e1'));
  const e2 = cap(frame(1040, 'arp-request'), frame(2000, 'arp-reply'), frame(3050, 'esp-1'));
  t.deepEqual(texts(mergeCaptures([e1, e2])), ['1000:arp-request', '2000:arp-reply', '3000:esp-1', '9000:only-on-e1']);
});

test('the same bytes twice on one engine are two frames (a retransmission), and pair with at most one copy each', (t) => {
  const e1 = cap(frame(1000, 'ike-mm1'), frame(1500, 'ike-mm1'));
  const e2 = cap(frame(1010, 'ike-mm1'), frame(1510, 'ike-mm1'));
  t.deepEqual(texts(mergeCaptures([e1, e2])), ['1000:ike-mm1', '1500:ike-mm1']);
  // three engines, a broadcast flooded to all: once
  t.deepEqual(texts(mergeCaptures([cap(frame(5, 'bc')), cap(frame(7, 'bc')), cap(frame(8, 'bc'))])), ['5:bc']);
});

test('copies further apart than the window are different frames', (t) => {
  const merged = mergeCaptures([cap(frame(0, 'x')), cap(frame(300_000, 'x'))], 200_000);
  t.is(merged.frames.length, 2);
  t.is(mergeCaptures([cap(frame(0, 'x')), cap(frame(150_000, 'x'))], 200_000).frames.length, 1);
});

test('a capture still being written (half a record at the end) reads up to the last whole record', (t) => {
  const whole = encodePcap(
    [
      { time: 1.5, frame: Buffer.from('abc') },
      { time: 2.25, frame: Buffer.from('defg') },
    ],
    { linkType: LinkType.ETHERNET },
  );
  const cut = whole.subarray(0, whole.length - 2);
  const read = readRawPcap(cut);
  t.deepEqual(read.frames, [{ us: 1_500_000, data: Buffer.from('abc'), originalLength: 3 }]);
  t.deepEqual(
    readRawPcap(writeRawPcap(readRawPcap(whole))).frames.map((f) => f.us),
    [1_500_000, 2_250_000],
  );
  t.deepEqual(writeRawPcap(readRawPcap(whole)), whole);
});

test('captures of different link types are not merged', (t) => {
  t.throws(() => mergeCaptures([cap(), { ...cap(), linkType: 101 }]), { message: /link types 1 and 101/ });
});

test('one engine captures taken one after another are joined: every frame, in time order, none taken for a duplicate', (t) => {
  const first = cap(frame(1000, 'hello'), frame(2000, 'x'));
  const again = cap(frame(1500, 'hello'), frame(3000, 'x'));
  t.deepEqual(texts(concatCaptures([first, again])), ['1000:hello', '1500:hello', '2000:x', '3000:x']);
  t.throws(() => concatCaptures([cap(), { ...cap(), linkType: 101 }]), { message: /link types 1 and 101/ });
});
