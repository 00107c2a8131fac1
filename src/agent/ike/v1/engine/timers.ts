/**
 * `engine.tick` and `engine.nextDeadline`: IOS's delayed purge lines, the
 * TED probes, the tasks of every ISAKMP SA (its task manager knows them:
 * retransmissions, lifetime, DPD, NAT keepalives), and the IPsec SA pairs'
 * lifetimes and rekeys. The tasks tell their own deadlines.
 */
import type { IkeContext } from '../exchanges/context.js';
import type { Core } from './core.js';
import { probeDeadline, tickProbes } from './discovery.js';
import { deleteIpsec, startRekey } from './lifecycle.js';

/** Everything due at `ctx.now`. */
export function doTick(core: Core, ctx: IkeContext): void {
  const now = ctx.now;
  const due = core.t.purges.filter((p) => p.at <= now);
  core.t.purges.splice(0, core.t.purges.length, ...core.t.purges.filter((p) => p.at > now));
  for (const p of due) for (const l of p.lines) ctx.out.debug(l.facility, l.text);

  tickProbes(core, ctx);

  for (const sa of [...core.t.isakmp.values()]) {
    if (sa.deleted) continue;
    core.tasks(sa).tick(ctx);
  }

  for (const rec of [...core.t.ipsec.values()]) {
    if (!core.t.ipsec.has(rec.spec.inbound.spi)) continue;
    if (rec.deleteAt !== null && now >= rec.deleteAt) deleteIpsec(core, ctx, rec, 'replaced by a rekeyed SA', true);
    else if (now >= rec.expiresAt) deleteIpsec(core, ctx, rec, 'lifetime expired', true);
    else if (rec.rekeyAt !== null && now >= rec.rekeyAt && !rec.rekeying && rec.replacedBy === null) startRekey(core, ctx, rec);
  }
}

/** The earliest time `tick` has work, or null. */
export function nextDeadline(core: Core): number | null {
  let best: number | null = null;
  const at = (x: number | null) => {
    if (x !== null && (best === null || x < best)) best = x;
  };
  for (const p of core.t.purges) at(p.at);
  at(probeDeadline(core));
  for (const sa of core.t.isakmp.values()) at(core.tasks(sa).deadline(core.policy));
  for (const r of core.t.ipsec.values()) {
    at(r.expiresAt);
    at(r.deleteAt);
    if (!r.rekeying && r.replacedBy === null) at(r.rekeyAt);
  }
  return best;
}
