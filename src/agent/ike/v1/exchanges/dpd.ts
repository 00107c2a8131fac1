/**
 * Dead Peer Detection (RFC 3706) with IOS's `crypto isakmp keepalive S R
 * [periodic]` semantics: when nothing authenticated came from the peer for S
 * seconds (on-demand: and we sent traffic meanwhile; periodic: regardless),
 * send R-U-THERE; resend every R seconds without an ACK; after
 * `dpdRetries` unanswered messages the peer is dead and its SAs go.
 * Both sides must have sent the DPD vendor ID.
 */
import { Buffer } from 'node:buffer';
import { NotifyType, ProtocolId } from '../../../../codecs/isakmp/constants.js';
import type { NotifyPayload } from '../../../../codecs/isakmp/types.js';
import type { IkeContext } from './context.js';
import { notifyPayload, sendInformational } from './informational.js';
import type { Phase1Sa } from '../sa/isakmp-sa.js';
import type { IkePolicy } from '../../policy.js';
import type { WireMessage } from '../../retransmit.js';

function seqBytes(seq: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(seq >>> 0);
  return b;
}

function hex(seq: number): string {
  return `0x${(seq >>> 0).toString(16).toUpperCase()}`;
}

/** Whether DPD runs on this SA. */
export function dpdActive(policy: IkePolicy, sa: Phase1Sa): boolean {
  return policy.keepalive !== null && sa.established && !sa.deleted && sa.peerVendor.dpd;
}

/** When the DPD logic of this SA next needs a tick, or null. */
export function dpdDeadline(policy: IkePolicy, sa: Phase1Sa): number | null {
  const k = policy.keepalive;
  if (!k || !dpdActive(policy, sa)) return null;
  if (sa.dpd.pending) return sa.dpd.pending.sentAt + k.retrySeconds * 1000;
  if (!k.periodic && !sa.dpd.outboundSinceInbound) return null;
  return sa.dpd.lastInbound + k.seconds * 1000;
}

function sendRUThere(ctx: IkeContext, sa: Phase1Sa, seq: number): void {
  ctx.out.sa(sa.connId, `DPD R_U_THERE sent to ${sa.remote.ip}, sequence ${hex(seq)}`);
  sendInformational(ctx, sa, [notifyPayload(ProtocolId.ISAKMP, Buffer.concat([sa.ckyI, sa.ckyR]), NotifyType.R_U_THERE, seqBytes(seq))]);
}

/** Runs DPD for one SA; returns true when the peer was declared dead (the caller deletes its SAs). */
export function dpdTick(ctx: IkeContext, sa: Phase1Sa): boolean {
  const k = ctx.policy.keepalive;
  const at = dpdDeadline(ctx.policy, sa);
  if (!k || at === null || ctx.now < at) return false;
  const pending = sa.dpd.pending;
  if (pending) {
    if (pending.tries >= ctx.policy.timers.dpdRetries) {
      ctx.out.sa(sa.connId, `DPD: peer ${sa.remote.ip} not responding!`);
      return true;
    }
    const seq = sa.dpd.nextSeq++ >>> 0;
    sa.dpd.pending = { seq, sentAt: ctx.now, tries: pending.tries + 1 };
    sendRUThere(ctx, sa, seq);
    return false;
  }
  const seq = sa.dpd.nextSeq++ >>> 0;
  sa.dpd.pending = { seq, sentAt: ctx.now, tries: 1 };
  sendRUThere(ctx, sa, seq);
  return false;
}

/** R-U-THERE or R-U-THERE-ACK received (already authenticated); returns the ACK sent, if any. */
export function dpdNotify(ctx: IkeContext, sa: Phase1Sa, n: NotifyPayload): WireMessage | null {
  const seq = n.data.length === 4 ? n.data.readUInt32BE(0) : -1;
  if (n.notifyType === NotifyType.R_U_THERE) {
    ctx.out.sa(sa.connId, `DPD R_U_THERE received from peer ${sa.remote.ip}, sequence ${hex(seq)}`);
    if (seq < 0) return null;
    return sendInformational(ctx, sa, [notifyPayload(ProtocolId.ISAKMP, Buffer.concat([sa.ckyI, sa.ckyR]), NotifyType.R_U_THERE_ACK, seqBytes(seq))]);
  }
  ctx.out.sa(sa.connId, `DPD R_U_THERE_ACK received from peer ${sa.remote.ip}, sequence ${hex(seq)}`);
  const pending = sa.dpd.pending;
  // RFC 3706: an ACK for any R-U-THERE of the current round proves liveness.
  if (pending && seq >= 0 && ((pending.seq - seq) >>> 0) < pending.tries) sa.dpd.pending = null;
  return null;
}
