/**
 * TED in the engine: the TED probe tasks and their discovery SAs. A reply
 * to one of our probes starts IKE with the discovered peer (and creates the
 * dynamic crypto map instance), unless another probe found that site
 * already; a probe that goes unanswered fails its flow; a probe crossing the
 * router, or addressed to it, is answered when the crypto map it came in by
 * protects its target toward its source with a `discover` entry, and
 * otherwise goes on.
 */
import type { Buffer } from 'node:buffer';
import { NotifyType } from '../../../../codecs/isakmp/constants.js';
import { decodeTed, isTedMessage, type TedProbe as TedProbeMessage } from '../../../../codecs/ted/messages.js';
import { type CryptoMapEntryPolicy, type CryptoMapPolicy, cryptoMapOnInterface, findEntry, mapLocalAddress } from '../../policy.js';
import type { AclRule } from '../../../../ios/config/types.js';
import { proxiesFromRule, ruleCoversHosts } from '../../proxies.js';
import type { Datagram, TransitProbe } from '../../types.js';
import type { IkeContext } from '../exchanges/context.js';
import { answerProbe } from '../exchanges/ted/responder.js';
import type { TedProbe } from '../exchanges/ted/probe.js';
import { errorText, IosLog, notifyName, notifyOf } from '../notify.js';
import { ikeAddress, negotiate } from './acquire.js';
import { type Core, flowRefKey } from './core.js';
import { ensureInstance } from './instances.js';
import { schedulePurge } from './lifecycle.js';

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
  const after = probe.flowAfter(ted);
  // from now on the flow is the site the peer protects: a second probe into that site finds it taken
  const flow = { ...after, key: flowRefKey(after.ref, after.proxies) };
  core.removeProbe(probe);
  core.t.pending.delete(probe.flow.key);
  const taken = core.t.pending.has(flow.key) || core.ipsec.carries(flow.key);
  if (!taken) {
    core.t.pending.set(flow.key, { since: ctx.now, peer, flow: { ref: flow.ref, proxies: flow.proxies } });
    if (found) ensureInstance(core, ctx, found.entry, peer, flow.proxies, 'ted');
    negotiate(core, ctx, peer, probe.localIke, flow, probe.connId);
  }
  ctx.out.sa(probe.connId, 'peer does not do paranoid keepalives.');
  ctx.out.sa(probe.connId, `deleting SA reason "delete_me flag/throw" state (I) PEER_DISCOVERY (peer ${probe.sa.target}) input queue 0`);
  schedulePurge(core, ctx, probe.connId, false);
}

/** A probe's timer: resend, or give up ("death by retransmission P1 sa") and fail the flow. */
export function tickProbe(core: Core, ctx: IkeContext, connId: number): void {
  const probe = core.probe(connId);
  if (probe && probe.tick(ctx) === 'done') {
    const target = probe.sa.target;
    dropProbe(core, ctx, probe, 'death by retransmission P1 sa');
    ctx.out.push({
      kind: 'fail',
      phase: 'ted',
      connId: probe.connId,
      peer: target,
      notify: 0,
      notifyName: notifyName(0),
      reason: `no answer to the peer discovery probe toward ${target}`,
    });
  }
}

/** `clear crypto isakmp`: a probe still waiting for its reply is deleted, and its flow may probe again. */
export function clearProbe(core: Core, ctx: IkeContext, connId: number): void {
  const probe = core.probe(connId);
  if (probe) dropProbe(core, ctx, probe, 'Manual clear');
}

/** A probe that will get no reply: its discovery SA deleted (IOS's line with `reason`), its flow free to probe again. */
function dropProbe(core: Core, ctx: IkeContext, probe: TedProbe, reason: string): void {
  core.removeProbe(probe);
  core.t.pending.delete(probe.flow.key);
  ctx.out.sa(probe.connId, `deleting SA reason "${reason}" state (I) PEER_DISCOVERY (peer ${probe.sa.target}) input queue 0`);
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
  return answerTed(core, ctx, ted, p.ipSource, p.ipDestination, p.interface);
}

/**
 * How a line of a crypto ACL decides for a host pair (TED: the probe's target
 * as our side, its source as the peer's): a permit covering both hosts
 * protects (some of) their traffic; a deny covering both exempts them only
 * when it holds every protocol and port, else the line decides nothing.
 */
function hostPairDecision(rule: AclRule, local: string, remote: string): 'permit' | 'deny' | null {
  if (!ruleCoversHosts({ ...rule, action: 'permit' }, local, remote)) return null;
  if (rule.action === 'permit') return 'permit';
  const whole = rule.protocol === 'ip' && !rule.sourcePort && !rule.destinationPort && !rule.icmp && !rule.established;
  return whole ? 'deny' : null;
}

/** The entry of a crypto map that protects the host pair: entries in sequence order, the first deciding line of each. */
function protectingEntry(map: CryptoMapPolicy, local: string, remote: string): { entry: CryptoMapEntryPolicy; rule: AclRule } | null {
  for (const entry of map.entries) {
    if (!entry.acl) continue;
    for (const line of entry.acl.entries) {
      if (line.type !== 'rule') continue;
      const d = hostPairDecision(line, local, remote);
      if (d === 'permit') return { entry, rule: line };
      if (d === 'deny') break;
    }
  }
  return null;
}

/**
 * Answers a probe when we protect its target toward its source, as IOS
 * decides for a packet between the two hosts: the crypto map of the
 * interface the probe came in by (for a probe addressed to one of our own
 * addresses, whose interface the caller may not know, every map), its
 * entries in sequence order, the first entry that protects the pair
 * (protectingEntry) deciding; we answer when that entry has `discover`, from
 * the map's IKE address on that interface. Otherwise a probe crossing us
 * goes on toward its target: it is some other router's to answer.
 */
export function answerTed(core: Core, ctx: IkeContext, probe: TedProbeMessage, ipSource: string, target: string, iface?: string): boolean {
  if (!core.policy.isakmpEnabled) return false;
  const onIface = iface === undefined ? undefined : cryptoMapOnInterface(core.policy, iface);
  const maps = iface === undefined ? core.policy.cryptoMaps : onIface ? [onIface] : [];
  for (const map of maps) {
    const hit = protectingEntry(map, target, ipSource);
    if (!hit?.entry.discover) continue;
    const ike = iface === undefined ? mapLocalAddress(map) : ikeAddress(core, map, iface);
    if (!ike) continue;
    const connId = core.connId();
    answerProbe(ctx, probe, ipSource, { connId, ikeAddress: ike, responderProxy: proxiesFromRule(hit.rule).local });
    schedulePurge(core, ctx, connId, true);
    return true;
  }
  return false;
}
