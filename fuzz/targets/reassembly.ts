/**
 * Target `reassembly`: the datapath's reassembler (src/agent/datapath/
 * reassembly.ts) fed one fragment per input, with time passing: the
 * fragments of real packets (recorded ESP and IKE, and large datagrams up
 * to 64 KB) in shuffled order, duplicated, with hostile ones among them
 * (mutated headers and offsets, overlaps, pieces past 65,535 bytes, the same
 * datagram key as a datagram in progress, floods of new keys). Invariants:
 * only FragmentError, counted exactly once per refusal; the table within
 * its bounds (16 datagrams, 32 fragments each, 64 KB each); a datagram put
 * together only from its own clean fragments is the original packet.
 */
import { Buffer } from 'node:buffer';
import { FragmentError, Reassembler, REASSEMBLY_LIMITS } from '../../src/agent/datapath/reassembly.js';
import { encodeIpv4, IPPROTO_ESP } from '../../src/codecs/net/ipv4.js';
import { ikeCorpus } from '../corpus/ike.js';
import { fixChecksum, fragments, mutateIpv4 } from '../lib/ipv4.js';
import type { Rng } from '../lib/prng.js';
import { ensure, Violation, type Instance, type Target } from '../lib/target.js';
import { typed } from '../lib/typed.js';

interface Input {
  readonly packet: Buffer;
  /** Milliseconds that pass before it arrives. */
  readonly dt: number;
}

interface Plan {
  readonly original: Buffer;
  readonly pieces: Buffer[];
  clean: boolean;
}

const keyOf = (p: Buffer): string => (p.length >= 20 ? `${p.readUInt32BE(12)}>${p.readUInt32BE(16)}/${p[9]}/${p.readUInt16BE(4)}` : '');
const SOURCES = [0x0b0b0b01, 0x0b0b0b03, 0x0a000001, 0xc0a80101];

class ReassemblyInstance implements Instance<Input> {
  private readonly r = new Reassembler();
  private now = 0;
  private readonly plans = new Map<string, Plan>();
  private readonly seeds: readonly Buffer[];
  private readonly counts: Record<string, number> = { fragments: 0, refused: 0, completed: 0, verified: 0, maxDatagrams: 0, maxFragments: 0, maxBytes: 0 };

  /** How hostile this instance's traffic is: calm (mostly whole datagrams) to a storm of new keys. */
  private readonly hostile: number;
  private readonly flood: number;

  constructor(rng: Rng) {
    this.seeds = ikeCorpus().packets.filter((p) => p.length > 100);
    [this.hostile, this.flood] = rng.pick([
      [2, 0],
      [10, 3],
      [30, 20],
    ]);
  }

  private newPlan(rng: Rng): Buffer {
    const size = rng.weighted<number>([
      [6, rng.range(100, 1500)],
      [3, rng.range(1500, 9000)],
      [1, rng.range(9000, 65_515)],
    ]);
    const base = rng.chance(0.5) ? rng.pick(this.seeds) : null;
    const body = base ? base.subarray(20) : rng.bytes(size);
    const original = encodeIpv4(
      { protocol: base ? base[9]! : IPPROTO_ESP, source: rng.pick(SOURCES), destination: 0x0b0b0b02, identification: rng.int(48), ttl: 60 },
      body,
    );
    // mostly at most 32 pieces (what the reassembler holds for one datagram), sometimes more
    const least = rng.chance(0.85) ? Math.ceil(original.length / 30 / 8) * 8 : 8;
    const pieces = fragments(original, Math.max(least, rng.pick([8, 16, 64, 256, 512, 1480, 2048 + rng.int(8) * 8])));
    if (pieces.length < 2) return original;
    // shuffled a little: adjacent swaps, a duplicate now and then
    for (let i = 0; i < pieces.length; i++) if (rng.chance(0.3)) [pieces[i], pieces[(i + 1) % pieces.length]] = [pieces[(i + 1) % pieces.length]!, pieces[i]!];
    if (rng.chance(0.2)) pieces.splice(rng.int(pieces.length), 0, Buffer.from(rng.pick(pieces)));
    const key = keyOf(original);
    const old = this.plans.get(key);
    if (old) old.clean = false;
    this.plans.set(key, { original, pieces, clean: !old });
    return pieces.shift()!;
  }

