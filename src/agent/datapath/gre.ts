/**
 * GRE tunnels in userspace (the kernel here has no GRE module). Pure: the
 * tunnel devices, the datapath and the clock are injected.
 *
 *   a packet the kernel routed into a tunnel's device
 *       -> outer IPv4 (protocol 47, tunnel source -> destination, TTL 255, DF
 *          clear, the inner ToS) + GRE header (key, checksum as configured)
 *       -> the datapath, which routes it and applies the crypto map of the
 *          interface it leaves by (GRE over IPsec)
 *   GRE for one of the router's addresses (in clear, or decrypted from ESP)
 *       -> the tunnel whose source, destination and key match
 *       -> the inner packet into that tunnel's device (the kernel routes it
 *          as received on the tunnel); a keepalive answer (protocol type 0)
 *          to the keepalive state machine; a keepalive of the far end (an
 *          inner GRE packet from this tunnel's source back to its
 *          destination) straight back out, also while keepalives hold the
 *          line protocol down (else two ends down would never come back)
 *   `ip tcp adjust-mss` on the tunnel: the TCP SYNs it carries either way,
 *       except the router's own, get their MSS lowered (mss.ts); the kernel
 *       has no rule for the tunnel's device
 *
 * Keepalives are IOS's: a GRE packet to the far end whose inner packet is a
 * GRE packet from the far end back to us, with protocol type 0; the far end
 * decapsulates it and routes it back like any packet, so it needs no
 * keepalive support of its own (gre-keepalive.ts). Nothing here grows with
 * the traffic: per tunnel, counters and one keepalive state.
 */
import { internetChecksum } from '../../codecs/net/checksum.js';
import { decodeGre, GRE_PROTOCOL_IPV4, GreError, greHeaderLength, IPPROTO_GRE, writeGreHeader, type GreErrorReason } from '../../codecs/net/gre.js';
import type { TunnelKeepalive } from '../../ios/config/types.js';
import { GreKeepalive } from './gre-keepalive.js';
import { clampTcpMss } from './mss.js';
import { peekIpv4, writeIpv4Header } from './packet.js';

export interface GreTunnelSpec {
  /** IOS interface name (Tunnel0), also the name of its device. */
  name: string;
  source: number;
  destination: number;
  key: number | null;
  checksum: boolean;
  keepalive: TunnelKeepalive | null;
  /** Line protocol up: data is carried only then. */
  up: boolean;
  /** Source, destination and route are there (keepalives are sent, also while they keep the line protocol down). */
  reachable: boolean;
  /**
   * The tunnel interface carries a crypto map too. 12.2 mainline needs it for
   * the physical interface's crypto map to act on the tunnel's GRE packets
   * (before 12.2(13)T the map goes on both interfaces); without it they leave
   * in clear.
   */
  cryptoMap: boolean;
  /** `ip tcp adjust-mss` of the tunnel interface: the MSS of the TCP SYNs it carries (both ways) is lowered to it (mss.ts). */
  adjustMss: number | null;
}

export interface GreDeps {
  /** The decapsulated packet into the tunnel's device. */
  deliver(tunnel: string, packet: Buffer): void;
  /** A packet the router sends (GRE it made, a keepalive it reflects): routed by the datapath; `crypto`: apply crypto maps. */
  originate(packet: Buffer, crypto: boolean): void;
  /** Keepalives took a tunnel's line protocol down, or brought it back up. */
  keepaliveChanged(tunnel: string, down: boolean): void;
  now(): number;
  /** One of the router's addresses: its own SYNs are not adjusted (IOS adjusts what passes through). */
  isLocal?(address: number): boolean;
}

export interface GreTunnelCounters {
  inPackets: number;
  inBytes: number;
  outPackets: number;
  outBytes: number;
  /** Malformed inner packets and bad checksums. */
  inErrors: number;
  /** Of those, GRE checksums that failed. */
  crc: number;
  /** Packets for the tunnel while its line protocol was down, or of a protocol it does not carry. */
  inDrops: number;
  outDrops: number;
  keepalivesSent: number;
  keepalivesAnswered: number;
  lastInput: number | null;
  lastOutput: number | null;
}

