/**
 * The router's IPsec datapath, in userspace (the kernel here has no ESP).
 * Policy routing (steering.ts) hands the agent the packets that concern
 * IPsec; this class decides, per packet, as IOS would:
 *
 *   ESP for us          -> verify, decrypt, check the proxies, forward the inner packet
 *   UDP 500/4500 for us -> the IKE engine
 *   anything else for us -> delivered (written back: the router's own traffic is never diverted)
 *   UDP 500 crossing us -> the IKE engine as a possible TED probe (answered, or forwarded); steered
 *                          here only on a router with a `discover` entry, as other ESP and IKE crossing
 *                          the router is not (plan.ts: the kernel forwards it)
 *   a packet the crypto map of the interface it leaves by protects (crypto-policy.ts)
 *                       -> ESP with the SA that covers it; without one, drop it and
 *                          ask the IKE engine to negotiate
 *   anything else       -> forwarded unchanged
 *   clear text from the drop device -> dropped if the crypto map of the interface it
 *                          came by (the route back to its source) protects its mirror, else forwarded
 *   GRE for us (in clear or from ESP) -> the GRE tunnels (gre.ts), after the same check in clear
 *   a packet the router makes (GRE, a reflected keepalive: `originate`) -> the crypto map of the
 *                          interface it leaves by, like a forwarded packet
 *   `ip tcp adjust-mss` of the crypto-map interface: on the clear SYNs it encrypts and decrypts (the
 *                          kernel never sees them on that interface; it clamps the rest, kernel-interfaces.ts)
 *
 * I/O is injected (the tun write, the clock, randomness), so the logic runs
 * in tests with no device.
 */
import type { RandomSource } from '../crypto/algorithms.js';
import type { IkePolicy } from '../ike/policy.js';
import { proxyRange } from '../ike/proxies.js';
import { RangeIndex } from '../ike/range-index.js';
import type { AcquireTrigger, CryptoMapRef, Datagram, Endpoint, IkeAction, IpsecSaSpec, ProxyId, TransitProbe, TransitVerdict } from '../ike/types.js';
import {
  classifyUdp4500,
  EspInboundSa,
  EspOutboundSa,
  NEXT_HEADER_IPV4,
  pooledRandom,
  type EspCounters,
  type EspEncapsulation,
  type NativeEsp,
} from '../esp/index.js';
import { formatIpv4, parseIpv4 } from '../../codecs/net/address.js';
import { IPPROTO_ESP, IPPROTO_TCP, IPPROTO_UDP } from '../../codecs/net/ipv4.js';
import { IPPROTO_GRE } from '../../codecs/net/gre.js';
import type { PacketTuple } from '../../ios/acl/match.js';
import { inboundEntry, outboundEntry } from './crypto-policy.js';
import { FlowCache } from './flow-cache.js';
import { fragmentIpv4 } from './fragment.js';
import { FragmentError, Reassembler, type ReassemblyCounters } from './reassembly.js';
import { clampTcpMss } from './mss.js';
import { adjustTtl, fragmentationNeeded, peekIpv4, udpPacket, writeIpv4Header, writeUdpHeader, type Peek } from './packet.js';

/** The part of the IKE engine the datapath calls. */
export interface EnginePort {
  acquire(trigger: AcquireTrigger, now: number): IkeAction[];
  receive(datagram: Datagram, now: number): IkeAction[];
  receiveTransitProbe(probe: TransitProbe, now: number): TransitVerdict;
}

export interface RouteInfo {
  /** IOS interface the packet leaves by. */
  iface: string;
  nextHop: string | null;
  mtu: number;
  /** The interface's primary address (source of ICMP errors). */
  address: string | null;
}

export interface DatapathDeps {
  write(packet: Buffer): void;
  isLocal(address: number): boolean;
  route(destination: number): RouteInfo | null;
  policy(): IkePolicy;
  engine: EnginePort;
  /** Carry out what the engine asked for (some actions come back here: install, delete, send). */
  act(actions: IkeAction[]): void;
  log(text: string): void;
  /** Told about every packet that waits for an SA (for the time line). */
  onAcquire?(trigger: AcquireTrigger): void;
  now(): number;
  random: RandomSource;
  /** The native ESP module, when the agent has it (see esp/sa.ts). */
  nativeEsp?: NativeEsp;
  /** The GRE tunnels (gre.ts): GRE for the router's own addresses goes there. */
  gre?: { receive(packet: Buffer): void };
  /** `ip tcp adjust-mss` of an interface, or null: applied (mss.ts) to what is encrypted out of it and decrypted in by it. */
  adjustMss?(iface: string): number | null;
}

