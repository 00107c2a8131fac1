/**
 * The router configuration model: what the agent emulates, typed, plus the
 * accepted-but-not-emulated lines kept so `show running-config` shows them back.
 */
import type { Ipv4 } from '../../codecs/net/address.js';
import { newInterfaceOspf, newInterfaceWan, newRoutingConfig, type InterfaceOspf, type InterfaceWan, type RoutingConfig } from './types-routing.js';

import { newNatConfig, type NatConfig, type RouteMapEntry } from './nat-types.js';

export * from './nat-types.js';
export * from './types-routing.js';

export interface RouterConfig {
  hostname: string;
  /** From `version 12.2`; IOS prints its own version, so this defaults to "12.2". */
  version: string;
  /** The text lines given to parseConfig (the startup-config as written). */
  sourceLines: string[];
  interfaces: InterfaceConfig[];
  staticRoutes: StaticRoute[];
  accessLists: AccessList[];
  crypto: CryptoConfig;
  /** `ip nat pool`, `ip nat inside source`, `ip nat translation` (nat-types.ts). */
  nat: NatConfig;
  /** Sorted by name (first appearance) then sequence number. */
  routeMaps: RouteMapEntry[];
  /** Global lines accepted but not emulated, in the order written. */
  extras: ExtraBlock[];
  /** router ospf | eigrp | rip (types-routing.ts). */
  routing: RoutingConfig;
}

/** Where an accepted-but-not-emulated block goes in `show running-config`. */
export type ExtraSection =
  | 'service' // after `version`: service ...
  | 'global' // after `hostname`: boot, enable, memory-size, ip subnet-zero, ...
  | 'routing' // after the interfaces: router blocks, ip classless
  | 'http' // after `ip route`: ip http server
  | 'tail'; // after the access lists: snmp-server, banner, line blocks, ntp

export interface ExtraBlock {
  section: ExtraSection;
  /** lines[0] is the command; following lines are its sub-mode lines (" login") or banner text. */
  lines: string[];
}

export interface InterfaceAddress {
  address: Ipv4;
  mask: Ipv4;
}

export interface InterfaceConfig {
  /** Full IOS name: FastEthernet0/0, Serial0/0, Loopback0, FastEthernet0/0.10. */
  name: string;
  description: string | null;
  address: InterfaceAddress | null;
  secondary: InterfaceAddress[];
  shutdown: boolean;
  cryptoMap: string | null;
  nat: 'inside' | 'outside' | null;
  accessGroupIn: string | null;
  accessGroupOut: string | null;
  mtu: number | null;
  /** `ip mtu N`: the largest IP packet sent out of the interface (fragmentation and ICMP too-big at that size). */
  ipMtu: number | null;
  /** `ip tcp adjust-mss N` (500-1460): the MSS option of TCP SYNs routed in or out of the interface is lowered to N. */
  adjustMss: number | null;
  /** `bandwidth N` (kbit/s) and `delay N` (tens of microseconds), as show interfaces prints them; null: the default. */
  bandwidth: number | null;
  delay: number | null;
  /** Tunnel interfaces: `keepalive [period [retries]]` (GRE keepalives); null: off, the default. */
  keepalive: TunnelKeepalive | null;
  /** Tunnel interfaces: source, destination, mode, key; null for every other interface. */
  tunnel: TunnelConfig | null;
  /** Interface lines accepted but not emulated (duplex auto, speed auto). */
  extras: string[];
  /** Encapsulation, clock rate, DLCI, sub-interface type (types-routing.ts). */
  wan: InterfaceWan;
  /** `ip ospf ...` (types-routing.ts). */
  ospf: InterfaceOspf;
}

export interface TunnelKeepalive {
  /** Seconds between keepalives. */
  period: number;
  /** Keepalives left unanswered before the line protocol goes down. */
  retries: number;
}

/** `tunnel ...` lines of a Tunnel interface. */
export interface TunnelConfig {
  /** `tunnel source IFACE` (the interface's address is used) or `tunnel source A.B.C.D`. */
  source: { kind: 'interface'; name: string } | { kind: 'address'; address: Ipv4 } | null;
  destination: Ipv4 | null;
  /** `tunnel mode ...` words; 'gre ip' is the default and the only mode emulated. */
  mode: string;
  /** `tunnel key N` (RFC 2890 key), 0-4294967295. */
  key: number | null;
  /** `tunnel checksum` (RFC 2784 checksum on what the tunnel sends). */
  checksum: boolean;
}

export const TUNNEL_MODE_GRE_IP = 'gre ip';

