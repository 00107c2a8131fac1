/**
 * `engine.noteTraffic`: the bytes the datapath counted on each IPsec SA.
 * They age the pair toward its kilobyte lifetime (rekey at the configured
 * fraction, IOS 90 %; delete at 100 %) and tell DPD whether the peer is
 * alive (inbound ESP) or we are talking into silence (outbound only).
 */
import type { TrafficNote } from '../../types.js';
import type { IkeContext } from '../exchanges/context.js';
import { peerKey } from '../sa/peer.js';
import type { Core } from './core.js';
import { deleteIpsec, startRekey } from './lifecycle.js';

export function noteTraffic(core: Core, ctx: IkeContext, notes: readonly TrafficNote[]): void {
  const now = ctx.now;
  for (const n of notes) {
    const rec = n.direction === 'inbound' ? core.t.ipsec.get(n.spi) : core.ipsec.byOutbound(n.spi);
    if (!rec) continue;
    if (n.direction === 'inbound') rec.bytesIn += n.bytes;
    else rec.bytesOut += n.bytes;
    rec.lastUsed = now;
    for (const sa of core.peerSas(rec.spec.peer)) {
      if (peerKey(sa) !== rec.peerKey) continue;
      // DPD reads liveness: the SA's deadline moves
      core.touch(`s${sa.connId}`);
      if (n.direction === 'inbound') {
        sa.liveness.lastInbound = now;
        sa.liveness.outboundSinceInbound = false;
      } else sa.liveness.outboundSinceInbound = true;
    }
    const used = Math.max(rec.bytesIn, rec.bytesOut);
    const limit = rec.spec.lifetime.kilobytes * 1024;
    if (used >= limit) {
      deleteIpsec(core, ctx, rec, 'kilobyte lifetime expired', true);
    } else if (used >= limit * core.policy.timers.rekeyVolumeFraction && !rec.rekeying && rec.replacedBy === null) {
      startRekey(core, ctx, rec);
    }
  }
}
