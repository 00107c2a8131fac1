/** SA attributes: basic/TLV choice at the 16-bit boundary, values as numbers or bytes, IOS-style rendering. */
import test from 'ava';
import { Buffer } from 'node:buffer';
import {
  attributeNumber,
  decodeAttributes,
  describeAttributeValue,
  encodeAttribute,
  findAttribute,
  isBasicAttribute,
} from '../../../../src/codecs/isakmp/attributes.js';
import { NotifyType } from '../../../../src/codecs/isakmp/constants.js';
import { IsakmpError } from '../../../../src/codecs/isakmp/errors.js';
import { Reader } from '../../../../src/codecs/isakmp/reader.js';
import type { Attribute } from '../../../../src/codecs/isakmp/types.js';
import { hex } from './fixtures.js';

const decodeAll = (b: Buffer): Attribute[] => decodeAttributes(new Reader(b, 0, b.length, 'test'));

/** [value, expected wire bytes]. */
const WIRE: ReadonlyArray<readonly [number | Buffer, string]> = [
  [0, '800c 0000'],
  [1, '800c 0001'],
  [3600, '800c 0e10'],
  [65535, '800c ffff'],
  [65536, '000c 0004 00010000'],
  [86400, '000c 0004 00015180'],
  [4608000, '000c 0004 00465000'],
  [0xffffffff, '000c 0004 ffffffff'],
  [0x100000000, '000c 0008 0000000100000000'],
  [Number.MAX_SAFE_INTEGER, '000c 0008 001fffffffffffff'],
  [hex('00000e10'), '000c 0004 00000e10'],
  [hex('0102'), '000c 0002 0102'],
  [Buffer.alloc(0), '000c 0000'],
];

for (const [value, wire] of WIRE) {
  const shown = typeof value === 'number' ? String(value) : `bytes ${value.toString('hex') || '(empty)'}`;
  test(`attribute value ${shown} is encoded as ${wire} and decodes back`, (t) => {
    const bytes = encodeAttribute({ type: 12, value });
    t.is(bytes.toString('hex'), hex(wire).toString('hex'));
    t.deepEqual(decodeAll(bytes), [{ type: 12, value }]);
  });
}

test('attributeNumber reads basic, canonical TLV and non-canonical TLV values alike', (t) => {
  t.is(attributeNumber({ type: 2, value: 3600 }), 3600);
  t.is(attributeNumber({ type: 2, value: hex('00000e10') }), 3600);
  t.is(attributeNumber({ type: 2, value: hex('465000') }), 4608000);
  t.is(attributeNumber({ type: 2, value: hex('001fffffffffffff') }), Number.MAX_SAFE_INTEGER);
});

test('attributeNumber refuses empty, too long and unsafe values with ATTRIBUTES-NOT-SUPPORTED', (t) => {
  for (const value of [Buffer.alloc(0), Buffer.alloc(9, 1), hex('0020000000000000')]) {
    const err = t.throws(() => attributeNumber({ type: 2, value }), { instanceOf: IsakmpError });
    t.is(err?.notify, NotifyType.ATTRIBUTES_NOT_SUPPORTED);
  }
});

test('an attribute that cannot be encoded is refused with an IsakmpError', (t) => {
  for (const attr of [
    { type: 0x8000, value: 1 },
    { type: -1, value: 1 },
    { type: 1, value: -1 },
    { type: 1, value: 1.5 },
    { type: 1, value: 2 ** 53 },
    { type: 1, value: Buffer.alloc(65536) },
  ]) {
    t.throws(() => encodeAttribute(attr), { instanceOf: IsakmpError }, JSON.stringify({ ...attr, value: typeof attr.value }));
  }
});

test('IOS renders basic values in decimal and TLV values byte by byte', (t) => {
  t.is(describeAttributeValue({ type: 2, value: 3600 }), '(basic) of 3600');
  t.is(describeAttributeValue({ type: 12, value: 86400 }), '(VPI) of 0x0 0x1 0x51 0x80');
  t.is(describeAttributeValue({ type: 2, value: 4608000 }), '(VPI) of 0x0 0x46 0x50 0x0');
  t.true(isBasicAttribute({ type: 1, value: 65535 }));
  t.false(isBasicAttribute({ type: 1, value: 65536 }));
  t.false(isBasicAttribute({ type: 1, value: hex('01') }));
});

test('findAttribute returns the first attribute of a type', (t) => {
  const attrs: Attribute[] = [
    { type: 1, value: 1 },
    { type: 2, value: 3600 },
    { type: 1, value: 2 },
    { type: 2, value: 4608000 },
  ];
  t.deepEqual(findAttribute(attrs, 2), { type: 2, value: 3600 });
  t.is(findAttribute(attrs, 5), undefined);
});
