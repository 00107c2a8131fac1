/**
 * Life and death of the engine's SAs: phase 1 established or gone, IPsec
 * pairs installed, rekeyed and deleted (with Delete notifications, sent and
 * received), the responder's crypto map lookup, INITIAL-CONTACT, DPD death,
 * the dynamic crypto map instances and IOS's delayed "purging SA" lines.
 * The exchanges reach these through the context's hooks.
 */
import { ProtocolId } from '../../../../codecs/isakmp/constants.js';
import type { DeletePayload } from '../../../../codecs/isakmp/types.js';
import { negotiate, startQm } from './acquire.js';
import type { IkeContext, QuickModeEnd } from '../exchanges/context.js';
import { type Core, pseudoAddress, refText } from './core.js';
import { hexSpi } from '../debug.js';
import { IosLog, notifyName } from '../notify.js';
import { deleteEspPayload, deleteIsakmpPayload, Informational } from '../exchanges/informational.js';
import type { IsakmpSa } from '../sa/isakmp-sa.js';
import type { FlowRequest } from '../sa/ipsec-sa.js';
import { type CryptoMapEntryPolicy, type CryptoMapPolicy, findEntry, mapLocalAddress } from '../../policy.js';
import { flowKey, ruleCovers, sameProxy } from '../../proxies.js';
import type { IpsecRecord } from '../sa/ipsec-sa.js';
import { flowOf, peerKey, samePeer } from '../sa/peer.js';
import type { IpsecSaSpec, Proxies } from '../../types.js';
import { refuse } from './bounds.js';
import { flowEnded } from './flows.js';

/**
 * Phase 1 is up: lifetime, the tasks of an established SA (DPD, NAT
 * keepalives), phase1-up, then the queued flows. When the peer already has
 * `phase1PerPeer` established SAs, this one is deleted at once (with a
 * Delete): the ones in use stay, as IOS's call admission keeps existing SAs.
 */
export function phase1Established(core: Core, ctx: IkeContext, sa: IsakmpSa): void {
  core.noteEstablished(sa);
  sa.established = true;
  sa.state = 'QM_IDLE';
  sa.establishedAt = ctx.now;
  sa.expiresAt = ctx.now + (sa.suite?.lifetimeSeconds ?? 86400) * 1000;
  const tasks = core.tasks(sa);
  tasks.established(ctx);
  ctx.out.push({ kind: 'phase1-up', connId: sa.connId, local: sa.local, remote: sa.remote, role: sa.role, mode: sa.mode });
  const limit = core.policy.limits.phase1PerPeer;
  const others = core.peerSas(sa.remote.ip).filter((s) => s !== sa && s.established && samePeer(s, sa));
  if (others.length >= limit) {
    refuse(core, ctx, 'phase1PerPeer', `${limit} ISAKMP SAs with ${peerKey(sa)}: conn ${sa.connId} deleted`);
    deletePhase1(core, ctx, sa, 'too many ISAKMP SAs with the peer', true);
    return;
  }
  const queued = tasks.queue.splice(0);
  for (const flow of queued) startQm(core, ctx, sa, flow);
}

/** Removes an ISAKMP SA (IOS "deleting SA reason ..."), fails its flows; its IPsec SAs stay. */
export function phase1Gone(core: Core, ctx: IkeContext, sa: IsakmpSa, reason: string, failure: { notify: number; why: string } | null): void {
  if (sa.deleted) return;
  sa.deleted = true;
  if (!sa.peerVendor.dpd) ctx.out.sa(sa.connId, 'peer does not do paranoid keepalives.');
  ctx.out.sa(sa.connId, `deleting SA reason "${reason}" state (${sa.roleChar}) ${sa.state} (peer ${sa.remote.ip}) input queue 0`);
  const flows = core.tasks(sa).abort(ctx);
  core.removeSa(sa);
  schedulePurge(core, ctx, sa.connId, false);
  if (failure) {
    ctx.out.push({
      kind: 'fail',
      phase: 1,
      connId: sa.connId,
      peer: sa.remote.ip,
      notify: failure.notify,
      notifyName: notifyName(failure.notify),
      reason: failure.why,
    });
  }
  for (const flow of flows) flowEnded(core, ctx, flow);
  if (sa.established) ctx.out.push({ kind: 'phase1-down', connId: sa.connId, remote: sa.remote, reason });
  dropInstances(core);
}

