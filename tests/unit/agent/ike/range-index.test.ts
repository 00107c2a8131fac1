/**
 * RangeIndex: values filed under IPv4 ranges are found by an address they
 * cover, most specific prefix first, ranges that are not prefixes too, and
 * a lookup probes only the prefix lengths in use.
 */
import test from 'ava';
import { RangeIndex } from '../../../../src/agent/ike/range-index.js';
import { parseIpv4 } from '../../../../src/codecs/net/address.js';

const net = (a: string, len: number): [number, number] => {
  const start = parseIpv4(a);
  return [start, start + 2 ** (32 - len) - 1];
};

test('finds every range that covers an address, longest prefix first, then the odd ranges', (t) => {
  const ix = new RangeIndex<string>();
  ix.add(net('10.0.0.0', 8), 'ten');
  ix.add(net('10.3.3.0', 24), 'site3');
  ix.add(net('10.3.3.7', 32), 'host');
  ix.add([parseIpv4('10.3.3.5'), parseIpv4('10.3.3.9')], 'range');
  ix.add(net('0.0.0.0', 0), 'any');
  t.is(ix.size, 5);
  t.deepEqual([...ix.covering(parseIpv4('10.3.3.7'))], ['host', 'site3', 'ten', 'any', 'range']);
  t.deepEqual([...ix.covering(parseIpv4('10.3.4.1'))], ['ten', 'any']);
  t.deepEqual([...ix.covering(parseIpv4('192.168.1.1'))], ['any']);
  t.deepEqual([...ix.covering(0xffffffff)], ['any']);
});

test('delete takes a value out of its range only; sizes and lookups follow', (t) => {
  const ix = new RangeIndex<number>();
  for (let i = 0; i < 100; i++) ix.add(net(`10.${i}.0.0`, 24), i);
  ix.add(net('10.5.0.0', 24), 500);
  t.deepEqual([...ix.covering(parseIpv4('10.5.0.9'))], [5, 500]);
  ix.delete(net('10.5.0.0', 24), 5);
  ix.delete(net('10.6.0.0', 24), 500); // not filed there: nothing happens
  t.deepEqual([...ix.covering(parseIpv4('10.5.0.9'))], [500]);
  t.is(ix.size, 100);
  for (let i = 0; i < 100; i++) ix.delete(net(`10.${i}.0.0`, 24), i);
  ix.delete(net('10.5.0.0', 24), 500);
  t.is(ix.size, 0);
  t.deepEqual([...ix.covering(parseIpv4('10.5.0.9'))], []);
});

test('adding the same value under the same range twice files it once', (t) => {
  const ix = new RangeIndex<string>();
  ix.add(net('10.1.1.0', 24), 'a');
  ix.add(net('10.1.1.0', 24), 'a');
  ix.add([1, 5], 'odd');
  ix.add([1, 5], 'odd');
  t.is(ix.size, 2);
  t.deepEqual([...ix.covering(parseIpv4('10.1.1.1'))], ['a']);
});
