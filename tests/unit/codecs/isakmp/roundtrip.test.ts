/** Round trips of every payload type: decode(encode(v)) = v and encode(decode(x)) = x, from a table of cases with edge values. */
import test from 'ava';
import { Buffer } from 'node:buffer';
import { decodePayloads, encodePayloadBody, encodePayloads, payloadBody } from '../../../../src/codecs/isakmp/chain.js';
import { NotifyType } from '../../../../src/codecs/isakmp/constants.js';
import { IsakmpError } from '../../../../src/codecs/isakmp/errors.js';
import { decodeMessage, encodeMessage } from '../../../../src/codecs/isakmp/message.js';
import type { Attribute, Payload } from '../../../../src/codecs/isakmp/types.js';
import { EVERY_PAYLOAD, hex, stripRaw } from './fixtures.js';

const sa = (...attributes: Attribute[]): Payload => ({
  type: 1,
  doi: 1,
  situation: 1,
  proposals: [{ number: 1, protocol: 1, spi: Buffer.alloc(0), transforms: [{ number: 1, id: 1, attributes }] }],
});

const CASES: ReadonlyArray<readonly [string, readonly Payload[]]> = [
  ['SA with two proposals, two transforms and mixed attributes', [EVERY_PAYLOAD[0]!]],
  ['SA without proposals', [{ type: 1, doi: 1, situation: 1, proposals: [] }]],
  [
    'SA with a proposal without transforms',
    [{ type: 1, doi: 0, situation: 0xffffffff, proposals: [{ number: 255, protocol: 4, spi: Buffer.alloc(2, 9), transforms: [] }] }],
  ],
  [
    'SA with a 255-byte SPI and 255 transforms',
    [
      {
        type: 1,
        doi: 1,
        situation: 1,
        proposals: [
          { number: 1, protocol: 3, spi: Buffer.alloc(255, 7), transforms: Array.from({ length: 255 }, (_, i) => ({ number: i, id: 2, attributes: [] })) },
        ],
      },
    ],
  ],
  ['attribute value 0 (basic)', [sa({ type: 11, value: 0 })]],
  ['attribute value 65535 (largest basic)', [sa({ type: 12, value: 65535 })]],
  ['attribute value 65536 (smallest TLV)', [sa({ type: 12, value: 65536 })]],
  ['attribute value 86400 (the seed lifetime, TLV)', [sa({ type: 12, value: 86400 })]],
  ['attribute value 0xFFFFFFFF (largest 4-byte TLV)', [sa({ type: 12, value: 0xffffffff })]],
  ['attribute value 2^32 (8-byte TLV)', [sa({ type: 12, value: 0x100000000 })]],
  ['attribute value 2^53-1 (largest safe number)', [sa({ type: 12, value: Number.MAX_SAFE_INTEGER })]],
  ['attribute with a 3-byte TLV value', [sa({ type: 9, value: hex('010203') })]],
  ['attribute with an empty TLV value', [sa({ type: 9, value: Buffer.alloc(0) })]],
  ['attribute with a 4-byte TLV value below 65536 kept as bytes', [sa({ type: 12, value: hex('00000e10') })]],
  ['attribute type 0x7FFF (largest)', [sa({ type: 0x7fff, value: 1 }, { type: 0x7fff, value: hex('ff') })]],
  ['KE of 0 bytes', [{ type: 4, data: Buffer.alloc(0) }]],
  ['KE of 256 bytes (group 14)', [{ type: 4, data: Buffer.alloc(256, 0xab) }]],
  ['ID type 1 IPV4_ADDR 17/500', [{ type: 5, idType: 1, protocol: 17, port: 500, data: hex('0b0b0b01') }]],
  ['ID type 4 IPV4_ADDR_SUBNET', [{ type: 5, idType: 4, protocol: 0, port: 0, data: hex('0d0d0d00ffffff00') }]],
  ['ID type 7 IPV4_ADDR_RANGE port 65535', [{ type: 5, idType: 7, protocol: 6, port: 65535, data: hex('0a0000010a0000ff') }]],
  ['ID type 2 FQDN', [{ type: 5, idType: 2, protocol: 0, port: 0, data: Buffer.from('fred.example') }]],
  ['ID type 11 KEY_ID with no data', [{ type: 5, idType: 11, protocol: 0, port: 0, data: Buffer.alloc(0) }]],
  ['Certificate and Certificate Request', [EVERY_PAYLOAD[3]!, EVERY_PAYLOAD[4]!]],
  ['Hash and Signature', [EVERY_PAYLOAD[5]!, EVERY_PAYLOAD[6]!]],
  ['Nonce of the largest size (65531 bytes)', [{ type: 10, data: Buffer.alloc(65531, 0x77) }]],
  ['Notify without SPI and data', [{ type: 11, doi: 1, protocol: 3, spi: Buffer.alloc(0), notifyType: 14, data: Buffer.alloc(0) }]],
  ['Notify with 16-byte ISAKMP SPI (R-U-THERE)', [EVERY_PAYLOAD[8]!]],
  ['Notify type 65535 and DOI 0xFFFFFFFF', [{ type: 11, doi: 0xffffffff, protocol: 255, spi: Buffer.alloc(255, 1), notifyType: 65535, data: hex('00') }]],
  ['Delete with an empty SPI list', [{ type: 12, doi: 1, protocol: 3, spiSize: 4, spis: [] }]],
  ['Delete of an ISAKMP SA (16-byte SPI)', [{ type: 12, doi: 1, protocol: 1, spiSize: 16, spis: [Buffer.alloc(16, 0xc)] }]],
  ['Delete of two ESP SAs', [EVERY_PAYLOAD[9]!]],
  ['Vendor ID Cisco Unity', [EVERY_PAYLOAD[10]!]],
  ['Vendor ID of the largest size (65531 bytes)', [{ type: 13, data: Buffer.alloc(65531, 1) }]],
  ['NAT-D 20 and draft NAT-D 130', [EVERY_PAYLOAD[11]!, EVERY_PAYLOAD[13]!]],
  ['NAT-OA 21 IPv4 and draft NAT-OA 131 IPv6', [EVERY_PAYLOAD[12]!, { type: 131, idType: 5, address: Buffer.alloc(16, 0xfe) }]],
  ['private-use type 239 with 200 raw bytes', [{ type: 239, raw: Buffer.from(Array.from({ length: 200 }, (_, i) => i)) }]],
  [
    'private-use types 128 and 255, empty',
    [
      { type: 128, raw: Buffer.alloc(0) },
      { type: 255, raw: Buffer.alloc(0) },
    ],
  ],
  ['reserved type 14 between known payloads', [EVERY_PAYLOAD[10]!, { type: 14, raw: hex('0102') }, EVERY_PAYLOAD[7]!]],
  ['a chain of every payload type', EVERY_PAYLOAD],
];

