/**
 * `engine.acquire`: a packet matched a crypto map entry and has no IPsec SA.
 * Static entries (`set peer`) start Quick Mode on an ISAKMP SA with the
 * peer, or Main/Aggressive Mode first (IOS "IPSEC(sa_request)"); dynamic
 * entries with `discover` send a TED probe. One negotiation per flow: one
 * probe per destination host, none for a host inside a site whose
 * negotiation already runs, and at most `limits.pendingFlows` flows in
 * negotiation, probes included (bounds.ts).
 */
import { matchingEntry } from '../../../../ios/acl/match.js';
import { NotifyType } from '../../../../codecs/isakmp/constants.js';
import type { IkeContext } from '../exchanges/context.js';
import { type Core, flowRefKey, refText } from './core.js';
import { keyEngineMessage } from '../debug.js';
import { notifyName } from '../notify.js';
import { IsakmpSa } from '../sa/isakmp-sa.js';
import type { FlowRequest } from '../sa/ipsec-sa.js';
import { type CryptoMapEntryPolicy, type CryptoMapPolicy, entryForPacket, findEntry, sameRef } from '../../policy.js';
import { proxiesFromRule, proxyRange } from '../../proxies.js';
import { parseIpv4 } from '../../../../codecs/net/address.js';
import { TedProbe } from '../exchanges/ted/probe.js';
import { admitPending, admitPhase1 } from './bounds.js';
import { flowEnded } from './flows.js';
import { dropInstances } from './instances.js';
import type { AcquireTrigger, Proxies } from '../../types.js';

/** The IKE address of a crypto map on an interface: `crypto map NAME local-address`, else the interface's own (IOS: one SA per interface otherwise). */
export function ikeAddress(core: Core, map: CryptoMapPolicy, iface: string): string | null {
  return (
    map.localAddress ??
    map.interfaces.find((i) => i.name === iface)?.address ??
    core.policy.interfaces.find((i) => i.name === iface)?.address ??
    map.interfaces[0]?.address ??
    null
  );
}

/** Starts what it takes for the packet's flow, unless a negotiation or an SA for it already exists. */
export function doAcquire(core: Core, ctx: IkeContext, trigger: AcquireTrigger): void {
  if (!core.policy.isakmpEnabled) return;
  const hit = lookupEntry(core, trigger);
  if (!hit) {
    ctx.out.drop(null, 0, `no crypto map entry on ${trigger.interface} permits ${trigger.packet.source} -> ${trigger.packet.destination}`);
    return;
  }
  const { map, entry, proxies } = hit;
  const key = flowRefKey(entry.ref, proxies);
  if (core.t.pending.has(key) || core.ipsec.carries(key)) return;
  const localIke = ikeAddress(core, map, trigger.interface);
  if (!localIke) return;
  if (entry.kind === 'dynamic') {
    if (!entry.discover) {
      ctx.out.drop(null, 0, `crypto map ${map.name} ${entry.ref.seq} is dynamic without discover: it cannot initiate`);
      return;
    }
    const target = trigger.packet.destination;
    const discovery = `${key}|ted ${target}`;
    if (core.t.pending.has(discovery) || negotiating(core, entry, trigger.packet.source, target)) return;
    if (!admitPending(core, ctx, `${trigger.packet.source} -> ${target}`)) return;
    const flow: FlowRequest = { key: discovery, proxies, ref: entry.ref, interface: trigger.interface, spi: null, rekeyOf: null };
    const probe = TedProbe.initiate(ctx, {
      connId: core.connId(),
      packet: trigger.packet,
      flow,
      entry,
      localIke,
      iface: trigger.interface,
      nextHop: trigger.nextHop ?? trigger.packet.destination,
    });
    core.addProbe(probe);
    core.t.pending.set(discovery, { since: ctx.now, peer: null, flow: null });
    return;
  }
  const peer = entry.peers[0];
  if (!peer) {
    ctx.out.drop(null, 0, `crypto map ${map.name} ${entry.ref.seq} has no peer`);
    return;
  }
  if (!admitPending(core, ctx, `${trigger.packet.source} -> ${trigger.packet.destination}`)) return;
  const spi = ctx.spi();
  ctx.out.ipsec(
    keyEngineMessage('IPSEC(sa_request): ,', {
      direction: 'OUTBOUND',
      local: localIke,
      remote: peer,
      localProxy: proxies.local,
      remoteProxy: proxies.remote,
      transform: entry.transformSets[0]?.text ?? '',
      lifeSeconds: entry.lifetime.seconds,
      lifeKilobytes: entry.lifetime.kilobytes,
      spi,
      connId: 0,
      keysize: 0,
      flags: 0x4004,
    }),
  );
  ctx.out.isakmp('ISAKMP: received ke message (1/1)');
  core.t.pending.set(key, { since: ctx.now, peer, flow: { ref: entry.ref, proxies } });
  negotiate(core, ctx, peer, localIke, { key, proxies, ref: entry.ref, interface: trigger.interface, spi, rekeyOf: null }, null);
}