export interface StaticRoute {
  prefix: Ipv4;
  mask: Ipv4;
  nextHop: Ipv4 | null;
  interface: string | null;
  distance: number;
  name: string | null;
  permanent: boolean;
  tag: number | null;
}

// ---------------------------------------------------------------- access lists

export type AccessList = StandardAccessList | ExtendedAccessList;

export interface AccessListBase {
  /** "101" for numbered lists, the name for named ones. */
  name: string;
  /** Numbered lists are written `access-list N`, named ones `ip access-list`. */
  numbered: boolean;
  entries: AclEntry[];
}

export interface StandardAccessList extends AccessListBase {
  kind: 'standard';
}

export interface ExtendedAccessList extends AccessListBase {
  kind: 'extended';
}

export type AclEntry = AclRule | AclRemark;

export interface AclRemark {
  type: 'remark';
  seq: number;
  text: string;
}

/** `any`, `host A`, or `A WILDCARD` (address bits under the wildcard are zeroed, as IOS does). */
export type AclAddress = { kind: 'any' } | { kind: 'host'; address: Ipv4 } | { kind: 'wildcard'; address: Ipv4; wildcard: Ipv4 };

export type PortMatch = { op: 'eq' | 'neq' | 'lt' | 'gt'; port: number } | { op: 'range'; from: number; to: number };

export interface AclRule {
  type: 'rule';
  seq: number;
  action: 'permit' | 'deny';
  /** 'ip' matches every protocol; otherwise the IP protocol number. */
  protocol: 'ip' | number;
  source: AclAddress;
  sourcePort: PortMatch | null;
  destination: AclAddress;
  destinationPort: PortMatch | null;
  /** ICMP type and optional code (`echo`, `port-unreachable`, `3 1`). */
  icmp: { type: number; code: number | null } | null;
  established: boolean;
  log: 'log' | 'log-input' | null;
}

// ---------------------------------------------------------------------- crypto

export type IsakmpEncryption = 'des' | '3des' | 'aes';
export type IsakmpHash = 'md5' | 'sha' | 'sha256';
export type IsakmpAuthentication = 'pre-share' | 'rsa-sig' | 'rsa-encr';
export type DhGroup = 1 | 2 | 5 | 14;

export interface IsakmpPolicy {
  priority: number;
  encryption: IsakmpEncryption;
  /** For aes: 128, 192 or 256; null otherwise. */
  keyLength: 128 | 192 | 256 | null;
  hash: IsakmpHash;
  authentication: IsakmpAuthentication;
  group: DhGroup;
  lifetime: number;
}

export interface IsakmpKey {
  key: string;
  address: Ipv4;
  /** 255.255.255.255 for a host key, 0.0.0.0 for the wildcard key. */
  mask: Ipv4;
  noXauth: boolean;
}

export interface IsakmpKeepalive {
  seconds: number;
  retries: number;
  mode: 'periodic' | 'on-demand';
}

export type ClientEndpoint = { kind: 'ipv4-address'; value: Ipv4 } | { kind: 'fqdn' | 'user-fqdn'; value: string };

/** `crypto isakmp peer address A` with its aggressive-mode settings. */
export interface IsakmpPeer {
  address: Ipv4;
  aggressiveModePassword: string | null;
  aggressiveModeClientEndpoint: ClientEndpoint | null;
  description: string | null;
}

export type EspCipher = 'esp-des' | 'esp-3des' | 'esp-aes' | 'esp-null';
export type EspAuth = 'esp-md5-hmac' | 'esp-sha-hmac' | 'esp-sha256-hmac';
export type AhAuth = 'ah-md5-hmac' | 'ah-sha-hmac';

export type Transform =
  { kind: 'esp-cipher'; name: EspCipher; keyBits: 128 | 192 | 256 | null } | { kind: 'esp-auth'; name: EspAuth } | { kind: 'ah'; name: AhAuth };

export interface TransformSet {
  name: string;
  transforms: Transform[];
  mode: 'tunnel' | 'transport';
}

export type PfsGroup = 'group1' | 'group2' | 'group5' | 'group14';

/** Per-entry lifetime overrides; null means the global default. */
export interface SaLifetime {
  seconds: number | null;
  kilobytes: number | null;
}

export interface DynamicMapEntry {
  name: string;
  seq: number;
  transformSets: string[];
  matchAddress: string | null;
  pfs: PfsGroup | null;
  lifetime: SaLifetime;
  peers: Ipv4[];
}