export interface GreCounters {
  /** GRE for the router that no tunnel takes (source, destination or key). */
  noTunnel: number;
  malformed: Record<GreErrorReason, number>;
}

interface Tunnel {
  spec: GreTunnelSpec;
  counters: GreTunnelCounters;
  keepalive: GreKeepalive | null;
}

const OUTER = 20;

function newCounters(): GreTunnelCounters {
  return {
    inPackets: 0,
    inBytes: 0,
    outPackets: 0,
    outBytes: 0,
    inErrors: 0,
    crc: 0,
    inDrops: 0,
    outDrops: 0,
    keepalivesSent: 0,
    keepalivesAnswered: 0,
    lastInput: null,
    lastOutput: null,
  };
}

/** IPv4 header + GRE header + `inner`, from `source` to `destination`, with `inner`'s ToS. */
function encapsulate(spec: GreTunnelSpec, inner: Buffer, protocol: number, source: number, destination: number): Buffer {
  const gre = { protocol, checksum: spec.checksum, key: spec.key, sequence: null };
  const hl = greHeaderLength(gre);
  const frame = Buffer.allocUnsafe(OUTER + hl + inner.length);
  inner.copy(frame, OUTER + hl);
  writeGreHeader(frame, OUTER, gre);
  writeIpv4Header(frame, IPPROTO_GRE, source, destination);
  const tos = inner.length > 1 && inner[0]! >> 4 === 4 ? inner[1]! : 0;
  if (tos !== 0) {
    frame[1] = tos;
    frame.writeUInt16BE(0, 10);
    frame.writeUInt16BE(internetChecksum(frame.subarray(0, OUTER)), 10);
  }
  return frame;
}

export class GreTunnels {
  private readonly tunnels = new Map<string, Tunnel>();
  readonly counters: GreCounters = { noTunnel: 0, malformed: { truncated: 0, 'bad-version': 0, 'rfc1701-flags': 0 } };

  constructor(private readonly deps: GreDeps) {}

  /** The tunnels now; counters and keepalive state of the ones that stay are kept. */
  configure(specs: readonly GreTunnelSpec[]): void {
    const now = this.deps.now();
    const names = new Set(specs.map((s) => s.name));
    for (const name of [...this.tunnels.keys()]) if (!names.has(name)) this.tunnels.delete(name);
    for (const spec of specs) {
      const t = this.tunnels.get(spec.name);
      const keep = t?.keepalive && spec.keepalive && t.spec.source === spec.source && t.spec.destination === spec.destination && t.spec.key === spec.key;
      let keepalive: GreKeepalive | null = null;
      if (spec.keepalive) {
        keepalive = keep ? t!.keepalive : new GreKeepalive(spec.keepalive, now);
        keepalive!.reconfigure(spec.keepalive, now);
      }
      this.tunnels.set(spec.name, { spec, counters: t?.counters ?? newCounters(), keepalive });
    }
  }

  countersOf(name: string): Readonly<GreTunnelCounters> | undefined {
    return this.tunnels.get(name)?.counters;
  }

  /** Whether keepalives hold a tunnel's line protocol down. */
  keepaliveDown(name: string): boolean {
    return this.tunnels.get(name)?.keepalive?.down ?? false;
  }

  /** A packet the kernel routed into the tunnel's device. */
  send(name: string, packet: Buffer): void {
    const t = this.tunnels.get(name);
    if (!t) return;
    const p = peekIpv4(packet);
    if (!t.spec.up || !p) {
      t.counters.outDrops++;
      return;
    }
    const inner = packet.subarray(0, p.totalLength);
    if (t.spec.adjustMss !== null && !this.deps.isLocal?.(p.source)) clampTcpMss(inner, t.spec.adjustMss);
    this.output(t, inner.length);
    this.deps.originate(encapsulate(t.spec, inner, GRE_PROTOCOL_IPV4, t.spec.source, t.spec.destination), t.spec.cryptoMap);
  }

