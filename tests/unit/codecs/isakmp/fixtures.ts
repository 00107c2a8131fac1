/** Shared fixtures for the ISAKMP tests: hand-written bytes, sample messages, a seeded PRNG, a slow reference walker. */
import { Buffer } from 'node:buffer';
import { isKnownPayloadType } from '../../../../src/codecs/isakmp/chain.js';
import type { Payload } from '../../../../src/codecs/isakmp/types.js';

/** Hex with spaces, newlines and `# comments` allowed. */
export function hex(text: string): Buffer {
  const clean = text
    .split('\n')
    .map((line) => line.replace(/#.*$/, ''))
    .join('')
    .replace(/\s+/g, '');
  if (!/^([0-9a-f]{2})*$/i.test(clean)) throw new Error(`bad hex fixture: ${clean}`);
  return Buffer.from(clean, 'hex');
}

/** Drops the decoder's `raw` from known payloads (unknown ones keep it: it is their content). */
export function stripRaw(payloads: readonly Payload[]): unknown[] {
  return payloads.map((p) => {
    if (!isKnownPayloadType(p.type)) return p;
    const { raw: _raw, ...fields } = p as Payload & { raw?: Buffer };
    return fields;
  });
}

export const SEED_ICKY = hex('5f2e1c0b9a3d4781');
export const CISCO_UNITY = hex('12f5f28c457168a9702d9fe274cc0100');

/**
 * Main Mode message 1 with the seed's policy, written by hand from RFC 2408
 * 3.1-3.6 and RFC 2409 appendix A (IOS's attribute order from the seed's debug).
 */
export const SEED_MM1 = hex(`
  5f2e1c0b9a3d4781          # initiator cookie
  0000000000000000          # responder cookie
  01                        # next payload: SA
  10                        # version 1.0
  02                        # exchange: Identity Protection (Main Mode)
  00                        # flags
  00000000                  # message ID
  00000068                  # length 104
  # SA payload at 28
  0d 00 0038                # next: Vendor ID, reserved, length 56
  00000001                  # DOI: IPsec
  00000001                  # situation: SIT_IDENTITY_ONLY
  # Proposal at 40
  00 00 002c                # last proposal, length 44
  01 01 00 01               # proposal 1, PROTO_ISAKMP, SPI size 0, 1 transform
  # Transform at 48
  00 00 0024                # last transform, length 36
  01 01 0000                # transform 1, KEY_IKE, reserved
  8001 0001                 # encryption DES-CBC
  8002 0002                 # hash SHA
  8004 0001                 # group 1
  8003 0001                 # auth pre-share
  800b 0001                 # life type seconds
  000c 0004 00015180        # life duration TLV 86400 = "0x0 0x1 0x51 0x80"
  # Vendor ID at 84
  00 00 0014                # last payload, length 20
  12f5f28c457168a9702d9fe274cc0100
`);

/** One payload of every type the codec knows, plus raw ones (for corpora). */
export const EVERY_PAYLOAD: readonly Payload[] = [
  {
    type: 1,
    doi: 1,
    situation: 1,
    proposals: [
      {
        number: 1,
        protocol: 3,
        spi: hex('f800d61f'),
        transforms: [
          {
            number: 1,
            id: 2,
            attributes: [
              { type: 4, value: 1 },
              { type: 1, value: 1 },
              { type: 2, value: 3600 },
              { type: 1, value: 2 },
              { type: 2, value: 4608000 },
              { type: 5, value: 1 },
            ],
          },
          { number: 2, id: 3, attributes: [] },
        ],
      },
      { number: 2, protocol: 2, spi: hex('01020304'), transforms: [{ number: 1, id: 3, attributes: [{ type: 9, value: hex('aabbcc') }] }] },
    ],
  },
  { type: 4, data: Buffer.alloc(96, 0x5a) },
  { type: 5, idType: 1, protocol: 17, port: 500, data: hex('0b0b0b01') },
  { type: 6, encoding: 4, data: hex('3082') },
  { type: 7, encoding: 4, data: Buffer.alloc(0) },
  { type: 8, data: Buffer.alloc(20, 0x11) },
  { type: 9, data: hex('deadbeef') },
  { type: 10, data: Buffer.alloc(20, 0x22) },
  { type: 11, doi: 1, protocol: 1, spi: Buffer.alloc(16, 1), notifyType: 36136, data: hex('00000001') },
  { type: 12, doi: 1, protocol: 3, spiSize: 4, spis: [hex('a4790fa0'), hex('f800d61f')] },
  { type: 13, data: CISCO_UNITY },
  { type: 20, hash: Buffer.alloc(20, 0x33) },
  { type: 21, idType: 1, address: hex('0a000001') },
  { type: 130, hash: Buffer.alloc(16, 0x44) },
  { type: 131, idType: 1, address: hex('c0a80001') },
  { type: 239, raw: hex('030100000c0c0c0d') },
  { type: 14, raw: Buffer.alloc(0) },
];

/** Deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Slow reference for the generic chain only (RFC 2408 3.2), written
 * independently of the codec: the types and offsets of the payloads, or the
 * reason the chain does not hold together.
 */
export function referenceWalk(buf: Buffer, first: number, start: number): { types: number[]; offsets: number[]; end: number } | string {
  const types: number[] = [];
  const offsets: number[] = [];
  let type = first;
  let at = start;
  while (type !== 0) {
    if (at + 4 > buf.length) return `header of payload ${types.length + 1} truncated`;
    const len = buf[at + 2]! * 256 + buf[at + 3]!;
    if (len < 4 || at + len > buf.length) return `bad length ${len}`;
    types.push(type);
    offsets.push(at);
    type = buf[at]!;
    at += len;
  }
  return { types, offsets, end: at };
}