/**
 * Steps other parts of the router add to the packets the datapath handles
 * (nat-order.ts sets them): interface access groups and NAT, in IOS's order
 * around encryption and decryption (docs/architecture.md, "NAT, access
 * groups and crypto").
 */
export interface DatapathHooks {
  /** The access group out of `iface` permits this clear packet (checked before encryption); false: dropped (and answered) by the hook. */
  permitOut?(packet: Buffer, iface: string): boolean;
  /** The access group into `iface` permits this decrypted packet (IOS 12.2 checks it again after decryption). */
  permitIn?(packet: Buffer, iface: string): boolean;
  /** NAT outside to inside for a decrypted packet that arrived by `iface` (in place). */
  untranslate?(packet: Buffer, iface: string): void;
}

/** One installed SA pair, as the datapath keeps it. */
export interface SaPair {
  spec: IpsecSaSpec;
  inbound: EspInboundSa;
  outbound: EspOutboundSa;
  local: number;
  remote: number;
  /** Ranges of the proxies, for quick checks. */
  localRange: readonly [number, number];
  remoteRange: readonly [number, number];
  protocol: number;
  localPort: number;
  remotePort: number;
  installedAt: number;
  /** Install order: of two pairs that cover a packet, the older carries it. */
  order: number;
  /** Superseded by a rekeyed pair (or one that won a simultaneous negotiation): still decrypts, no longer encrypts. */
  retired: boolean;
  /** Inbound SPI of the pair that superseded it: when that pair goes, this one carries the flow again. */
  supersededBy: number | null;
}

export interface DatapathCounters {
  /** Packets dropped because no SA protected them yet (negotiation started). */
  noSaDrops: number;
  /** ESP for us with an SPI we do not know. */
  unknownSpi: number;
  /** ESP for a known SA that came the other way than negotiated: in UDP 4500 for a plain SA, as protocol 50 for a UDP-encapsulated one (also the SA's #recv errors). */
  wrongEncapsulation: number;
  /** Decrypted packets outside the SA's proxies. */
  proxyViolations: number;
  /** Clear text that should have been ESP. */
  clearTextDrops: number;
  /** Packets handed back to the kernel unchanged. */
  forwarded: number;
  malformed: number;
  /** Packets too big for the tunnel with DF set: ICMP fragmentation-needed sent instead ("couldn't fragment"). */
  fragNeeded: number;
  /** ESP packets fragmented after encryption ("fragmented"): too big for the link, or a DF packet let through by `crypto ipsec df-bit clear`. */
  fragmented: number;
  /** TCP SYNs whose MSS `ip tcp adjust-mss` lowered (encrypted or decrypted ones; the kernel counts its own in TB-MSS). */
  mssAdjusted: number;
}

/** What a flow gets: the pair that protects it, 'none' (no crypto map entry wants it), or the entry that wants it (no SA yet). */
type FlowResult = SaPair | 'none' | { acquire: CryptoMapRef };

/** The fields of a packet a crypto ACL looks at. */
function tupleOf(p: Peek): PacketTuple {
  return { protocol: p.protocol, source: p.source, destination: p.destination, sourcePort: p.sourcePort, destinationPort: p.destinationPort };
}

const HEADROOM_ESP = 20;
const HEADROOM_UDP_ESP = 28;

function covers(range: readonly [number, number], address: number): boolean {
  return address >= range[0] && address <= range[1];
}

