/**
 * Informational exchanges under an ISAKMP SA (RFC 2408 4.8, RFC 2409 5.7):
 *
 *   HDR*, HASH(1), N/D     with HASH(1) = prf(SKEYID_a, M-ID | N/D)
 *
 * Each one has its own message ID and IV (hash of the last phase-1 block and
 * the M-ID), so it never disturbs a Quick Mode running at the same time.
 */
import { Buffer } from 'node:buffer';
import { encodePayloads } from '../../../../codecs/isakmp/chain.js';
import { Doi, ExchangeType, NotifyType, PayloadType, ProtocolId } from '../../../../codecs/isakmp/constants.js';
import { IsakmpError } from '../../../../codecs/isakmp/errors.js';
import type { DeletePayload, NotifyPayload, Payload } from '../../../../codecs/isakmp/types.js';
import { informationalHash } from '../crypto/hashes.js';
import { equalBytes } from '../../../crypto/prf.js';
import type { IkeContext } from './context.js';
import type { Inbound } from './exchange.js';
import type { Phase1Sa } from '../sa/isakmp-sa.js';
import type { WireMessage } from '../../retransmit.js';

/** Sends an encrypted Informational with `payloads` after HASH(1). */
export function sendInformational(ctx: IkeContext, sa: Phase1Sa, payloads: readonly Payload[]): WireMessage {
  const suite = sa.suite!;
  const messageId = ctx.messageId(sa);
  const hash = informationalHash(suite.hash, sa.keys!.skeyidA, messageId, encodePayloads(payloads));
  const { message } = sa.encrypt(ExchangeType.INFORMATIONAL, [{ type: PayloadType.HASH, data: hash }, ...payloads], sa.exchangeIv(messageId), messageId);
  const w = sa.wire(message);
  ctx.out.sa(sa.connId, `sending packet to ${sa.remote.ip} (${sa.roleChar}) ${sa.state}`);
  ctx.out.push({ kind: 'send', ...w, connId: sa.connId });
  return w;
}

/**
 * Decrypts an Informational and checks HASH(1). Throws PAYLOAD-MALFORMED
 * (does not decrypt into payloads) or INVALID-HASH-INFORMATION.
 */
export function openInformational(sa: Phase1Sa, m: Inbound): Payload[] {
  const messageId = m.header.messageId;
  const d = sa.decrypt(m.header, m.body, sa.exchangeIv(messageId));
  if (d.payloads[0]?.type !== PayloadType.HASH || d.payloads.length < 2) {
    throw new IsakmpError(NotifyType.INVALID_HASH_INFORMATION, 'Informational without HASH(1) first');
  }
  const rest = d.plaintext.subarray(d.offsets[1]!, d.end);
  const expected = informationalHash(sa.suite!.hash, sa.keys!.skeyidA, messageId, rest);
  if (!equalBytes(expected, (d.payloads[0] as { data: Buffer }).data)) throw new IsakmpError(NotifyType.INVALID_HASH_INFORMATION, 'Informational HASH(1) does not verify');
  return d.payloads.slice(1);
}

/** A Notify payload in the IPsec DOI. */
export function notifyPayload(protocol: number, spi: Buffer, notifyType: number, data: Buffer = Buffer.alloc(0)): NotifyPayload {
  return { type: PayloadType.NOTIFY, doi: Doi.IPSEC, protocol, spi, notifyType, data };
}

/** Delete of an ISAKMP SA: protocol 1, SPI = CKY-I | CKY-R. */
export function deleteIsakmpPayload(sa: Phase1Sa): DeletePayload {
  return { type: PayloadType.DELETE, doi: Doi.IPSEC, protocol: ProtocolId.ISAKMP, spiSize: 16, spis: [Buffer.concat([sa.ckyI, sa.ckyR])] };
}

/** Delete of ESP SAs: protocol 3, our inbound SPIs. */
export function deleteEspPayload(spis: readonly number[]): DeletePayload {
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

/** `spi` as a 4-byte buffer. */
export function spiBytes(spi: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(spi >>> 0);
  return b;
}