/** Sends a Delete for the SA (when it is up) and removes it. */
export function deletePhase1(core: Core, ctx: IkeContext, sa: IsakmpSa, reason: string, notifyPeer: boolean): void {
  if (notifyPeer && sa.established && sa.keys) Informational.send(ctx, sa, [deleteIsakmpPayload(sa)]);
  phase1Gone(core, ctx, sa, reason, null);
}

/** Whether anything else exists with this peer (no INITIAL-CONTACT then). */
export function hasOtherSas(core: Core, sa: IsakmpSa): boolean {
  return core.peerSas(sa.remote.ip).some((s) => s !== sa && samePeer(s, sa)) || core.ipsecOfPeer(peerKey(sa)).length > 0;
}

/** The peer rebooted: every older SA with that same peer (sa/peer.ts) goes, without Delete notifications; no other peer's. */
export function initialContact(core: Core, ctx: IkeContext, sa: IsakmpSa): void {
  for (const other of core.peerSas(sa.remote.ip)) {
    if (other !== sa && samePeer(other, sa)) phase1Gone(core, ctx, other, 'Initial contact', null);
  }
  for (const rec of core.ipsecOfPeer(peerKey(sa))) {
    if (rec.installedAt < sa.createdAt) deleteIpsec(core, ctx, rec, 'initial contact', false);
  }
}

/** The crypto map entry whose ACL covers the proposed proxies (mirrored) and accepts this peer. */
export function responderEntry(core: Core, sa: IsakmpSa, proxies: Proxies): { map: CryptoMapPolicy; entry: CryptoMapEntryPolicy; iface: string } | null {
  const onAddress = core.policy.cryptoMaps.filter((m) => mapLocalAddress(m) === sa.local.ip || m.interfaces.some((i) => i.address === sa.local.ip));
  const maps = onAddress.length > 0 ? onAddress : core.policy.cryptoMaps;
  for (const map of maps) {
    for (const entry of map.entries) {
      if (!entry.acl) continue;
      if (entry.kind === 'static' && !entry.peers.includes(sa.remote.ip)) continue;
      for (const rule of entry.acl.entries) {
        if (rule.type !== 'rule') continue;
        if (!ruleCovers({ ...rule, action: 'permit' }, proxies)) continue;
        if (rule.action !== 'permit') break;
        const iface = map.interfaces.find((i) => i.address === sa.local.ip)?.name ?? map.interfaces[0]?.name ?? '';
        return { map, entry, iface };
      }
    }
  }
  return null;
}

/**
 * Records a negotiated pair and tells the driver to install it. The pairs of
 * one flow (peer and proxies) replace each other: the newest carries the
 * traffic. Our own rekey: the old pair is deleted (with a Delete to the peer)
 * shortly after, at the latest when it expires. The peer's new pair for the
 * flow (its rekey, or a Quick Mode for a flow that has a pair): the peer
 * deletes the old one; both stay usable meanwhile, so simultaneous
 * negotiations never lose both. IOS lists such pairs side by side under the
 * flow in `show crypto ipsec sa` and sends with the newest ("current
 * outbound spi"). Beyond `ipsecPairsPerFlow` pairs the oldest replaced ones
 * are deleted (with a Delete), so a peer that never deletes cannot pile them up.
 */
