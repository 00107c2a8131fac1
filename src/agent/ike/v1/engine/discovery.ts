/**
 * TED in the engine: the TED probe tasks and their discovery SAs. A reply
 * to one of our probes starts IKE with the discovered peer (and creates the
 * dynamic crypto map instance); a probe that goes unanswered fails its flow;
 * a probe crossing the router, or addressed to it, is answered when one of
 * our `discover` crypto map entries protects its target toward its source.
 */
import type { Buffer } from 'node:buffer';
import { NotifyType } from '../../../../codecs/isakmp/constants.js';
import { decodeTed, isTedMessage, type TedProbe as TedProbeMessage } from '../../../../codecs/ted/messages.js';
import { findEntry, mapLocalAddress } from '../../policy.js';
import { proxiesFromRule, ruleCoversHosts } from '../../proxies.js';
import type { Datagram, TransitProbe } from '../../types.js';
import type { IkeContext } from '../exchanges/context.js';
import { answerProbe } from '../exchanges/ted/responder.js';
import { errorText, IosLog, notifyName, notifyOf } from '../notify.js';
import { negotiate } from './acquire.js';
import type { Core } from './core.js';
import { ensureInstance, schedulePurge } from './lifecycle.js';

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
  const probe = core.probeByCookie(ted.initiatorCookie);
  if (!probe || !probe.answeredBy(ted)) {
    ctx.out.drop(d.from, NotifyType.INVALID_COOKIE, 'TED reply matches no probe of ours');
    return;
  }
  if (ted.ikeAddress !== d.from.ip) {
    ctx.out.drop(d.from, NotifyType.INVALID_ID_INFORMATION, `TED reply from ${d.from.ip} names ${ted.ikeAddress}`);
    return;
  }
  probe.process(ctx, { reply: ted, from: d.from.ip });
  const peer = ted.ikeAddress;
  const found = findEntry(core.policy, probe.flow.ref);
  const flow = probe.flowAfter(ted);
  core.removeProbe(probe);
  if (found) ensureInstance(core, ctx, found.entry, peer, flow.proxies, 'ted');
  core.t.pending.set(flow.key, { since: ctx.now, peer });
  negotiate(core, ctx, peer, probe.localIke, flow, probe.connId);
  ctx.out.sa(probe.connId, 'peer does not do paranoid keepalives.');
  ctx.out.sa(probe.connId, `deleting SA reason "delete_me flag/throw" state (I) PEER_DISCOVERY (peer ${probe.sa.target}) input queue 0`);
  schedulePurge(core, ctx, probe.connId, false);
}

/** The probes' timers: resend, or give up ("death by retransmission P1") and fail the flow. */
export function tickProbes(core: Core, ctx: IkeContext): void {
  for (const probe of core.probes()) {
    if (probe.tick(ctx) !== 'done') continue;
    const target = probe.sa.target;
    core.removeProbe(probe);
    core.t.pending.delete(probe.flow.key);
    ctx.out.sa(probe.connId, `deleting SA reason "death by retransmission P1" state (I) PEER_DISCOVERY (peer ${target}) input queue 0`);
    schedulePurge(core, ctx, probe.connId, false);
    ctx.out.push({ kind: 'fail', phase: 'ted', connId: probe.connId, peer: target, notify: 0, notifyName: notifyName(0), reason: `no answer to the peer discovery probe toward ${target}` });
  }
}

/** The earliest deadline of the probes, or null. */
export function probeDeadline(core: Core): number | null {
  let best: number | null = null;
  for (const p of core.probes()) if (best === null || p.deadline() < best) best = p.deadline();
  return best;
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

/**
 * Answers a probe when one of our `discover` crypto map entries protects its
 * target toward its source: in each entry's ACL the first line that covers
 * the host pair decides, and a deny there exempts the pair from that entry
 * (IOS's first match; the next entry is tried).
 */
export function answerTed(core: Core, ctx: IkeContext, probe: TedProbeMessage, ipSource: string, target: string): boolean {
  if (!core.policy.isakmpEnabled) return false;
  for (const map of core.policy.cryptoMaps) {
    const ike = mapLocalAddress(map);
    if (!ike) continue;
    for (const entry of map.entries) {
      if (!entry.discover || !entry.acl) continue;
      const rule = entry.acl.entries.find((r) => r.type === 'rule' && ruleCoversHosts({ ...r, action: 'permit' }, target, ipSource));
      if (!rule || rule.type !== 'rule' || rule.action !== 'permit') continue;
      const connId = core.connId();
      answerProbe(ctx, probe, ipSource, { connId, ikeAddress: ike, responderProxy: proxiesFromRule(rule).local });
      schedulePurge(core, ctx, connId, true);
      return true;
    }
  }
  return false;
}