export interface CryptoMapEntry {
  name: string;
  seq: number;
  mode: 'ipsec-isakmp' | 'ipsec-manual';
  /** `ipsec-isakmp dynamic DMAP [discover]`: a template entry. */
  dynamic: { map: string; discover: boolean } | null;
  peers: Ipv4[];
  matchAddress: string | null;
  transformSets: string[];
  pfs: PfsGroup | null;
  lifetime: SaLifetime;
}

export interface CryptoConfig {
  /** False after `no crypto isakmp`. */
  isakmpEnabled: boolean;
  /** Sorted by priority. */
  isakmpPolicies: IsakmpPolicy[];
  isakmpKeys: IsakmpKey[];
  isakmpKeepalive: IsakmpKeepalive | null;
  isakmpIdentity: 'address' | 'hostname' | 'dn';
  isakmpNatKeepalive: number | null;
  aggressiveModeDisabled: boolean;
  isakmpPeers: IsakmpPeer[];
  transformSets: TransformSet[];
  /** Global IPsec SA lifetimes (defaults 3600 s / 4608000 KB). */
  ipsecLifetime: { seconds: number; kilobytes: number };
  /** Sorted by name (first appearance) then sequence number. */
  dynamicMaps: DynamicMapEntry[];
  cryptoMaps: CryptoMapEntry[];
  /** `crypto map NAME local-address IFACE`. */
  cryptoMapLocalAddress: { map: string; interface: string }[];
}

// -------------------------------------------------------------------- defaults

/** IOS 12.2 defaults for an ISAKMP policy: DES, SHA, RSA signatures, group 1, one day. */
export const ISAKMP_POLICY_DEFAULTS = {
  encryption: 'des',
  keyLength: null,
  hash: 'sha',
  authentication: 'rsa-sig',
  group: 1,
  lifetime: 86400,
} as const satisfies Omit<IsakmpPolicy, 'priority'>;

export const IPSEC_LIFETIME_DEFAULTS = { seconds: 3600, kilobytes: 4608000 } as const;

export function newIsakmpPolicy(priority: number): IsakmpPolicy {
  return { priority, ...ISAKMP_POLICY_DEFAULTS };
}

export function newInterface(name: string): InterfaceConfig {
  return {
    name,
    description: null,
    address: null,
    secondary: [],
    shutdown: false,
    cryptoMap: null,
    nat: null,
    accessGroupIn: null,
    accessGroupOut: null,
    mtu: null,
    ipMtu: null,
    adjustMss: null,
    bandwidth: null,
    delay: null,
    keepalive: null,
    tunnel: name.startsWith('Tunnel') ? { source: null, destination: null, mode: TUNNEL_MODE_GRE_IP, key: null, checksum: false } : null,
    extras: [],
    wan: newInterfaceWan(),
    ospf: newInterfaceOspf(),
  };
}

export function newCryptoConfig(): CryptoConfig {
  return {
    isakmpEnabled: true,
    isakmpPolicies: [],
    isakmpKeys: [],
    isakmpKeepalive: null,
    isakmpIdentity: 'address',
    isakmpNatKeepalive: null,
    aggressiveModeDisabled: false,
    isakmpPeers: [],
    transformSets: [],
    ipsecLifetime: { ...IPSEC_LIFETIME_DEFAULTS },
    dynamicMaps: [],
    cryptoMaps: [],
    cryptoMapLocalAddress: [],
  };
}

/** A router with nothing configured (hostname "Router"). */
export function newRouterConfig(): RouterConfig {
  return {
    hostname: 'Router',
    version: '12.2',
    sourceLines: [],
    interfaces: [],
    staticRoutes: [],
    accessLists: [],
    crypto: newCryptoConfig(),
    nat: newNatConfig(),
    routeMaps: [],
    extras: [],
    routing: newRoutingConfig(),
  };
}

/** Effective lifetime of a crypto map or dynamic map entry. */
export function effectiveLifetime(config: RouterConfig, entry: { lifetime: SaLifetime }): { seconds: number; kilobytes: number } {
  return {
    seconds: entry.lifetime.seconds ?? config.crypto.ipsecLifetime.seconds,
    kilobytes: entry.lifetime.kilobytes ?? config.crypto.ipsecLifetime.kilobytes,
  };
}

export function findInterface(config: RouterConfig, name: string): InterfaceConfig | undefined {
  return config.interfaces.find((i) => i.name === name);
}

export function findAccessList(config: RouterConfig, name: string): AccessList | undefined {
  return config.accessLists.find((a) => a.name === name);
}

export function findTransformSet(config: RouterConfig, name: string): TransformSet | undefined {
  return config.crypto.transformSets.find((t) => t.name === name);
}
