/**
 * Test helpers for hostile input from a peer that holds the key: messages
 * built under an established ISAKMP SA taken from an engine's snapshot,
 * encrypted and hashed exactly as RFC 2409 says, so they pass every check
 * an honest message passes (Informational with any Notify/Delete payloads,
 * Quick Mode message 1 with any SPI and lifetime), and the reading of what
 * an engine sent under such an SA.
 */
import { Buffer } from 'node:buffer';
import { encodePayloads, payloadBody } from '../../../../src/codecs/isakmp/chain.js';
import { Doi, ExchangeType, PayloadType, ProtocolId } from '../../../../src/codecs/isakmp/constants.js';
import { decodeHeader } from '../../../../src/codecs/isakmp/header.js';
import { ipv4IdPayload } from '../../../../src/codecs/isakmp/id.js';
import type { DeletePayload, NotifyPayload, Payload } from '../../../../src/codecs/isakmp/types.js';
import type { TransformSetPolicy } from '../../../../src/agent/ike/policy.js';
import type { Datagram, Proxies } from '../../../../src/agent/ike/types.js';
import type { IkeEngine } from '../../../../src/agent/ike/v1/engine.js';
import { informationalHash, quickModeHash1, quickModeHash2, quickModeHash3 } from '../../../../src/agent/ike/v1/crypto/hashes.js';
import { quickModeOffer, type Lifetime } from '../../../../src/agent/ike/v1/exchanges/quick-mode/proposal.js';
import { frameIke, unframeIke } from '../../../../src/agent/ike/v1/nat-t.js';
import type { IsakmpSa } from '../../../../src/agent/ike/v1/sa/isakmp-sa.js';

/** The engine's established ISAKMP SA with `peer`. */
export function establishedSa(engine: IkeEngine, peer: string): IsakmpSa {
  const sa = [...engine.snapshot().tables.isakmp.values()].find((s) => s.established && !s.deleted && s.remote.ip === peer);
  if (!sa) throw new Error(`no established ISAKMP SA with ${peer}`);
  return sa;
}

function datagram(sa: IsakmpSa, message: Buffer): Datagram {
  const w = sa.wire(message);
  return { from: w.from, to: w.to, payload: w.payload };
}

let nextMessageId = 0x0badf00d;

/** An Informational under `sa` (HDR*, HASH(1), payloads), by default under a message ID of its own: as a peer does, since an SA drops a message ID it saw before (a replay). */
export function informational(sa: IsakmpSa, payloads: readonly Payload[], messageId = nextMessageId++): Datagram {
  const hash = informationalHash(sa.suite!.hash, sa.keys!.skeyidA, messageId, encodePayloads(payloads));
  const { message } = sa.encrypt(ExchangeType.INFORMATIONAL, [{ type: PayloadType.HASH, data: hash }, ...payloads], sa.exchangeIv(messageId), messageId);
  return datagram(sa, message);
}

/** A Delete of an ISAKMP SA by its cookies. */
export function deleteIsakmp(target: IsakmpSa): DeletePayload {
  return { type: PayloadType.DELETE, doi: Doi.IPSEC, protocol: ProtocolId.ISAKMP, spiSize: 16, spis: [Buffer.concat([target.ckyI, target.ckyR])] };
}

/** A Delete of ESP SAs by SPI. */
export function deleteEsp(spis: readonly number[]): DeletePayload {
  return {
    type: PayloadType.DELETE,
    doi: Doi.IPSEC,
    protocol: ProtocolId.ESP,
    spiSize: 4,
    spis: spis.map((s) => {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(s >>> 0);
      return b;
    }),
  };
}

/** A Notify of the IPsec DOI. */
export function notify(type: number, protocol: number, spi: Buffer, data: Buffer = Buffer.alloc(0)): NotifyPayload {
  return { type: PayloadType.NOTIFY, doi: Doi.IPSEC, protocol, spi, notifyType: type, data };
}

export interface Qm1Options {
  readonly messageId: number;
  readonly spi: number;
  readonly set: TransformSetPolicy;
  readonly proxies: Proxies;
  readonly lifetime?: Lifetime;
}

/** A Quick Mode we started by hand: what the next messages need. */
export interface ForgedQm {
  readonly datagram: Datagram;
  readonly messageId: number;
  readonly niB: Buffer;
  /** The IV after our QM1 (the answer's IV). */
  readonly iv: Buffer;
}

