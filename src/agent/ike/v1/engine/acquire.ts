/**
 * `engine.acquire`: a packet matched a crypto map entry and has no IPsec SA.
 * Static entries (`set peer`) start Quick Mode on an ISAKMP SA with the
 * peer, or Main/Aggressive Mode first (IOS "IPSEC(sa_request)"); dynamic
 * entries with `discover` send a TED probe. One negotiation per flow.
 */
import { matchingEntry } from '../../../../ios/acl/match.js';
import { NotifyType } from '../../../../codecs/isakmp/constants.js';
import type { IkeContext } from '../exchanges/context.js';
import { admitPending, admitPhase1 } from './bounds.js';
import { type Core, refText } from './core.js';
import { flowEnded } from './flows.js';
import { keyEngineMessage } from '../debug.js';
import { notifyName } from '../notify.js';
import { IsakmpSa } from '../sa/isakmp-sa.js';
import type { FlowRequest } from '../sa/ipsec-sa.js';
import { type CryptoMapEntryPolicy, type CryptoMapPolicy, entryForPacket, findEntry, mapLocalAddress, sameRef } from '../../policy.js';
import { flowKey, proxiesFromRule, sameProxy } from '../../proxies.js';
import { TedProbe } from '../exchanges/ted/probe.js';
import type { AcquireTrigger, Proxies } from '../../types.js';

/** Starts what it takes for the packet's flow, unless a negotiation or an SA for it already exists. */
export function doAcquire(core: Core, ctx: IkeContext, trigger: AcquireTrigger): void {
  if (!core.policy.isakmpEnabled) return;
  const hit = lookupEntry(core, trigger);
  if (!hit) {
    ctx.out.drop(null, 0, `no crypto map entry on ${trigger.interface} permits ${trigger.packet.source} -> ${trigger.packet.destination}`);
    return;
  }
  const { map, entry, proxies } = hit;
  const key = `${refText(entry.ref)}|${flowKey(proxies)}`;
  if (core.t.pending.has(key)) return;
  if ([...core.t.ipsec.values()].some((r) => r.replacedBy === null && sameRef(r.spec.cryptoMap, entry.ref) && sameProxy(r.spec.proxies.local, proxies.local) && sameProxy(r.spec.proxies.remote, proxies.remote))) {
    return;
  }
  if (!admitPending(core, ctx, `${trigger.packet.source} -> ${trigger.packet.destination}`)) return;
  const localIke = mapLocalAddress(map) ?? core.policy.interfaces.find((i) => i.name === trigger.interface)?.address;
  if (!localIke) return;
  if (entry.kind === 'dynamic') {
    if (!entry.discover) {
      ctx.out.drop(null, 0, `crypto map ${map.name} ${entry.ref.seq} is dynamic without discover: it cannot initiate`);
      return;
    }
    const flow: FlowRequest = { key, proxies, ref: entry.ref, interface: trigger.interface, spi: null, rekeyOf: null };
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
    core.t.pending.set(key, { since: ctx.now, peer: null });
    return;
  }
  const peer = entry.peers[0];
  if (!peer) {
    ctx.out.drop(null, 0, `crypto map ${map.name} ${entry.ref.seq} has no peer`);
    return;
  }
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
  core.t.pending.set(key, { since: ctx.now, peer });
  negotiate(core, ctx, peer, localIke, { key, proxies, ref: entry.ref, interface: trigger.interface, spi, rekeyOf: null }, null);
}

/** The crypto map entry and the proxies (from the ACL entry that matched) for a trigger. */
export function lookupEntry(core: Core, trigger: AcquireTrigger): { map: CryptoMapPolicy; entry: CryptoMapEntryPolicy; proxies: Proxies } | null {
  if (trigger.entry) {
    const found = findEntry(core.policy, trigger.entry);
    if (!found?.entry.acl) return null;
    const p = trigger.packet;
    const rule = matchingEntry(found.entry.acl, { protocol: p.protocol, source: p.source, destination: p.destination, sourcePort: p.sourcePort, destinationPort: p.destinationPort });
    if (!rule || rule.action !== 'permit') return null;
    return { map: found.map, entry: found.entry, proxies: proxiesFromRule(rule) };
  }
  const hit = entryForPacket(core.policy, trigger.interface, trigger.packet);
  return hit ? { map: hit.map, entry: hit.entry, proxies: proxiesFromRule(hit.rule) } : null;
}

/** Quick Mode on an established SA with the peer, or queue the flow behind a phase 1 (new or running). */
export function negotiate(core: Core, ctx: IkeContext, peer: string, localIke: string, flow: FlowRequest, discoveredBy: number | null): void {
  const all = [...core.t.isakmp.values()].filter((s) => !s.deleted && s.remote.ip === peer);
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
    flowEnded(core, ctx, flow);
    return;
  }
  const mode = core.policy.aggressivePeers.some((p) => p.address === peer) ? 'aggressive' : 'main';
  if (!core.policy.phase1.some((p) => p.authentication === 'pre-share')) {
    ctx.out.drop(null, NotifyType.NO_PROPOSAL_CHOSEN, 'no pre-share ISAKMP policy to offer');
    core.t.pending.delete(flow.key);
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

/** Quick Mode for a flow on an established SA, with the transform sets of its crypto map entry. */
export function startQm(core: Core, ctx: IkeContext, sa: IsakmpSa, flow: FlowRequest): void {
  const found = findEntry(core.policy, flow.ref);
  if (!found || found.entry.transformSets.length === 0) {
    core.t.pending.delete(flow.key);
    ctx.out.push({ kind: 'fail', phase: 2, connId: sa.connId, peer: sa.remote.ip, notify: 0, notifyName: notifyName(0), reason: `crypto map ${refText(flow.ref)} is gone or has no transform set` });
    return;
  }
  core.tasks(sa).startQuickMode(ctx, flow, found.entry);
}