export function installIpsec(core: Core, ctx: IkeContext, sa: IsakmpSa, flow: FlowRequest | null, spec: IpsecSaSpec): void {
  const timers = core.policy.timers;
  const expiresAt = ctx.now + spec.lifetime.seconds * 1000;
  const rekeyAt = spec.role === 'initiator' ? Math.max(ctx.now, expiresAt - timers.rekeyBeforeMs) : null;
  const peer = peerKey(sa);
  const key = flowOf(peer, spec.proxies);
  const rekeyOf = flow?.rekeyOf ?? null;
  const old = rekeyOf !== null ? core.t.ipsec.get(rekeyOf) : core.pairsOf(key).find((r) => r.replacedBy === null);
  let replaces: { inboundSpi: number; outboundSpi: number } | null = null;
  if (old) {
    old.replacedBy = spec.inbound.spi;
    old.rekeying = false;
    if (rekeyOf !== null) old.deleteAt = Math.min(old.expiresAt, ctx.now + timers.oldSaGraceMs);
    replaces = { inboundSpi: old.spec.inbound.spi, outboundSpi: old.spec.outbound.spi };
    core.touchIpsec(old.spec.inbound.spi);
  }
  core.addIpsec({ spec, peerKey: peer, flow: key, installedAt: ctx.now, expiresAt, rekeyAt, rekeying: false, replacedBy: null, deleteAt: null, bytesIn: 0, bytesOut: 0, lastUsed: ctx.now });
  core.usedSpis.add(spec.inbound.spi);
  if (flow) core.t.pending.delete(flow.key);
  const found = findEntry(core.policy, spec.cryptoMap);
  if (found) ensureInstance(core, ctx, found.entry, spec.peer, spec.proxies, 'negotiated');
  ctx.out.push({ kind: 'install-ipsec', sa: spec, replaces });
  const limit = core.policy.limits.ipsecPairsPerFlow;
  for (;;) {
    const pairs = core.pairsOf(key);
    const oldest = pairs.find((r) => r.replacedBy !== null);
    if (pairs.length <= limit || !oldest) break;
    refuse(core, ctx, 'ipsecPairsPerFlow', `${limit} SA pairs for ${key}: the oldest, spi ${hexSpi(oldest.spec.inbound.spi)}, deleted`);
    deleteIpsec(core, ctx, oldest, 'too many SAs for the flow', true);
  }
}

/** A Quick Mode ended without SAs. */
export function quickModeFailed(core: Core, ctx: IkeContext, sa: IsakmpSa, end: QuickModeEnd, notify: number, why: string): void {
  core.usedSpis.delete(end.spi);
  if (end.flow) flowEnded(core, ctx, end.flow);
  if (end.role === 'initiator') ctx.out.log(IosLog.modeFailure('Quick', sa.remote.ip));
  ctx.out.push({
    kind: 'fail',
    phase: 2,
    connId: sa.connId,
    peer: sa.remote.ip,
    notify,
    notifyName: notifyName(notify),
    reason: why,
  });
  dropInstances(core);
}

/** Removes a pair (IOS "IPSEC(delete_sa)"), telling the peer with a Delete when asked. */
export function deleteIpsec(core: Core, ctx: IkeContext, rec: IpsecRecord, reason: string, notifyPeer: boolean): void {
  const s = rec.spec;
  if (!core.t.ipsec.has(s.inbound.spi)) return;
  if (notifyPeer) {
    const sa = core.peerSas(s.peer).find((x) => x.established && peerKey(x) === rec.peerKey);
    if (sa) Informational.send(ctx, sa, [deleteEspPayload([s.inbound.spi])]);
  }
  for (const [dest, d] of [
    [s.local.ip, s.inbound],
    [s.remote.ip, s.outbound],
  ] as const) {
    ctx.out.ipsec(
      ['IPSEC(delete_sa): deleting SA,', `  (sa) sa_dest= ${dest}, sa_prot= 50,`, `    sa_spi= ${hexSpi(d.spi)}(${d.spi >>> 0}),`, `    sa_trans= ${s.transform} , sa_conn_id= ${d.connId}`].join('\n'),
    );
  }
  core.removeIpsec(rec);
  core.usedSpis.delete(s.inbound.spi);
  for (const other of core.pairsOf(rec.flow)) {
    if (other.replacedBy !== s.inbound.spi) continue;
    other.replacedBy = null;
    core.touchIpsec(other.spec.inbound.spi);
  }
  ctx.out.push({ kind: 'delete-ipsec', inboundSpi: s.inbound.spi, outboundSpi: s.outbound.spi, peer: s.peer, reason });
  dropInstances(core);
}

