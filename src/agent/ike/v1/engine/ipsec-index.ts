/**
 * The installed IPsec pairs indexed for every lookup the engine makes, so
 * that none walks the table (the table itself, `tables.ipsec`, is by inbound
 * SPI):
 *
 *   by outbound SPI     a traffic note on the outbound SA, a Delete naming it
 *   by flow             the peer (sa/peer.ts key) and the proxies: the pairs that
 *                       replace each other, oldest first (IkeLimits.ipsecPairsPerFlow)
 *   by peer             the flows of each peer key (IkeLimits.ipsecFlowsPerPeer,
 *                       Informational scope, DPD), the peer keys at each address
 *                       (`clear crypto sa peer A`, the dynamic instances)
 *   by crypto map flow  the crypto map entry and the proxies, the key its
 *                       negotiation had: whether a packet's flow has a pair (acquire)
 */
import type { IpsecRecord } from '../sa/ipsec-sa.js';

function addTo<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(v);
}

function removeFrom<K, V>(m: Map<K, Set<V>>, k: K, v: V): boolean {
  const s = m.get(k);
  if (!s?.delete(v)) return false;
  if (s.size === 0) m.delete(k);
  return true;
}

function inOrder(rs: IpsecRecord[]): IpsecRecord[] {
  return rs.sort((a, b) => a.installedAt - b.installedAt || a.spec.inbound.connId - b.spec.inbound.connId);
}

export class IpsecIndex {
  private readonly outbound = new Map<number, Set<IpsecRecord>>();
  private readonly flows = new Map<string, IpsecRecord[]>();
  private readonly peerFlows = new Map<string, Set<string>>();
  private readonly addressPeers = new Map<string, Set<string>>();
  private readonly mapFlows = new Map<string, Set<IpsecRecord>>();

  add(r: IpsecRecord): void {
    addTo(this.outbound, r.spec.outbound.spi, r);
    const pairs = this.flows.get(r.flow);
    if (pairs) pairs.push(r);
    else this.flows.set(r.flow, [r]);
    addTo(this.peerFlows, r.peerKey, r.flow);
    addTo(this.addressPeers, r.spec.peer, r.peerKey);
    addTo(this.mapFlows, r.mapFlow, r);
  }

  remove(r: IpsecRecord): void {
    removeFrom(this.outbound, r.spec.outbound.spi, r);
    removeFrom(this.mapFlows, r.mapFlow, r);
    const pairs = this.flows.get(r.flow);
    const i = pairs ? pairs.indexOf(r) : -1;
    if (!pairs || i < 0) return;
    pairs.splice(i, 1);
    if (pairs.length > 0) return;
    this.flows.delete(r.flow);
    removeFrom(this.peerFlows, r.peerKey, r.flow);
    if (!this.peerFlows.has(r.peerKey)) removeFrom(this.addressPeers, r.spec.peer, r.peerKey);
  }

  /** The pair whose outbound SPI is `spi` (peers choose these: the oldest when two chose the same). */
  byOutbound(spi: number): IpsecRecord | undefined {
    const s = this.outbound.get(spi);
    return s ? s.values().next().value : undefined;
  }

  /** The pairs of a flow (sa/peer.ts flowOf), oldest first. */
  pairsOf(flow: string): readonly IpsecRecord[] {
    return this.flows.get(flow) ?? [];
  }

  /** The pairs negotiated with a peer (sa/peer.ts key), in installation order. */
  ofPeer(peer: string): IpsecRecord[] {
    return inOrder([...(this.peerFlows.get(peer) ?? [])].flatMap((f) => this.flows.get(f) ?? []));
  }

  /** The pairs with a peer address, whatever its ports behind a NAT, in installation order. */
  atAddress(ip: string): IpsecRecord[] {
    return inOrder([...(this.addressPeers.get(ip) ?? [])].flatMap((p) => this.ofPeer(p)));
  }

  /** Whether a pair that carries traffic exists for a crypto map flow. */
  carries(mapFlow: string): boolean {
    for (const r of this.mapFlows.get(mapFlow) ?? []) if (r.replacedBy === null) return true;
    return false;
  }

  /** Flows with IPsec pairs, with one peer or in all. */
  flowCount(peer?: string): number {
    return peer === undefined ? this.flows.size : (this.peerFlows.get(peer)?.size ?? 0);
  }
}
