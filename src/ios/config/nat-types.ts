/**
 * The NAT and route-map part of the configuration model: `ip nat pool`,
 * `ip nat inside source ...`, `ip nat translation ...` timeouts, and
 * `route-map` entries (what NAT reads of them: match ip address, match
 * interface). Defaults are IOS 12.2's (docs/research/ios-12.2-notes.md, section 1).
 */
import type { Ipv4 } from '../../codecs/net/address.js';

export interface NatPool {
  name: string;
  start: Ipv4;
  end: Ipv4;
  netmask: Ipv4;
  /** `prefix-length L` as written (the running-config prints what was typed). */
  prefixLength: number | null;
  /** `type rotary` (TCP load distribution): accepted, not emulated. */
  rotary: boolean;
}

/** What a dynamic rule translates: the sources an access list or a route map permits. */
export type NatMatch = { kind: 'list'; acl: string } | { kind: 'route-map'; name: string };

/** Where a dynamic rule takes its global addresses: a pool, or an interface's address. */
export type NatTarget = { kind: 'pool'; pool: string } | { kind: 'interface'; name: string };

export interface NatDynamicRule {
  kind: 'dynamic';
  match: NatMatch;
  target: NatTarget;
  overload: boolean;
}

/** `ip nat inside source static [tcp|udp] LOCAL [PORT] (GLOBAL | interface IF) [PORT] [extendable]`. */
export interface NatStaticRule {
  kind: 'static';
  /** null: every protocol, addresses only. */
  protocol: 'tcp' | 'udp' | null;
  local: Ipv4;
  localPort: number | null;
  global: { kind: 'address'; address: Ipv4 } | { kind: 'interface'; name: string };
  globalPort: number | null;
  extendable: boolean;
}

export type NatRule = NatDynamicRule | NatStaticRule;

/** Seconds; null is `never`. */
export interface NatTimeouts {
  /** Simple (non-overload) dynamic translations. */
  timeout: number | null;
  udp: number | null;
  dns: number | null;
  tcp: number | null;
  finrst: number | null;
  icmp: number | null;
  syn: number | null;
  pptp: number | null;
}

export type NatTimeoutName = keyof NatTimeouts;

/** IOS defaults: 24 h simple and TCP, 5 min UDP, 1 min DNS, FIN/RST, ICMP and SYN, 24 h PPTP. */
export const NAT_TIMEOUT_DEFAULTS: Readonly<NatTimeouts> = {
  timeout: 86400,
  udp: 300,
  dns: 60,
  tcp: 86400,
  finrst: 60,
  icmp: 60,
  syn: 60,
  pptp: 86400,
};

/** The keyword of each timeout in `ip nat translation KEYWORD SECONDS`. */
export const NAT_TIMEOUT_KEYWORDS: Readonly<Record<NatTimeoutName, string>> = {
  timeout: 'timeout',
  udp: 'udp-timeout',
  dns: 'dns-timeout',
  tcp: 'tcp-timeout',
  finrst: 'finrst-timeout',
  icmp: 'icmp-timeout',
  syn: 'syn-timeout',
  pptp: 'pptp-timeout',
};

export interface NatConfig {
  pools: NatPool[];
  /** In the order written (IOS tries static translations first, then the dynamic rules). */
  rules: NatRule[];
  timeouts: NatTimeouts;
}

export function newNatConfig(): NatConfig {
  return { pools: [], rules: [], timeouts: { ...NAT_TIMEOUT_DEFAULTS } };
}

/** One `route-map NAME permit|deny SEQ` entry. */
export interface RouteMapEntry {
  name: string;
  action: 'permit' | 'deny';
  seq: number;
  /** `match ip address N [M ...]`: the entry matches when any of the lists permits. */
  matchAddress: string[];
  /** `match interface IF [IF ...]`: the packet leaves by one of them. */
  matchInterface: string[];
  /** Other lines of the entry, kept as written (other match clauses, set clauses, description). */
  extras: string[];
}
