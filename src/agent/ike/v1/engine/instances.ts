/**
 * The dynamic crypto map instances as the engine keeps them: one per
 * template entry and peer, created when TED finds the peer or when a peer
 * negotiates against the template, with each flow negotiated with that peer
 * as an access-list line; a flow goes when no SA or negotiation uses it, the
 * instance when it has none left (its number is then free again,
 * sa/instances.ts). Only the peer concerned is looked at.
 */
import type { CryptoMapEntryPolicy } from '../../policy.js';
import { sameProxy } from '../../proxies.js';
import type { CryptoMapRef, Proxies } from '../../types.js';
import type { IkeContext } from '../exchanges/context.js';
import { instanceKey } from '../sa/instances.js';
import type { Core } from './core.js';

const sameFlow = (a: Proxies, b: Proxies) => sameProxy(a.local, b.local) && sameProxy(a.remote, b.remote);
const sameTemplate = (a: CryptoMapRef, b: CryptoMapRef) =>
  a.map === b.map && a.seq === b.seq && a.dynamic?.map === b.dynamic?.map && a.dynamic?.seq === b.dynamic?.seq;

/** IOS's TED/dynamic instance for a peer: "tedtag 11 ... dynamic (created from dynamic map ted-map/10)", with the flow as one of its lines. */
export function ensureInstance(core: Core, ctx: IkeContext, entry: CryptoMapEntryPolicy, peer: string, proxies: Proxies, origin: 'ted' | 'negotiated'): void {
  const dynamic = entry.ref.dynamic;
  if (entry.kind !== 'dynamic' || !dynamic) return;
  const table = core.t.instances;
  const key = instanceKey(entry.ref, peer);
  const same = table.get(key);
  if (same) {
    if (!same.flows.some((f) => sameFlow(f, proxies))) same.flows.push(proxies);
    return;
  }
  const configured = new Set(core.policy.cryptoMaps.find((m) => m.name === entry.ref.map)?.entries.map((e) => e.ref.seq) ?? []);
  const seq = table.number(entry.ref.map, entry.ref.seq, configured);
  if (seq === null) return;
  table.add(key, { map: entry.ref.map, seq, templateSeq: entry.ref.seq, dynamic, peer, flows: [proxies], aclName: entry.aclName, createdAt: ctx.now, origin });
}

/** Forgets the flows of a peer's instances that no SA or negotiation uses any more, and instances left with none. */
export function dropInstances(core: Core, peer: string): void {
  const instances = core.t.instances.ofPeer(peer);
  if (instances.length === 0) return;
  const live = core.ipsec.atAddress(peer).map((r) => ({ ref: r.spec.cryptoMap, proxies: r.spec.proxies }));
  for (const p of core.t.pending.withPeer(peer)) if (p.flow) live.push(p.flow);
  for (const inst of instances) {
    const mine = live.filter((f) => sameTemplate(f.ref, { map: inst.map, seq: inst.templateSeq, dynamic: inst.dynamic }));
    const kept = inst.flows.filter((f) => mine.some((m) => sameFlow(m.proxies, f)));
    if (kept.length === 0) {
      core.t.instances.remove(instanceKey({ map: inst.map, seq: inst.templateSeq, dynamic: inst.dynamic }, peer));
      continue;
    }
    inst.flows.splice(0, inst.flows.length, ...kept);
  }
}
