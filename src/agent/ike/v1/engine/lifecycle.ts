/**
 * Life and death of the engine's SAs: phase 1 established or gone, IPsec
 * pairs installed, rekeyed and deleted (with Delete notifications, sent and
 * received), pairs negotiated twice at once, the responder's crypto map
 * lookup, INITIAL-CONTACT, DPD death and IOS's delayed "purging SA" lines;
 * the dynamic crypto map instances are in instances.ts. The exchanges reach
 * these through the context's hooks. Everything here works on one peer's
 * SAs or one flow's pairs (core.ts keeps them by peer and by flow), never on
 * the whole table, and keeps the bounds of ike/limits.ts (bounds.ts).
 */
import { ProtocolId } from '../../../../codecs/isakmp/constants.js';
import type { DeletePayload } from '../../../../codecs/isakmp/types.js';
import { negotiate, startQm } from './acquire.js';
import type { IkeContext, QuickModeEnd } from '../exchanges/context.js';
import { type Core, flowRefKey, pseudoAddress } from './core.js';
import { hexSpi } from '../debug.js';
import { IosLog, notifyName } from '../notify.js';
import { deleteEspPayload, deleteIsakmpPayload, Informational } from '../exchanges/informational.js';
import type { IsakmpSa } from '../sa/isakmp-sa.js';
import type { FlowRequest } from '../sa/ipsec-sa.js';
import { type CryptoMapEntryPolicy, type CryptoMapPolicy, findEntry, mapLocalAddress } from '../../policy.js';
import { ruleCovers } from '../../proxies.js';
import type { IpsecRecord } from '../sa/ipsec-sa.js';
import { flowOf, peerKey, samePeer } from '../sa/peer.js';
import type { IpsecSaSpec, Proxies, Role } from '../../types.js';
import { refuse } from './bounds.js';
import { flowEnded } from './flows.js';
import { dropInstances, ensureInstance } from './instances.js';

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
  dropInstances(core, sa.remote.ip);
}

/** Sends a Delete for the SA (when it is up) and removes it. */
export function deletePhase1(core: Core, ctx: IkeContext, sa: IsakmpSa, reason: string, notifyPeer: boolean): void {
  if (notifyPeer && sa.established && sa.keys) Informational.send(ctx, sa, [deleteIsakmpPayload(sa)]);
  phase1Gone(core, ctx, sa, reason, null);
}

/** Whether anything else exists with this peer (no INITIAL-CONTACT then). */
export function hasOtherSas(core: Core, sa: IsakmpSa): boolean {
  return core.peerSas(sa.remote.ip).some((s) => s !== sa && samePeer(s, sa)) || core.ipsec.flowCount(peerKey(sa)) > 0;
}

