/**
 * The labs the IKE, ESP and datapath targets fuzz: a responder B
 * (11.11.11.2, LAN 12.12.12.0/24) with established phase 1 and IPsec SAs
 * with two peers, the victim A (11.11.11.1, LAN 13.13.13.0/24) and a second
 * peer C (11.11.11.3, LAN 14.14.14.0/24) that holds the same wildcard
 * pre-shared key, as every peer of the seed's TED design does. Three
 * flavours: the seed's TED configuration (fred answering daphne's probes,
 * plus a third TED router), static crypto maps toward a dynamic map on B
 * (with a choice of phase-1 and ESP algorithms and PFS), and A behind a NAT
 * (NAT-T, ESP in UDP 4500).
 */
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { encodeIcmpEcho } from '../../src/codecs/net/icmp.js';
import { encodeIpv4, IPPROTO_ICMP } from '../../src/codecs/net/ipv4.js';
import type { PolicyOptions } from '../../src/agent/ike/policy.js';
import { parseIpv4 } from '../../src/ios/index.js';
import { siteConfig } from '../../tests/unit/agent/ike/helpers.js';
import { Lab, type LabRouter } from './lab.js';
import type { Rng } from './prng.js';
import { root } from './root.js';

export const A_WAN = '11.11.11.1';
export const B_WAN = '11.11.11.2';
export const C_WAN = '11.11.11.3';
export const A_HOST = '13.13.13.4';
export const B_HOST = '12.12.12.13';
export const C_HOST = '14.14.14.4';

export type Flavour = 'ted' | 'static' | 'nat';

export interface Scenario {
  readonly lab: Lab;
  readonly flavour: Flavour;
  readonly a: LabRouter;
  readonly b: LabRouter;
  readonly c: LabRouter;
  /** A's address as B sees it (the NAT's public address behind a NAT). */
  readonly aSeenByB: string;
}

const seed = (name: string) => readFileSync(`${root}topologies/daphne-fred/${name}.cfg`, 'utf8');

function tedConfigs(): [string, string, string] {
  const daphne = seed('daphne');
  const fred = seed('fred').replace(
    'access-list 101 permit ip 12.12.12.0 0.0.0.255 13.13.13.0 0.0.0.255',
    // C's network, and 48 where nobody answers TED probes (flows in negotiation pile up there)
    [
      'access-list 101 permit ip 12.12.12.0 0.0.0.255 13.13.13.0 0.0.0.255',
      'access-list 101 permit ip 12.12.12.0 0.0.0.255 14.14.14.0 0.0.0.255',
      ...Array.from({ length: 48 }, (_, i) => `access-list 101 permit ip 12.12.12.0 0.0.0.255 15.${i}.0.0 0.0.255.255`),
    ].join('\n'),
  );
  const george = daphne
    .replace('hostname Daphne', 'hostname George')
    .replace('ip address 11.11.11.1 255.255.255.0', `ip address ${C_WAN} 255.255.255.0`)
    .replace('ip address 13.13.13.13 255.255.255.0', 'ip address 14.14.14.14 255.255.255.0')
    .replace('access-list 101 permit ip 13.13.13.0', 'access-list 101 permit ip 14.14.14.0');
  return [daphne, fred, george];
}

const PHASE1 = [
  ' authentication pre-share',
  ' encryption 3des\n hash md5\n authentication pre-share\n group 2',
  ' encryption aes\n authentication pre-share\n group 5',
];
const TRANSFORMS = ['esp-des esp-md5-hmac', 'esp-3des esp-sha-hmac', 'esp-aes esp-sha-hmac', 'esp-aes 256 esp-md5-hmac', 'esp-null esp-sha-hmac'];

function staticConfigs(rng: Rng, nat: boolean): [string, string, string] {
  const isakmp = rng.pick(PHASE1);
  const transform = rng.pick(TRANSFORMS);
  const pfs = rng.chance(0.3) ? 'group2' : null;
  const route = (via: string) => `ip route 0.0.0.0 0.0.0.0 ${via}`;
  const a = siteConfig({
    hostname: 'A',
    wan: A_WAN,
    lan: '13.13.13.13',
    peer: B_WAN,
    localNet: '13.13.13.0',
    remoteNet: '12.12.12.0',
    isakmp,
    transform,
    pfs,
    extra: route(B_WAN),
  });
  const c = siteConfig({
    hostname: 'C',
    wan: C_WAN,
    lan: '14.14.14.14',
    peer: B_WAN,
    localNet: '14.14.14.0',
    remoteNet: '12.12.12.0',
    isakmp,
    transform,
    pfs,
    extra: route(B_WAN),
  });
  const b = siteConfig({
    hostname: 'B',
    wan: B_WAN,
    lan: '12.12.12.12',
    peer: A_WAN,
    localNet: '12.12.12.0',
    remoteNet: '13.13.13.0',
    dynamic: true,
    isakmp,
    transform,
    pfs,
    extra: `access-list 101 permit ip 12.12.12.0 0.0.0.255 14.14.14.0 0.0.0.255\n${route(A_WAN)}`,
  });
  // behind the NAT A's WAN is 10.0.0.1; B sees the NAT's address
  return [nat ? a.replace(`ip address ${A_WAN}`, 'ip address 10.0.0.1').replace(route(B_WAN), route('10.0.0.254')) : a, b, c];
}

/** An ICMP echo request from `source` to `destination` (what a host sends). */
export function ping(source: string, destination: string, id: number, size = 56): Buffer {
  const icmp = encodeIcmpEcho({ type: 8, identifier: id & 0xffff, sequence: 1, data: Buffer.alloc(size, 0x61) });
  return encodeIpv4({ protocol: IPPROTO_ICMP, source: parseIpv4(source), destination: parseIpv4(destination), ttl: 64, identification: id & 0xffff }, icmp);
}

/** Builds the lab and brings up A-B and C-B (phase 1 and one IPsec pair each). Throws when they do not come up. */
export function scenario(rng: Rng, flavour: Flavour, options: PolicyOptions = {}, capture: Buffer[] | null = null): Scenario {
  const lab = new Lab(rng.fork());
  lab.capture = capture;
  const [ca, cb, cc] = flavour === 'ted' ? tedConfigs() : staticConfigs(rng, flavour === 'nat');
  const a = lab.add({ name: 'A', config: ca });
  const b = lab.add({ name: 'B', config: cb, options });
  const c = lab.add({ name: 'C', config: cc });
  if (flavour === 'nat') lab.natBehind(a, '11.11.11.100');
  for (const [r, host] of [
    [a, A_HOST],
    [c, C_HOST],
  ] as const) {
    lab.hostSend(r, ping(host, B_HOST, 1));
    lab.advance(100);
    lab.hostSend(r, ping(host, B_HOST, 2));
    if (!r.lanSink.length && !b.lanSink.some((p) => p.readUInt32BE(12) === parseIpv4(host))) {
      throw new Error(`scenario ${flavour}: ${r.name}'s ping did not cross the tunnel`);
    }
  }
  const s: Scenario = { lab, flavour, a, b, c, aSeenByB: flavour === 'nat' ? '11.11.11.100' : A_WAN };
  if (b.dp.saPairs.length < 2) throw new Error(`scenario ${flavour}: B holds ${b.dp.saPairs.length} pairs`);
  lab.resetAll();
  return s;
}
