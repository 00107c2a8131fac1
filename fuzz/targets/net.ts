/**
 * Target `net`: the IPv4, UDP and ICMP codecs (src/codecs/net), the
 * datapath's header reader and TTL edit (src/agent/datapath/packet.ts), its
 * fragmenter, and ESP framing (the UDP 4500 classification, the ESP header),
 * on mutated packets recorded from real tunnels (IKE, TED probes, ESP, ESP
 * in UDP) and pings. Invariants: decoders refuse only with PacketError;
 * peekIpv4 never throws and accepts exactly what decodeIpv4 accepts, with
 * the same fields; a decoded header encodes back to the same fields; TTL
 * edits keep a valid checksum valid; an ICMP error quoting any accepted
 * packet has a valid checksum; a packet fragmented by fragmentIpv4 and
 * reassembled in any order is the packet again.
 */
import { Buffer } from 'node:buffer';
import { fragmentIpv4 } from '../../src/agent/datapath/fragment.js';
import { adjustTtl, fragmentationNeeded, peekIpv4 } from '../../src/agent/datapath/packet.js';
import { FragmentError, Reassembler, REASSEMBLY_LIMITS } from '../../src/agent/datapath/reassembly.js';
import { classifyUdp4500, readEspHeader } from '../../src/agent/esp/index.js';
import { internetChecksum } from '../../src/codecs/net/checksum.js';
import { PacketError } from '../../src/codecs/net/errors.js';
import { decodeIcmp, decodeIcmpEcho, encodeIcmpError } from '../../src/codecs/net/icmp.js';
import { decodeIpv4, encodeIpv4, IPPROTO_ICMP, IPPROTO_UDP, withDecrementedTtl } from '../../src/codecs/net/ipv4.js';
import { decodeUdp } from '../../src/codecs/net/udp.js';
import { ikeCorpus } from '../corpus/ike.js';
import { fragments, mutateIpv4 } from '../lib/ipv4.js';
import type { Rng } from '../lib/prng.js';
import { A_HOST, B_HOST, ping } from '../lib/scenarios.js';
import { ensure, type Instance, type Target } from '../lib/target.js';
import { never, typed } from '../lib/typed.js';

interface Input {
  readonly packet: Buffer;
  /** MTU for the fragmenter. */
  readonly mtu: number;
  /** Order in which the fragments are reassembled (a permutation seed). */
  readonly order: number;
}

class NetInstance implements Instance<Input> {
  private readonly seeds: Buffer[];
  private readonly counts = { decoded: 0, refused: 0, udp: 0, icmp: 0, fragmented: 0, reassembled: 0 };

  constructor() {
    this.seeds = [...ikeCorpus().packets, ping(A_HOST, B_HOST, 7, 1400), ping(B_HOST, A_HOST, 8, 20)];
    this.seeds.push(...fragments(this.seeds[this.seeds.length - 2]!, 512), fragmentationNeeded(this.seeds[0]!, 0x0b0b0b02, 1400));
  }

  generate(rng: Rng): Input {
    const seed = rng.pick(this.seeds);
    const packet = rng.chance(0.1) ? seed : mutateIpv4(rng, seed, this.seeds);
    return { packet, mtu: rng.pick([68, 96, 576, 1000, 1400, 1500]), order: rng.u32() };
  }

