/**
 * Quick Mode (RFC 2409 5.5), both roles, as one task per exchange on an
 * established ISAKMP SA:
 *
 *   QM1  HDR*, HASH(1), SA, Ni [, KE] [, IDci, IDcr]         ->
 *                    <-  QM2  HDR*, HASH(2), SA, Nr [, KE] [, IDci, IDcr] [, N(RESPONDER-LIFETIME)]
 *   QM3  HDR*, HASH(3)                                       ->
 *
 * The initiator installs its SAs on QM2 (before sending QM3), the responder
 * on QM3, as in the seed. With the commit bit (RFC 2408 3.1, commit.ts) a
 * fourth message follows: QM4 HDR*, HASH(4), N(CONNECTED) from the
 * responder, after which the initiator installs. Each direction is keyed with the SPI its receiver
 * chose. The responder checks the proposed proxies against its crypto map
 * ACLs (INVALID-ID-INFORMATION, "proxy identities not supported") and the
 * transforms against the matching entry's transform sets (NO-PROPOSAL-CHOSEN).
 * The task owns the exchange's nonces, PFS key pair, IV chain, SPIs and
 * retransmission (QmState); initiator.ts and responder.ts hold the messages.
 */
import { NotifyType } from '../../../../../codecs/isakmp/constants.js';
import type { CryptoMapEntryPolicy } from '../../../policy.js';
import type { Role } from '../../../types.js';
import { iosNotifyName } from '../../notify.js';
import type { IsakmpSa } from '../../sa/isakmp-sa.js';
import type { FlowRequest } from '../../sa/ipsec-sa.js';
import type { IkeContext } from '../context.js';
import type { Exchange, Inbound, Status } from '../exchange.js';
import { initiatorQm1, initiatorQm2, initiatorQm4, installHeld } from './initiator.js';
import { responderQm1, responderQm3 } from './responder.js';
import { endOf, s32, type QmState } from './shared.js';
import type { Retransmitter, WireMessage } from '../../../retransmit.js';

export class QuickMode implements Exchange {
  private constructor(
    private readonly sa: IsakmpSa,
    readonly messageId: number,
    readonly role: Role,
    /** Null for a responder until QM1 was accepted. */
    private st: QmState | null,
  ) {}

  /** We start Quick Mode for a flow with the transform sets of its crypto map entry: QM1 goes out. */
  static initiate(ctx: IkeContext, sa: IsakmpSa, flow: FlowRequest, entry: CryptoMapEntryPolicy, firstAfterPhase1: boolean): QuickMode {
    const st = initiatorQm1(ctx, sa, flow, entry, firstAfterPhase1);
    return new QuickMode(sa, st.messageId, 'initiator', st);
  }

  /** The peer starts Quick Mode with message ID `messageId`: the task takes QM1 next. */
  static respond(sa: IsakmpSa, messageId: number): QuickMode {
    return new QuickMode(sa, messageId, 'responder', null);
  }

  /** Our inbound SPI (0 before a responder accepted QM1). */
  get ourSpi(): number {
    return this.st?.ourSpi ?? 0;
  }

  /** The flow this side asked for (initiator), else null. */
  get flow(): FlowRequest | null {
    return this.st?.flow ?? null;
  }

  /** An initiator holding its pair until the responder's CONNECTED (the commit bit). */
  get awaitingConnected(): boolean {
    return this.role === 'initiator' && this.st?.expect === 'QM4';
  }

  /** The responder's SPI (0 before QM2). */
  get peerSpi(): number {
    return this.st?.peerSpi ?? 0;
  }

  /** CONNECTED came in an Informational (RFC 2408 3.1's form): the held pair is installed. */
  connected(ctx: IkeContext): Status {
    const st = this.st;
    if (!st || st.role !== 'initiator' || st.expect !== 'QM4') return 'running';
    return installHeld(ctx, this.sa, st);
  }

  /** An initiator waiting for QM2: an error notify from the peer may be its answer. */
  get awaitingAnswer(): boolean {
    return this.role === 'initiator' && this.st?.expect === 'QM2';
  }