export class Datapath {
  /** Every installed pair, in install order. */
  private readonly byInboundSpi = new Map<number, SaPair>();
  private readonly byOutboundSpi = new Map<number, SaPair>();
  /** The pairs that encrypt, by the range of their remote proxy: the pair for a packet is found in constant work, however many peers. */
  private readonly active = new RangeIndex<SaPair>();
  /** Retired pairs by the inbound SPI of the pair that superseded them. */
  private readonly superseded = new Map<number, Set<SaPair>>();
  private installs = 0;
  /** Per flow (source, destination, interface, protocol and ports): what the exact check decided (flow-cache.ts). */
  private readonly flowCache = new FlowCache<FlowResult>();
  private readonly iv: RandomSource;
  readonly counters: DatapathCounters = {
    noSaDrops: 0,
    unknownSpi: 0,
    wrongEncapsulation: 0,
    proxyViolations: 0,
    clearTextDrops: 0,
    forwarded: 0,
    malformed: 0,
    fragNeeded: 0,
    mssAdjusted: 0,
    fragmented: 0,
  };
  private lastClearTextLog = 0;
  private lastFragTableLog = 0;
  private readonly reassembler = new Reassembler();
  /** Access groups and NAT (nat-order.ts); none by default. */
  hooks: DatapathHooks = {};

  constructor(private readonly deps: DatapathDeps) {
    this.iv = pooledRandom(deps.random);
  }

  /** Every installed pair, in install order (for show commands and key tables). */
  get saPairs(): readonly SaPair[] {
    return [...this.byInboundSpi.values()];
  }

  // ---------------------------------------------------------------- packets

  /** A packet from the main tun device. Never throws. */
  handle(packet: Buffer): void {
    try {
      this.dispatch(packet);
    } catch (e) {
      this.counters.malformed++;
      this.deps.log(`%TESTBED-3-DATAPATH: packet of ${packet.length} bytes dropped: ${(e as Error).message}`);
    }
  }

  /**
   * A packet from the drop tun device: clear text that the kernel rules say
   * may have been ESP. The exact check: the crypto map of the interface it
   * came in by (the route back to its source; the tun device does not say)
   * protects its mirror image. Otherwise (a deny line, a wildcard the rules
   * widened) it goes on. Never throws.
   */
  handleClearText(packet: Buffer): void {
    try {
      this.clearText(packet);
    } catch (e) {
      this.counters.malformed++;
      this.deps.log(`%TESTBED-3-DATAPATH: clear-text packet of ${packet.length} bytes dropped: ${(e as Error).message}`);
    }
  }

  private clearText(packet: Buffer): void {
    const p = peekIpv4(packet);
    if (!p) {
      this.counters.malformed++;
      return;
    }
    if (!this.shouldHaveBeenEsp(p)) this.transit(packet.subarray(0, p.totalLength));
  }

  /**
   * The exact clear-text check: whether the crypto map of the interface this
   * packet came in by (the route back to its source) protects its mirror
   * image; if so it is dropped (and logged, as IOS logs it).
   */
  shouldHaveBeenEsp(p: Peek): boolean {
    const back = this.deps.route(p.source);
    if (!back || !inboundEntry(this.deps.policy(), back.iface, tupleOf(p))) return false;
    this.counters.clearTextDrops++;
    const now = this.deps.now();
    if (now - this.lastClearTextLog > 60_000) {
      // IOS rate-limits this message too
      this.lastClearTextLog = now;
      this.deps.log(
        `%CRYPTO-4-RECVD_PKT_NOT_IPSEC: Rec'd packet not an IPSEC packet. (ip) vrf/dest_addr= (none)/${formatIpv4(p.destination)}, src_addr= ${formatIpv4(p.source)}, prot= ${p.protocol}`,
      );
    }
    return true;
  }

