/**
 * Target `ike-unauth`: the router's IKE engine behind its datapath, with
 * established phase 1 and IPsec SAs (B with the victim A and a second peer
 * C, scenarios.ts), fed what anyone can send without the key: datagrams to
 * UDP 500 and 4500 from arbitrary sources (A's and C's addresses among
 * them), made from recorded messages (this lab's own handshake among them:
 * replays with live cookies) by field-aware and byte mutations, or random;
 * floods of valid first messages from spoofed sources; ESP-looking UDP 4500
 * payloads with live SPIs; TED probes crossing B. Time passes between
 * inputs and timers fire.
 *
 * Invariants, per input: no internal error and no datapath safety net; the
 * engine's work bounded by what the input changed; A's and C's SAs on B,
 * and B's on A and C, unchanged (keys, cookies, last phase-1 block,
 * liveness, SPIs, the datapath's pairs). Every `checkEvery` inputs: all
 * tables within their bounds, engine and datapath agree on every pair, and
 * A's and C's tunnels still carry traffic both ways.
 */
import { Buffer } from 'node:buffer';
import { udpPacket } from '../../src/agent/datapath/packet.js';
import { DEFAULT_LIMITS } from '../../src/agent/ike/limits.js';
import { parseIpv4 } from '../../src/ios/index.js';
import { ikeCorpus } from '../corpus/ike.js';
import { mutateBytes } from '../lib/bytes.js';
import { agreement, bounds, clean, LiveSas, newReached, work, type Reached } from '../lib/invariants.js';
import { mutateIpv4 } from '../lib/ipv4.js';
import { mutateMessage, payloadsOf, type Hints, type RawPayload } from '../lib/isakmp.js';
import type { Rng } from '../lib/prng.js';
import { A_HOST, A_WAN, B_HOST, B_WAN, C_HOST, C_WAN, ping, scenario, type Flavour, type Scenario } from '../lib/scenarios.js';
import { ensure, type Instance, type Target } from '../lib/target.js';
import { peekIpv4 } from '../../src/agent/datapath/packet.js';
import { IPPROTO_UDP } from '../../src/codecs/net/ipv4.js';

export interface PacketInput {
  /** The IPv4 packet as it reaches B. */
  readonly packet: Buffer;
  /** Milliseconds that pass before it arrives. */
  readonly dt: number;
}

/** Small limits, so that short runs reach every bound and its refusal path. */
export const SMALL_LIMITS = {
  phase1InNegotiation: 48,
  quickModesPerSa: 4,
  ipsecPairsPerFlow: 2,
  ipsecFlowsPerPeer: 6,
  ipsecFlows: 12,
  pendingFlows: 24,
  purges: 32,
  badDigests: 4,
};

/** The lab, the SAs that must stay, and the checks every target on it shares. */
export class LabUnderAttack {
  readonly s: Scenario;
  readonly live: LiveSas[];
  readonly reached: Reached = newReached();
  readonly wire: Buffer[];
  readonly hints: Hints;
  private pings = 0;

  /** `peers`: whose SAs must stay (A, the victim, always; C too when it is not the attacker). */
  constructor(
    rng: Rng,
    private readonly peers: readonly ('A' | 'C')[] = ['A', 'C'],
    flavours: readonly Flavour[] = ['ted', 'static', 'nat'],
  ) {
    const captured: Buffer[] = [];
    const small = rng.chance(0.3);
    this.s = scenario(rng, rng.pick(flavours), small ? { limits: SMALL_LIMITS } : {}, captured);
    this.wire = captured;
    const { a, b, c } = this.s;
    this.live = [new LiveSas(b, this.s.aSeenByB, true), new LiveSas(a, B_WAN, true)];
    if (peers.includes('C')) this.live.push(new LiveSas(b, C_WAN, true), new LiveSas(c, B_WAN, true));
    for (const l of this.live) if (l.count === 0) throw new Error(`${l.r.name} holds no SA with ${l.peer}`);
    const t = b.engine.snapshot().tables;
    this.hints = {
      cookies: [...t.isakmp.values()].flatMap((sa) => [sa.ckyI, sa.ckyR]),
      spis: [...t.ipsec.values()].flatMap((r) => [r.spec.inbound.spi, r.spec.outbound.spi]),
      messageIds: [],
    };
  }

  get limits() {
    return this.s.b.policy.limits;
  }

  /** Per input: clean, bounded work, nothing live changed. */
  afterInput(): void {
    for (const r of this.s.lab.routers) {
      clean(r);
      work(r, r.changes);
    }
    for (const l of this.live) l.verify('after this input');
  }

  /** Between inputs: bounds, agreement, both tunnels carry a ping each way. */
  check(): void {
    const { lab, a, b, c } = this.s;
    for (const r of lab.routers) {
      bounds(r, this.reached);
      agreement(r);
    }
    const tunnels = [
      [a, b, A_HOST, B_HOST],
      [b, a, B_HOST, A_HOST],
      [c, b, C_HOST, B_HOST],
      [b, c, B_HOST, C_HOST],
    ] as const;
    for (const [from, to, src, dst] of tunnels.slice(0, this.peers.includes('C') ? 4 : 2)) {
      lab.resetAll();
      const id = 0x4000 + (this.pings++ & 0x3fff);
      lab.hostSend(from, ping(src, dst, id));
      const arrived = to.lanSink.some((p) => p.readUInt16BE(4) === id && p.readUInt32BE(16) === parseIpv4(dst));
      ensure(arrived, 'live-sa', () => `the tunnel ${from.name} -> ${to.name} no longer carries traffic (${src} -> ${dst})`);
    }
    lab.resetAll();
    for (const l of this.live) l.verify('after the tunnel check');
  }

