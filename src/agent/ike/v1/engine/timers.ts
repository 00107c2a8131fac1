/**
 * `engine.tick` and `engine.nextDeadline`: IOS's delayed purge lines, the
 * TED probes, the tasks of every ISAKMP SA (its task manager knows them:
 * retransmissions, lifetime, DPD, NAT keepalives), and the IPsec SA pairs'
 * lifetimes and rekeys. The tasks tell their own deadlines; the core keeps
 * the SAs' and pairs' deadlines in heaps (deadlines.ts), so a tick visits
 * only what is due and the next deadline costs O(log n), whatever the size
 * of the tables.
 */
import type { IkeContext } from '../exchanges/context.js';
import type { Core } from './core.js';
import { probeDeadline, tickProbes } from './discovery.js';
import { deleteIpsec, startRekey } from './lifecycle.js';

/** Everything due at `ctx.now`. */
export function doTick(core: Core, ctx: IkeContext): void {
  const now = ctx.now;
  const purges = core.t.purges;
  let due = 0;
  while (due < purges.length && purges[due]!.at <= now) due++;
  for (const p of purges.splice(0, due)) for (const l of p.lines) ctx.out.debug(l.facility, l.text);

  tickProbes(core, ctx);

  for (const sa of core.dueSas(now)) {
    if (sa.deleted || core.t.isakmp.get(sa.connId) !== sa) continue;
    core.tasks(sa).tick(ctx);
  }

  for (const rec of core.dueIpsec(now)) {
    if (core.t.ipsec.get(rec.spec.inbound.spi) !== rec) continue;
    if (rec.deleteAt !== null && now >= rec.deleteAt) deleteIpsec(core, ctx, rec, 'replaced by a rekeyed SA', true);
    else if (now >= rec.expiresAt) deleteIpsec(core, ctx, rec, 'lifetime expired', true);
    else if (rec.rekeyAt !== null && now >= rec.rekeyAt && !rec.rekeying && rec.replacedBy === null) startRekey(core, ctx, rec);
  }
}

/** The earliest time `tick` has work, or null. */
export function nextDeadline(core: Core): number | null {
  let best: number | null = core.t.purges[0]?.at ?? null;
  for (const at of [probeDeadline(core), core.nextSaDeadline()]) {
    if (at !== null && (best === null || at < best)) best = at;
  }
  return best;
}