  private dispatch(arrived: Buffer): void {
    let packet = arrived;
    let p = peekIpv4(packet);
    if (!p) {
      this.counters.malformed++;
      return;
    }
    const forUs = this.deps.isLocal(p.destination);
    if (forUs && (p.laterFragment || (packet.readUInt16BE(6) & 0x2000) !== 0)) {
      // ESP (or IKE) fragmented after encryption by the peer: reassemble, then handle the whole packet
      let whole: Buffer | null;
      try {
        whole = this.reassembler.add(packet.subarray(0, p.totalLength), this.deps.now());
      } catch (e) {
        if (!(e instanceof FragmentError)) throw e;
        this.fragmentRefused(e, p);
        return;
      }
      if (!whole) return;
      packet = whole;
      p = peekIpv4(packet);
      if (!p) return;
    }
    if (p.protocol === IPPROTO_ESP) {
      if (forUs) this.inboundEsp(p, packet.subarray(p.headerLength, p.totalLength), 'esp');
      else this.transit(packet);
      return;
    }
    if (forUs && p.protocol === IPPROTO_GRE && this.deps.gre) {
      // GRE in clear: dropped (and logged) as IOS drops it where the crypto map says it should have been ESP
      if (!this.shouldHaveBeenEsp(p)) this.deps.gre.receive(packet.subarray(0, p.totalLength));
      return;
    }
    if (p.protocol === IPPROTO_UDP && !p.laterFragment && (p.destinationPort === 500 || p.destinationPort === 4500)) {
      const payload = packet.subarray(p.headerLength + 8, p.totalLength);
      if (forUs) {
        this.udpForUs(p, payload);
        return;
      }
      if (p.destinationPort === 500) {
        // the tun device does not say which interface it came in by: the route back to its source does
        const iface = this.deps.route(p.source)?.iface;
        const probe: TransitProbe = {
          ipSource: formatIpv4(p.source),
          ipDestination: formatIpv4(p.destination),
          payload,
          ...(iface ? { interface: iface } : {}),
        };
        const verdict = this.deps.engine.receiveTransitProbe(probe, this.deps.now());
        this.deps.act(verdict.actions);
        if (verdict.verdict === 'forward') this.transit(packet);
        return;
      }
      this.transit(packet);
      return;
    }
    if (forUs) {
      // the kernel hands the agent the router's own traffic only as ESP or IKE; anything else is delivered
      this.forward(packet);
      return;
    }
    this.outbound(packet, p);
  }

  /** Counted by the reassembler ("couldn't reassemble"); a full table is logged as IOS logs it, once a minute at most. */
  private fragmentRefused(e: FragmentError, p: Peek): void {
    if (e.reason !== 'table-full') return;
    const now = this.deps.now();
    if (now - this.lastFragTableLog < 60_000) return;
    this.lastFragTableLog = now;
    const iface = this.deps.route(p.source)?.iface ?? 'unknown';
    this.deps.log(`%IP_VFR-4-FRAG_TABLE_OVERFLOW: ${iface}: ${e.message}`);
  }

  /** Flows in the flow cache (bounded, flow-cache.ts). */
  get flowCount(): number {
    return this.flowCache.size;
  }

  /** Reassembly counters (show ip traffic). */
  get reassembly(): Readonly<ReassemblyCounters> {
    return this.reassembler.counters;
  }

  /** Time passes: reassemblies whose time ran out are dropped (counted as timeouts). */
  sweep(now: number): void {
    this.reassembler.sweep(now);
  }

  /** Nothing for the periodic sweep and traffic report to look at: no SA pair, no fragment waiting. */
  get quiet(): boolean {
    return this.saPairs.length === 0 && this.reassembler.held.datagrams === 0;
  }

  private udpForUs(p: Peek, payload: Buffer): void {
    if (p.destinationPort === 4500) {
      const kind = classifyUdp4500(payload);
      if (kind.kind === 'esp') {
        this.inboundEsp(p, payload, 'udp');
        return;
      }
      if (kind.kind === 'keepalive' || kind.kind === 'invalid') return;
    }
    const datagram: Datagram = {
      from: { ip: formatIpv4(p.source), port: p.sourcePort ?? 0 },
      to: { ip: formatIpv4(p.destination), port: p.destinationPort ?? 0 },
      payload: Buffer.from(payload),
    };
    this.deps.act(this.deps.engine.receive(datagram, this.deps.now()));
  }

  /** Back to the kernel as it came: undo the TTL decrement of the trip into the tun device. */
  private forward(packet: Buffer): void {
    adjustTtl(packet, 1);
    this.counters.forwarded++;
    this.deps.write(packet);
  }

  /** A packet the router itself receives, written back for local delivery. */
  deliver(packet: Buffer): void {
    this.forward(packet);
  }

  /** A packet the router forwards as it is: the access group out of the interface it leaves by decides, then back to the kernel. */
  transit(packet: Buffer): void {
    const route = this.deps.route(packet.readUInt32BE(16));
    if (route && !this.permitsOut(packet, route.iface)) return;
    this.forward(packet);
  }

