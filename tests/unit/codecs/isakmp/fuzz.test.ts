/**
 * Seeded fuzzing: random buffers and mutations of valid messages. Every
 * failure must be an IsakmpError (never a RangeError or TypeError); every
 * success must agree with a slow reference walk of the generic chain and
 * re-encode to a stable canonical form.
 */
import test from 'ava';
import { Buffer } from 'node:buffer';
import { decodePayloads, encodePayloadBody, encodePayloads } from '../../../../src/codecs/isakmp/chain.js';
import { Flags } from '../../../../src/codecs/isakmp/constants.js';
import { IsakmpError } from '../../../../src/codecs/isakmp/errors.js';
import { decodeHeader } from '../../../../src/codecs/isakmp/header.js';
import { decodeMessage, encodeMessage } from '../../../../src/codecs/isakmp/message.js';
import { EVERY_PAYLOAD, SEED_MM1, hex, prng, referenceWalk } from './fixtures.js';

const CORPUS: readonly Buffer[] = [
  SEED_MM1,
  encodeMessage({ initiatorCookie: hex('0102030405060708'), responderCookie: hex('1112131415161718'), exchangeType: 32, messageId: 409419560 }, EVERY_PAYLOAD),
  encodeMessage({ initiatorCookie: hex('0102030405060708'), responderCookie: hex('1112131415161718'), exchangeType: 5 }, [
    EVERY_PAYLOAD[8]!,
    EVERY_PAYLOAD[9]!,
  ]),
  encodeMessage({ initiatorCookie: hex('0102030405060708'), responderCookie: Buffer.alloc(8), exchangeType: 240 }, [
    EVERY_PAYLOAD[10]!,
    EVERY_PAYLOAD[2]!,
    EVERY_PAYLOAD[15]!,
  ]),
];
const TYPES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 20, 21, 130, 131, 239, 255];
const WORDS = [0, 1, 3, 4, 5, 7, 8, 12, 0xff, 0x100, 0x7fff, 0x8000, 0xffff];

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}

function fixLength(b: Buffer): Buffer {
  if (b.length >= 28) b.writeUInt32BE(b.length, 24);
  return b;
}

function mutate(rand: () => number, source: Buffer): Buffer {
  let b: Buffer = Buffer.from(source);
  const count = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < count && b.length > 0; i++) {
    const at = Math.floor(rand() * b.length);
    switch (Math.floor(rand() * 6)) {
      case 0:
        b[at] = b[at]! ^ (1 << Math.floor(rand() * 8));
        break;
      case 1:
        b[at] = Math.floor(rand() * 256);
        break;
      case 2:
        if (at + 2 <= b.length) b.writeUInt16BE(pick(rand, WORDS), at);
        break;
      case 3:
        b = b.subarray(0, at);
        if (rand() < 0.5) b = fixLength(Buffer.from(b));
        break;
      case 4:
        b = Buffer.concat([b, Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 16) }, () => Math.floor(rand() * 256)))]);
        if (rand() < 0.5) b = fixLength(b);
        break;
      default:
        b[at] = pick(rand, TYPES);
    }
  }
  return b;
}

function randomBuffer(rand: () => number): Buffer {
  const b = Buffer.from(Array.from({ length: Math.floor(rand() * 160) }, () => Math.floor(rand() * 256)));
  if (b.length >= 28 && rand() < 0.7) {
    b[17] = 0x10;
    b[19] &= ~Flags.ENCRYPTION;
    b[16] = pick(rand, TYPES);
    fixLength(b);
  }
  return b;
}

/** A chain whose generic headers hold together but whose bodies are short random bytes: this reaches every body decoder's bounds checks. */
function randomChain(rand: () => number): Buffer {
  const count = 1 + Math.floor(rand() * 4);
  const types = Array.from({ length: count }, () =>
    pick(
      rand,
      TYPES.filter((x) => x !== 0),
    ),
  );
  const parts = types.map((_type, i) => {
    const body = Buffer.from(Array.from({ length: Math.floor(rand() * 24) }, () => (rand() < 0.5 ? 0 : Math.floor(rand() * 256))));
    const head = Buffer.from([types[i + 1] ?? 0, 0, 0, 0]);
    head.writeUInt16BE(body.length + 4, 2);
    return Buffer.concat([head, body]);
  });
  const header = Buffer.alloc(28);
  header.fill(7, 0, 8);
  header[16] = types[0]!;
  header[17] = 0x10;
  header[18] = pick(rand, [2, 4, 5, 32, 240]);
  return fixLength(Buffer.concat([header, ...parts]));
}

test('20000 random, mutated and well-framed inputs: every rejection is an IsakmpError, every acceptance matches the reference walk', (t) => {
  const rand = prng(0x7ed2600);
  const failures: string[] = [];
  let accepted = 0;
  let rejected = 0;

  const attempt = (label: string, input: Buffer, run: () => void): void => {
    try {
      run();
    } catch (err) {
      if (err instanceof IsakmpError) rejected++;
      else failures.push(`${label} ${input.toString('hex')}: ${(err as Error)?.name} ${(err as Error)?.message}`);
    }
  };

  for (let i = 0; i < 20000; i++) {
    const input = i < 7000 ? randomBuffer(rand) : i < 14000 ? mutate(rand, pick(rand, CORPUS)) : randomChain(rand);
    attempt('decodeHeader', input, () => decodeHeader(input));
    attempt('decodePayloads', input, () => decodePayloads(pick(rand, TYPES), input, Math.min(input.length, pick(rand, [0, 28]))));
    attempt('decodeMessage', input, () => {
      const message = decodeMessage(input);
      accepted++;
      if (message.header.flags & Flags.ENCRYPTION) return;
      const reference = referenceWalk(input, message.header.nextPayload, 28);
      if (typeof reference === 'string' || reference.end !== input.length || reference.types.join() !== message.payloads.map((p) => p.type).join()) {
        failures.push(`reference disagrees on ${input.toString('hex')}: ${JSON.stringify(reference)}`);
        return;
      }
      for (const p of message.payloads) {
        if (encodePayloadBody(p).length !== p.raw?.length) failures.push(`payload ${p.type} re-encodes to another length in ${input.toString('hex')}`);
      }
      const canonical = encodeMessage(message.header, message.payloads);
      const again = decodeMessage(canonical);
      if (!encodeMessage(again.header, again.payloads).equals(canonical) || !encodePayloads(again.payloads).equals(canonical.subarray(28))) {
        failures.push(`re-encoding is not stable for ${input.toString('hex')}`);
      }
    });
  }

  t.deepEqual(failures.slice(0, 5), []);
  t.is(failures.length, 0);
  t.true(accepted > 1000, `only ${accepted} inputs decoded: the fuzzer does not reach the payloads`);
  t.true(rejected > 10000, `only ${rejected} rejections`);
  t.log(`${accepted} messages decoded, ${rejected} rejections, all typed`);
});

test('every single-byte change of a valid message is decoded or rejected with an IsakmpError', (t) => {
  const failures: string[] = [];
  for (const source of CORPUS) {
    for (let at = 0; at < source.length; at++) {
      for (const value of [0x00, 0x01, 0x02, 0x03, 0x7f, 0x80, 0xef, 0xff]) {
        const b = Buffer.from(source);
        b[at] = value;
        try {
          decodeMessage(b);
        } catch (err) {
          if (!(err instanceof IsakmpError)) failures.push(`byte ${at} = ${value}: ${(err as Error)?.name} ${(err as Error)?.message}`);
        }
      }
    }
  }
  t.deepEqual(failures, []);
});
