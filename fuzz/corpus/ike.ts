/**
 * The seed corpus of wire messages, recorded from real exchanges between
 * the router's own engines and datapaths in memory (fuzz/lib/lab.ts), with
 * fixed seeds so it is the same on every run: TED probe and reply, Main
 * Mode and Quick Mode (the seed's DES/SHA/group 1, and 3DES/MD5/group 2 and
 * AES/group 5 with PFS), Aggressive Mode, NAT-T (NAT-D, the float to 4500,
 * ESP in UDP, NAT keepalives), DPD (R-U-THERE and its ACK), Deletes of
 * IPsec and ISAKMP SAs, a refused proposal (NO-PROPOSAL-CHOSEN), a rekey;
 * and the ESP packets of those tunnels. Encrypted messages carry their
 * payloads encrypted, so the plaintext payload chains of the encrypted
 * exchanges (Main Mode 5/6, Quick Mode with and without PFS and NAT-OA-less
 * IDs, Informationals with Notify and Delete) are built as well, with the
 * engine's own payload builders, for field-aware mutation.
 */
import { Buffer } from 'node:buffer';
import { encodePayloads } from '../../src/codecs/isakmp/chain.js';
import { Doi, IdType, NotifyType, PayloadType, ProtocolId } from '../../src/codecs/isakmp/constants.js';
import { ipv4IdPayload } from '../../src/codecs/isakmp/id.js';
import type { Payload } from '../../src/codecs/isakmp/types.js';
import { peekIpv4 } from '../../src/agent/datapath/packet.js';
import { quickModeOffer } from '../../src/agent/ike/v1/exchanges/quick-mode/proposal.js';
import { IPPROTO_ESP, IPPROTO_UDP } from '../../src/codecs/net/ipv4.js';
import { siteConfig } from '../../tests/unit/agent/ike/helpers.js';
import { Lab } from '../lib/lab.js';
import { Rng } from '../lib/prng.js';
import { A_HOST, A_WAN, B_HOST, B_WAN, C_HOST, ping, scenario } from '../lib/scenarios.js';

export interface ChainSeed {
  /** Type of the first payload. */
  readonly first: number;
  readonly chain: Buffer;
}

export interface IkeCorpus {
  /** Every IPv4 packet that crossed the WAN: IKE, TED probes, ESP, ESP in UDP, NAT keepalives. */
  readonly packets: readonly Buffer[];
  /** UDP payloads to port 500 or 4500 (with the non-ESP marker on 4500), with their port. */
  readonly datagrams: readonly { readonly payload: Buffer; readonly port: number }[];
  /** ISAKMP messages (marker stripped). */
  readonly messages: readonly Buffer[];
  /** TED probes and replies. */
  readonly ted: readonly Buffer[];
  /** ESP packets (SPI onwards), from protocol 50 and from UDP 4500. */
  readonly esp: readonly Buffer[];
  /** Payload chains: of the clear messages, and the plaintexts of encrypted ones. */
  readonly chains: readonly ChainSeed[];
}

const route = (via: string) => `ip route 0.0.0.0 0.0.0.0 ${via}`;

function pair(capture: Buffer[], a: Partial<Parameters<typeof siteConfig>[0]>, b: Partial<Parameters<typeof siteConfig>[0]>, seed: number): Lab {
  const lab = new Lab(new Rng(seed));
  lab.capture = capture;
  lab.add({
    name: 'A',
    config: siteConfig({
      hostname: 'A',
      wan: A_WAN,
      lan: '13.13.13.13',
      peer: B_WAN,
      localNet: '13.13.13.0',
      remoteNet: '12.12.12.0',
      extra: route(B_WAN),
      ...a,
    }),
  });
  lab.add({
    name: 'B',
    config: siteConfig({
      hostname: 'B',
      wan: B_WAN,
      lan: '12.12.12.12',
      peer: A_WAN,
      localNet: '12.12.12.0',
      remoteNet: '13.13.13.0',
      extra: route(A_WAN),
      ...b,
    }),
  });
  return lab;
}

function traffic(lab: Lab): void {
  const [a, b] = [lab.router('A'), lab.router('B')];
  for (let i = 1; i <= 3; i++) {
    lab.hostSend(a, ping(A_HOST, B_HOST, i, 20 + i * 300));
    lab.hostSend(b, ping(B_HOST, A_HOST, i, 40));
    lab.advance(50);
  }
}