  private permitsOut(packet: Buffer, iface: string): boolean {
    return this.hooks.permitOut?.(packet, iface) ?? true;
  }

  /**
   * A packet the router itself makes (an ICMP unreachable for a packet an
   * access group denied): the crypto map of the interface it leaves by
   * applies, no access group does (IOS filters only what it forwards).
   */
  sendOwn(packet: Buffer): void {
    this.originate(packet, true);
  }

  private outbound(packet: Buffer, p: Peek): void {
    this.protect(packet, p, (b) => this.forward(b), false);
  }

  /**
   * A packet the router makes (a GRE packet, a keepalive it reflects, an ICMP
   * unreachable): the crypto map of the interface it leaves by acts on it as
   * on a forwarded one, no access group does; `crypto` false sends it as it
   * is. Never throws.
   */
  originate(packet: Buffer, crypto = true): void {
    try {
      const p = peekIpv4(packet);
      if (!p) {
        this.counters.malformed++;
        return;
      }
      if (!crypto) this.deps.write(packet);
      else this.protect(packet, p, (b) => this.deps.write(b), true);
    } catch (e) {
      this.counters.malformed++;
      this.deps.log(`%TESTBED-3-DATAPATH: packet of ${packet.length} bytes the router made dropped: ${(e as Error).message}`);
    }
  }

  /**
   * ESP if a crypto map entry wants the packet (and an SA exists; else negotiate and drop it); else `clear`.
   * `own`: the router made it, so no access group applies.
   */
  private protect(packet: Buffer, p: Peek, clear: (packet: Buffer) => void, own: boolean): void {
    const route = this.deps.route(p.destination);
    if (!route) {
      clear(packet); // the kernel answers with ICMP unreachable as it should
      return;
    }
    const found = this.outboundPair(p, route.iface);
    if (found === 'none') {
      if (own || this.permitsOut(packet, route.iface)) clear(packet);
      return;
    }
    if ('acquire' in found) {
      this.counters.noSaDrops++;
      const trigger: AcquireTrigger = {
        packet: {
          source: formatIpv4(p.source),
          destination: formatIpv4(p.destination),
          protocol: p.protocol,
          sourcePort: p.sourcePort,
          destinationPort: p.destinationPort,
        },
        interface: route.iface,
        entry: found.acquire,
        ...(route.nextHop ? { nextHop: route.nextHop } : {}),
      };
      this.deps.onAcquire?.(trigger);
      this.deps.act(this.deps.engine.acquire(trigger, this.deps.now()));
      return;
    }
    // IOS checks the access group out of the interface on the clear packet, before encryption (never on the ESP)
    if (!own && !this.permitsOut(packet, route.iface)) return;
    const inner = packet.subarray(0, p.totalLength);
    if (!own) this.adjustMss(inner, route.iface);
    this.encapsulate(inner, p, found, route);
  }

  /** `ip tcp adjust-mss` of `iface` on a packet the router forwards (in place); the interface is looked up for TCP only. */
  private adjustMss(packet: Buffer, iface: string): void {
    if (packet[9] !== IPPROTO_TCP || !this.deps.adjustMss) return;
    const mss = this.deps.adjustMss(iface);
    if (mss !== null && clampTcpMss(packet, mss)) this.counters.mssAdjusted++;
  }

  /** For a packet leaving by `iface`: the SA pair that protects it, 'none', or the entry that wants it (no SA yet). */
  private outboundPair(p: Peek, iface: string): FlowResult {
    const cached = this.flowCache.get(p, iface);
    if (cached !== undefined) return cached;
    const result = this.lookupFlow(p, iface);
    this.flowCache.set(p, iface, result);
    return result;
  }

  /** The exact decision (crypto-policy.ts), then the oldest pair in service that covers the packet. */
  private lookupFlow(p: Peek, iface: string): FlowResult {
    const hit = outboundEntry(this.deps.policy(), iface, tupleOf(p));
    if (!hit) return 'none';
    // `crypto map NAME local-address IFACE`: the interfaces carrying the map share its SAs (one local address)
    const shared = hit.map.localAddress !== null;
    let pair: SaPair | undefined;
    for (const s of this.active.covering(p.destination)) {
      if (
        (s.spec.interface === iface || (shared && s.spec.cryptoMap.map === hit.map.name)) &&
        covers(s.localRange, p.source) &&
        (s.protocol === 0 || s.protocol === p.protocol) &&
        (s.localPort === 0 || s.localPort === p.sourcePort) &&
        (s.remotePort === 0 || s.remotePort === p.destinationPort) &&
        (!pair || s.order < pair.order)
      ) {
        pair = s;
      }
    }
    return pair ?? { acquire: hit.entry.ref };
  }