/** The peer rebooted: every older SA with that same peer (sa/peer.ts) goes, without Delete notifications; no other peer's. */
export function initialContact(core: Core, ctx: IkeContext, sa: IsakmpSa): void {
  for (const other of core.peerSas(sa.remote.ip)) {
    if (other !== sa && samePeer(other, sa)) phase1Gone(core, ctx, other, 'Initial contact', null);
  }
  for (const rec of core.ipsec.ofPeer(peerKey(sa))) {
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
 * Of two pairs negotiated for one flow at the same time (both routers sent
 * the first packet at once, or rekeyed at once), the one holding the lowest of
 * the four SPIs is redundant. Both routers know all four SPIs, so both pick
 * the same pair without a word, as RFC 7296 2.8 has IKEv2 peers pick the
 * redundant one of two simultaneous rekeys by their nonces.
 */
function redundant(a: IpsecSaSpec, b: IpsecSaSpec): 'a' | 'b' {
  const low = (s: IpsecSaSpec) => Math.min(s.inbound.spi >>> 0, s.outbound.spi >>> 0);
  return low(a) < low(b) ? 'a' : 'b';
}

/**
 * Records a negotiated pair and tells the driver to install it. The pairs of
 * one flow (the peer, sa/peer.ts, and the proxies) replace each other: the
 * one not replaced carries the traffic, as IOS sends with the newest
 * ("current outbound spi") of the pairs it lists side by side under a flow
 * in `show crypto ipsec sa`. A pair of the flow may already exist:
 *
 * - the pair our rekey replaces (`flow.rekeyOf`): deleted, with a Delete to
 *   the peer, shortly after (at the latest when it expires);
 * - an older pair the peer's new one replaces (its rekey, or a Quick Mode
 *   for a flow that has a pair): the peer deletes it; both stay usable
 *   meanwhile;
 * - a pair installed while this one was being negotiated: the peer and we
 *   negotiated the flow at the same time. The redundant one (`redundant`)
 *   stops carrying traffic at once (a new redundant pair is installed
 *   superseded: it decrypts, never encrypts) and stays, decrypting, until
 *   its lifetime ends; no Delete is sent for it. Each router decides alone
 *   and both decide alike, so both send on the same pair. Should one of them
 *   not see the race (its pair was up before the other's negotiation reached
 *   it), it takes the second pair for the peer's rekey and sends on it: the
 *   other still holds it, so nothing is lost, and no Delete that could be
 *   lost is needed to agree. The rekeys bring them back to one pair
 *   (`rekeyAtOf`).
 *
 * Beyond `ipsecPairsPerFlow` pairs the oldest replaced ones are deleted
 * (with a Delete), so a peer that never deletes cannot pile them up.
 */
export function installIpsec(core: Core, ctx: IkeContext, sa: IsakmpSa, flow: FlowRequest | null, spec: IpsecSaSpec): void {
  const timers = core.policy.timers;
  const expiresAt = ctx.now + spec.lifetime.seconds * 1000;
  const rekeyAt = rekeyAtOf(spec.role, ctx.now, expiresAt, timers.rekeyBeforeMs);
  const started = core.tasks(sa).quickModeStartedAt(spec.inbound.spi) ?? ctx.now;
  const peer = peerKey(sa);
  const key = flowOf(peer, spec.proxies);
  const rec: IpsecRecord = {
    spec,
    peerKey: peer,
    flow: key,
    mapFlow: flowRefKey(spec.cryptoMap, spec.proxies),
    installedAt: ctx.now,
    expiresAt,
    rekeyAt,
    rekeying: false,
    replacedBy: null,
    deleteAt: null,
    deleteReason: null,
    bytesIn: 0,
    bytesOut: 0,
    lastUsed: ctx.now,
  };
  const rekeyOf = flow?.rekeyOf ?? null;
  const target = rekeyOf !== null ? core.t.ipsec.get(rekeyOf) : undefined;
  const live = core.ipsec.pairsOf(key).filter((r) => r.replacedBy === null && r !== target);
  const rival = live.find((r) => r.installedAt >= started);
  const older = rekeyOf === null ? live.find((r) => r.installedAt < started) : undefined;
  let replaces: IpsecRecord | undefined;
  let supersededBy: IpsecRecord | undefined;
  let winner: IpsecRecord = rec;
  if (rival) {
    // the redundant pair of a race decrypts until its lifetime ends: no Delete, which could be lost
    if (redundant(spec, rival.spec) === 'a') {
      winner = rival;
      supersededBy = rival;
      rec.replacedBy = rival.spec.inbound.spi;
    } else {
      replaces = rival;
      rival.replacedBy = rec.spec.inbound.spi;
      rival.rekeying = false;
      core.touchIpsec(rival);
    }
  }
  if (target) {
    // our rekey: the old pair goes shortly after
    replaces ??= target.replacedBy === null ? target : undefined;
    supersede(core, target, winner, Math.min(target.expiresAt, ctx.now + timers.oldSaGraceMs), 'replaced by a rekeyed SA');
  } else if (older && winner === rec) {
    // the peer's rekey: the peer deletes the old pair
    replaces ??= older;
    older.replacedBy = rec.spec.inbound.spi;
    older.rekeying = false;
    core.touchIpsec(older);
  }
  core.addIpsec(rec);
  if (flow) core.t.pending.delete(flow.key);
  const found = findEntry(core.policy, spec.cryptoMap);
  if (found) ensureInstance(core, ctx, found.entry, spec.peer, spec.proxies, 'negotiated');
  const ids = (r: IpsecRecord | undefined) => (r ? { inboundSpi: r.spec.inbound.spi, outboundSpi: r.spec.outbound.spi } : null);
  ctx.out.push({ kind: 'install-ipsec', sa: spec, replaces: ids(replaces), supersededBy: ids(supersededBy) });
  const limit = core.policy.limits.ipsecPairsPerFlow;
  for (;;) {
    const pairs = core.ipsec.pairsOf(key);
    const oldest = pairs.find((r) => r.replacedBy !== null);
    if (pairs.length <= limit || !oldest) break;
    refuse(core, ctx, 'ipsecPairsPerFlow', `${limit} SA pairs for ${key}: the oldest, spi ${hexSpi(oldest.spec.inbound.spi)}, deleted`);
    deleteIpsec(core, ctx, oldest, 'too many SAs for the flow', true);
  }
}

/**
 * When a pair's router starts its rekey. IOS negotiates a new pair "30
 * seconds before the lifetime expires" (`crypto ipsec security-association
 * lifetime`; docs/research/ios-12.2-notes.md) on either side. Here the
 * initiator of the pair does so at that time and the responder, whose
 * lifetime started a round trip later, only at half that margin, if the pair
 * still carries its traffic then: normally the initiator's rekey has
 * replaced it long before, so the two do not cross. The responder's rekey
 * matters after a race one router did not see, where each router may send
 * on a pair the other one started.
 */
export function rekeyAtOf(role: Role, now: number, expiresAt: number, rekeyBeforeMs: number): number {
  const margin = role === 'initiator' ? rekeyBeforeMs : rekeyBeforeMs / 2;
  return Math.max(now, expiresAt - margin);
}

/** `old` stops carrying traffic (`by` does) and is deleted at `at`, with a Delete to the peer. */
function supersede(core: Core, old: IpsecRecord, by: IpsecRecord, at: number, reason: string): void {
  old.replacedBy = by.spec.inbound.spi;
  old.rekeying = false;
  old.deleteAt = at;
  old.deleteReason = reason;
  core.touchIpsec(old);
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
  dropInstances(core, sa.remote.ip);
}

/**
 * Removes a pair (IOS "IPSEC(delete_sa)"), telling the peer with a Delete
 * when asked. A pair it superseded carries the flow again, unless the
 * removed pair had itself been replaced: then the pair that replaced it
 * supersedes that one too (a rekey's old pair deleted by the peer does not
 * bring back the pair it had replaced).
 */
export function deleteIpsec(core: Core, ctx: IkeContext, rec: IpsecRecord, reason: string, notifyPeer: boolean): void {
  const s = rec.spec;
  if (core.t.ipsec.get(s.inbound.spi) !== rec) return;
  if (notifyPeer) {
    const sa = core.peerSas(s.peer).find((x) => x.established && peerKey(x) === rec.peerKey);
    if (sa) Informational.send(ctx, sa, [deleteEspPayload([s.inbound.spi])]);
  }
  for (const [dest, d] of [
    [s.local.ip, s.inbound],
    [s.remote.ip, s.outbound],
  ] as const) {
    ctx.out.ipsec(
      [
        'IPSEC(delete_sa): deleting SA,',
        `  (sa) sa_dest= ${dest}, sa_prot= 50,`,
        `    sa_spi= ${hexSpi(d.spi)}(${d.spi >>> 0}),`,
        `    sa_trans= ${s.transform} , sa_conn_id= ${d.connId}`,
      ].join('\n'),
    );
  }
  core.removeIpsec(rec);
  // a late retransmission of the peer's Quick Mode message is not answered again: that answer would make the peer
  // install (or keep using) this pair, which this side no longer has
  for (const sa of core.peerSas(s.peer)) sa.forgetReplies(s.inbound.spi);
  // the pairs this one superseded: back in service, unless this one had been replaced itself (then by its successor)
  const heir = rec.replacedBy !== null && core.t.ipsec.has(rec.replacedBy) ? rec.replacedBy : null;
  for (const other of core.ipsec.ofPeer(rec.peerKey)) {
    if (other.replacedBy !== s.inbound.spi) continue;
    if (heir !== null) {
      other.replacedBy = heir;
      core.touchIpsec(other);
      continue;
    }
    other.replacedBy = null;
    other.deleteAt = null;
    other.deleteReason = null;
    core.touchIpsec(other);
  }
  ctx.out.push({ kind: 'delete-ipsec', inboundSpi: s.inbound.spi, outboundSpi: s.outbound.spi, peer: s.peer, reason });
  dropInstances(core, s.peer);
}

/** Negotiates the replacement of a pair before it expires. */
export function startRekey(core: Core, ctx: IkeContext, rec: IpsecRecord): void {
  const s = rec.spec;
  const key = flowRefKey(s.cryptoMap, s.proxies);
  rec.rekeying = true;
  core.touchIpsec(rec);
  // A negotiation for this flow is already running (an acquire): its pair will replace this one.
  if (core.t.pending.has(key)) return;
  ctx.out.ipsec(`IPSEC(sibling_sa_request): rekeying SA spi ${hexSpi(s.inbound.spi)} with ${s.peer}`);
  core.t.pending.set(key, { since: ctx.now, peer: s.peer, flow: { ref: s.cryptoMap, proxies: s.proxies } });
  negotiate(core, ctx, s.peer, s.local.ip, { key, proxies: s.proxies, ref: s.cryptoMap, interface: s.interface, spi: null, rekeyOf: s.inbound.spi }, null);
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
  const peer = peerKey(sa);
  for (const b of d.spis) {
    if (b.length !== 4) continue;
    const spi = b.readUInt32BE(0);
    // the peer's outbound SPI is our inbound one (ours, unique); its inbound one is our outbound (peers choose those)
    const ours = core.t.ipsec.get(spi);
    const rec = ours?.peerKey === peer ? ours : core.ipsec.ofPeer(peer).find((r) => r.spec.outbound.spi === spi);
    if (!rec) {
      const other = ours ?? core.ipsec.byOutbound(spi);
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
  for (const rec of core.ipsec.ofPeer(peerKey(sa))) deleteIpsec(core, ctx, rec, 'peer dead (DPD)', false);
  phase1Gone(core, ctx, sa, 'peer not responding (DPD)', { notify: 0, why: `DPD: ${peer} did not answer R-U-THERE` });
}

/** IOS purges a deleted SA a little later: "purging SA.", "CryptoEngine0: delete connection N". */
export function schedulePurge(core: Core, ctx: IkeContext, connId: number, node: boolean): void {
  const addr = pseudoAddress(connId);
  const lines: { facility: 'isakmp' | 'engine'; text: string }[] = [
    { facility: 'isakmp', text: `ISAKMP (0:${connId}): purging SA., sa=${addr}, delme=${addr}` },
  ];
  if (node) lines.push({ facility: 'isakmp', text: `ISAKMP (0:${connId}): purging node 0` });
  lines.push({ facility: 'engine', text: `CryptoEngine0: delete connection ${connId}` });
  // bounded: beyond `purges` waiting, the oldest are printed now (a little early, never lost)
  for (const early of core.addPurge({ at: ctx.now + core.policy.timers.purgeDelayMs, connId, lines })) {
    refuse(core, ctx, 'purges', `${core.policy.limits.purges} purge lines waiting: conn ${early.connId} purged early`);
    for (const l of early.lines) ctx.out.debug(l.facility, l.text);
  }
}
