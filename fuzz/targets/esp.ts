/**
 * Target `esp`: the ESP receive path, through the datapath (reassembly,
 * UDP 4500 classification, SPI lookup, encapsulation, the SA's replay
 * window, ICV, padding, proxies), for a pair negotiated by the router's
 * engines (plain ESP, or ESP in UDP behind a NAT; the scenarios' choice of
 * ciphers). Packets are made with the peer's real outbound keys, with any
 * sequence number: in order, ahead, out of order within and beyond the
 * window, zero, near 2^32; exact replays of earlier packets; tampered
 * (bits flipped anywhere, truncated, extended), with another SPI, the other
 * encapsulation, inner packets outside the proxies, dummy packets; whole or
 * fragmented after encryption, in any order.
 *
 * Invariant: each packet is delivered or dropped exactly as RFC 4303 (and
 * RFC 3948 for the encapsulation) says, and counted once under the right
 * counter; the SA's window (its highest sequence number) agrees with a
 * plain RFC 4303 model after every packet (fuzz/lib/replay-model.ts).
 */
import { Buffer } from 'node:buffer';
import type { SaPair } from '../../src/agent/datapath/datapath.js';
import { udpPacket } from '../../src/agent/datapath/packet.js';
import { EspOutboundSa, NEXT_HEADER_IPV4, NEXT_HEADER_NONE, DEFAULT_REPLAY_WINDOW } from '../../src/agent/esp/index.js';
import { encodeIpv4, IPPROTO_ESP } from '../../src/codecs/net/ipv4.js';
import { parseIpv4 } from '../../src/ios/index.js';
import { REASSEMBLY_LIMITS } from '../../src/agent/datapath/reassembly.js';
import { fragments } from '../lib/ipv4.js';
import type { Rng } from '../lib/prng.js';
import { ReplayModel } from '../lib/replay-model.js';
import { A_HOST, B_HOST, B_WAN, ping, scenario, type Scenario } from '../lib/scenarios.js';
import { ensure, type Instance, type Target } from '../lib/target.js';

interface EspInput {
  /** Sequence number of a new packet, or the index (from the newest) of an earlier one sent again. */
  readonly seq: number;
  readonly replayOf: number | null;
  readonly inner: 'ok' | 'outside-proxies' | 'dummy' | 'not-ipv4';
  readonly size: number;
  readonly tamper: null | { readonly kind: 'flip' | 'truncate' | 'extend' | 'spi'; readonly at: number; readonly bits: number };
  readonly wrongEncapsulation: boolean;
  /** Fragment the outer packet into pieces of this size (0: whole), delivered in an order from `order`. */
  readonly fragment: number;
  readonly order: number;
  readonly tag: number;
}

const EPOCH = 20_000;

type Outcome =
  'frag-refused' | 'delivered' | 'replay' | 'auth' | 'recv-error' | 'wrong-encap' | 'unknown-spi' | 'malformed' | 'proxy' | 'discarded' | 'ignored' | 'ike';

class EspInstance implements Instance<EspInput> {
  private readonly s: Scenario;
  private readonly pair: SaPair;
  private readonly model: ReplayModel;
  private readonly history: { seq: number; esp: Buffer; inner: EspInput['inner']; tag: number }[] = [];
  /** Inputs this instance ran (near-2^32 sequence numbers come only at the end, after which every packet is old). */
  private count = 0;
  private sender: EspOutboundSa | null = null;
  private readonly iv: (n: number) => Buffer;
  private readonly outcomes: Record<string, number> = {};

  constructor(rng: Rng) {
    this.s = scenario(rng, rng.pick(['ted', 'static', 'nat'] as const));
    const pair = this.s.b.dp.saPairs.find((p) => p.spec.peer === this.s.aSeenByB);
    if (!pair) throw new Error('no pair with A on B');
    this.pair = pair;
    this.iv = rng.fork().source();
    // the scenario's own pings already moved the window: the model starts where the SA stands
    this.model = new ReplayModel(pair.inbound.replay?.size ?? DEFAULT_REPLAY_WINDOW);
    const top = pair.inbound.replay?.highest ?? 0;
    for (let s = Math.max(1, top - 200); s <= top; s++) this.model.accept(s);
  }