/** Negotiates the replacement of a pair before it expires. */
export function startRekey(core: Core, ctx: IkeContext, rec: IpsecRecord): void {
  const s = rec.spec;
  const key = `${refText(s.cryptoMap)}|${flowKey(s.proxies)}`;
  rec.rekeying = true;
  core.touchIpsec(s.inbound.spi);
  // A negotiation for this flow is already running (an acquire): its pair will replace this one.
  if (core.t.pending.has(key)) return;
  ctx.out.ipsec(`IPSEC(sibling_sa_request): rekeying SA spi ${hexSpi(s.inbound.spi)} with ${s.peer}`);
  core.t.pending.set(key, { since: ctx.now, peer: s.peer });
  negotiate(core, ctx, s.peer, s.local.ip, { key, proxies: s.proxies, ref: s.cryptoMap, interface: s.interface, spi: null, rekeyOf: s.inbound.spi }, null);
}

/** IOS's TED/dynamic instance: "tedtag 11 ... dynamic (created from dynamic map ted-map/10)". */
export function ensureInstance(core: Core, ctx: IkeContext, entry: CryptoMapEntryPolicy, peer: string, proxies: Proxies, origin: 'ted' | 'negotiated'): void {
  if (entry.kind !== 'dynamic' || !entry.ref.dynamic) return;
  const same = core.t.instances.find((i) => i.map === entry.ref.map && i.templateSeq === entry.ref.seq && i.peer === peer && sameProxy(i.proxies.local, proxies.local) && sameProxy(i.proxies.remote, proxies.remote));
  if (same) return;
  const taken = new Set(core.policy.cryptoMaps.find((m) => m.name === entry.ref.map)?.entries.map((e) => e.ref.seq) ?? []);
  for (const i of core.t.instances) if (i.map === entry.ref.map) taken.add(i.seq);
  let seq = entry.ref.seq + 1;
  while (taken.has(seq)) seq++;
  core.t.instances.push({ map: entry.ref.map, seq, templateSeq: entry.ref.seq, dynamic: entry.ref.dynamic, peer, proxies, aclName: entry.aclName, createdAt: ctx.now, origin });
}

/** Forgets dynamic crypto map instances no SA or negotiation uses any more. */
export function dropInstances(core: Core): void {
  const live = [...core.t.ipsec.values()];
  const keep = core.t.instances.filter(
    (i) =>
      live.some((r) => r.spec.peer === i.peer && r.spec.cryptoMap.map === i.map && r.spec.cryptoMap.seq === i.templateSeq) ||
      [...core.t.pending.values()].some((p) => p.peer === i.peer),
  );
  core.t.instances.splice(0, core.t.instances.length, ...keep);
}

/**
 * A Delete from the peer, under one of its ISAKMP SAs: its ISAKMP SA (both
 * cookies) or ESP SAs (by SPI, either direction). Like any Informational it
 * acts only on SAs of the peer it came from (sa/peer.ts): the SA it arrived
 * on, another ISAKMP SA with the same peer (a rekeyed phase 1's Delete for
 * the old one travels on the new one), that peer's IPsec pairs. A Delete
 * naming another peer's SA is ignored and counted: with a wildcard
 * pre-shared key every peer holds the key. IOS scopes deletes by the peer
 * too ("delete SA with spi X/50 for PEER"); strongSwan acts only on the SA
 * the Delete came on ("received DELETE for different IKE_SA, ignored").
 */