  stats(): Record<string, number> {
    const b = this.s.b.engine.counters();
    return { ...this.reached, ...Object.fromEntries(Object.entries(b).map(([k, v]) => [`refused.${k}`, v])) };
  }
}

const SOURCES = [A_WAN, C_WAN, '11.11.11.100', '10.0.0.1', '11.11.11.9', '192.0.2.1'];

class UnauthInstance implements Instance<PacketInput> {
  private readonly lab: LabUnderAttack;
  private readonly messages: Buffer[];
  private readonly donors: RawPayload[];
  private readonly mm1: Buffer;
  private readonly corpus = ikeCorpus();
  /** This instance leans toward floods of first messages. */
  private readonly flood: number;
  private readonly kinds: Record<string, number> = {};

  constructor(rng: Rng) {
    this.lab = new LabUnderAttack(rng);
    const own = this.lab.wire.flatMap((p) => {
      const h = peekIpv4(p);
      if (!h || h.protocol !== IPPROTO_UDP) return [];
      const payload = p.subarray(h.headerLength + 8, h.totalLength);
      return [h.destinationPort === 4500 ? payload.subarray(4) : payload];
    });
    this.messages = [...own, ...this.corpus.messages].filter((m) => m.length >= 28);
    this.donors = payloadsOf([
      ...this.corpus.chains,
      ...this.messages.filter((m) => (m[19]! & 1) === 0).map((m) => ({ first: m[16]!, chain: m.subarray(28) })),
    ]);
    this.mm1 = this.messages.find((m) => m[18] === 2 && m.readUInt32BE(8) === 0 && m.readUInt32BE(12) === 0) ?? this.messages[0]!;
    this.flood = rng.pick([5, 20, 60]);
  }

  generate(rng: Rng): PacketInput {
    // a flood comes fast: half-open SAs live 60 s, so only a fast flood fills their table
    const dt =
      this.flood >= 60
        ? rng.int(3)
        : rng.weighted<number>([
            [90, rng.int(50)],
            [10, rng.range(500, 4000)],
          ]);
    const kind = rng.weighted<string>([
      [40, 'mutated'],
      [this.flood, 'flood'],
      [10, 'replay'],
      [8, 'esp-4500'],
      [6, 'random'],
      [8, 'transit'],
      [5, 'ip'],
    ]);
    this.kinds[kind] = (this.kinds[kind] ?? 0) + 1;
    const source = rng.chance(0.8) ? parseIpv4(rng.pick(SOURCES)) : rng.u32();
    const sport = rng.pick([500, 500, 4500, 10500, 14500, rng.int(0x10000)]);
    const dport = rng.chance(0.65) ? 500 : 4500;
    const frame = (message: Buffer, port: number) => (port === 4500 && rng.chance(0.9) ? Buffer.concat([Buffer.alloc(4), message]) : message);
    const b = parseIpv4(B_WAN);
    switch (kind) {
      case 'flood': {
        // a valid first message with its own cookie, from a spoofed source
        const m = Buffer.from(this.mm1);
        rng.bytes(8).copy(m, 0);
        return { packet: udpPacket(rng.u32(), b, 500, 500, m), dt };
      }
      case 'replay':
        return { packet: rng.pick(this.lab.wire), dt };
      case 'esp-4500': {
        const spi = rng.pick(this.lab.hints.spis ?? [0]);
        const esp = Buffer.concat([Buffer.alloc(4), rng.bytes(4), rng.bytes(rng.range(0, 120))]);
        esp.writeUInt32BE(rng.chance(0.8) ? spi >>> 0 : rng.u32(), 0);
        const payload = rng.chance(0.1) ? Buffer.from([0xff]) : esp;
        return { packet: udpPacket(source, b, sport, 4500, payload), dt };
      }
      case 'random':
        return { packet: udpPacket(source, b, sport, dport, rng.bytes(rng.int(300))), dt };
      case 'transit': {
        const probe = rng.pick(this.corpus.ted);
        const m = rng.chance(0.3) ? probe : mutateMessage(rng, probe, this.donors);
        return { packet: udpPacket(source, parseIpv4(`12.12.12.${rng.range(1, 254)}`), 500, 500, m), dt };
      }
      case 'ip':
        return { packet: mutateIpv4(rng, rng.pick(this.lab.wire), this.lab.wire, [b, parseIpv4(A_WAN), parseIpv4(C_WAN)]), dt };
      default: {
        const base = rng.pick(this.messages);
        const m = rng.chance(0.75) ? mutateMessage(rng, base, this.donors, this.lab.hints) : mutateBytes(rng, base, this.messages);
        return { packet: udpPacket(source, b, sport, dport, frame(m, dport)), dt };
      }
    }
  }

  run(input: PacketInput): void {
    const { lab, b } = this.lab.s;
    lab.advance(input.dt);
    lab.resetAll();
    lab.arrive(b, Buffer.from(input.packet));
    this.lab.afterInput();
  }

  check(): void {
    this.lab.check();
  }

  stats(): Record<string, number> {
    return { ...this.lab.stats(), ...Object.fromEntries(Object.entries(this.kinds).map(([k, v]) => [`inputs.${k}`, v])) };
  }
}

export const ikeUnauthTarget: Target<PacketInput> = {
  name: 'ike-unauth',
  summary:
    'IKE engine behind the datapath, established SAs with two peers, fed unauthenticated datagrams from anywhere (mutated, replayed, floods, ESP-looking, TED probes)',
  epoch: 4000,
  checkEvery: 64,
  create: (rng) => new UnauthInstance(rng),
};

export { DEFAULT_LIMITS };
