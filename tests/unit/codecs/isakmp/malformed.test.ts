/** Truncated and corrupted input is rejected with an IsakmpError carrying the right notify type, offset and explanation. */
import test from 'ava';
import { Buffer } from 'node:buffer';
import { decodePayloadChain, decodePayloads, encodePayloads } from '../../../../src/codecs/isakmp/chain.js';
import { NotifyType } from '../../../../src/codecs/isakmp/constants.js';
import { BadProposalSyntaxError, IsakmpError, PayloadMalformedError, isakmpError } from '../../../../src/codecs/isakmp/errors.js';
import { decodeHeader } from '../../../../src/codecs/isakmp/header.js';
import { decodeMessage, encodeMessage } from '../../../../src/codecs/isakmp/message.js';
import { stringifyNotifyType } from '../../../../src/codecs/isakmp/names.js';
import { EVERY_PAYLOAD, SEED_MM1, hex } from './fixtures.js';

const EVERYTHING = encodeMessage({ initiatorCookie: hex('0102030405060708'), responderCookie: hex('1112131415161718'), exchangeType: 2 }, EVERY_PAYLOAD);

test('every prefix of a valid message is rejected: PAYLOAD-MALFORMED below 28 bytes, UNEQUAL-PAYLOAD-LENGTHS above', (t) => {
  for (const message of [SEED_MM1, EVERYTHING]) {
    for (let n = 0; n < message.length; n++) {
      const err = t.throws(() => decodeMessage(message.subarray(0, n)), { instanceOf: IsakmpError }, `prefix of ${n} bytes`);
      t.is(err?.notify, n < 28 ? NotifyType.PAYLOAD_MALFORMED : NotifyType.UNEQUAL_PAYLOAD_LENGTHS, `prefix of ${n} bytes: ${err?.message}`);
    }
  }
});

test('every prefix of a payload chain (a decrypted body cut short) is rejected with PAYLOAD-MALFORMED', (t) => {
  const chain = encodePayloads(EVERY_PAYLOAD);
  for (let n = 0; n < chain.length; n++) {
    const err = t.throws(() => decodePayloads(1, chain.subarray(0, n)), { instanceOf: IsakmpError }, `prefix of ${n} bytes`);
    t.is(err?.notify, NotifyType.PAYLOAD_MALFORMED, `prefix of ${n} bytes: ${err?.message}`);
  }
});

/** [name, patch of SEED_MM1 (offset -> byte(s)), notify, message pattern, offset]. */
type Corruption = readonly [string, (b: Buffer) => Buffer, number, RegExp, number?];

const patch =
  (offset: number, bytes: string) =>
  (b: Buffer): Buffer => {
    hex(bytes).copy(b, offset);
    return b;
  };