/** Plaintext chains of the encrypted exchanges, built as the engine builds them. */
function plaintexts(lab: Lab): ChainSeed[] {
  const sets = lab.router('B').policy.transformSets;
  const hash: Payload = { type: PayloadType.HASH, data: Buffer.alloc(20, 0x11) };
  const nonce: Payload = { type: PayloadType.NONCE, data: Buffer.alloc(20, 0x22) };
  const ke: Payload = { type: PayloadType.KE, data: Buffer.alloc(128, 0x33) };
  const local = ipv4IdPayload({ idType: IdType.IPV4_ADDR_SUBNET, address: '13.13.13.0', mask: '255.255.255.0' });
  const remote = ipv4IdPayload({ idType: IdType.IPV4_ADDR_SUBNET, address: '12.12.12.0', mask: '255.255.255.0' });
  const host = ipv4IdPayload({ idType: IdType.IPV4_ADDR, address: C_HOST, protocol: 17, port: 500 });
  const range = ipv4IdPayload({ idType: IdType.IPV4_ADDR_RANGE, start: '13.13.13.1', end: '13.13.13.9' });
  const offer = (pfs: number | null, udp: boolean) => quickModeOffer(sets, 0x1234abcd, { seconds: 3600, kilobytes: 4608000 }, pfs, udp);
  const spi = Buffer.from([0x12, 0x34, 0xab, 0xcd]);
  const chains: Payload[][] = [
    [ipv4IdPayload({ idType: IdType.IPV4_ADDR, address: A_WAN, protocol: 17, port: 500 }), hash], // MM5/MM6
    [
      ipv4IdPayload({ idType: IdType.IPV4_ADDR, address: A_WAN, protocol: 17, port: 500 }),
      hash,
      {
        type: PayloadType.NOTIFY,
        doi: Doi.IPSEC,
        protocol: ProtocolId.ISAKMP,
        spi: Buffer.alloc(16, 7),
        notifyType: NotifyType.INITIAL_CONTACT,
        data: Buffer.alloc(0),
      },
    ],
    [hash, offer(null, false), nonce, local, remote], // QM1
    [hash, offer(2, false), nonce, ke, local, remote], // QM1 with PFS
    [hash, offer(null, true), nonce, host, range], // QM1, UDP-encapsulated, host and range IDs
    [
      hash,
      offer(null, false),
      nonce,
      local,
      remote,
      {
        type: PayloadType.NOTIFY,
        doi: Doi.IPSEC,
        protocol: ProtocolId.ESP,
        spi,
        notifyType: NotifyType.RESPONDER_LIFETIME,
        data: Buffer.from('800b0001000c000400000e10', 'hex'),
      },
    ], // QM2
    [hash], // QM3
    [hash, { type: PayloadType.DELETE, doi: Doi.IPSEC, protocol: ProtocolId.ESP, spiSize: 4, spis: [spi, Buffer.from([0, 0, 1, 0])] }],
    [hash, { type: PayloadType.DELETE, doi: Doi.IPSEC, protocol: ProtocolId.ISAKMP, spiSize: 16, spis: [Buffer.alloc(16, 9)] }],
    [
      hash,
      {
        type: PayloadType.NOTIFY,
        doi: Doi.IPSEC,
        protocol: ProtocolId.ISAKMP,
        spi: Buffer.alloc(16, 5),
        notifyType: NotifyType.R_U_THERE,
        data: Buffer.from([0, 0, 0, 7]),
      },
    ],
    [hash, { type: PayloadType.NOTIFY, doi: Doi.IPSEC, protocol: ProtocolId.ESP, spi, notifyType: NotifyType.INVALID_SPI, data: Buffer.alloc(0) }],
  ];
  return chains.map((c) => ({ first: c[0]!.type, chain: encodePayloads(c) }));
}

let memo: IkeCorpus | null = null;

/** The corpus (recorded once per process). */
export function ikeCorpus(): IkeCorpus {
  if (memo) return memo;
  const captured: Buffer[] = [];
  // TED (the seed), static with a choice of algorithms, NAT-T: each brings both tunnels up, then traffic
  for (const [flavour, seed] of [
    ['ted', 11],
    ['static', 12],
    ['static', 13],
    ['nat', 14],
  ] as const) {
    const s = scenario(new Rng(seed), flavour, {}, captured);
    traffic(s.lab);
    s.lab.advance(25_000);
    // Deletes: A clears its IPsec SAs, then its ISAKMP SA
    s.a.act(s.a.engine.clearIpsec({}, s.lab.now));
    s.lab.settle();
    s.a.act(s.a.engine.clearIsakmp(undefined, s.lab.now));
    s.lab.settle();
  }
  // Aggressive Mode with PFS; DPD (periodic keepalives); NAT keepalives; a refused proposal; a rekey
  const labs = [
    pair(captured, { aggressivePassword: 'abc123', pfs: 'group2' }, { pfs: 'group2' }, 21),
    pair(captured, { keepalive: 'crypto isakmp keepalive 10 2 periodic' }, { keepalive: 'crypto isakmp keepalive 10 2 periodic' }, 22),
    pair(captured, { transform: 'esp-3des esp-sha-hmac' }, { transform: 'esp-des esp-md5-hmac' }, 23),
    pair(
      captured,
      { lifetime: 'crypto ipsec security-association lifetime seconds 120' },
      { lifetime: 'crypto ipsec security-association lifetime seconds 120' },
      24,
    ),
  ];
  for (const lab of labs) {
    traffic(lab);
    lab.advance(150_000);
    traffic(lab);
  }
  const datagrams: { payload: Buffer; port: number }[] = [];
  const messages: Buffer[] = [];
  const esp: Buffer[] = [];
  const ted: Buffer[] = [];
  const chains: ChainSeed[] = [];
  for (const p of captured) {
    const h = peekIpv4(p);
    if (!h) continue;
    const body = p.subarray(h.headerLength, h.totalLength);
    if (h.protocol === IPPROTO_ESP) esp.push(Buffer.from(body));
    if (h.protocol !== IPPROTO_UDP || body.length < 8) continue;
    const payload = Buffer.from(body.subarray(8));
    const port = h.destinationPort ?? 0;
    if (port !== 500 && port !== 4500) continue;
    datagrams.push({ payload, port });
    if (port === 4500 && payload.length >= 8 && payload.readUInt32BE(0) !== 0) {
      esp.push(payload);
      continue;
    }
    const msg = port === 4500 ? payload.subarray(4) : payload;
    if (msg.length < 28) continue;
    messages.push(Buffer.from(msg));
    if (msg[18] === 240) ted.push(Buffer.from(msg));
    if ((msg[19]! & 1) === 0) chains.push({ first: msg[16]!, chain: Buffer.from(msg.subarray(28)) });
  }
  chains.push(...plaintexts(labs[0]!));
  memo = { packets: captured, datagrams, messages, ted, esp, chains };
  return memo;
}
