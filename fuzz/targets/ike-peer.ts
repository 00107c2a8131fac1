/**
 * Target `ike-peer`: the same lab as ike-unauth, attacked by C, a peer
 * that holds the wildcard pre-shared key and has its own established SAs
 * with B. C's messages are forged under its real ISAKMP SA (valid
 * encryption and HASH(1), fuzz/lib/forge.ts) around chosen or mutated
 * payloads: Informationals with Deletes naming A's SPIs and ISAKMP SA, C's
 * own, or none, INITIAL-CONTACT, DPD and error notifies; Quick Mode
 * message 1 with any SPI (reserved ones too), lifetime (zero too),
 * transform, PFS value and proxies (A's networks, hosts, ranges, all
 * addresses), often completed with a forged message 3, in floods; new
 * phase 1s from C. Invariants: as ike-unauth for A's SAs (on B and on A)
 * and A's tunnel, every table bounded (Quick Modes per SA, pairs per flow,
 * flows per peer and in all, ISAKMP SAs per peer), engine and datapath
 * agreeing on every pair C made B install.
 */
import { Buffer } from 'node:buffer';
import { encodePayloads } from '../../src/codecs/isakmp/chain.js';
import { Doi, ExchangeType, IdType, NotifyType, PayloadType, ProtocolId } from '../../src/codecs/isakmp/constants.js';
import { ipv4IdPayload, type Ipv4IdInit } from '../../src/codecs/isakmp/id.js';
import type { Payload } from '../../src/codecs/isakmp/types.js';
import { generateDhKeyPair, dhGroupById } from '../../src/agent/crypto/dh.js';
import { udpPacket } from '../../src/agent/datapath/packet.js';
import { quickModeOffer } from '../../src/agent/ike/v1/exchanges/quick-mode/proposal.js';
import type { IsakmpSa } from '../../src/agent/ike/v1/sa/isakmp-sa.js';
import { parseIpv4 } from '../../src/ios/index.js';
import { deleteEsp, headerOf, notify, quickMode3 } from '../../tests/unit/agent/ike/forge.js';
import { ikeCorpus } from '../corpus/ike.js';
import { forge } from '../lib/forge.js';
import { mutatePlainChain, payloadsOf, type RawPayload } from '../lib/isakmp.js';
import type { Rng } from '../lib/prng.js';
import { B_HOST, B_WAN, C_HOST, C_WAN, ping } from '../lib/scenarios.js';
import type { Instance, Target } from '../lib/target.js';
import { LabUnderAttack } from './ike-unauth.js';

type PeerInput =
  | { readonly op: 'info'; readonly messageId: number; readonly first: number; readonly rest: Buffer; readonly badHash: boolean; readonly dt: number }
  | {
      readonly op: 'qm';
      readonly messageId: number;
      readonly first: number;
      readonly rest: Buffer;
      readonly badHash: boolean;
      readonly complete: boolean;
      readonly niB: Buffer;
      readonly dt: number;
    }
  | { readonly op: 'phase1'; readonly dt: number };

const LIFETIMES = [
  { seconds: 3600, kilobytes: 4608000 },
  { seconds: 120, kilobytes: 4608000 },
  { seconds: 0, kilobytes: 4608000 },
  { seconds: 3600, kilobytes: 0 },
  { seconds: 1, kilobytes: 1 },
  { seconds: 0xffffffff, kilobytes: 0xffffffff },
];

const subnet = (address: string, mask = '255.255.255.0'): Ipv4IdInit => ({ idType: IdType.IPV4_ADDR_SUBNET, address, mask });

class PeerInstance implements Instance<PeerInput> {
  private readonly lab: LabUnderAttack;
  private readonly donors: RawPayload[];
  private readonly ke: Buffer;
  private readonly kinds: Record<string, number> = {};
  private reestablished = 0;
  private completed = 0;
  /** This instance's mix: Quick Modes mostly completed (flows pile up) or mostly left open (a flood of Quick Modes). */
  private readonly completion: number;
  private readonly mutation: number;

  constructor(rng: Rng) {
    this.lab = new LabUnderAttack(rng, ['A']);
    [this.completion, this.mutation] = rng.pick([
      [0.97, 0.05],
      [0.6, 0.3],
      [0.2, 0.3],
    ]);
    this.donors = payloadsOf(ikeCorpus().chains);
    const priv = rng.bytes(32);
    priv[0] = (priv[0]! & 0x7f) | 0x40;
    this.ke = generateDhKeyPair(dhGroupById(2), priv).publicValue;
  }