  /**
   * `crypto ipsec df-bit`: copy (the default) gives the outer header the
   * inner packet's DF bit, set always sets it, clear never does. With clear,
   * a DF packet too big for the tunnel is not refused: it is encrypted whole
   * and the ESP packet fragmented (the peer reassembles before decrypting).
   */
  private encapsulate(inner: Buffer, p: Peek, pair: SaPair, route: RouteInfo): void {
    const mode = this.deps.policy().dfBit;
    const outerDf = mode === 'set' || (mode === 'copy' && p.dontFragment);
    const headroom = pair.spec.udpEncapsulation ? HEADROOM_UDP_ESP : HEADROOM_ESP;
    const size = headroom + pair.outbound.encapsulatedLength(inner.length);
    if (size > route.mtu) {
      // the largest inner packet that still fits once encrypted
      const room = route.mtu - headroom - (pair.outbound.encapsulatedLength(inner.length) - inner.length) - pair.outbound.cipher.padBlock;
      if (p.dontFragment && mode === 'clear') {
        this.sendFragmented(this.seal(inner, pair, headroom, false), route.mtu);
        return;
      }
      if (p.dontFragment) {
        // IOS: tell the sender the path MTU through the tunnel (RFC 1191)
        this.counters.fragNeeded++;
        const from = route.address ? parseIpv4(route.address) : pair.local;
        this.deps.write(fragmentationNeeded(inner, from, room));
        return;
      }
      // 12.2 mainline encrypts the whole packet and fragments the ESP packet (fragmentation before
      // encryption came with 12.2(13)T, fragment.ts); the peer reassembles before decrypting. The
      // router fragments its own ESP packet, so the pieces go without DF whatever df-bit says.
      this.sendFragmented(this.seal(inner, pair, headroom, false), route.mtu);
      return;
    }
    this.send(this.seal(inner, pair, headroom, outerDf));
  }

  private send(frame: Buffer | null): void {
    if (frame) this.deps.write(frame);
  }

  /** An ESP packet the router fragments itself (DF clear): the pieces, counted once. */
  private sendFragmented(frame: Buffer | null, mtu: number): void {
    const pieces = frame ? fragmentIpv4(frame, mtu) : [];
    if (pieces.length > 1) this.counters.fragmented++;
    for (const piece of pieces) this.deps.write(piece);
  }

  /** The ESP packet for `inner` with its outer header (DF as given), or null when the SA cannot encrypt (logged). */
  private seal(inner: Buffer, pair: SaPair, headroom: number, dontFragment: boolean): Buffer | null {
    const udp = pair.spec.udpEncapsulation;
    const r = pair.outbound.encapsulate(inner, this.iv, NEXT_HEADER_IPV4, headroom);
    if (!r.ok) {
      const spi = `0x${pair.spec.outbound.spi.toString(16).toUpperCase()}`;
      if (r.reason === 'sequence-exhausted') this.deps.log(`%CRYPTO-4-PKT_REPLAY_ERR: sequence numbers of SA with SPI ${spi} are exhausted`);
      else this.deps.log(`%TESTBED-3-ESP: the crypto engine failed to encrypt a packet for SA with SPI ${spi}`);
      return null;
    }
    const frame = r.framed;
    if (udp) {
      writeUdpHeader(frame, 20, udp.localPort, udp.remotePort);
      writeIpv4Header(frame, IPPROTO_UDP, pair.local, pair.remote, 255, dontFragment);
    } else {
      writeIpv4Header(frame, IPPROTO_ESP, pair.local, pair.remote, 255, dontFragment);
    }
    return frame;
  }

