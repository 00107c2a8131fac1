/**
 * The flows being negotiated (a TED probe, phase 1 or Quick Mode running for
 * them), so that a second packet of the same flow starts nothing new. Keyed
 * by flow key; also found by peer (a dynamic crypto map instance lives while
 * a negotiation with its peer runs) and, for a flow whose proxies are known,
 * by the destination it covers (a packet for a host inside a flow being
 * negotiated starts no second discovery). Every lookup costs the same however
 * many flows are pending.
 */
import { RangeIndex } from '../../range-index.js';
import { proxyRange } from '../../proxies.js';
import type { CryptoMapRef, Proxies } from '../../types.js';

/** A flow being negotiated. */
export interface PendingFlow {
  readonly since: number;
  /** The peer, once known (a TED probe does not know it yet). */
  readonly peer: string | null;
  /** The crypto map entry and proxies, when the negotiation is for known proxies (not a discovery). */
  readonly flow: { readonly ref: CryptoMapRef; readonly proxies: Proxies } | null;
}

export class PendingFlows {
  private readonly flows = new Map<string, PendingFlow>();
  private readonly byPeer = new Map<string, Set<string>>();
  private readonly byRemote = new RangeIndex<string>();

  get size(): number {
    return this.flows.size;
  }

  keys(): IterableIterator<string> {
    return this.flows.keys();
  }

  has(key: string): boolean {
    return this.flows.has(key);
  }

  set(key: string, p: PendingFlow): void {
    this.delete(key);
    this.flows.set(key, p);
    if (p.peer !== null) {
      let keys = this.byPeer.get(p.peer);
      if (!keys) this.byPeer.set(p.peer, (keys = new Set()));
      keys.add(key);
    }
    if (p.flow) this.byRemote.add(proxyRange(p.flow.proxies.remote), key);
  }

  delete(key: string): void {
    const p = this.flows.get(key);
    if (!p) return;
    this.flows.delete(key);
    if (p.peer !== null) {
      const keys = this.byPeer.get(p.peer);
      keys?.delete(key);
      if (keys?.size === 0) this.byPeer.delete(p.peer);
    }
    if (p.flow) this.byRemote.delete(proxyRange(p.flow.proxies.remote), key);
  }

  /** The flows being negotiated with `peer`. */
  *withPeer(peer: string): Generator<PendingFlow> {
    for (const key of this.byPeer.get(peer) ?? []) yield this.flows.get(key)!;
  }

  /** The flows with known proxies whose remote side covers `address`. */
  *covering(address: number): Generator<PendingFlow> {
    for (const key of this.byRemote.covering(address)) yield this.flows.get(key)!;
  }
}
