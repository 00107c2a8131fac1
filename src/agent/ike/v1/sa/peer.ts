/**
 * Who "the same peer" is. An Informational (Delete, INITIAL-CONTACT) may
 * act only on the SAs of the peer it came from, and the per-peer bounds
 * count per peer. An ISAKMP SA's peer is its remote address, and when NAT
 * detection found the peer behind a NAT also its port: several hosts behind
 * one NAT share the NAT's address and differ only in their mapped ports.
 * An IPsec pair keeps the key of the ISAKMP SA that negotiated it.
 */
import { flowKey } from '../../proxies.js';
import type { Proxies } from '../../types.js';
import type { IsakmpSa } from './isakmp-sa.js';

/** "11.11.11.2", or "198.18.0.1:4500" for a peer behind a NAT. */
export function peerKey(sa: IsakmpSa): string {
  return sa.nat.peerBehindNat ? `${sa.remote.ip}:${sa.remote.port}` : sa.remote.ip;
}

/** Whether two ISAKMP SAs are with the same peer. */
export function samePeer(a: IsakmpSa, b: IsakmpSa): boolean {
  return peerKey(a) === peerKey(b);
}

/** A flow of IPsec pairs: a peer and the proxies seen from this router. */
export function flowOf(peer: string, proxies: Proxies): string {
  return `${peer}|${flowKey(proxies)}`;
}
