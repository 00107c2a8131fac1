/**
 * NAT in IOS's order of operations, around the crypto datapath
 * (docs/research/ios-12.2-notes.md, section 1; docs/architecture.md):
 *
 *   inside -> outside:  routing, NAT inside-to-outside, crypto map check and
 *                       output access group on the translated clear packet,
 *                       encryption (datapath.ts)
 *   outside -> inside:  input access group (kernel), the clear-text check of
 *                       the crypto map, NAT outside-to-inside, routing
 *   ESP -> inside:      input access group on the ESP (kernel), decryption,
 *                       input access group again on the inner packet, NAT
 *                       outside-to-inside (the datapath's hooks)
 *
 * Linux would do NAT after the routing decision that steers packets to the
 * agent, so the kernel does none: the steering plan hands the agent every
 * packet routed from a NAT inside interface out of a NAT outside interface,
 * and every packet that arrives by an outside interface for a global
 * address, through the NAT tun device; this class translates them and passes
 * them on to the datapath, which checks the crypto map against the
 * translated packet. A crypto ACL written for the untranslated addresses then
 * no longer matches, as on IOS ("NAT breaks my VPN"); a translated packet the
 * crypto ACL matches is translated and then encrypted.
 */
import type { Datapath, RouteInfo } from './datapath.js';
import type { Nat } from './nat/nat.js';
import { peekIpv4 } from './packet.js';
import { FragmentError, Reassembler } from './reassembly.js';

export interface NatPathDeps {
  nat: Nat;
  datapath: Datapath;
  route(destination: number): RouteInfo | null;
  isLocal(address: number): boolean;
  now(): number;
  log(text: string): void;
}

export interface NatPathCounters {
  /** Packets translated inside to outside. */
  outbound: number;
  /** Packets translated outside to inside. */
  inbound: number;
  /** Packets dropped: no global address to give (pool exhausted, table full). */
  failed: number;
  /** Packets from outside for a global address that has no translation. */
  unmatched: number;
  malformed: number;
}

export class NatPath {
  readonly counters: NatPathCounters = { outbound: 0, inbound: 0, failed: 0, unmatched: 0, malformed: 0 };
  /** NAT translates whole packets: fragments are put back together first (the kernel fragments again on the way out). */
  private readonly reassembler = new Reassembler();

  constructor(private readonly deps: NatPathDeps) {}

  /** A packet from the NAT tun device. Never throws. */
  handle(packet: Buffer): void {
    try {
      this.dispatch(packet);
    } catch (e) {
      this.counters.malformed++;
      this.deps.log(`%TESTBED-3-NAT: packet of ${packet.length} bytes dropped: ${(e as Error).message}`);
    }
  }

  private dispatch(arrived: Buffer): void {
    const p = peekIpv4(arrived);
    if (!p) {
      this.counters.malformed++;
      return;
    }
    let packet = arrived.subarray(0, p.totalLength);
    if (p.laterFragment || (packet.readUInt16BE(6) & 0x2000) !== 0) {
      let whole: Buffer | null;
      try {
        whole = this.reassembler.add(packet, this.deps.now());
      } catch (e) {
        if (e instanceof FragmentError) return;
        throw e;
      }
      if (!whole) return;
      packet = whole;
    } else {
      packet = Buffer.from(packet); // translated in place: not the tun reader's buffer
    }
    if (this.deps.nat.isGlobal(packet.readUInt32BE(16))) this.fromOutside(packet);
    else this.insideOut(packet);
  }

  /** Routed from an inside interface out of an outside one: NAT first, then the crypto map and the rest (datapath). */
  private insideOut(packet: Buffer): void {
    const route = this.deps.route(packet.readUInt32BE(16));
    if (route) {
      const verdict = this.deps.nat.outbound(packet, route.iface);
      if (verdict === 'drop') {
        this.counters.failed++;
        return;
      }
      if (verdict === 'translated') this.counters.outbound++;
    }
    this.deps.datapath.handle(packet);
  }

  /** Arrived by an outside interface for a global address: the crypto map's clear-text check, then NAT back. */
  private fromOutside(packet: Buffer): void {
    const p = peekIpv4(packet)!;
    if (this.deps.datapath.shouldHaveBeenEsp(p)) return;
    if (this.deps.nat.inbound(packet) === 'translated') {
      this.counters.inbound++;
      this.deps.datapath.transit(packet);
      return;
    }
    if (this.deps.isLocal(p.destination)) {
      this.deps.datapath.deliver(packet); // for the router itself (a ping to the interface that overloads)
      return;
    }
    this.counters.unmatched++;
  }

  /** Time passes: reassemblies whose time ran out go. */
  sweep(now: number): void {
    this.reassembler.sweep(now);
  }

  /** For the datapath's hook: NAT outside to inside for a decrypted packet that arrived by `iface`. */
  untranslate(packet: Buffer, iface: string): void {
    const policy = this.deps.nat.current;
    if (!policy?.outside.has(iface) || !this.deps.nat.isGlobal(packet.readUInt32BE(16))) return;
    if (this.deps.nat.inbound(packet) === 'translated') this.counters.inbound++;
  }
}
