/**
 * The numbering of dynamic crypto map instances: from the template's number
 * up, around configured entries, the lowest free number again after an
 * instance goes, never past 65535; found by peer.
 */
import test from 'ava';
import { DynamicInstances, instanceKey, MAX_SEQ } from '../../../../../../src/agent/ike/v1/sa/instances.js';
import type { DynamicInstance } from '../../../../../../src/agent/ike/v1/sa/ipsec-sa.js';

const ref = { map: 'tedtag', seq: 10, dynamic: { map: 'ted-map', seq: 10 } };
const inst = (seq: number, peer: string): DynamicInstance => ({
  map: 'tedtag',
  seq,
  templateSeq: 10,
  dynamic: ref.dynamic,
  peer,
  flows: [],
  aclName: '110',
  createdAt: 0,
  origin: 'ted',
});

function take(t: DynamicInstances, peer: string, configured = new Set([10])): number | null {
  const seq = t.number('tedtag', 10, configured);
  if (seq !== null) t.add(instanceKey(ref, peer), inst(seq, peer));
  return seq;
}

test('11, 12, 13 ...; a freed number is taken again before a new one', (t) => {
  const table = new DynamicInstances();
  t.deepEqual(
    ['a', 'b', 'c', 'd'].map((p) => take(table, p)),
    [11, 12, 13, 14],
  );
  table.remove(instanceKey(ref, 'c'));
  table.remove(instanceKey(ref, 'b'));
  t.deepEqual(table.ofPeer('b'), []);
  t.is(take(table, 'e'), 12);
  t.is(take(table, 'f'), 13);
  t.is(take(table, 'g'), 15);
  t.deepEqual(
    [...table.values()].map((i) => i.seq).sort((x, y) => x - y),
    [11, 12, 13, 14, 15],
  );
  t.deepEqual(
    table.ofPeer('e').map((i) => i.seq),
    [12],
  );
});

test('configured entries of the map are skipped', (t) => {
  const table = new DynamicInstances();
  const configured = new Set([10, 11, 13]);
  t.deepEqual(
    ['a', 'b', 'c'].map((p) => take(table, p, configured)),
    [12, 14, 15],
  );
});

test('no number past 65535', (t) => {
  const table = new DynamicInstances();
  const configured = new Set<number>();
  for (let s = 10; s < MAX_SEQ - 1; s++) configured.add(s);
  t.is(take(table, 'a', configured), MAX_SEQ - 1);
  t.is(take(table, 'b', configured), MAX_SEQ);
  t.is(take(table, 'c', configured), null);
  t.is(table.size, 2);
});
