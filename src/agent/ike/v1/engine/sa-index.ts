/**
 * The ISAKMP SAs by cookies and by peer, so that a datagram finds its SA in
 * a few map lookups whatever the size of the table (a walk over every SA
 * made a flood of first messages cost more per packet the longer it ran).
 *
 *   responder SAs   by CKY-I | CKY-R (ours, drawn at creation)
 *                   and by CKY-I | the peer's address, for a retransmitted first message
 *   initiator SAs   by CKY-I (ours): the answer carries the responder's cookie we do not know yet
 *   every SA        by the peer's address (Informational scope, per-peer bounds, INITIAL-CONTACT,
 *                   the SA a flow for that peer negotiates on)
 */
import type { Buffer } from 'node:buffer';
import type { Endpoint } from '../../types.js';
import type { IsakmpSa } from '../sa/isakmp-sa.js';

const ZERO = '0000000000000000';

interface Keys {
  readonly cookie: string;
  readonly first: string | null;
  peer: string;
}

export class SaIndex {
  private readonly cookieMap = new Map<string, IsakmpSa>();
  private readonly byFirst = new Map<string, IsakmpSa>();
  private readonly byPeer = new Map<string, Set<IsakmpSa>>();
  private readonly keys = new Map<IsakmpSa, Keys>();

  /** Whether a responder SA with these cookies exists (a fresh responder cookie must not collide). */
  hasPair(ckyI: Buffer, ckyR: Buffer): boolean {
    return this.cookieMap.has(ckyI.toString('hex') + ckyR.toString('hex'));
  }

  add(sa: IsakmpSa): void {
    const i = sa.ckyI.toString('hex');
    const cookie = sa.role === 'responder' ? i + sa.ckyR.toString('hex') : i;
    const first = sa.role === 'responder' ? `${i}|${sa.remote.ip}` : null;
    this.cookieMap.set(cookie, sa);
    if (first) this.byFirst.set(first, sa);
    const k: Keys = { cookie, first, peer: sa.remote.ip };
    this.keys.set(sa, k);
    this.peerSet(k.peer).add(sa);
  }

  remove(sa: IsakmpSa): void {
    const k = this.keys.get(sa);
    if (!k) return;
    this.keys.delete(sa);
    if (this.cookieMap.get(k.cookie) === sa) this.cookieMap.delete(k.cookie);
    if (k.first && this.byFirst.get(k.first) === sa) this.byFirst.delete(k.first);
    this.leavePeer(k.peer, sa);
  }

  /** The SA's peer address changed (NAT-T followed the peer): index it under the new one. */
  follow(sa: IsakmpSa): void {
    const k = this.keys.get(sa);
    if (!k || k.peer === sa.remote.ip) return;
    this.leavePeer(k.peer, sa);
    k.peer = sa.remote.ip;
    this.peerSet(k.peer).add(sa);
  }

  /** The SAs with a peer address (any state), in conn id order (the oldest first, whatever moved). */
  peer(ip: string): IsakmpSa[] {
    const set = this.byPeer.get(ip);
    return set ? [...set].sort((a, b) => a.connId - b.connId) : [];
  }

  /**
   * The SA a message belongs to: by both cookies; an initiator of ours still
   * waiting for the responder cookie (or that learnt this one); a responder
   * receiving a retransmission of the first message (responder cookie zero)
   * from the same address.
   */
  find(h: { initiatorCookie: Buffer; responderCookie: Buffer }, from: Endpoint): IsakmpSa | undefined {
    const i = h.initiatorCookie.toString('hex');
    const r = h.responderCookie.toString('hex');
    const pair = r === ZERO ? undefined : this.cookieMap.get(i + r);
    if (pair) return pair.deleted ? undefined : pair;
    const ours = this.cookieMap.get(i);
    if (ours && ours.role === 'initiator') {
      const known = ours.ckyR.toString('hex');
      if (!ours.deleted && (known === ZERO || known === r)) return ours;
    }
    if (r !== ZERO) return undefined;
    const first = this.byFirst.get(`${i}|${from.ip}`);
    return first && !first.deleted ? first : undefined;
  }

  /** The SA with exactly these cookies (a Delete names its ISAKMP SA by them). */
  byCookies(ckyI: Buffer, ckyR: Buffer): IsakmpSa | undefined {
    const i = ckyI.toString('hex');
    const r = ckyR.toString('hex');
    const sa = this.cookieMap.get(i + r) ?? this.cookieMap.get(i);
    if (!sa || sa.deleted) return undefined;
    return sa.ckyI.toString('hex') === i && sa.ckyR.toString('hex') === r ? sa : undefined;
  }

  private peerSet(ip: string): Set<IsakmpSa> {
    let set = this.byPeer.get(ip);
    if (!set) {
      set = new Set();
      this.byPeer.set(ip, set);
    }
    return set;
  }

  private leavePeer(ip: string, sa: IsakmpSa): void {
    const set = this.byPeer.get(ip);
    if (!set) return;
    set.delete(sa);
    if (set.size === 0) this.byPeer.delete(ip);
  }
}