/** Quick Mode message 1 under `sa` (we are the initiator): SA (one proposal with `spi`), Ni, IDci, IDcr. */
export function quickMode1(sa: IsakmpSa, o: Qm1Options): ForgedQm {
  const niB = Buffer.alloc(20, 0x5a);
  const rest: Payload[] = [
    quickModeOffer([o.set], o.spi, o.lifetime ?? { seconds: 3600, kilobytes: 4608000 }, null, sa.nat.floated),
    { type: PayloadType.NONCE, data: niB },
    ipv4IdPayload(o.proxies.local),
    ipv4IdPayload(o.proxies.remote),
  ];
  const hash = quickModeHash1(sa.suite!.hash, sa.keys!.skeyidA, o.messageId, encodePayloads(rest));
  const { message, nextIv } = sa.encrypt(ExchangeType.QUICK_MODE, [{ type: PayloadType.HASH, data: hash }, ...rest], sa.exchangeIv(o.messageId), o.messageId);
  return { datagram: datagram(sa, message), messageId: o.messageId, niB, iv: nextIv };
}

/** QM3 for the responder's QM2 `answer` to our `qm`, or null when `answer` is not that QM2. */
export function quickMode3(sa: IsakmpSa, qm: ForgedQm, answer: Buffer, port: number): Datagram | null {
  const msg = unframeIke(answer, port);
  if (!msg) return null;
  const h = decodeHeader(msg);
  if (h.exchangeType !== ExchangeType.QUICK_MODE || h.messageId !== qm.messageId) return null;
  const d = sa.decrypt(h, msg.subarray(28), qm.iv);
  const nonce = d.payloads.find((p) => p.type === PayloadType.NONCE);
  if (!nonce) return null;
  const hash = quickModeHash3(sa.suite!.hash, sa.keys!.skeyidA, qm.messageId, qm.niB, payloadBody(nonce));
  const { message } = sa.encrypt(ExchangeType.QUICK_MODE, [{ type: PayloadType.HASH, data: hash }], d.nextIv, qm.messageId);
  return datagram(sa, message);
}

/**
 * Rewrites the responder's QM2 as the holder of the key could: `qm1` is the
 * initiator's QM1 it answers; `edit` changes the payloads after HASH(2),
 * which is computed again, and the message is encrypted again with the IV
 * the initiator expects.
 */
export function rewriteQm2(sa: IsakmpSa, qm1: Buffer, qm2: Buffer, port: number, edit: (payloads: Payload[]) => Payload[]): Buffer {
  const m1 = unframeIke(qm1, port)!;
  const h1 = decodeHeader(m1);
  const d1 = sa.decrypt(h1, m1.subarray(28), sa.exchangeIv(h1.messageId));
  const nonce = d1.payloads.find((p) => p.type === PayloadType.NONCE)!;
  const m2 = unframeIke(qm2, port)!;
  const h2 = decodeHeader(m2);
  const d2 = sa.decrypt(h2, m2.subarray(28), d1.nextIv);
  const rest = edit(d2.payloads.slice(1));
  const hash = quickModeHash2(sa.suite!.hash, sa.keys!.skeyidA, h2.messageId, payloadBody(nonce), encodePayloads(rest));
  const { message } = sa.encrypt(ExchangeType.QUICK_MODE, [{ type: PayloadType.HASH, data: hash }, ...rest], d1.nextIv, h2.messageId);
  return frameIke(message, port);
}

/** The header fields tests look at: exchange type and message ID (-1 when not IKE). */
export function headerOf(payload: Buffer, port: number): { exchangeType: number; messageId: number } {
  const msg = unframeIke(payload, port);
  if (!msg || msg.length < 28) return { exchangeType: -1, messageId: -1 };
  return { exchangeType: msg[18]!, messageId: msg.readUInt32BE(20) };
}

/** The payloads of an Informational the other side sent under `sa` (decrypted with the SA's keys). */
export function readInformational(sa: IsakmpSa, payload: Buffer, port: number): Payload[] {
  const msg = unframeIke(payload, port);
  if (!msg) throw new Error('not IKE');
  const h = decodeHeader(msg);
  if (h.exchangeType !== ExchangeType.INFORMATIONAL) throw new Error(`exchange type ${h.exchangeType}`);
  return sa.decrypt(h, msg.subarray(28), sa.exchangeIv(h.messageId)).payloads;
}