  process(ctx: IkeContext, m: Inbound): Status {
    const st = this.st;
    if (st === null) {
      this.st = responderQm1(ctx, this.sa, m);
      return this.st ? 'running' : 'done';
    }
    if (st.role === 'initiator' && st.expect === 'QM2') return initiatorQm2(ctx, this.sa, st, m);
    if (st.role === 'initiator' && st.expect === 'QM4') return initiatorQm4(ctx, this.sa, st, m);
    if (st.role === 'responder' && st.expect === 'QM3') return responderQm3(ctx, this.sa, st, m);
    ctx.out.drop(m.from, NotifyType.INVALID_MESSAGE_ID, `Quick Mode message ${s32(this.messageId)} not expected now`);
    return 'running';
  }

  deadline(): number | null {
    return this.st?.retransmit?.nextAt ?? null;
  }

  /** Our last message went out again as the answer to the peer's duplicate: the timer's next resend waits one interval from now. */
  resent(now: number, sent: readonly WireMessage[]): void {
    const r = this.st?.retransmit;
    if (r?.holds(sent)) r.sentAgain(now);
  }

  /** Resends our last message when due (skipped when it went out less than one interval ago); gives up after the last resend ("death by retransmission P2"). */
  tick(ctx: IkeContext): Status {
    const st = this.st;
    const r = st?.retransmit;
    if (!st || !r || !r.due(ctx.now)) return 'running';
    const sa = this.sa;
    const mid = s32(this.messageId);
    const since = r.skip(ctx.now);
    if (since !== null) {
      ctx.out.sa(sa.connId, `retransmission skipped for phase 2 (time since last transmission ${since})`);
      r.postpone();
      return 'running';
    }
    if (r.exhausted) {
      ctx.out.sa(sa.connId, `deleting node ${mid} error TRUE reason "death by retransmission P2"`);
      st.expect = null;
      ctx.quickModeFailed(sa, endOf(st), 0, `no answer to Quick Mode ${mid} after ${r.retransmits} retransmissions`);
      return 'done';
    }
    this.resend(ctx, r);
    return 'running';
  }

  /**
   * Our Aggressive Mode message 3 went out again as the answer to the peer's
   * duplicate message 2 (the peer had not got it): our QM1, still unanswered,
   * follows it at once, and again after `quickAfterAggressiveMs` in case the
   * peer took it up before AM3.
   */
  followPhase1(ctx: IkeContext): void {
    const st = this.st;
    const r = st?.retransmit;
    if (!st || !r || st.role !== 'initiator' || st.expect !== 'QM2' || r.exhausted) return;
    this.resend(ctx, r);
    r.soon(ctx.now, ctx.policy.timers.quickAfterAggressiveMs);
  }

  private resend(ctx: IkeContext, r: Retransmitter): void {
    const sa = this.sa;
    const mid = s32(this.messageId);
    r.fire(ctx.now);
    ctx.out.sa(sa.connId, `retransmitting phase 2 ${sa.state} ${mid} ...`);
    ctx.out.sa(sa.connId, `incrementing error counter on node, attempt ${r.retransmits} of ${r.policy.maxRetransmits}: retransmit phase 2`);
    ctx.out.sa(sa.connId, `retransmitting phase 2 ${mid} ${sa.state}`);
    for (const w of r.messages) {
      ctx.out.sa(sa.connId, `sending packet to ${w.to.ip} (${sa.roleChar}) ${sa.state}`);
      ctx.out.push({ kind: 'send', ...w, connId: sa.connId });
    }
  }

  /** The peer answered our QM1 with an error notify: the exchange fails with it. */
  refused(ctx: IkeContext, notify: number): Status {
    const st = this.st;
    if (!st) return 'done';
    ctx.out.sa(this.sa.connId, `deleting node ${s32(this.messageId)} error TRUE reason "${iosNotifyName(notify)}"`);
    st.expect = null;
    ctx.quickModeFailed(this.sa, endOf(st), notify, `the peer answered ${iosNotifyName(notify)}`);
    return 'done';
  }

  /** The ISAKMP SA goes away: our SPI is free again (the engine ends the flow). */
  abort(ctx: IkeContext): void {
    if (this.st) ctx.releaseSpi(this.st.ourSpi);
  }
}
