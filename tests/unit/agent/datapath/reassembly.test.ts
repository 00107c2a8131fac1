/**
 * Reassembly: the fuzzer's findings as regressions (typed errors instead of
 * RangeError, bounded parts and bytes, a bounded table), and the ordinary
 * cases (any order, duplicates, timeouts) with the counters of
 * `show ip traffic`.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { FragmentError, Reassembler, REASSEMBLY_LIMITS } from '../../../../src/agent/datapath/reassembly.js';
import { encodeIpv4, IPPROTO_ESP } from '../../../../src/codecs/net/ipv4.js';
import { parseIpv4 } from '../../../../src/codecs/net/address.js';
import { MiniLab } from './mini-lab.js';

/** A fragment of datagram `id` from 192.168.2.2 to 192.168.1.2 (ESP): `data` at byte `offset`. */
function frag(offset: number, data: Buffer | number, more: boolean, id = 7, src = '192.168.2.2'): Buffer {
  const body = typeof data === 'number' ? Buffer.alloc(data, offset & 0xff) : data;
  return encodeIpv4(
    {
      protocol: IPPROTO_ESP,
      source: parseIpv4(src),
      destination: parseIpv4('192.168.1.2'),
      ttl: 60,
      identification: id,
      fragmentOffset: offset / 8,
      moreFragments: more,
    },
    body,
  );
}

test('finding: a fragment past the length the last fragment announced is a FragmentError, counted, and drops the datagram', (t) => {
  const r = new Reassembler();
  t.is(r.add(frag(0, 32, true), 0), null);
  t.is(r.add(frag(64, 16, false), 0), null, 'the last fragment: the datagram is 80 bytes (32-64 still missing)');
  const e = t.throws(() => r.add(frag(96, 16, true), 0), { instanceOf: FragmentError });
  t.is(e?.reason, 'beyond-end');
  t.deepEqual(r.counters, { fragments: 3, reassembled: 0, timeouts: 0, failed: 1 });
  t.is(r.held.datagrams, 0, 'the datagram is gone');
});

test('finding: fragments ending at offset 65535 (ping of death) are a FragmentError, not a RangeError', (t) => {
  const r = new Reassembler();
  t.is(r.add(frag(0, 65512, true), 0), null);
  const e = t.throws(() => r.add(frag(65512, 23, false), 0), { instanceOf: FragmentError });
  t.is(e?.reason, 'too-long');
  t.is(r.counters.failed, 1);
  t.is(r.held.datagrams, 0);
});

test('finding: through the datapath, the ping of death is counted as "couldn\'t reassemble", not as a malformed packet with a log line', (t) => {
  const lab = new MiniLab();
  const s1 = lab.spokes[0]!;
  s1.dp.handle(frag(0, 65512, true));
  s1.dp.handle(frag(65512, 23, false));
  t.is(s1.dp.reassembly.failed, 1);
  t.is(s1.dp.counters.malformed, 0);
  t.deepEqual(s1.logs, []);
});

test('finding: 200,000 fragments of one datagram hold at most 32 parts and 64 KB, whatever their order', (t) => {
  const r = new Reassembler();
  let refused = 0;
  let most = { fragments: 0, bytes: 0 };
  // the last fragment first, then 8-byte pieces from the end backwards, over and over
  for (let i = 0; i < 200_000; i++) {
    const k = i % 8000;
    try {
      r.add(k === 0 ? frag(64_000, 8, false) : frag(64_000 - k * 8, 8, true), 0);
    } catch (e) {
      t.true(e instanceof FragmentError && e.reason === 'too-many-fragments');
      refused++;
    }
    const held = r.held;
    if (held.fragments > most.fragments) most = { fragments: held.fragments, bytes: held.bytes };
  }
  t.is(most.fragments, REASSEMBLY_LIMITS.maxFragments);
  t.true(most.bytes <= 65_535);
  t.true(refused > 5000, `the datagram was dropped each time it grew past 32 fragments (${refused})`);
  t.is(r.counters.failed, refused);
  t.true(r.held.datagrams <= 1);
});

test('the table holds 16 datagrams; the 17th is refused until the first ones time out (3 s)', (t) => {
  const r = new Reassembler();
  for (let id = 1; id <= 16; id++) t.is(r.add(frag(0, 8, true, id), 1000), null);
  const e = t.throws(() => r.add(frag(0, 8, true, 17), 1000), { instanceOf: FragmentError });
  t.is(e?.reason, 'table-full');
  t.is(e?.message, 'the fragment table has reached its maximum threshold 16');
  t.is(r.held.datagrams, 16);
  r.sweep(3999);
  t.is(r.counters.timeouts, 0, 'not yet');
  t.is(r.add(frag(0, 8, true, 18), 4000), null, 'at 3 s the old ones are gone');
  t.is(r.counters.timeouts, 16);
  t.is(r.held.datagrams, 1);
});

test('any order, with an exact duplicate: one datagram, counted as reassembled', (t) => {
  const payload = randomBytes(32 * 40);
  const pieces = Array.from({ length: 32 }, (_, i) => frag(i * 40, payload.subarray(i * 40, i * 40 + 40), i < 31));
  const r = new Reassembler();
  const order = [31, ...Array.from({ length: 31 }, (_, i) => 30 - i)];
  let whole: Buffer | null = null;
  for (const [n, i] of order.entries()) {
    whole = r.add(pieces[i]!, 0);
    if (n === 5) t.is(r.add(pieces[i]!, 0), null, 'a duplicate is ignored');
  }
  t.truthy(whole);
  t.deepEqual(whole!.subarray(20), payload);
  t.is(whole!.readUInt16BE(2), 20 + payload.length);
  t.is(whole!.readUInt16BE(6), 0, 'no more fragments, offset 0');
  t.deepEqual(r.counters, { fragments: 33, reassembled: 1, timeouts: 0, failed: 0 });
});

test('overlapping and misaligned fragments are refused', (t) => {
  const r = new Reassembler();
  r.add(frag(0, 64, true), 0);
  t.is(t.throws(() => r.add(frag(32, 64, true), 0), { instanceOf: FragmentError })?.reason, 'overlap');
  t.is(r.held.datagrams, 0);
  t.is(t.throws(() => r.add(frag(0, 60, true, 9), 0), { instanceOf: FragmentError })?.reason, 'misaligned');
  t.is(t.throws(() => r.add(Buffer.alloc(10), 0), { instanceOf: FragmentError })?.reason, 'truncated');
  t.is(r.counters.failed, 3);
});