for (const [name, payloads] of CASES) {
  test(`round trip: ${name}`, (t) => {
    const bytes = encodePayloads(payloads);
    const decoded = decodePayloads(payloads[0]!.type, bytes);
    t.deepEqual(stripRaw(decoded), stripRaw(payloads), 'decode(encode(v)) = v');
    t.true(encodePayloads(decoded).equals(bytes), 'encode(decode(x)) = x');
    decoded.forEach((p, i) => t.true(payloadBody(p).equals(encodePayloadBody(payloads[i]!)), `body of payload ${i + 1}`));
  });
}

/** Chains written by hand whose bytes are not what the encoder would pick from numbers; they must survive as they are. */
const ENCODED: ReadonlyArray<readonly [string, number, string]> = [
  ['a lifetime of 3600 sent as a 4-byte TLV', 1, '0000 0024 00000001 00000001 0000 0018 01010001 0000 0010 01010000 000c 0004 00000e10'],
  ['a private-use payload with 200 bytes', 239, `0000 00cc ${'ab'.repeat(200)}`],
  ['a reserved payload type 19 followed by a Nonce', 19, '0a00 0006 beef 0000 0008 01020304'],
  ['a NAT-OA with an IPv6 address', 21, '0000 0018 05000000 20010db8000000000000000000000001'],
];

for (const [name, first, text] of ENCODED) {
  test(`encode(decode(x)) = x: ${name}`, (t) => {
    const bytes = hex(text);
    t.true(encodePayloads(decodePayloads(first, bytes)).equals(bytes));
  });
}

test('a TLV of 4 bytes above 65535 given as bytes decodes as the number it encodes', (t) => {
  const bytes = encodePayloads([sa({ type: 12, value: hex('00015180') })]);
  const [decoded] = decodePayloads(1, bytes);
  t.deepEqual(stripRaw([decoded!]), stripRaw([sa({ type: 12, value: 86400 })]));
});

test('a payload of 65536 bytes is refused with PAYLOAD-MALFORMED', (t) => {
  const err = t.throws(() => encodePayloads([{ type: 13, data: Buffer.alloc(65532) }]), { instanceOf: IsakmpError });
  t.is(err?.notify, NotifyType.PAYLOAD_MALFORMED);
});

test('an unknown payload type without raw bytes cannot be encoded', (t) => {
  const err = t.throws(() => encodePayloads([{ type: 200 } as unknown as Payload]), { instanceOf: IsakmpError });
  t.is(err?.notify, NotifyType.PAYLOAD_MALFORMED);
});

test('a top-level Proposal payload cannot be encoded (INVALID-PAYLOAD-TYPE)', (t) => {
  const err = t.throws(() => encodePayloads([{ type: 2, raw: Buffer.alloc(0) } as unknown as Payload]), { instanceOf: IsakmpError });
  t.is(err?.notify, NotifyType.INVALID_PAYLOAD_TYPE);
});

test('a whole message round-trips with its header fields', (t) => {
  const init = { initiatorCookie: hex('0102030405060708'), responderCookie: hex('a1a2a3a4a5a6a7a8'), exchangeType: 32, flags: 0x02, messageId: 0xffffffff };
  const bytes = encodeMessage(init, EVERY_PAYLOAD);
  const message = decodeMessage(bytes);
  t.deepEqual(message.header, { ...init, nextPayload: 1, version: 0x10, length: bytes.length });
  t.deepEqual(stripRaw(message.payloads), stripRaw(EVERY_PAYLOAD));
  t.true(encodeMessage(message.header, message.payloads).equals(bytes));
  t.true(message.body.equals(bytes.subarray(28)));
});

test('a message without payloads is just the header', (t) => {
  const bytes = encodeMessage({ initiatorCookie: Buffer.alloc(8, 1), responderCookie: Buffer.alloc(8), exchangeType: 5 }, []);
  t.is(bytes.length, 28);
  t.deepEqual(decodeMessage(bytes).payloads, []);
});
