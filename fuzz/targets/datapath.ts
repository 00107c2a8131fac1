/**
 * Target `datapath`: everything else that reaches the router's datapath,
 * in the lab of ike-unauth (B with live SAs with A and C): traffic from B's
 * LAN to anywhere (protected networks with and without SAs, so acquires and
 * TED probes pile up, floods of new flows and of spoofed sources),
 * clear text from the WAN that should have been ESP (the drop device),
 * fragments addressed to B (real IKE and ESP fragmented after encryption,
 * and hostile ones), mutated recorded packets of every kind, UDP 500
 * crossing B. Invariants: those of ike-unauth (no safety net, no internal
 * error, bounded work, A's and C's SAs and tunnels unchanged, engine and
 * datapath agreeing), with the flow cache, reassembly and flows in
 * negotiation (TED probes) within their bounds.
 */
import { Buffer } from 'node:buffer';
import { udpPacket } from '../../src/agent/datapath/packet.js';
import { encodeIpv4, IPPROTO_ESP, IPPROTO_TCP, IPPROTO_UDP } from '../../src/codecs/net/ipv4.js';
import { parseIpv4 } from '../../src/ios/index.js';
import { ikeCorpus } from '../corpus/ike.js';
import { fragments, mutateIpv4 } from '../lib/ipv4.js';
import type { Rng } from '../lib/prng.js';
import { A_HOST, B_WAN, ping } from '../lib/scenarios.js';
import type { Instance, Target } from '../lib/target.js';
import { LabUnderAttack } from './ike-unauth.js';

interface DatapathInput {
  readonly via: 'lan' | 'wan' | 'clear';
  /** One packet, or the fragments of one, in the order they arrive. */
  readonly packets: readonly Buffer[];
  readonly dt: number;
}

const NETS = ['13.13.13', '14.14.14', '15.*.2', '15.*.77', '15.200.0', '16.0.0', '12.12.12', '11.11.11', '198.51.100'];

function transport(rng: Rng, src: number, dst: number): Buffer {
  const protocol = rng.pick([1, IPPROTO_UDP, IPPROTO_TCP, IPPROTO_ESP, 47]);
  if (protocol === 1) {
    const p = ping('1.1.1.1', '1.1.1.1', rng.int(0x10000), rng.pick([0, 56, 1400, 1600]));
    return encodeIpv4({ protocol: 1, source: src, destination: dst, ttl: 64, dontFragment: rng.chance(0.3) }, p.subarray(20));
  }
  const body = Buffer.concat([Buffer.alloc(4), rng.bytes(rng.pick([4, 16, 200, 1450]))]);
  body.writeUInt16BE(rng.pick([1024 + rng.int(60000), 53, 500, 4500]), 0);
  body.writeUInt16BE(rng.pick([1 + rng.int(65535), 80, 500, 4500]), 2);
  return encodeIpv4({ protocol, source: src, destination: dst, ttl: 64, dontFragment: rng.chance(0.3), identification: rng.int(0x10000) }, body);
}

class DatapathInstance implements Instance<DatapathInput> {
  private readonly lab: LabUnderAttack;
  private readonly seeds: readonly Buffer[];
  private readonly kinds: Record<string, number> = {};
  /** This instance's mix: ordinary traffic, or a flood of new flows. */
  private readonly flood: number;

  constructor(rng: Rng) {
    this.lab = new LabUnderAttack(rng, ['A', 'C'], ['ted', 'ted', 'static', 'nat']);
    this.seeds = [...ikeCorpus().packets, ...this.lab.wire];
    this.flood = rng.pick([5, 30, 70]);
  }