  /** C's established SA with B, as C's engine holds it, when B still has it too. */
  private cSa(): IsakmpSa | null {
    const { b, c } = this.lab.s;
    const mine = [...c.engine.snapshot().tables.isakmp.values()].filter((s) => s.established && !s.deleted && s.remote.ip === B_WAN);
    const onB = b.engine.snapshot().tables.isakmp;
    for (const sa of mine.reverse()) {
      for (const other of onB.values()) if (!other.deleted && other.established && other.ckyI.equals(sa.ckyI) && other.ckyR.equals(sa.ckyR)) return sa;
    }
    return null;
  }

  /**
   * C negotiates again. `silently` (the fuzz input): C forgets its SAs
   * without telling B (its Deletes are lost), so B keeps them: what fills
   * B's ISAKMP SAs per peer, up to the refusal. To recover when B no longer
   * has C's SA, C comes back as a rebooted router does: its Deletes sent,
   * and INITIAL-CONTACT in the new phase 1 (B then clears C's stale SAs).
   */
  private newPhase1(silently: boolean): void {
    const { lab, b, c } = this.lab.s;
    const onB = [...b.engine.snapshot().tables.isakmp.values()].filter((s) => s.established && !s.deleted && s.remote.ip === C_WAN).length;
    const quiet = silently && onB <= b.policy.limits.phase1PerPeer;
    const clear = (actions: ReturnType<typeof c.engine.clearIsakmp>) => c.act(quiet ? actions.filter((a) => a.kind !== 'send') : actions);
    clear(c.engine.clearIpsec({}, lab.now));
    clear(c.engine.clearIsakmp(undefined, lab.now));
    lab.settle();
    if (!silently) c.engine.setPolicy({ ...c.policy, initialContact: true });
    lab.hostSend(c, ping(C_HOST, B_HOST, 0x7000 + (this.reestablished++ & 0xfff)));
    c.engine.setPolicy(c.policy);
  }

  private proxies(rng: Rng): [Ipv4IdInit, Ipv4IdInit] {
    const host = (net: string) => ({ idType: IdType.IPV4_ADDR, address: `${net}.${rng.range(1, 254)}` }) as Ipv4IdInit;
    return rng.weighted<() => [Ipv4IdInit, Ipv4IdInit]>([
      [3, () => [subnet('14.14.14.0'), subnet('12.12.12.0')]],
      [5, () => [host('14.14.14'), host('12.12.12')]],
      [2, () => [subnet('13.13.13.0'), subnet('12.12.12.0')]],
      [1, () => [host('13.13.13'), host('12.12.12')]],
      [1, () => [subnet('0.0.0.0', '0.0.0.0'), subnet('0.0.0.0', '0.0.0.0')]],
      [1, () => [{ idType: IdType.IPV4_ADDR_RANGE, start: '14.14.14.1', end: `14.14.14.${rng.range(1, 254)}` }, subnet('12.12.12.0')]],
      [
        1,
        () => [
          { ...subnet('14.14.14.0'), protocol: 17, port: rng.pick([0, 500, 53]) },
          { ...subnet('12.12.12.0'), protocol: 17, port: 0 },
        ],
      ],
    ])();
  }

  private victimSpis(): number[] {
    return [...this.lab.s.b.engine.snapshot().tables.ipsec.values()].flatMap((r) => [r.spec.inbound.spi, r.spec.outbound.spi]);
  }