  private output(t: Tunnel, bytes: number): void {
    t.counters.outPackets++;
    t.counters.outBytes += bytes;
    t.counters.lastOutput = this.deps.now();
  }

  /** A GRE packet (outer IPv4 header included, reassembled) for one of the router's addresses. Never throws. */
  receive(packet: Buffer): void {
    const p = peekIpv4(packet);
    if (!p || p.protocol !== IPPROTO_GRE) return;
    let gre;
    try {
      gre = decodeGre(packet.subarray(p.headerLength, p.totalLength));
    } catch (e) {
      if (!(e instanceof GreError)) throw e;
      this.counters.malformed[e.reason]++;
      return;
    }
    const key = gre.header.key;
    const t = [...this.tunnels.values()].find((x) => x.spec.source === p.destination && x.spec.destination === p.source && x.spec.key === key);
    if (!t) {
      this.counters.noTunnel++;
      return;
    }
    const c = t.counters;
    if (gre.checksumValid === false) {
      c.inErrors++;
      c.crc++;
      return;
    }
    if (gre.header.protocol === 0) {
      // the answer to one of our keepalives (the far end routed our inner packet back)
      c.inPackets++;
      c.inBytes += gre.payload.length;
      c.lastInput = this.deps.now();
      if (!t.keepalive) return;
      c.keepalivesAnswered++;
      if (t.keepalive.answered()) this.deps.keepaliveChanged(t.spec.name, false);
      return;
    }
    if (gre.header.protocol !== GRE_PROTOCOL_IPV4) {
      c.inDrops++;
      return;
    }
    const inner = peekIpv4(gre.payload);
    if (!inner) {
      c.inErrors++;
      return;
    }
    const body = gre.payload.subarray(0, inner.totalLength);
    if (inner.protocol === IPPROTO_GRE && inner.source === t.spec.source && inner.destination === t.spec.destination && t.spec.reachable) {
      // the far end's keepalive: routed back to it as IOS does, also while keepalives hold this end down
      c.inPackets++;
      c.inBytes += body.length;
      c.lastInput = this.deps.now();
      this.deps.originate(Buffer.from(body), true);
      return;
    }
    if (!t.spec.up) {
      c.inDrops++;
      return;
    }
    c.inPackets++;
    c.inBytes += body.length;
    c.lastInput = this.deps.now();
    if (t.spec.adjustMss !== null && !this.deps.isLocal?.(inner.destination)) clampTcpMss(body, t.spec.adjustMss);
    this.deps.deliver(t.spec.name, body);
  }

  // ---------------------------------------------------------------- keepalives

  /** When tick has work next; null without keepalives. */
  nextDeadline(): number | null {
    let next: number | null = null;
    for (const t of this.tunnels.values()) {
      if (!t.keepalive || !t.spec.reachable) continue;
      const d = t.keepalive.deadline();
      if (next === null || d < next) next = d;
    }
    return next;
  }

  /** Send the keepalives that are due; report tunnels whose line protocol they took down. */
  tick(now: number): void {
    for (const t of this.tunnels.values()) {
      if (!t.keepalive || !t.spec.reachable) continue;
      const step = t.keepalive.tick(now);
      if (step.wentDown) this.deps.keepaliveChanged(t.spec.name, true);
      if (!step.send) continue;
      t.counters.keepalivesSent++;
      const answer = encapsulate(t.spec, Buffer.alloc(0), 0, t.spec.destination, t.spec.source);
      const keepalive = encapsulate(t.spec, answer, GRE_PROTOCOL_IPV4, t.spec.source, t.spec.destination);
      this.output(t, answer.length);
      this.deps.originate(keepalive, t.spec.cryptoMap);
    }
  }
}
