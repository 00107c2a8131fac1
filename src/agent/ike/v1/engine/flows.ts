/**
 * The end of a negotiation that produced no SA: its pending entry and SPI
 * are freed, and a failed rekey is tried again later. Shared by the SA
 * lifecycle and acquire (a flow refused, or that cannot start, before
 * anything runs for it).
 */
import type { IkeContext } from '../exchanges/context.js';
import type { FlowRequest } from '../sa/ipsec-sa.js';
import type { Core } from './core.js';

/**
 * A negotiation for a flow ended without an SA. A failed rekey is tried
 * again one phase-2 retransmission interval later (while the old pair lives),
 * never in a tight loop.
 */
export function flowEnded(core: Core, ctx: IkeContext, flow: FlowRequest): void {
  core.t.pending.delete(flow.key);
  if (flow.spi !== null) core.usedSpis.delete(flow.spi);
  if (flow.rekeyOf === null) return;
  const rec = core.t.ipsec.get(flow.rekeyOf);
  if (!rec) return;
  rec.rekeying = false;
  rec.rekeyAt = ctx.now + core.policy.timers.phase2.intervalMs < rec.expiresAt ? ctx.now + core.policy.timers.phase2.intervalMs : null;
  core.touchIpsec(rec);
}