  generate(rng: Rng): EspInput {
    const T = this.model.highest;
    const W = this.model.size;
    const late = ++this.count > 0.9 * EPOCH;
    const seq = rng.weighted<() => number>([
      [50, () => T + 1],
      [10, () => T + rng.range(2, 1000)],
      [late ? 1 : 0, () => Math.min(0xffffffff, T + rng.range(1 << 20, 0x7fffffff))],
      [15, () => Math.max(0, T - rng.int(W))],
      [5, () => Math.max(0, T - W - rng.int(1000))],
      [2, () => 0],
      [late ? 0.2 : 0, () => 0xffffffff - rng.int(3)],
    ])();
    return {
      seq: Math.min(0xffffffff, seq),
      replayOf: rng.chance(0.1) ? rng.int(64) : null,
      inner: rng.weighted<EspInput['inner']>([
        [90, 'ok'],
        [4, 'outside-proxies'],
        [3, 'dummy'],
        [3, 'not-ipv4'],
      ]),
      size: rng.pick([0, 8, 56, 100, 1000, 1400, 3000]),
      tamper: rng.chance(0.2)
        ? {
            kind: rng.weighted([
              [6, 'flip'],
              [2, 'truncate'],
              [1, 'extend'],
              [1, 'spi'],
            ] as const),
            at: rng.u32(),
            bits: rng.range(1, 255),
          }
        : null,
      wrongEncapsulation: rng.chance(0.04),
      fragment: rng.chance(0.1) ? rng.pick([64, 256, 576, 1000]) : 0,
      order: rng.u32(),
      tag: rng.u32(),
    };
  }

  private inner(input: EspInput): { bytes: Buffer; nextHeader: number } {
    if (input.inner === 'dummy') return { bytes: Buffer.alloc(input.size % 64), nextHeader: NEXT_HEADER_NONE };
    if (input.inner === 'not-ipv4') return { bytes: Buffer.alloc(4 + (input.size % 16), 0x61), nextHeader: NEXT_HEADER_IPV4 };
    const p = ping(input.inner === 'outside-proxies' ? '9.9.9.9' : A_HOST, B_HOST, input.tag & 0xffff, input.size);
    p.writeUInt32BE(input.tag >>> 0, p.length - 4 >= 28 ? p.length - 4 : 24);
    return {
      bytes: encodeIpv4(
        { protocol: 1, source: p.readUInt32BE(12), destination: p.readUInt32BE(16), identification: input.tag & 0xffff, ttl: 64 },
        p.subarray(20),
      ),
      nextHeader: NEXT_HEADER_IPV4,
    };
  }

  /** An authentic ESP packet with sequence number `seq`, as A would send it. */
  private seal(seq: number, inner: Buffer, nextHeader: number): Buffer | null {
    const k = this.pair.spec.inbound;
    if (!this.sender || this.sender.nextSequence !== seq) {
      if (seq < 1) return null;
      this.sender = new EspOutboundSa(
        {
          spi: k.spi,
          cipher: this.pair.spec.cipher,
          integrity: this.pair.spec.integrity,
          encryptionKey: k.encryptionKey,
          authenticationKey: k.authenticationKey,
        },
        { nextSequence: seq },
      );
    }
    const r = this.sender.encapsulate(inner, this.iv, nextHeader);
    return r.ok ? Buffer.from(r.packet) : null;
  }

  private expected(esp: Buffer, authentic: boolean, udp: boolean, inner: EspInput['inner']): Outcome {
    if (esp.length < 8) return udp ? (esp.length === 1 && esp[0] === 0xff ? 'ignored' : 'ignored') : 'malformed';
    const spi = esp.readUInt32BE(0);
    if (udp && spi === 0) return 'ike';
    if (!this.s.b.dp.saPairs.some((p) => p.spec.inbound.spi === spi)) return 'unknown-spi';
    if (spi !== this.pair.spec.inbound.spi) return 'auth'; // another pair's SPI: its ICV fails (never drawn in practice)
    const encap = this.pair.spec.udpEncapsulation ? 'udp' : 'esp';
    if ((udp ? 'udp' : 'esp') !== encap) return 'wrong-encap';
    const seq = esp.readUInt32BE(4);
    if (!this.model.passes(seq)) return 'replay';
    const cipher = this.pair.inbound.cipher;
    const encLen = esp.length - 8 - cipher.ivSize - this.pair.inbound.integrity.icvSize;
    if (encLen < (cipher.cbc ? cipher.padBlock : 2) || (cipher.cbc && encLen % cipher.padBlock !== 0)) return 'recv-error';
    if (!authentic) return 'auth';
    this.model.accept(seq);
    if (inner === 'dummy') return 'discarded';
    if (inner === 'not-ipv4') return 'malformed';
    return inner === 'outside-proxies' ? 'proxy' : 'delivered';
  }