  generate(rng: Rng): DatapathInput {
    const dt = rng.weighted<number>([
      [95, rng.int(20)],
      [5, rng.range(500, 5000)],
    ]);
    const host = (net: string) => parseIpv4(`${net.replace('*', String(rng.int(64)))}.${rng.range(1, 254)}`);
    const b = parseIpv4(B_WAN);
    const kind = rng.weighted<string>([
      [25, 'lan'],
      [this.flood, 'lan-flood'],
      [10, 'clear'],
      [15, 'frag'],
      [15, 'wan'],
      [5, 'transit'],
    ]);
    this.kinds[kind] = (this.kinds[kind] ?? 0) + 1;
    switch (kind) {
      case 'lan':
        return { via: 'lan', packets: [transport(rng, host('12.12.12'), host(rng.pick(NETS)))], dt };
      case 'lan-flood':
        return {
          via: 'lan',
          packets: [transport(rng, rng.chance(0.7) ? host('12.12.12') : rng.u32(), rng.chance(0.5) ? host(rng.pick(NETS)) : rng.u32())],
          dt,
        };
      case 'clear':
        return {
          via: 'clear',
          packets: [
            transport(rng, rng.chance(0.6) ? host(rng.pick(['13.13.13', '14.14.14'])) : rng.u32(), host(rng.pick(['12.12.12', '12.12.12', '11.11.11']))),
          ],
          dt,
        };
      case 'frag': {
        const base = rng.chance(0.6)
          ? rng.pick(this.seeds)
          : encodeIpv4({ protocol: IPPROTO_ESP, source: parseIpv4(A_HOST), destination: b, identification: rng.int(0x10000) }, rng.bytes(rng.range(100, 9000)));
        const whole = Buffer.from(base);
        whole.writeUInt32BE(b, 16);
        whole.writeUInt16BE(rng.int(0x10000), 4);
        let pieces = fragments(whole, rng.pick([8, 64, 256, 576, 1480]));
        if (rng.chance(0.3)) pieces = pieces.map((p) => (rng.chance(0.2) ? mutateIpv4(rng, p) : p));
        if (rng.chance(0.3)) pieces.reverse();
        if (rng.chance(0.2)) pieces = pieces.slice(0, rng.range(1, pieces.length));
        return { via: 'wan', packets: pieces.slice(0, 64), dt };
      }
      case 'transit':
        return {
          via: 'wan',
          packets: [udpPacket(rng.u32(), host('12.12.12'), 500, 500, rng.chance(0.5) ? rng.pick(ikeCorpus().ted) : rng.bytes(rng.int(200)))],
          dt,
        };
      default: {
        const p = mutateIpv4(rng, rng.pick(this.seeds), this.seeds, [b]);
        if (p.length >= 20 && rng.chance(0.7)) p.writeUInt32BE(b, 16);
        return { via: 'wan', packets: [p], dt };
      }
    }
  }

  run(input: DatapathInput): void {
    const { lab, b } = this.lab.s;
    lab.advance(input.dt);
    lab.resetAll();
    for (const p of input.packets) {
      if (input.via === 'lan') lab.hostSend(b, p);
      else if (input.via === 'clear') {
        b.dp.handleClearText(Buffer.from(p));
        lab.settle();
      } else lab.arrive(b, Buffer.from(p));
    }
    this.lab.afterInput();
  }

  check(): void {
    this.lab.check();
  }

  stats(): Record<string, number> {
    const c = this.lab.s.b.dp.counters;
    return {
      ...this.lab.stats(),
      ...Object.fromEntries(Object.entries(this.kinds).map(([k, v]) => [`inputs.${k}`, v])),
      noSaDrops: c.noSaDrops,
      clearTextDrops: c.clearTextDrops,
      reassembled: this.lab.s.b.dp.reassembly.reassembled,
      fragmentsRefused: this.lab.s.b.dp.reassembly.failed,
    };
  }
}

export const datapathTarget: Target<DatapathInput> = {
  name: 'datapath',
  summary:
    'the datapath in the lab: LAN traffic and floods of new flows (acquires, TED probes), clear text that should be ESP, fragments to the router, mutated packets, transit UDP/500',
  epoch: 4000,
  checkEvery: 64,
  create: (rng) => new DatapathInstance(rng),
};