  /** ESP for the router, as IP protocol 50 ('esp') or inside UDP 4500 ('udp'): only the way its SA was negotiated. */
  private inboundEsp(p: Peek, esp: Buffer, arrived: EspEncapsulation): void {
    if (esp.length < 8) {
      this.counters.malformed++;
      return;
    }
    const spi = esp.readUInt32BE(0);
    const pair = this.byInboundSpi.get(spi);
    if (!pair) {
      this.counters.unknownSpi++;
      this.deps.log(
        `%CRYPTO-4-RECVD_PKT_INV_SPI: decaps: rec'd IPSEC packet has invalid spi for destaddr=${formatIpv4(p.destination)}, prot=50, spi=0x${spi.toString(16).toUpperCase()}(${spi}), srcaddr=${formatIpv4(p.source)}`,
      );
      return;
    }
    const r = pair.inbound.decapsulate(esp, arrived);
    if (!r.ok) {
      if (r.reason === 'wrong-encapsulation') this.counters.wrongEncapsulation++;
      if (r.reason === 'replay')
        this.deps.log(`%CRYPTO-4-PKT_REPLAY_ERR: decrypt: replay check failed connection id=${pair.spec.inbound.connId}, sequence number=${r.sequence ?? 0}`);
      else if (r.reason === 'auth-failed')
        this.deps.log(`%CRYPTO-4-RECVD_PKT_MAC_ERR: decrypt: mac verify failed for connection id=${pair.spec.inbound.connId}`);
      return;
    }
    if (r.nextHeader !== NEXT_HEADER_IPV4) return; // dummy packets (59) and anything else: discard
    const inner = peekIpv4(r.inner);
    if (!inner) {
      this.counters.malformed++;
      return;
    }
    if (!covers(pair.remoteRange, inner.source) || !covers(pair.localRange, inner.destination)) {
      this.counters.proxyViolations++;
      this.deps.log(
        `%CRYPTO-4-RECVD_PKT_INV_IDENT: decrypted packet doesn't match the negotiated identities, src_addr= ${formatIpv4(inner.source)}, dest_addr= ${formatIpv4(inner.destination)}, prot= ${inner.protocol}`,
      );
      return;
    }
    const clear = r.inner.subarray(0, inner.totalLength);
    const iface = pair.spec.interface;
    // IOS 12.2 checks the decrypted packet against the access group into the interface again, then un-NATs it
    if (this.hooks.permitIn && !this.hooks.permitIn(clear, iface)) return;
    if (inner.protocol === IPPROTO_GRE && this.deps.gre && this.deps.isLocal(inner.destination)) {
      this.decryptedGre(clear, inner);
      return;
    }
    this.hooks.untranslate?.(clear, iface);
    // a SYN crossing the router (not one for the router itself) by an interface with ip tcp adjust-mss
    if (!this.deps.isLocal(clear.readUInt32BE(16))) this.adjustMss(clear, iface);
    const route = this.deps.route(clear.readUInt32BE(16));
    if (route && !this.permitsOut(clear, route.iface)) return;
    this.deps.write(clear);
  }

  /** GRE that came as ESP, for the router: its tunnels take it, put back together first if the peer fragmented it before encryption (12.2(13)T and later do). */
  private decryptedGre(packet: Buffer, p: Peek): void {
    let whole: Buffer | null = packet;
    if (p.laterFragment || (packet.readUInt16BE(6) & 0x2000) !== 0) {
      try {
        whole = this.reassembler.add(packet, this.deps.now());
      } catch (e) {
        if (!(e instanceof FragmentError)) throw e;
        this.fragmentRefused(e, p);
        return;
      }
    }
    if (whole) this.deps.gre!.receive(whole);
  }

  // ---------------------------------------------------------------- control