  run(input: Input): void {
    const b = input.packet;
    const peek = never('peekIpv4', () => peekIpv4(b));
    const r = typed('decodeIpv4', () => decodeIpv4(b), PacketError);
    ensure(
      (peek !== null) === r.ok,
      'roundtrip',
      () => `peekIpv4 ${peek ? 'accepts' : 'refuses'} what decodeIpv4 ${r.ok ? 'accepts' : 'refuses'}: ${b.toString('hex')}`,
    );
    typed('withDecrementedTtl', () => withDecrementedTtl(b), PacketError);
    this.esp(b);
    if (!r.ok || !peek) {
      this.counts.refused++;
      return;
    }
    this.counts.decoded++;
    const { header: h, headerLength, payload } = r.value;
    ensure(
      peek.source === h.source &&
        peek.destination === h.destination &&
        peek.protocol === h.protocol &&
        peek.headerLength === headerLength &&
        peek.totalLength === h.totalLength,
      'roundtrip',
      () => `peekIpv4 and decodeIpv4 read different fields from ${b.toString('hex')}`,
    );
    const fields = {
      tos: h.tos,
      identification: h.identification,
      dontFragment: h.dontFragment,
      moreFragments: h.moreFragments,
      fragmentOffset: h.fragmentOffset,
      ttl: h.ttl,
      protocol: h.protocol,
      source: h.source,
      destination: h.destination,
      options: h.options,
    };
    const again = typed('encodeIpv4', () => encodeIpv4(fields, payload), PacketError);
    ensure(again.ok, 'roundtrip', () => `a decoded header does not encode: ${b.toString('hex')}`);
    const re = decodeIpv4(again.value);
    ensure(
      re.checksumValid && JSON.stringify({ ...re.header, checksum: 0 }) === JSON.stringify({ ...h, checksum: 0 }),
      'roundtrip',
      () => `IPv4 re-encoding changes fields of ${b.toString('hex')}`,
    );
    const ttl = typed('withDecrementedTtl', () => withDecrementedTtl(b), PacketError);
    if (ttl.ok && ttl.value && r.value.checksumValid)
      ensure(decodeIpv4(ttl.value).checksumValid, 'roundtrip', () => `TTL decrement breaks the checksum of ${b.toString('hex')}`);
    const copy = Buffer.from(b);
    adjustTtl(copy, -1);
    adjustTtl(copy, 1);
    if (r.value.checksumValid)
      ensure(internetChecksum(copy.subarray(0, headerLength)) === 0, 'roundtrip', () => `adjustTtl breaks the checksum of ${b.toString('hex')}`);
    const icmpError = typed('encodeIcmpError', () => encodeIcmpError(3, 4, b, input.mtu), PacketError);
    ensure(icmpError.ok && decodeIcmp(icmpError.value).checksumValid, 'roundtrip', () => `the ICMP error quoting ${b.toString('hex')} is not valid`);
    never('fragmentationNeeded', () => fragmentationNeeded(b, 0x0b0b0b02, input.mtu));
    if (h.protocol === IPPROTO_UDP && h.fragmentOffset === 0) {
      const u = typed('decodeUdp', () => decodeUdp(payload, h.source, h.destination), PacketError);
      if (u.ok) {
        this.counts.udp++;
        ensure(
          peek.sourcePort === u.value.sourcePort && peek.destinationPort === u.value.destinationPort,
          'roundtrip',
          () => `peekIpv4 reads other ports than decodeUdp in ${b.toString('hex')}`,
        );
      }
    }
    if (h.protocol === IPPROTO_ICMP && h.fragmentOffset === 0) {
      typed('decodeIcmp', () => decodeIcmp(payload), PacketError);
      if (typed('decodeIcmpEcho', () => decodeIcmpEcho(payload), PacketError).ok) this.counts.icmp++;
    }
    this.fragmentAndReassemble(b, input, h.moreFragments || h.fragmentOffset !== 0);
  }

  private esp(b: Buffer): void {
    const c = never('classifyUdp4500', () => classifyUdp4500(b));
    const want = b.length === 1 && b[0] === 0xff ? 'keepalive' : b.length >= 4 && b.readUInt32BE(0) === 0 ? 'ike' : b.length >= 8 ? 'esp' : 'invalid';
    ensure(c.kind === want, 'roundtrip', () => `classifyUdp4500 says ${c.kind}, RFC 3948 says ${want}, for ${b.toString('hex')}`);
    const e = never('readEspHeader', () => readEspHeader(b));
    ensure((e === undefined) === b.length < 8, 'roundtrip', () => `readEspHeader on ${b.length} bytes`);
  }

  /** fragmentIpv4 then the reassembler, fragments in a shuffled order: the packet again. */
  private fragmentAndReassemble(b: Buffer, input: Input, isFragment: boolean): void {
    const whole = b.subarray(0, b.readUInt16BE(2));
    const pieces = never('fragmentIpv4', () => fragmentIpv4(Buffer.from(whole), input.mtu));
    if (isFragment || pieces.length < 2) return;
    this.counts.fragmented++;
    const hl = (b[0]! & 0x0f) * 4;
    for (const p of pieces) ensure(p.length <= Math.max(input.mtu, hl + 8), 'roundtrip', () => `a fragment of ${p.length} bytes for MTU ${input.mtu}`);
    let s = input.order;
    const order = pieces.map((p, i) => ({ p, k: (s = (Math.imul(s, 1103515245) + 12345) >>> 0) ^ i })).sort((x, y) => x.k - y.k);
    const r = new Reassembler();
    let out: Buffer | null = null;
    if (pieces.length > REASSEMBLY_LIMITS.maxFragments) {
      // more than the reassembler holds for one datagram (IOS's max-fragments): refused, typed
      const refused = order.map(({ p }) => typed('Reassembler.add', () => r.add(p, 0), FragmentError)).filter((x) => !x.ok);
      ensure(
        refused.length > 0 && refused.every((x) => !x.ok && (x.error as FragmentError).reason === 'too-many-fragments'),
        'bounded',
        () => `${pieces.length} fragments of one datagram were not refused as too many`,
      );
      return;
    }
    for (const { p } of order) out = r.add(p, 0) ?? out;
    ensure(
      out !== null && out.subarray(hl).equals(whole.subarray(hl)) && out.readUInt32BE(12) === whole.readUInt32BE(12),
      'roundtrip',
      () => `fragments of ${b.toString('hex')} (MTU ${input.mtu}) do not reassemble to it`,
    );
    this.counts.reassembled++;
  }

  check(): void {}

  stats(): Record<string, number> {
    return { ...this.counts };
  }
}

export const netTarget: Target<Input> = {
  name: 'net',
  summary: 'IPv4/UDP/ICMP codecs, the datapath header reader, TTL edits, fragmenter and reassembler, ESP framing, on mutated recorded packets',
  epoch: Infinity,
  checkEvery: 1_000_000,
  create: () => new NetInstance(),
};
