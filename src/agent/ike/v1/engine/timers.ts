/**
 * `engine.tick` and `engine.nextDeadline`: retransmissions (phase 1, Quick
 * Mode, TED probes), lifetimes (ISAKMP and IPsec), rekeys, DPD, NAT
 * keepalives, and the delayed purge lines.
 */
import { Buffer } from 'node:buffer';
import type { IkeContext } from '../exchanges/context.js';
import type { Core } from './core.js';
import { notifyName } from '../notify.js';
import { dpdActive, dpdDeadline, dpdTick } from '../exchanges/dpd.js';
import type { Phase1Sa } from '../sa/isakmp-sa.js';
import { deleteIpsec, deletePhase1, peerDead, schedulePurge, startRekey } from './lifecycle.js';
import { probeTick } from '../exchanges/ted.js';

/** Everything due at `ctx.now`. */
export function doTick(core: Core, ctx: IkeContext): void {
  const now = ctx.now;
  const due = core.t.purges.filter((p) => p.at <= now);
  core.t.purges.splice(0, core.t.purges.length, ...core.t.purges.filter((p) => p.at > now));
  for (const p of due) for (const l of p.lines) ctx.out.debug(l.facility, l.text);

  for (const probe of [...core.t.probes.values()]) {
    if (!probeTick(ctx, probe)) continue;
    core.t.probes.delete(probe.connId);
    core.t.pending.delete(probe.flow.key);
    ctx.out.sa(probe.connId, `deleting SA reason "death by retransmission P1" state (I) PEER_DISCOVERY (peer ${probe.target}) input queue 0`);
    schedulePurge(core, ctx, probe.connId, false);
    ctx.out.push({ kind: 'fail', phase: 'ted', connId: probe.connId, peer: probe.target, notify: 0, notifyName: notifyName(0), reason: `no answer to the peer discovery probe toward ${probe.target}` });
  }

  for (const sa of [...core.t.phase1.values()]) {
    if (sa.deleted) continue;
    core.tasks(sa).tick(ctx);
    if (sa.deleted || !sa.established) continue;
    if (sa.expiresAt !== null && now >= sa.expiresAt) {
      deletePhase1(core, ctx, sa, 'SA lifetime expired', true);
      continue;
    }
    if (dpdActive(ctx.policy, sa) && dpdTick(ctx, sa)) {
      peerDead(core, ctx, sa);
      continue;
    }
    natKeepalive(ctx, sa);
  }

  for (const rec of [...core.t.ipsec.values()]) {
    if (!core.t.ipsec.has(rec.spec.inbound.spi)) continue;
    if (rec.deleteAt !== null && now >= rec.deleteAt) deleteIpsec(core, ctx, rec, 'replaced by a rekeyed SA', true);
    else if (now >= rec.expiresAt) deleteIpsec(core, ctx, rec, 'lifetime expired', true);
    else if (rec.rekeyAt !== null && now >= rec.rekeyAt && !rec.rekeying && rec.replacedBy === null) startRekey(core, ctx, rec);
  }
}

/**
 * RFC 3948 2.3: behind a NAT, a one-byte 0xFF datagram on the UDP 4500 flow
 * every `crypto isakmp nat keepalive` seconds keeps the mapping open.
 */
function natKeepalive(ctx: IkeContext, sa: Phase1Sa): void {
  if (sa.natKeepaliveAt === null || ctx.now < sa.natKeepaliveAt) return;
  ctx.out.push({ kind: 'send', from: sa.local, to: sa.remote, payload: Buffer.from([0xff]), connId: sa.connId });
  sa.natKeepaliveAt = ctx.now + (ctx.policy.natKeepaliveSeconds ?? 20) * 1000;
}

/** The earliest time `tick` has work, or null. */
export function nextDeadline(core: Core): number | null {
  let best: number | null = null;
  const at = (x: number | null | undefined) => {
    if (x !== null && x !== undefined && (best === null || x < best)) best = x;
  };
  for (const p of core.t.purges) at(p.at);
  for (const p of core.t.probes.values()) at(p.retransmit.nextAt);
  for (const sa of core.t.phase1.values()) {
    at(sa.expiresAt);
    at(core.tasks(sa).deadline());
    at(dpdDeadline(core.policy, sa));
    at(sa.natKeepaliveAt);
  }
  for (const r of core.t.ipsec.values()) {
    at(r.expiresAt);
    at(r.deleteAt);
    if (!r.rekeying && r.replacedBy === null) at(r.rekeyAt);
  }
  return best;
}