  /**
   * A new pair. `replaces`: the pair it rekeys, which stops encrypting;
   * `supersededBy`: the pair that carries the flow instead of this one (it
   * lost a simultaneous negotiation), so this one only decrypts.
   */
  install(
    spec: IpsecSaSpec,
    replaces: { inboundSpi: number; outboundSpi: number } | null,
    supersededBy: { inboundSpi: number; outboundSpi: number } | null = null,
  ): void {
    const mk = (d: IpsecSaSpec['inbound']) => ({
      spi: d.spi,
      cipher: spec.cipher,
      integrity: spec.integrity,
      encryptionKey: d.encryptionKey,
      authenticationKey: d.authenticationKey,
      native: this.deps.nativeEsp,
    });
    const range = (x: ProxyId) => proxyRange(x);
    const pair: SaPair = {
      spec,
      inbound: new EspInboundSa(mk(spec.inbound), { encapsulation: spec.udpEncapsulation ? 'udp' : 'esp' }),
      outbound: new EspOutboundSa(mk(spec.outbound)),
      local: parseIpv4(spec.local.ip),
      remote: parseIpv4(spec.remote.ip),
      localRange: range(spec.proxies.local),
      remoteRange: range(spec.proxies.remote),
      protocol: spec.proxies.local.protocol,
      localPort: spec.proxies.local.port,
      remotePort: spec.proxies.remote.port,
      installedAt: this.deps.now(),
      order: this.installs++,
      retired: false,
      supersededBy: null,
    };
    if (replaces) {
      const old = this.byInboundSpi.get(replaces.inboundSpi);
      if (old) this.retire(old, spec.inbound.spi);
    }
    this.byInboundSpi.set(spec.inbound.spi, pair);
    this.byOutboundSpi.set(spec.outbound.spi, pair);
    if (supersededBy && this.byInboundSpi.has(supersededBy.inboundSpi)) this.retire(pair, supersededBy.inboundSpi, false);
    else this.active.add(pair.remoteRange, pair);
    this.flowCache.clear();
  }

  private retire(pair: SaPair, by: number, active = !pair.retired): void {
    if (active) this.active.delete(pair.remoteRange, pair);
    if (pair.supersededBy !== null) this.superseded.get(pair.supersededBy)?.delete(pair);
    pair.retired = true;
    pair.supersededBy = by;
    let set = this.superseded.get(by);
    if (!set) this.superseded.set(by, (set = new Set()));
    set.add(pair);
  }

  /**
   * Removes a pair; the pairs it superseded carry their flows again, unless
   * it had been superseded itself: then they stay retired, under the pair
   * that superseded it (as the engine's deleteIpsec has it).
   */
  remove(inboundSpi: number, outboundSpi: number): SaPair | undefined {
    const pair = this.byInboundSpi.get(inboundSpi);
    if (!pair || pair.spec.outbound.spi !== outboundSpi) return undefined;
    this.byInboundSpi.delete(inboundSpi);
    if (this.byOutboundSpi.get(outboundSpi) === pair) this.byOutboundSpi.delete(outboundSpi);
    if (!pair.retired) this.active.delete(pair.remoteRange, pair);
    if (pair.supersededBy !== null) this.superseded.get(pair.supersededBy)?.delete(pair);
    const heir = pair.retired && pair.supersededBy !== null ? this.byInboundSpi.get(pair.supersededBy) : undefined;
    for (const old of [...(this.superseded.get(inboundSpi) ?? [])]) {
      if (heir) {
        old.supersededBy = null;
        this.retire(old, heir.spec.inbound.spi, false);
        continue;
      }
      old.retired = false;
      old.supersededBy = null;
      this.active.add(old.remoteRange, old);
    }
    this.superseded.delete(inboundSpi);
    this.flowCache.clear();
    return pair;
  }

  /** The policy changed (reconfiguration): forget which flows need protection. */
  policyChanged(): void {
    this.flowCache.clear();
  }

  countersOf(spi: number): EspCounters | undefined {
    return this.byInboundSpi.get(spi)?.inbound.counters ?? this.byOutboundSpi.get(spi)?.outbound.counters;
  }

  /** An IKE datagram from the router itself. */
  sendUdp(from: Endpoint, to: Endpoint, payload: Buffer): void {
    this.deps.write(udpPacket(parseIpv4(from.ip), parseIpv4(to.ip), from.port, to.port, payload));
  }

  /** A TED probe: a UDP 500 datagram from the host that triggered it, routed like that host's packets. */
  sendProbe(ipSource: string, ipDestination: string, sourcePort: number, destinationPort: number, payload: Buffer): void {
    // TTL 64 + 1: the kernel's forwarding takes one off, as the router would
    this.deps.write(udpPacket(parseIpv4(ipSource), parseIpv4(ipDestination), sourcePort, destinationPort, payload, 65));
  }
}