export function peerDeleted(core: Core, ctx: IkeContext, sa: IsakmpSa, d: DeletePayload): void {
  if (d.protocol === ProtocolId.ISAKMP) {
    for (const spi of d.spis) {
      if (spi.length !== 16) continue;
      const target = core.index.byCookies(spi.subarray(0, 8), spi.subarray(8, 16));
      if (!target) continue;
      if (!samePeer(target, sa)) {
        refuse(core, ctx, 'foreignDeletes', `Delete from ${sa.remote.ip} names ISAKMP SA ${target.connId} of ${peerKey(target)}: ignored`);
        continue;
      }
      deletePhase1(core, ctx, target, 'P1 delete notify (in)', false);
    }
    return;
  }
  if (d.protocol !== ProtocolId.ESP) return;
  ctx.out.ipsec("IPSEC(key_engine_delete_sas): rec'd delete notify from ISAKMP");
  const mine = core.ipsecOfPeer(peerKey(sa));
  for (const b of d.spis) {
    if (b.length !== 4) continue;
    const spi = b.readUInt32BE(0);
    const rec = mine.find((r) => core.t.ipsec.has(r.spec.inbound.spi) && (r.spec.outbound.spi === spi || r.spec.inbound.spi === spi));
    if (!rec) {
      const other = [...core.t.ipsec.values()].find((r) => r.spec.outbound.spi === spi || r.spec.inbound.spi === spi);
      if (other) refuse(core, ctx, 'foreignDeletes', `Delete from ${sa.remote.ip} names SPI ${hexSpi(spi)} of ${other.peerKey}: ignored`);
      continue;
    }
    ctx.out.ipsec(`IPSEC(key_engine_delete_sas): delete SA with spi ${hexSpi(spi)}/50 for ${sa.remote.ip}`);
    deleteIpsec(core, ctx, rec, 'delete notify from peer', false);
  }
}

/** DPD declared the peer dead: its IPsec SAs and the ISAKMP SA go. */
export function peerDead(core: Core, ctx: IkeContext, sa: IsakmpSa): void {
  const peer = sa.remote.ip;
  ctx.out.log(IosLog.peerDead(peer));
  for (const rec of core.ipsecOfPeer(peerKey(sa))) deleteIpsec(core, ctx, rec, 'peer dead (DPD)', false);
  phase1Gone(core, ctx, sa, 'peer not responding (DPD)', { notify: 0, why: `DPD: ${peer} did not answer R-U-THERE` });
}

/** IOS purges a deleted SA a little later: "purging SA.", "CryptoEngine0: delete connection N". */
export function schedulePurge(core: Core, ctx: IkeContext, connId: number, node: boolean): void {
  const addr = pseudoAddress(connId);
  const lines: { facility: 'isakmp' | 'engine'; text: string }[] = [{ facility: 'isakmp', text: `ISAKMP (0:${connId}): purging SA., sa=${addr}, delme=${addr}` }];
  if (node) lines.push({ facility: 'isakmp', text: `ISAKMP (0:${connId}): purging node 0` });
  lines.push({ facility: 'engine', text: `CryptoEngine0: delete connection ${connId}` });
  const purges = core.t.purges;
  // bounded: beyond `purges` waiting, the oldest are printed now (a little early, never lost)
  const limit = core.policy.limits.purges;
  while (purges.length >= limit && purges.length > 0) {
    const early = purges.shift()!;
    refuse(core, ctx, 'purges', `${limit} purge lines waiting: conn ${early.connId} purged early`);
    for (const l of early.lines) ctx.out.debug(l.facility, l.text);
  }
  // kept in time order (the clock only moves forward; a step back still finds its place)
  const at = ctx.now + core.policy.timers.purgeDelayMs;
  let i = purges.length;
  while (i > 0 && purges[i - 1]!.at > at) i--;
  purges.splice(i, 0, { at, connId, lines });
}
