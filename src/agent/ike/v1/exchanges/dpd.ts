/**
 * Dead Peer Detection (RFC 3706) with IOS's `crypto isakmp keepalive S R
 * [periodic]` semantics, as a task of the ISAKMP SA: when nothing
 * authenticated came from the peer for S seconds (on-demand: and we sent
 * traffic meanwhile; periodic: regardless), send R-U-THERE; resend every R
 * seconds without an ACK; after `dpdRetries` unanswered messages the peer
 * is dead and its SAs go. Both sides must have sent the DPD vendor ID. The
 * task owns the sequence numbers and the R-U-THERE in flight; what proves
 * the peer alive (the SA's liveness) is kept on the SA.
 */
import { Buffer } from 'node:buffer';
import { NotifyType, ProtocolId } from '../../../../codecs/isakmp/constants.js';
import type { NotifyPayload } from '../../../../codecs/isakmp/types.js';
import type { IkePolicy } from '../../policy.js';
import type { WireMessage } from '../../retransmit.js';
import type { IsakmpSa } from '../sa/isakmp-sa.js';
import type { IkeContext } from './context.js';
import type { Status, Task } from './exchange.js';
import { Informational, notifyPayload } from './informational.js';

function seqBytes(seq: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(seq >>> 0);
  return b;
}

function hex(seq: number): string {
  return `0x${(seq >>> 0).toString(16).toUpperCase()}`;
}

export class Dpd implements Task {
  /** The R-U-THERE in flight: its sequence number, when it went, how many of this round. */
  private pending: { seq: number; sentAt: number; tries: number } | null = null;

  constructor(
    private readonly sa: IsakmpSa,
    /** Sequence number of the next R-U-THERE. */
    private nextSeq: number,
  ) {}

  /** Whether DPD runs on this SA: keepalives configured, the SA up, the peer announced DPD. */
  private active(policy: IkePolicy): boolean {
    return policy.keepalive !== null && this.sa.established && !this.sa.deleted && this.sa.peerVendor.dpd;
  }

  deadline(policy: IkePolicy): number | null {
    const k = policy.keepalive;
    if (!k || !this.active(policy)) return null;
    if (this.pending) return this.pending.sentAt + k.retrySeconds * 1000;
    const live = this.sa.liveness;
    if (!k.periodic && !live.outboundSinceInbound) return null;
    return live.lastInbound + k.seconds * 1000;
  }

  /** Sends R-U-THERE when due; declares the peer dead after the last one went unanswered. */
  tick(ctx: IkeContext): Status {
    const k = ctx.policy.keepalive;
    const at = this.deadline(ctx.policy);
    if (!k || at === null || ctx.now < at) return 'running';
    const pending = this.pending;
    if (pending) {
      if (pending.tries >= ctx.policy.timers.dpdRetries) {
        ctx.out.sa(this.sa.connId, `DPD: peer ${this.sa.remote.ip} not responding!`);
        ctx.peerDead(this.sa);
        return 'done';
      }
      const seq = this.nextSeq++ >>> 0;
      this.pending = { seq, sentAt: ctx.now, tries: pending.tries + 1 };
      this.send(ctx, seq);
      return 'running';
    }
    const seq = this.nextSeq++ >>> 0;
    this.pending = { seq, sentAt: ctx.now, tries: 1 };
    this.send(ctx, seq);
    return 'running';
  }

  private send(ctx: IkeContext, seq: number): void {
    const sa = this.sa;
    ctx.out.sa(sa.connId, `DPD R_U_THERE sent to ${sa.remote.ip}, sequence ${hex(seq)}`);
    Informational.send(ctx, sa, [notifyPayload(ProtocolId.ISAKMP, Buffer.concat([sa.ckyI, sa.ckyR]), NotifyType.R_U_THERE, seqBytes(seq))]);
  }

  /** RFC 3706 5: R-U-THERE or R-U-THERE-ACK received (already authenticated); returns the ACK sent, if any. */
  received(ctx: IkeContext, n: NotifyPayload): WireMessage | null {
    const sa = this.sa;
    const seq = n.data.length === 4 ? n.data.readUInt32BE(0) : -1;
    if (n.notifyType === NotifyType.R_U_THERE) {
      ctx.out.sa(sa.connId, `DPD R_U_THERE received from peer ${sa.remote.ip}, sequence ${hex(seq)}`);
      if (seq < 0) return null;
      return Informational.send(ctx, sa, [notifyPayload(ProtocolId.ISAKMP, Buffer.concat([sa.ckyI, sa.ckyR]), NotifyType.R_U_THERE_ACK, seqBytes(seq))]);
    }
    ctx.out.sa(sa.connId, `DPD R_U_THERE_ACK received from peer ${sa.remote.ip}, sequence ${hex(seq)}`);
    const pending = this.pending;
    // RFC 3706: an ACK for any R-U-THERE of the current round proves liveness.
    if (pending && seq >= 0 && (pending.seq - seq) >>> 0 < pending.tries) this.pending = null;
    return null;
  }

  abort(): void {
    this.pending = null;
  }
}