const CORRUPTIONS: readonly Corruption[] = [
  ['version 2.0 (IKEv2)', patch(17, '20'), NotifyType.INVALID_MAJOR_VERSION, /version 2\.0, major version must be 1/, 17],
  ['version 1.1', patch(17, '11'), NotifyType.INVALID_MINOR_VERSION, /minor version must be 0/, 17],
  ['header length 27', patch(24, '0000001b'), NotifyType.UNEQUAL_PAYLOAD_LENGTHS, /length 27 is below the 28-byte header/, 24],
  ['header length beyond the datagram', patch(24, '00000069'), NotifyType.UNEQUAL_PAYLOAD_LENGTHS, /length 105 but the message has 104 bytes/, 24],
  [
    'bytes after the last payload',
    (b) => patch(24, '0000006a')(Buffer.concat([b, hex('0000')])),
    NotifyType.UNEQUAL_PAYLOAD_LENGTHS,
    /payloads end at offset 104 but the header length is 106/,
    104,
  ],
  ['header next payload 0 with payloads present', patch(16, '00'), NotifyType.UNEQUAL_PAYLOAD_LENGTHS, /payloads end at offset 28/, 28],
  [
    'header next payload Proposal',
    patch(16, '02'),
    NotifyType.INVALID_PAYLOAD_TYPE,
    /payload 1 \(Proposal\) at offset 28: a Proposal payload may only appear inside/,
    28,
  ],
  [
    'SA length below the generic header',
    patch(30, '0003'),
    NotifyType.PAYLOAD_MALFORMED,
    /^ISAKMP payload 1 \(Security Association\) at offset 28: length 3 is below the 4-byte generic header$/,
    30,
  ],
  [
    'SA length past the end',
    patch(30, '00c8'),
    NotifyType.PAYLOAD_MALFORMED,
    /payload 1 \(Security Association\) at offset 28: length 200 runs past the end, only 76 bytes are left/,
    30,
  ],
  ['SA too short for its situation', (b) => patch(30, '0008')(b), NotifyType.PAYLOAD_MALFORMED, /situation needs 4 bytes at offset 36 but only 0 are left/, 36],
  [
    'Vendor ID length 2',
    patch(86, '0002'),
    NotifyType.PAYLOAD_MALFORMED,
    /^ISAKMP payload 2 \(Vendor ID\) at offset 84: length 2 is below the 4-byte generic header$/,
    86,
  ],
  [
    'last payload announces a Nonce that is not there',
    patch(84, '0a'),
    NotifyType.PAYLOAD_MALFORMED,
    /payload 3 \(Nonce\) at offset 104: the generic header needs 4 bytes but only 0 are left/,
    104,
  ],
  ['proposal next payload is Transform', patch(40, '03'), NotifyType.BAD_PROPOSAL_SYNTAX, /proposal 1 at offset 40 has next payload 3, expected 2 or 0/],
  [
    'proposal announces a second proposal',
    patch(40, '02'),
    NotifyType.BAD_PROPOSAL_SYNTAX,
    /proposal 1 at offset 40 announces another one but nothing follows/,
  ],
  ['proposal length 7', patch(42, '0007'), NotifyType.PAYLOAD_MALFORMED, /proposal 1 at offset 40: length 7 is below the 8-byte minimum/, 40],
  ['proposal counts two transforms', patch(47, '02'), NotifyType.BAD_PROPOSAL_SYNTAX, /proposal 1 announces 2 transforms but holds 1/],
  ['proposal SPI size 200', patch(46, 'c8'), NotifyType.PAYLOAD_MALFORMED, /SPI of size 200 needs 200 bytes at offset 48 but only 36 are left/, 48],
  ['transform next payload is Proposal', patch(48, '02'), NotifyType.BAD_PROPOSAL_SYNTAX, /transform 1 at offset 48 has next payload 2, expected 3 or 0/],
  ['transform length past its proposal', patch(50, '0064'), NotifyType.PAYLOAD_MALFORMED, /transform 1 at offset 48: length 100 runs past the end/, 48],
  [
    'TLV attribute length past the transform',
    patch(78, '0008'),
    NotifyType.PAYLOAD_MALFORMED,
    /TLV attribute 12 at offset 76: value of length 8 needs 8 bytes at offset 80 but only 4 are left/,
    80,
  ],
];

for (const [name, corrupt, notify, pattern, offset] of CORRUPTIONS) {
  test(`corrupted Main Mode message 1 (${name}) is rejected with ${stringifyNotifyType(notify)}`, (t) => {
    const bytes = corrupt(Buffer.from(SEED_MM1));
    const err = t.throws(() => decodeMessage(bytes), { instanceOf: IsakmpError });
    t.is(err?.notify, notify, err?.message);
    t.is(err?.constructor, isakmpError(notify, '').constructor, 'the subclass agrees with the notify type');
    t.regex(err?.message ?? '', pattern);
    if (offset !== undefined) t.is(err?.offset, offset);
  });
}

/** Bodies that break one payload's own layout: [name, first type, chain hex, notify, pattern]. */
const BAD_BODIES: ReadonlyArray<readonly [string, number, string, number, RegExp]> = [
  ['ID of 3 bytes', 5, '0000 0007 011101', NotifyType.PAYLOAD_MALFORMED, /\(Identification\) at offset 0: port needs 2 bytes/],
  [
    'Notify with an SPI longer than the payload',
    11,
    '0000 000c 00000001 03 04 000e',
    NotifyType.PAYLOAD_MALFORMED,
    /\(Notification\) at offset 0: SPI of size 4 needs 4 bytes/,
  ],
  [
    'Delete with fewer SPIs than counted',
    12,
    '0000 0014 00000001 03 04 0003 a4790fa0 f800d61f',
    NotifyType.PAYLOAD_MALFORMED,
    /3 SPIs of size 4 needs 12 bytes/,
  ],
  ['Delete with bytes after its SPIs', 12, '0000 0012 00000001 03 04 0001 a4790fa0 0000', NotifyType.PAYLOAD_MALFORMED, /2 bytes follow the 1 SPI of size 4/],
  [
    'Delete of 65,535 SPIs of size 0',
    12,
    '0000 000c 00000001 01 00 ffff',
    NotifyType.PAYLOAD_MALFORMED,
    /\(Delete\) at offset 0: 65535 SPIs of size 0 name no SA/,
  ],
  ['NAT-OA of 2 bytes', 21, '0000 0006 0100', NotifyType.PAYLOAD_MALFORMED, /\(NAT-OA\) at offset 0: reserved needs 2 bytes/],
  ['Certificate without an encoding byte', 6, '0000 0004', NotifyType.PAYLOAD_MALFORMED, /\(Certificate\) at offset 0: certificate encoding needs 1 byte/],
  ['Transform at the top level', 3, '0000 0008 01010000', NotifyType.INVALID_PAYLOAD_TYPE, /Transform payload may only appear inside/],
];

