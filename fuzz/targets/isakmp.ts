/**
 * Target `isakmp`: the ISAKMP codec (src/codecs/isakmp) on mutated real
 * messages and payload chains. Invariants: every refusal is an IsakmpError;
 * every accepted clear message walks like an independent reference walk of
 * the generic chain, each payload re-encodes to its own length, and the
 * message re-encodes to a stable canonical form.
 */
import { Buffer } from 'node:buffer';
import { decodePayloads, encodePayloadBody, encodePayloads } from '../../src/codecs/isakmp/chain.js';
import { Flags } from '../../src/codecs/isakmp/constants.js';
import { IsakmpError } from '../../src/codecs/isakmp/errors.js';
import { decodeHeader } from '../../src/codecs/isakmp/header.js';
import { decodeMessage, encodeMessage } from '../../src/codecs/isakmp/message.js';
import { EVERY_PAYLOAD, referenceWalk } from '../../tests/unit/codecs/isakmp/fixtures.js';
import { ikeCorpus } from '../corpus/ike.js';
import { mutateBytes } from '../lib/bytes.js';
import { mutateMessage, mutatePlainChain, payloadsOf, type RawPayload } from '../lib/isakmp.js';
import type { Rng } from '../lib/prng.js';
import { ensure, type Instance, type Target } from '../lib/target.js';
import { typed } from '../lib/typed.js';

interface Input {
  readonly bytes: Buffer;
  /** For decodePayloads: the first payload type and where the chain starts. */
  readonly first: number;
  readonly offset: number;
}

const TYPES = [0, 1, 2, 3, 4, 5, 8, 10, 11, 12, 13, 14, 20, 21, 130, 131, 239, 255];

/** A clear header like `template`'s for a chain of `length` bytes starting with `first`. */
function header(first: number, length: number, template: Buffer): Buffer {
  const h = Buffer.from(template.subarray(0, 28));
  h[16] = first;
  h[17] = 0x10;
  h[19] &= ~Flags.ENCRYPTION;
  h.writeUInt32BE(28 + length, 24);
  return h;
}

class IsakmpInstance implements Instance<Input> {
  private readonly messages: readonly Buffer[];
  private readonly donors: readonly RawPayload[];
  private readonly chains: readonly { first: number; chain: Buffer }[];
  private accepted = 0;
  private rejected = 0;

  constructor() {
    const c = ikeCorpus();
    const every = encodePayloads(EVERY_PAYLOAD);
    this.chains = [...c.chains, { first: EVERY_PAYLOAD[0]!.type, chain: every }];
    this.messages = [...c.messages, ...this.chains.map((ch) => Buffer.concat([header(ch.first, ch.chain.length, c.messages[0]!), ch.chain]))];
    this.donors = payloadsOf(this.chains);
  }

  generate(rng: Rng): Input {
    const kind = rng.weighted<string>([
      [45, 'message'],
      [25, 'chain'],
      [15, 'bytes'],
      [5, 'random'],
      [10, 'random-chain'],
    ]);
    let bytes: Buffer;
    if (kind === 'message') bytes = mutateMessage(rng, rng.pick(this.messages), this.donors);
    else if (kind === 'chain') {
      const seed = rng.pick(this.chains);
      const m = mutatePlainChain(rng, seed.first, seed.chain, this.donors);
      bytes = Buffer.concat([header(m.first, m.bytes.length, rng.pick(this.messages)), m.bytes]);
    } else if (kind === 'bytes') bytes = mutateBytes(rng, rng.pick(this.messages), this.messages);
    else if (kind === 'random') bytes = rng.bytes(rng.int(200));
    else {
      const parts = Array.from({ length: rng.range(1, 4) }, () => rng.pick(this.donors));
      const chain = Buffer.concat(parts.map((p, i) => Buffer.concat([Buffer.from([parts[i + 1]?.type ?? 0]), p.raw.subarray(1)])));
      const template = Buffer.concat([rng.bytes(18), Buffer.from([rng.pick([2, 4, 5, 32, 240])]), Buffer.alloc(9)]);
      bytes = Buffer.concat([header(parts[0]!.type, chain.length, template), chain]);
    }
    return { bytes, first: rng.pick(TYPES), offset: rng.pick([0, 28]) };
  }

  run(input: Input): void {
    const b = input.bytes;
    typed('decodeHeader', () => decodeHeader(b), IsakmpError);
    typed('decodePayloads', () => decodePayloads(input.first, b, Math.min(b.length, input.offset)), IsakmpError);
    const r = typed('decodeMessage', () => decodeMessage(b), IsakmpError);
    if (!r.ok) {
      this.rejected++;
      return;
    }
    this.accepted++;
    const message = r.value;
    if (message.header.flags & Flags.ENCRYPTION) return;
    const reference = referenceWalk(b, message.header.nextPayload, 28);
    ensure(
      typeof reference !== 'string' && reference.end === b.length && reference.types.join() === message.payloads.map((p) => p.type).join(),
      'roundtrip',
      () => `decodeMessage and the reference walk disagree on ${b.toString('hex')}: ${JSON.stringify(reference)}`,
    );
    for (const p of message.payloads) {
      const body = typed('encodePayloadBody', () => encodePayloadBody(p));
      ensure(body.ok && body.value.length === p.raw?.length, 'roundtrip', () => `payload ${p.type} re-encodes to another length in ${b.toString('hex')}`);
    }
    const canonical = typed('encodeMessage', () => encodeMessage(message.header, message.payloads));
    ensure(canonical.ok, 'roundtrip', () => `an accepted message does not encode: ${b.toString('hex')}`);
    const again = typed('decodeMessage (canonical)', () => decodeMessage(canonical.value), IsakmpError);
    ensure(again.ok, 'roundtrip', () => `the canonical form of ${b.toString('hex')} does not decode`);
    const twice = encodeMessage(again.value.header, again.value.payloads);
    ensure(
      twice.equals(canonical.value) && encodePayloads(again.value.payloads).equals(canonical.value.subarray(28)),
      'roundtrip',
      () => `re-encoding is not stable for ${b.toString('hex')}`,
    );
  }

  check(): void {}

  stats(): Record<string, number> {
    return { accepted: this.accepted, rejected: this.rejected };
  }
}

export const isakmpTarget: Target<Input> = {
  name: 'isakmp',
  summary: 'ISAKMP codec: decodeHeader, decodePayloads, decodeMessage on mutated recorded messages and payload chains',
  epoch: Infinity,
  checkEvery: 1_000_000,
  create: () => new IsakmpInstance(),
};
