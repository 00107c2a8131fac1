/**
 * Informational exchanges under an ISAKMP SA (RFC 2408 4.8, RFC 2409 5.7):
 * one message each,
 *
 *   HDR*, HASH(1), N/D     with HASH(1) = prf(SKEYID_a, M-ID | N/D)
 *
 * under its own message ID and IV (hash of the last phase-1 block and the
 * M-ID), so it never disturbs a Quick Mode running at the same time. Before
 * keys exist a refusal travels in clear (RFC 2408 5.5). The task reads a
 * received one, says IOS's lines, and hands each notify and delete to the
 * task manager of the SA (InformationalRecipient), which routes them to the
 * exchange they concern (DPD, a waiting Quick Mode) or to the engine.
 */
import { Buffer } from 'node:buffer';
import { encodePayloads } from '../../../../codecs/isakmp/chain.js';
import { Doi, ExchangeType, NotifyType, PayloadType, ProtocolId } from '../../../../codecs/isakmp/constants.js';
import { IsakmpError } from '../../../../codecs/isakmp/errors.js';
import type { DeletePayload, NotifyPayload, Payload } from '../../../../codecs/isakmp/types.js';
import { equalBytes } from '../../../crypto/prf.js';
import type { WireMessage } from '../../retransmit.js';
import { informationalHash } from '../crypto/hashes.js';
import { signed32 } from '../debug.js';
import { errorText, IosLog, iosNotifyName, notifyOf } from '../notify.js';
import type { IsakmpSa } from '../sa/isakmp-sa.js';
import type { IkeContext } from './context.js';
import type { Exchange, Inbound, Status } from './exchange.js';

/** Where the contents of a received Informational go. */
export interface InformationalRecipient {
  /** A cleartext error notify before keys exist: the peer refused phase 1. */
  refused(ctx: IkeContext, n: NotifyPayload): void;
  /** An encrypted Informational that does not decrypt or verify before phase 1 completes (the peer's keys may differ). */
  unreadableDuringPhase1(ctx: IkeContext, m: Inbound, err: unknown): void;
  /** R-U-THERE or R-U-THERE-ACK (RFC 3706); returns the ACK sent, if any. */
  dpdNotify(ctx: IkeContext, n: NotifyPayload): WireMessage | null;
  /** INITIAL-CONTACT: the peer rebooted. */
  initialContact(ctx: IkeContext): void;
  /** An error notify (type below 8192). */
  error(ctx: IkeContext, n: NotifyPayload): void;
  /** CONNECTED (RFC 2408 3.1: the commit bit's answer as an Informational under the Quick Mode's message ID). */
  connected(ctx: IkeContext, n: NotifyPayload, messageId: number): void;
  /** A Delete: SAs the peer removed. */
  deleted(ctx: IkeContext, d: DeletePayload): void;
}

export class Informational implements Exchange {
  private constructor(
    private readonly sa: IsakmpSa,
    private readonly to: InformationalRecipient | null,
  ) {}

  /** We send one: `payloads` after HASH(1), under a fresh message ID. Over at once; returns the datagram. */
  static send(ctx: IkeContext, sa: IsakmpSa, payloads: readonly Payload[]): WireMessage {
    return new Informational(sa, null).build(ctx, payloads);
  }

  /** The peer sent one: the task reads it and hands its contents to `to`. */
  static respond(sa: IsakmpSa, to: InformationalRecipient): Informational {
    return new Informational(sa, to);
  }

  private build(ctx: IkeContext, payloads: readonly Payload[]): WireMessage {
    const sa = this.sa;
    const messageId = ctx.messageId(sa);
    const hash = informationalHash(sa.suite!.hash, sa.keys!.skeyidA, messageId, encodePayloads(payloads));
    const { message } = sa.encrypt(ExchangeType.INFORMATIONAL, [{ type: PayloadType.HASH, data: hash }, ...payloads], sa.exchangeIv(messageId), messageId);
    const w = sa.wire(message);
    ctx.out.sa(sa.connId, `sending packet to ${sa.remote.ip} (${sa.roleChar}) ${sa.state}`);
    ctx.out.push({ kind: 'send', ...w, connId: sa.connId });
    return w;
  }

