/**
 * TED in the engine: a reply to one of our probes starts IKE with the
 * discovered peer (and creates the dynamic crypto map instance); a probe
 * crossing the router, or addressed to it, is answered when one of our
 * `discover` crypto map entries protects its target toward its source.
 */
import { Buffer } from 'node:buffer';
import { NotifyType } from '../../../../codecs/isakmp/constants.js';
import { decodeTed, isTedMessage, matchTedReply, type TedProbe } from '../../../../codecs/ted/messages.js';
import { negotiate } from './acquire.js';
import type { IkeContext } from '../exchanges/context.js';
import type { Core } from './core.js';
import { errorText, IosLog, notifyOf } from '../notify.js';
import type { FlowRequest } from '../sa/isakmp-sa.js';
import { findEntry, mapLocalAddress } from '../../policy.js';
import { proxiesFromRule, proxyWithin, ruleCoversHosts } from '../../proxies.js';
import { ensureInstance, schedulePurge } from './lifecycle.js';
import { answerProbe, replyLines } from '../exchanges/ted.js';
import type { Datagram, TransitProbe } from '../../types.js';

/** A TED message addressed to us: a reply to our probe (start IKE), or a probe for one of our hosts. */
export function receiveTed(core: Core, ctx: IkeContext, msg: Buffer, d: Datagram): void {
  let ted;
  try {
    ted = decodeTed(msg);
  } catch (err) {
    ctx.out.log(IosLog.badMessage(d.from.ip));
    ctx.out.drop(d.from, notifyOf(err), errorText(err));
    return;
  }
  if (ted.kind === 'probe') {
    if (!answerTed(core, ctx, ted, d.from.ip, ted.targetHost)) ctx.out.drop(d.from, 0, 'TED probe for traffic we do not protect');
    return;
  }
  const probe = [...core.t.probes.values()].find((p) => p.probe.initiatorCookie.equals(ted.initiatorCookie));
  if (!probe || !matchTedReply(probe.probe, ted)) {
    ctx.out.drop(d.from, NotifyType.INVALID_COOKIE, 'TED reply matches no probe of ours');
    return;
  }
  if (ted.ikeAddress !== d.from.ip) {
    ctx.out.drop(d.from, NotifyType.INVALID_ID_INFORMATION, `TED reply from ${d.from.ip} names ${ted.ikeAddress}`);
    return;
  }
  replyLines(ctx, probe, ted, d.from.ip);
  const peer = ted.ikeAddress;
  const found = findEntry(core.policy, probe.flow.ref);
  // Use the responder's proxy when it lies inside what our ACL asked for.
  const remote = proxyWithin(ted.responderProxy, probe.flow.proxies.remote) ? ted.responderProxy : probe.flow.proxies.remote;
  const flow: FlowRequest = { ...probe.flow, proxies: { local: probe.flow.proxies.local, remote } };
  core.t.probes.delete(probe.connId);
  if (found) ensureInstance(core, ctx, found.entry, peer, flow.proxies, 'ted');
  core.t.pending.set(flow.key, { since: ctx.now, peer });
  negotiate(core, ctx, peer, probe.localIke, flow, probe);
  ctx.out.sa(probe.connId, 'peer does not do paranoid keepalives.');
  ctx.out.sa(probe.connId, `deleting SA reason "delete_me flag/throw" state (I) PEER_DISCOVERY (peer ${probe.target}) input queue 0`);
  schedulePurge(core, ctx, probe.connId, false);
}

/** A UDP/500 datagram crossing the router: true when it was a TED probe we answered (do not forward it). */
export function doTransitProbe(core: Core, ctx: IkeContext, p: TransitProbe): boolean {
  if (!isTedMessage(p.payload)) return false;
  let ted;
  try {
    ted = decodeTed(p.payload);
  } catch {
    return false;
  }
  if (ted.kind !== 'probe') return false;
  return answerTed(core, ctx, ted, p.ipSource, p.ipDestination);
}

/** Answers a probe when one of our `discover` crypto map entries protects its target toward its source. */
export function answerTed(core: Core, ctx: IkeContext, probe: TedProbe, ipSource: string, target: string): boolean {
  if (!core.policy.isakmpEnabled) return false;
  for (const map of core.policy.cryptoMaps) {
    const ike = mapLocalAddress(map);
    if (!ike) continue;
    for (const entry of map.entries) {
      if (!entry.discover || !entry.acl) continue;
      const rule = entry.acl.entries.find((r) => r.type === 'rule' && ruleCoversHosts(r, target, ipSource));
      if (!rule || rule.type !== 'rule') continue;
      const connId = core.connId();
      answerProbe(ctx, probe, ipSource, { connId, ikeAddress: ike, responderProxy: proxiesFromRule(rule).local });
      schedulePurge(core, ctx, connId, true);
      return true;
    }
  }
  return false;
}
