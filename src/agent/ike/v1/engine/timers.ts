/**
 * `engine.tick` and `engine.nextDeadline`: what the agenda (core.ts) says is
 * due, in IOS's order: the delayed purge lines, the TED probes, the tasks of
 * each due ISAKMP SA (its task manager knows them: retransmissions,
 * lifetime, DPD, NAT keepalives), then the IPsec pairs' deletions, expiries
 * and rekeys. Only what is due is looked at; the tasks tell their own
 * deadlines.
 */
import type { IkeContext } from '../exchanges/context.js';
import type { Core } from './core.js';
import { tickProbe } from './discovery.js';
import { deleteIpsec, startRekey } from './lifecycle.js';

function ids(keys: readonly string[], kind: string): number[] {
  return keys.filter((k) => k[0] === kind).map((k) => Number(k.slice(1)));
}

/** Everything due at `ctx.now`. */
export function doTick(core: Core, ctx: IkeContext): void {
  const now = ctx.now;
  const due = core.agenda.takeDue(now);
  // what was due gets its next deadline at the end of the call
  for (const key of due) if (key[0] !== 'u') core.touch(key);

  for (const n of ids(due, 'u').sort((a, b) => a - b)) {
    const p = core.takePurge(n);
    if (p) for (const l of p.lines) ctx.out.debug(l.facility, l.text);
  }

  for (const id of ids(due, 'p').sort((a, b) => a - b)) tickProbe(core, ctx, id);

  for (const id of ids(due, 's').sort((a, b) => a - b)) {
    const sa = core.t.isakmp.get(id);
    if (sa && !sa.deleted) core.tasks(sa).tick(ctx);
  }

  const records = ids(due, 'i')
    .map((spi) => core.t.ipsec.get(spi))
    .filter((r) => r !== undefined)
    .sort((a, b) => a.spec.inbound.connId - b.spec.inbound.connId);
  for (const rec of records) {
    if (core.t.ipsec.get(rec.spec.inbound.spi) !== rec) continue;
    if (rec.deleteAt !== null && now >= rec.deleteAt) deleteIpsec(core, ctx, rec, rec.deleteReason ?? 'replaced by a rekeyed SA', true);
    else if (now >= rec.expiresAt) deleteIpsec(core, ctx, rec, 'lifetime expired', true);
    else if (rec.rekeyAt !== null && now >= rec.rekeyAt && !rec.rekeying && rec.replacedBy === null) startRekey(core, ctx, rec);
  }
}

/** The earliest time `tick` has work, or null. */
export function nextDeadline(core: Core): number | null {
  core.flush();
  return core.agenda.peek();
}
