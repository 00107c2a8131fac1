/**
 * Quick Mode (RFC 2409 5.5), both roles, on an established ISAKMP SA:
 *
 *   QM1  HDR*, HASH(1), SA, Ni [, KE] [, IDci, IDcr]         ->
 *                    <-  QM2  HDR*, HASH(2), SA, Nr [, KE] [, IDci, IDcr] [, N(RESPONDER-LIFETIME)]
 *   QM3  HDR*, HASH(3)                                       ->
 *
 * The initiator installs its SAs on QM2 (before sending QM3), the responder
 * on QM3, as in the seed. Each direction is keyed with the SPI its receiver
 * chose. The responder checks the proposed proxies against its crypto map
 * ACLs (INVALID-ID-INFORMATION, "proxy identities not supported") and the
 * transforms against the matching entry's transform sets (NO-PROPOSAL-CHOSEN).
 */
import { NotifyType } from '../../../../../codecs/isakmp/constants.js';
import type { IkeContext, Inbound } from '../context.js';
import type { Phase1Sa } from '../../sa/isakmp-sa.js';
import { s32, type QuickMode } from './shared.js';
import { initiatorQm2 } from './initiator.js';
import { responderQm1, responderQm3 } from './responder.js';

export { QuickMode } from './shared.js';
export { startQuickMode } from './initiator.js';

/** A Quick Mode message on this SA. */
export function handleQuickMode(ctx: IkeContext, sa: Phase1Sa, m: Inbound): void {
  const mid = m.header.messageId;
  if (!m.encrypted) {
    ctx.out.drop(m.from, NotifyType.INVALID_FLAGS, 'cleartext Quick Mode message');
    return;
  }
  const qm = sa.quickModes.get(mid);
  if (!qm) {
    if (mid === 0) {
      ctx.out.drop(m.from, NotifyType.INVALID_MESSAGE_ID, 'Quick Mode with message ID 0');
      return;
    }
    return responderQm1(ctx, sa, m);
  }
  if (qm.role === 'initiator' && qm.state === 'wait-2') return initiatorQm2(ctx, sa, qm, m);
  if (qm.role === 'responder' && qm.state === 'wait-3') return responderQm3(ctx, sa, qm, m);
  ctx.out.drop(m.from, NotifyType.INVALID_MESSAGE_ID, `Quick Mode message ${s32(mid)} not expected now`);
}

/** Retransmission of a pending Quick Mode message; true when the exchange gave up. */
export function quickModeTick(ctx: IkeContext, sa: Phase1Sa, qm: QuickMode): boolean {
  const r = qm.retransmit;
  if (!r || !r.due(ctx.now)) return false;
  const mid = s32(qm.messageId);
  if (r.exhausted) {
    ctx.out.sa(sa.connId, `deleting node ${mid} error TRUE reason "death by retransmission P2"`);
    ctx.quickModeFailed(sa, qm, 0, `no answer to Quick Mode ${mid} after ${r.retransmits} retransmissions`);
    return true;
  }
  r.fire(ctx.now);
  ctx.out.sa(sa.connId, `retransmitting phase 2 ${sa.state} ${mid} ...`);
  ctx.out.sa(sa.connId, `incrementing error counter on node, attempt ${r.retransmits} of ${r.policy.maxRetransmits}: retransmit phase 2`);
  ctx.out.sa(sa.connId, `retransmitting phase 2 ${mid} ${sa.state}`);
  for (const w of r.messages) {
    ctx.out.sa(sa.connId, `sending packet to ${w.to.ip} (${sa.roleChar}) ${sa.state}`);
    ctx.out.push({ kind: 'send', ...w, connId: sa.connId });
  }
  return false;
}