  generate(rng: Rng): Input {
    const dt = rng.weighted<number>([
      [95, rng.int(2)],
      [4.5, rng.range(50, 500)],
      [0.5, rng.range(3000, 5000)],
    ]);
    const open = [...this.plans.values()].filter((p) => p.pieces.length > 0);
    const kind = rng.weighted<string>([
      [open.length > 0 ? 65 : 0, 'next'],
      [10, 'plan'],
      [this.hostile, 'hostile'],
      [this.hostile / 2, 'collide'],
      [this.flood, 'flood'],
    ]);
    if (kind === 'next') {
      const p = rng.chance(0.7) ? open[0]! : rng.pick(open);
      const piece = p.pieces.shift()!;
      if (dt > 1000) p.clean = false;
      return { packet: piece, dt };
    }
    if (kind === 'plan') return { packet: this.newPlan(rng), dt };
    if (kind === 'collide' && open.length > 0) {
      // a piece that overlaps or conflicts with a datagram in progress
      const p = rng.pick(open);
      p.clean = false;
      const piece = Buffer.from(p.pieces[0] ?? p.original);
      const flags = piece.readUInt16BE(6);
      piece.writeUInt16BE((flags & 0xe000) | (((flags & 0x1fff) + rng.range(-2, 2)) & 0x1fff), 6);
      return { packet: fixChecksum(piece), dt };
    }
    if (kind === 'flood') {
      const f = encodeIpv4(
        {
          protocol: IPPROTO_ESP,
          source: rng.u32(),
          destination: 0x0b0b0b02,
          identification: rng.int(0x10000),
          moreFragments: true,
          fragmentOffset: rng.int(0x2000),
        },
        rng.bytes(8 * rng.range(1, 180)),
      );
      return { packet: f, dt };
    }
    const victim = open.length > 0 ? rng.pick(open) : null;
    if (victim) victim.clean = false;
    return { packet: mutateIpv4(rng, victim?.pieces[0] ?? rng.pick(this.seeds), this.seeds, SOURCES), dt };
  }

  run(input: Input): void {
    this.now += input.dt;
    const before = { ...this.r.counters };
    const key = keyOf(input.packet);
    const r = typed('Reassembler.add', () => this.r.add(input.packet, this.now), FragmentError);
    const after = this.r.counters;
    ensure(
      after.failed - before.failed === (r.ok ? 0 : 1),
      'bounded',
      () => `${after.failed - before.failed} refusals counted for one fragment (${r.ok ? 'accepted' : r.error.message})`,
    );
    const held = this.r.held;
    const L = REASSEMBLY_LIMITS;
    ensure(
      held.datagrams <= L.maxDatagrams && held.fragments <= L.maxDatagrams * L.maxFragments && held.bytes <= L.maxDatagrams * 0xffff,
      'bounded',
      () => `the reassembly table holds ${JSON.stringify(held)}`,
    );
    this.counts.maxDatagrams = Math.max(this.counts.maxDatagrams!, held.datagrams);
    this.counts.maxFragments = Math.max(this.counts.maxFragments!, held.fragments);
    this.counts.maxBytes = Math.max(this.counts.maxBytes!, held.bytes);
    if (after.fragments > before.fragments) this.counts.fragments!++;
    const plan = this.plans.get(key);
    if (!r.ok) {
      this.counts.refused!++;
      const why = `refused ${(r.error as FragmentError).reason}`;
      this.counts[why] = (this.counts[why] ?? 0) + 1;
      if (plan) plan.clean = false;
      return;
    }
    if (r.value === null || r.value === input.packet) return;
    this.counts.completed!++;
    const whole = r.value;
    ensure(
      whole.readUInt16BE(2) === whole.length && (whole.readUInt16BE(6) & 0x3fff) === 0,
      'roundtrip',
      () => `a reassembled datagram has length ${whole.readUInt16BE(2)} for ${whole.length} bytes, flags ${whole.readUInt16BE(6)}`,
    );
    if (plan?.clean && plan.pieces.length === 0) {
      if (!whole.subarray(20).equals(plan.original.subarray(20)))
        throw new Violation('roundtrip', `datagram ${key} reassembled from its own clean fragments differs from the original`);
      this.counts.verified!++;
    }
    if (plan) this.plans.delete(key);
  }

  check(): void {}

  stats(): Record<string, number> {
    return { ...this.counts, timeouts: this.r.counters.timeouts };
  }
}

export const reassemblyTarget: Target<Input> = {
  name: 'reassembly',
  summary: 'IPv4 reassembly: fragments of recorded and large packets, shuffled, duplicated, hostile, floods of new datagrams, with time passing',
  epoch: 5000,
  checkEvery: 1_000_000,
  create: (rng) => new ReassemblyInstance(rng),
};