for (const [name, first, text, notify, pattern] of BAD_BODIES) {
  test(`a payload body that breaks its layout (${name}) is rejected with ${stringifyNotifyType(notify)}`, (t) => {
    const err = t.throws(() => decodePayloads(first, hex(text)), { instanceOf: IsakmpError });
    t.is(err?.notify, notify, err?.message);
    t.regex(err?.message ?? '', pattern);
  });
}

test('fuzz finding: a 140-byte message whose Delete counts 65,535 SPIs of size 0 is refused at once, not walked SPI by SPI', (t) => {
  // npm run fuzz, target isakmp, seed 1, input #369140: decoding it made 65,535 empty SPIs (130-330 ms)
  const input = hex(
    '09755d51076fc3e38ee975a400bf8e920810200068d7785b0000007b0c00001811111111111111111111111111111111111111110d000033000000010100ffff' +
      '090909cf2ec865be37b9aa675ac2ba9e1a658efd818f17557174090909090909090909090909090000001412f5f28c457168a9702d9fe274cc0100',
  );
  for (const decode of [() => decodeMessage(input), () => decodePayloads(4, input, 28)]) {
    const err = t.throws(decode, { instanceOf: IsakmpError });
    t.is(err?.notify, NotifyType.PAYLOAD_MALFORMED);
    t.regex(err?.message ?? '', /payload 2 \(Delete\) at offset 52: 65535 SPIs of size 0 name no SA/);
  }
});

test('a Delete of many SPIs gives each its own bytes, copied from the input', (t) => {
  const spis = Array.from({ length: 300 }, (_, i) => Buffer.from([i >> 8, i & 0xff, 0xa0, i % 7]));
  const chain = encodePayloads([{ type: 12, doi: 1, protocol: 3, spiSize: 4, spis }]);
  const [del] = decodePayloads(12, chain);
  chain.fill(0);
  t.deepEqual(
    del && 'spis' in del ? del.spis.map((s) => s.toString('hex')) : [],
    spis.map((s) => s.toString('hex')),
  );
});

test('decodeHeader refuses fewer than 28 bytes with PayloadMalformedError', (t) => {
  const err = t.throws(() => decodeHeader(Buffer.alloc(12)), { instanceOf: PayloadMalformedError });
  t.is(err?.notify, NotifyType.PAYLOAD_MALFORMED);
  t.regex(err?.message ?? '', /needs 28 bytes but the message has 12/);
});

test('a chain range outside the buffer or a first type above 255 is refused', (t) => {
  t.is(t.throws(() => decodePayloadChain(1, Buffer.alloc(4), 8), { instanceOf: IsakmpError })?.notify, NotifyType.PAYLOAD_MALFORMED);
  t.is(t.throws(() => decodePayloadChain(1, Buffer.alloc(4), -1), { instanceOf: IsakmpError })?.notify, NotifyType.PAYLOAD_MALFORMED);
  t.is(t.throws(() => decodePayloadChain(300, Buffer.alloc(4)), { instanceOf: IsakmpError })?.notify, NotifyType.INVALID_PAYLOAD_TYPE);
});

test('an encrypted message is returned with its body and no decoded payloads', (t) => {
  const bytes = Buffer.from(SEED_MM1);
  bytes[19] = 0x01;
  const message = decodeMessage(bytes);
  t.deepEqual(message.payloads, []);
  t.true(message.body.equals(SEED_MM1.subarray(28)));
});

test('a decoded message does not alias the input buffer', (t) => {
  const bytes = Buffer.from(SEED_MM1);
  const message = decodeMessage(bytes);
  bytes.fill(0);
  t.is(message.header.initiatorCookie.toString('hex'), '5f2e1c0b9a3d4781');
  t.is(message.payloads[0]!.raw![3], 1);
  t.is(message.payloads[1]!.raw![0], 0x12);
});

test('structural SA errors are BadProposalSyntaxError, body length errors PayloadMalformedError', (t) => {
  const proposal = Buffer.from(SEED_MM1);
  proposal[47] = 2;
  t.throws(() => decodeMessage(proposal), { instanceOf: BadProposalSyntaxError });
  t.throws(() => decodePayloads(5, hex('0000 0007 011101')), { instanceOf: PayloadMalformedError });
});
