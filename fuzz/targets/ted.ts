/**
 * Target `ted`: the TED codec (src/codecs/ted) on mutated probes and
 * replies recorded from real discoveries. Invariants: isTedMessage never
 * throws; decodeTed refuses only with NotTedError (exactly when
 * isTedMessage says no) or MalformedTedError; an accepted probe or reply
 * encodes back (encodeTedProbe / encodeTedReply) to a message that decodes
 * to the same fields.
 */
import { type Buffer } from 'node:buffer';
import { decodeTed, encodeTedProbe, encodeTedReply, isTedMessage, MalformedTedError, NotTedError, type TedMessage } from '../../src/codecs/ted/index.js';
import { IsakmpError } from '../../src/codecs/isakmp/errors.js';
import { ikeCorpus } from '../corpus/ike.js';
import { mutateBytes } from '../lib/bytes.js';
import { mutateMessage, payloadsOf, type RawPayload } from '../lib/isakmp.js';
import type { Rng } from '../lib/prng.js';
import { ensure, type Instance, type Target } from '../lib/target.js';
import { never, typed } from '../lib/typed.js';

function fields(m: TedMessage): string {
  const { initiatorCookie, responderCookie, vendorIds, ...rest } = m;
  return JSON.stringify({ ...rest, i: initiatorCookie.toString('hex'), r: responderCookie.toString('hex'), v: vendorIds.map((b) => b.toString('hex')) });
}

class TedInstance implements Instance<Buffer> {
  private readonly seeds: readonly Buffer[];
  private readonly donors: readonly RawPayload[];
  private readonly counts = { probes: 0, replies: 0, notTed: 0, malformed: 0 };

  constructor() {
    const c = ikeCorpus();
    this.seeds = c.ted;
    this.donors = payloadsOf([...c.ted.map((m) => ({ first: m[16]!, chain: m.subarray(28) })), ...c.chains]);
  }

  generate(rng: Rng): Buffer {
    const seed = rng.pick(this.seeds);
    return rng.weighted<() => Buffer>([
      [60, () => mutateMessage(rng, seed, this.donors)],
      [30, () => mutateBytes(rng, seed, this.seeds)],
      [10, () => rng.bytes(rng.int(120))],
    ])();
  }

  run(b: Buffer): void {
    const isTed = never('isTedMessage', () => isTedMessage(b));
    const r = typed('decodeTed', () => decodeTed(b), NotTedError, MalformedTedError);
    if (!r.ok) {
      const notTed = r.error instanceof NotTedError;
      ensure(notTed === !isTed, 'roundtrip', () => `isTedMessage says ${isTed} but decodeTed threw ${r.error.name} for ${b.toString('hex')}`);
      if (notTed) this.counts.notTed++;
      else this.counts.malformed++;
      return;
    }
    ensure(isTed, 'roundtrip', () => `decodeTed accepted what isTedMessage refuses: ${b.toString('hex')}`);
    const m = r.value;
    const common = {
      initiatorCookie: m.initiatorCookie,
      ikeAddress: m.ikeAddress,
      ikePort: m.ikePort,
      targetHost: m.targetHost,
      version: m.version,
      vendorIds: m.vendorIds,
    };
    const encoded = typed(
      `encodeTed${m.kind}`,
      () =>
        m.kind === 'probe'
          ? encodeTedProbe({ ...common, localProxy: m.localProxy, ...(m.remoteProxy ? { remoteProxy: m.remoteProxy } : {}) })
          : encodeTedReply({ ...common, responderCookie: m.responderCookie, initiatorProxy: m.initiatorProxy, responderProxy: m.responderProxy }),
      IsakmpError,
    );
    ensure(encoded.ok, 'roundtrip', () => `an accepted TED ${m.kind} does not encode back (${encoded.ok ? '' : encoded.error.message}): ${b.toString('hex')}`);
    const again = typed('decodeTed (encoded)', () => decodeTed(encoded.value), IsakmpError);
    ensure(again.ok && fields(again.value) === fields(m), 'roundtrip', () => `TED ${m.kind} does not survive encode/decode: ${b.toString('hex')}`);
    if (m.kind === 'probe') this.counts.probes++;
    else this.counts.replies++;
  }

  check(): void {}

  stats(): Record<string, number> {
    return { ...this.counts };
  }
}

export const tedTarget: Target<Buffer> = {
  name: 'ted',
  summary: 'TED codec: isTedMessage, decodeTed and encode back, on mutated recorded probes and replies',
  epoch: Infinity,
  checkEvery: 1_000_000,
  create: () => new TedInstance(),
};