  run(input: EspInput): void {
    const b = this.s.b;
    const spec = this.pair.spec;
    const { bytes, nextHeader } = this.inner(input);
    const old = input.replayOf !== null ? this.history[this.history.length - 1 - input.replayOf] : undefined;
    let esp = old ? Buffer.from(old.esp) : this.seal(input.seq, bytes, nextHeader);
    if (!esp) esp = Buffer.concat([Buffer.alloc(4), Buffer.alloc(4)]).fill(0, 0);
    if (!old && input.seq >= 1) {
      this.history.push({ seq: input.seq, esp: Buffer.from(esp), inner: input.inner, tag: input.tag });
      if (this.history.length > 256) this.history.shift();
    }
    const original = Buffer.from(esp);
    if (!old && input.seq < 1) esp.writeUInt32BE(spec.inbound.spi, 0); // seq 0: only a forger sends it
    const t = input.tamper;
    if (t) {
      if (t.kind === 'flip') esp[t.at % esp.length] ^= t.bits;
      else if (t.kind === 'truncate') esp = esp.subarray(0, t.at % esp.length);
      else if (t.kind === 'extend') esp = Buffer.concat([esp, Buffer.alloc(1 + (t.at % 32), t.bits)]);
      else esp.writeUInt32BE(t.at >>> 0 || 1, 0);
    }
    const authentic = esp.equals(original) && (old !== undefined || input.seq >= 1);
    const udp = !!spec.udpEncapsulation !== input.wrongEncapsulation;
    const src = parseIpv4(spec.remote.ip);
    const dst = parseIpv4(B_WAN);
    const packet = udp
      ? udpPacket(src, dst, spec.udpEncapsulation?.remotePort ?? 4500, 4500, esp)
      : encodeIpv4({ protocol: IPPROTO_ESP, source: src, destination: dst, ttl: 64, identification: input.tag & 0xffff }, esp);
    const pieces = input.fragment > 0 && packet.length > input.fragment + 20 ? fragments(packet, input.fragment) : [packet];
    // more fragments than the reassembler holds for one datagram (32, IOS's max-fragments): refused and counted, never decrypted
    const want = pieces.length > REASSEMBLY_LIMITS.maxFragments ? 'frag-refused' : this.expected(esp, authentic, udp, old ? old.inner : input.inner);
    this.s.lab.advance(20);
    const c0 = { ...b.dp.counters };
    const r0 = b.dp.reassembly.failed;
    const s0 = { ...this.pair.inbound.counters };
    this.s.lab.resetAll();
    let s = input.order;
    const shuffled = pieces.map((p, i) => ({ p, k: (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) ^ i })).sort((x, y) => x.k - y.k);
    for (const { p } of pieces.length > 1 ? shuffled : [{ p: packet }]) this.s.lab.arrive(b, p);
    const c1 = b.dp.counters;
    const s1 = this.pair.inbound.counters;
    const d = (x: number, y: number) => y - x;
    const tag = (old ? old.tag : input.tag) & 0xffff;
    const delivered = b.lanSink.some((p) => p.length >= 24 && p.readUInt16BE(4) === tag);
    const got: Outcome[] = [];
    if (delivered) got.push('delivered');
    if (d(s0.replayFailures, s1.replayFailures)) got.push('replay');
    if (d(s0.authFailures, s1.authFailures)) got.push('auth');
    if (d(c0.wrongEncapsulation, c1.wrongEncapsulation)) got.push('wrong-encap');
    else if (d(s0.recvErrors, s1.recvErrors)) got.push('recv-error');
    if (d(c0.unknownSpi, c1.unknownSpi)) got.push('unknown-spi');
    if (d(c0.malformed, c1.malformed)) got.push('malformed');
    if (d(c0.proxyViolations, c1.proxyViolations)) got.push('proxy');
    if (got.length === 0 && d(s0.decaps, s1.decaps) === 1) got.push('discarded');
    if (got.length === 0 && d(r0, b.dp.reassembly.failed) > 0) got.push('frag-refused');
    if (got.length === 0) got.push(want === 'ike' ? 'ike' : 'ignored');
    const counted = got.length === 1 ? got[0]! : got.join('+');
    this.outcomes[want] = (this.outcomes[want] ?? 0) + 1;
    ensure(
      counted === want,
      'esp-model',
      () =>
        `ESP seq ${esp.length >= 8 ? esp.readUInt32BE(4) : '-'} (${input.tamper ? `tampered ${input.tamper.kind}` : old ? 'a replay' : 'authentic'}${input.wrongEncapsulation ? ', the other encapsulation' : ''}${input.fragment ? ', fragmented' : ''}): RFC 4303 says ${want}, the router did ${counted}`,
    );
    const highest = this.pair.inbound.replay?.highest ?? 0;
    ensure(highest === this.model.highest, 'esp-model', () => `the SA's window stands at ${highest}, the RFC 4303 model at ${this.model.highest}`);
    ensure(b.safetyNet.length === 0, 'typed-errors', () => `the datapath's safety net caught ${b.safetyNet[0]}`);
  }

  check(): void {}

  stats(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.outcomes).map(([k, v]) => [`outcome.${k}`, v]));
  }
}

export const espTarget: Target<EspInput> = {
  name: 'esp',
  summary: 'ESP receive path through the datapath: in-order, reordered, replayed, tampered, fragmented ESP of a real SA, against an RFC 4303 model',
  epoch: EPOCH,
  checkEvery: 1_000_000,
  create: (rng) => new EspInstance(rng),
};