/** The crypto map entry and the proxies (from the ACL entry that matched) for a trigger. */
export function lookupEntry(core: Core, trigger: AcquireTrigger): { map: CryptoMapPolicy; entry: CryptoMapEntryPolicy; proxies: Proxies } | null {
  if (trigger.entry) {
    const found = findEntry(core.policy, trigger.entry);
    if (!found?.entry.acl) return null;
    const p = trigger.packet;
    const rule = matchingEntry(found.entry.acl, {
      protocol: p.protocol,
      source: p.source,
      destination: p.destination,
      sourcePort: p.sourcePort,
      destinationPort: p.destinationPort,
    });
    if (!rule || rule.action !== 'permit') return null;
    return { map: found.map, entry: found.entry, proxies: proxiesFromRule(rule) };
  }
  const hit = entryForPacket(core.policy, trigger.interface, trigger.packet);
  return hit ? { map: hit.map, entry: hit.entry, proxies: proxiesFromRule(hit.rule) } : null;
}

/** Whether a negotiation for a flow of this entry that holds the packet runs already (TED found the site for another of its hosts). */
function negotiating(core: Core, entry: CryptoMapEntryPolicy, source: string, destination: string): boolean {
  const src = parseIpv4(source);
  for (const p of core.t.pending.covering(parseIpv4(destination))) {
    if (!p.flow || !sameRef(p.flow.ref, entry.ref)) continue;
    const [start, end] = proxyRange(p.flow.proxies.local);
    if (src >= start && src <= end) return true;
  }
  return false;
}

/**
 * Quick Mode on an established SA with the peer, or queue the flow behind
 * our phase 1 with the peer that is under way, or start phase 1. A phase 1
 * the peer started is not waited for: until it is authenticated anyone may
 * have sent its first message.
 */
export function negotiate(core: Core, ctx: IkeContext, peer: string, localIke: string, flow: FlowRequest, discoveredBy: number | null): void {
  const all = core.peerSas(peer);
  const up = all.find((s) => s.established);
  if (up) {
    startQm(core, ctx, up, flow);
    return;
  }
  const running = all.find((s) => s.role === 'initiator');
  if (running) {
    core.tasks(running).queue.push(flow);
    return;
  }
  if (!admitPhase1(core, ctx, 'out', peer)) {
    abandon(core, ctx, flow, peer);
    return;
  }
  const mode = core.policy.aggressivePeers.some((p) => p.address === peer) ? 'aggressive' : 'main';
  if (!core.policy.phase1.some((p) => p.authentication === 'pre-share')) {
    ctx.out.drop(null, NotifyType.NO_PROPOSAL_CHOSEN, 'no pre-share ISAKMP policy to offer');
    abandon(core, ctx, flow, peer);
    return;
  }
  const sa = new IsakmpSa(core.connId(), 'initiator', mode, ctx.cookie(), { ip: localIke, port: 500 }, { ip: peer, port: 500 }, ctx.now);
  const tasks = core.addSa(sa);
  tasks.queue.push(flow);
  ctx.out.isakmp('ISAKMP: local port 500, remote port 500');
  if (discoveredBy !== null) {
    ctx.out.sa(discoveredBy, `created new SA after peer-discovery with ${peer}`);
  } else {
    ctx.out.sa(sa.connId, `beginning ${mode === 'main' ? 'Main' : 'Aggressive'} Mode exchange`);
  }
  tasks.initiate(ctx);
}

/**
 * Quick Mode for a flow on an established SA, with the transform sets of its
 * crypto map entry; nothing when the peer set the flow up meanwhile (it
 * started at the same time as we did, and its Quick Mode finished first).
 */
export function startQm(core: Core, ctx: IkeContext, sa: IsakmpSa, flow: FlowRequest): void {
  if (flow.rekeyOf === null && core.ipsec.carries(flow.key)) {
    flowEnded(core, ctx, flow);
    return;
  }
  const found = findEntry(core.policy, flow.ref);
  if (!found || found.entry.transformSets.length === 0) {
    abandon(core, ctx, flow, sa.remote.ip);
    ctx.out.push({
      kind: 'fail',
      phase: 2,
      connId: sa.connId,
      peer: sa.remote.ip,
      notify: 0,
      notifyName: notifyName(0),
      reason: `crypto map ${refText(flow.ref)} is gone or has no transform set`,
    });
    return;
  }
  core.tasks(sa).startQuickMode(ctx, flow, found.entry);
}

/** A negotiation that cannot start: its flow ends, and a dynamic instance made for it (TED) goes with it. */
function abandon(core: Core, ctx: IkeContext, flow: FlowRequest, peer: string): void {
  flowEnded(core, ctx, flow);
  dropInstances(core, peer);
}