  /** RFC 2409 5.7: a received Informational; cleartext error notifies before keys exist, encrypted notifies, deletes and DPD afterwards. */
  process(ctx: IkeContext, m: Inbound): Status {
    const sa = this.sa;
    const to = this.to;
    if (!to) return 'done';
    if (!m.encrypted) {
      if (sa.established) {
        ctx.out.drop(m.from, NotifyType.INVALID_FLAGS, 'cleartext Informational on an established SA');
        return 'done';
      }
      const n = m.payloads.find((p): p is NotifyPayload => p.type === PayloadType.NOTIFY);
      if (!n || n.notifyType >= 8192) {
        ctx.out.drop(m.from, NotifyType.PAYLOAD_MALFORMED, 'cleartext Informational without an error notify');
        return 'done';
      }
      ctx.out.sa(sa.connId, `processing NOTIFY ${iosNotifyName(n.notifyType)} protocol ${n.protocol}`);
      to.refused(ctx, n);
      return 'done';
    }
    if (!sa.keys) {
      ctx.out.drop(m.from, NotifyType.PAYLOAD_MALFORMED, 'encrypted Informational before keys exist');
      return 'done';
    }
    let payloads: Payload[];
    try {
      payloads = this.open(m);
    } catch (err) {
      if (!sa.established) {
        // the peer's keys differ from ours (a wrong pre-shared key): its error notify is unreadable
        to.unreadableDuringPhase1(ctx, m, err);
        return 'done';
      }
      ctx.out.log(IosLog.badMessage(m.from.ip));
      ctx.out.drop(m.from, notifyOf(err), errorText(err));
      return 'done';
    }
    const mid = signed32(m.header.messageId);
    ctx.out.sa(sa.connId, `processing HASH payload. message ID = ${mid}`);
    const replies = [];
    for (const p of payloads) {
      // a Delete of this very SA ends it: what follows in the message has no SA left to act on
      if (sa.deleted) break;
      if (p.type === PayloadType.NOTIFY) {
        const n = p as NotifyPayload;
        if (n.notifyType === NotifyType.R_U_THERE || n.notifyType === NotifyType.R_U_THERE_ACK) {
          const w = to.dpdNotify(ctx, n);
          if (w) replies.push(w);
          continue;
        }
        ctx.out.sa(sa.connId, `processing NOTIFY ${iosNotifyName(n.notifyType)} protocol ${n.protocol}`);
        if (n.notifyType === NotifyType.INITIAL_CONTACT) to.initialContact(ctx);
        else if (n.notifyType === NotifyType.CONNECTED) to.connected(ctx, n, m.header.messageId);
        else if (n.notifyType < 8192) to.error(ctx, n);
      } else if (p.type === PayloadType.DELETE) {
        ctx.out.sa(sa.connId, `processing DELETE payload. message ID = ${mid}`);
        to.deleted(ctx, p as DeletePayload);
      }
    }
    if (!sa.deleted) sa.remember(m.message, replies);
    return 'done';
  }

  /**
   * Decrypts with the exchange's IV and checks HASH(1). Throws PAYLOAD-MALFORMED
   * (does not decrypt into payloads) or INVALID-HASH-INFORMATION.
   */
  private open(m: Inbound): Payload[] {
    const sa = this.sa;
    const messageId = m.header.messageId;
    const d = sa.decrypt(m.header, m.body, sa.exchangeIv(messageId));
    if (d.payloads[0]?.type !== PayloadType.HASH || d.payloads.length < 2) {
      throw new IsakmpError(NotifyType.INVALID_HASH_INFORMATION, 'Informational without HASH(1) first');
    }
    const rest = d.plaintext.subarray(d.offsets[1]!, d.end);
    const expected = informationalHash(sa.suite!.hash, sa.keys!.skeyidA, messageId, rest);
    if (!equalBytes(expected, (d.payloads[0] as { data: Buffer }).data))
      throw new IsakmpError(NotifyType.INVALID_HASH_INFORMATION, 'Informational HASH(1) does not verify');
    return d.payloads.slice(1);
  }

  /** One message, nothing to wait for. */
  deadline(): null {
    return null;
  }

  tick(): Status {
    return 'done';
  }

  abort(): void {}
}

/** A Notify payload in the IPsec DOI. */
export function notifyPayload(protocol: number, spi: Buffer, notifyType: number, data: Buffer = Buffer.alloc(0)): NotifyPayload {
  return { type: PayloadType.NOTIFY, doi: Doi.IPSEC, protocol, spi, notifyType, data };
}

/** Delete of an ISAKMP SA: protocol 1, SPI = CKY-I | CKY-R. */
export function deleteIsakmpPayload(sa: IsakmpSa): DeletePayload {
  return { type: PayloadType.DELETE, doi: Doi.IPSEC, protocol: ProtocolId.ISAKMP, spiSize: 16, spis: [Buffer.concat([sa.ckyI, sa.ckyR])] };
}

/** Delete of ESP SAs: protocol 3, our inbound SPIs. */
export function deleteEspPayload(spis: readonly number[]): DeletePayload {
  return { type: PayloadType.DELETE, doi: Doi.IPSEC, protocol: ProtocolId.ESP, spiSize: 4, spis: spis.map(spiBytes) };
}

/** `spi` as a 4-byte buffer. */
export function spiBytes(spi: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(spi >>> 0);
  return b;
}