  generate(rng: Rng): PeerInput {
    const dt = rng.weighted<number>([
      [92, rng.int(50)],
      [8, rng.range(1000, 8000)],
    ]);
    const op = rng.weighted<string>([
      [45, 'qm'],
      [40, 'info'],
      [2, 'phase1'],
    ]);
    this.kinds[op] = (this.kinds[op] ?? 0) + 1;
    if (op === 'phase1') return { op, dt };
    const { b } = this.lab.s;
    const messageId = rng.chance(0.03) ? 0 : rng.u32() || 1;
    const badHash = rng.chance(0.04);
    const spis = this.victimSpis();
    if (op === 'qm') {
      const sets = this.lab.s.c.policy.transformSets;
      const spi = rng.weighted<number>([
        [8, rng.range(256, 0xffffffff)],
        [1, rng.int(256)],
        [1, rng.pick(spis.length ? spis : [0])],
      ]);
      const pfs = rng.chance(0.5) ? 2 : null;
      const [local, remote] = this.proxies(rng);
      const niB = rng.bytes(rng.pick([8, 16, 20, 32]));
      const payloads: Payload[] = [
        quickModeOffer(rng.chance(0.8) ? [rng.pick(sets)] : sets, spi, rng.pick(LIFETIMES), pfs, false),
        { type: PayloadType.NONCE, data: niB },
        ...(pfs !== null ? [{ type: PayloadType.KE, data: this.ke } as Payload] : []),
        ipv4IdPayload(local),
        ipv4IdPayload(remote),
      ];
      let first: number = PayloadType.SA;
      let rest = encodePayloads(payloads);
      const mutated = rng.chance(this.mutation);
      if (mutated) ({ first, bytes: rest } = mutatePlainChain(rng, first, rest, this.donors, { spis }));
      return { op, messageId, first, rest, badHash, complete: !mutated && rng.chance(this.completion), niB, dt };
    }
    const t = b.engine.snapshot().tables;
    // A's ISAKMP SAs on B: what a Delete or INITIAL-CONTACT from C must not reach
    const victims = [...t.isakmp.values()].filter((s) => s.established && s.remote.ip === this.lab.s.aSeenByB);
    const cookies = () => {
      const sa = victims.length && rng.chance(0.8) ? rng.pick(victims) : null;
      return sa ? Buffer.concat([sa.ckyI, sa.ckyR]) : rng.bytes(16);
    };
    const own = this.cSa();
    const payloads: Payload[] = Array.from({ length: rng.range(1, 3) }, () =>
      rng.weighted<() => Payload>([
        [4, () => deleteEsp(Array.from({ length: rng.range(1, 3) }, () => (spis.length && rng.chance(0.8) ? rng.pick(spis) : rng.u32())))],
        [
          3,
          () => ({
            type: PayloadType.DELETE,
            doi: Doi.IPSEC,
            protocol: ProtocolId.ISAKMP,
            spiSize: 16,
            spis: [rng.chance(0.05) && own ? Buffer.concat([own.ckyI, own.ckyR]) : cookies()],
          }),
        ],
        [1, () => notify(NotifyType.INITIAL_CONTACT, ProtocolId.ISAKMP, rng.chance(0.5) && own ? Buffer.concat([own.ckyI, own.ckyR]) : cookies())],
        [2, () => notify(rng.pick([NotifyType.R_U_THERE, NotifyType.R_U_THERE_ACK]), ProtocolId.ISAKMP, cookies(), rng.bytes(4))],
        [
          2,
          () =>
            notify(
              rng.pick([NotifyType.INVALID_SPI, NotifyType.NO_PROPOSAL_CHOSEN, NotifyType.INVALID_ID_INFORMATION, NotifyType.PAYLOAD_MALFORMED]),
              ProtocolId.ESP,
              Buffer.alloc(4, 0).fill(rng.bytes(4)),
              Buffer.alloc(0),
            ),
        ],
        [1, () => notify(rng.int(0x10000), rng.int(6), rng.bytes(rng.pick([0, 4, 16])), rng.bytes(rng.int(8)))],
      ])(),
    );
    let first: number = payloads[0]!.type;
    let rest = encodePayloads(payloads);
    if (rng.chance(0.25)) ({ first, bytes: rest } = mutatePlainChain(rng, first, rest, this.donors, { spis }));
    return { op: 'info', messageId, first, rest, badHash, dt };
  }

  run(input: PeerInput): void {
    const { lab, b } = this.lab.s;
    lab.advance(input.dt);
    lab.resetAll();
    let sa = this.cSa();
    if (input.op === 'phase1' || !sa) {
      this.newPhase1(input.op === 'phase1');
      sa = this.cSa();
      if (input.op === 'phase1' || !sa) {
        this.lab.afterInput();
        return;
      }
      lab.resetAll();
    }
    const exchangeType = input.op === 'qm' ? ExchangeType.QUICK_MODE : ExchangeType.INFORMATIONAL;
    b.keepActions = input.op === 'qm' && input.complete;
    const m = forge(sa, { exchangeType, messageId: input.messageId, first: input.first, rest: input.rest, badHash: input.badHash });
    lab.arrive(b, m.packet);
    if (input.op === 'qm' && input.complete) {
      b.keepActions = false;
      const answer = b.actions.find((a) => a.kind === 'send' && headerOf(a.payload, a.to.port).messageId === input.messageId);
      if (answer && answer.kind === 'send') {
        const d = quickMode3(sa, { datagram: null as never, messageId: input.messageId, niB: input.niB, iv: m.nextIv }, answer.payload, answer.to.port);
        if (d) {
          this.completed++;
          lab.arrive(b, udpPacket(parseIpv4(d.from.ip), parseIpv4(d.to.ip), d.from.port, d.to.port, d.payload));
        }
      }
    }
    this.lab.afterInput();
  }

  check(): void {
    this.lab.check();
  }

  stats(): Record<string, number> {
    return {
      ...this.lab.stats(),
      completedQuickModes: this.completed,
      newPhase1: this.reestablished,
      ...Object.fromEntries(Object.entries(this.kinds).map(([k, v]) => [`inputs.${k}`, v])),
    };
  }
}

export const ikePeerTarget: Target<PeerInput> = {
  name: 'ike-peer',
  summary:
    'IKE engine attacked by a second peer with the key: forged Informationals (Deletes of others, INITIAL-CONTACT, DPD), Quick Mode floods, new phase 1s',
  epoch: 3000,
  checkEvery: 64,
  create: (rng) => new PeerInstance(rng),
};
