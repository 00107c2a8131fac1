/**
 * The configuration model of dynamic routing and WAN interfaces: `router
 * ospf|eigrp|rip` processes, the interface knobs they read (`ip ospf ...`,
 * `bandwidth`, `delay`) and the layer-2 settings of serial, Frame Relay and
 * 802.1Q interfaces. Kept apart from types.ts so the routing and WAN model
 * grows without touching the interface model's other fields.
 */
import type { Ipv4 } from '../../codecs/net/address.js';

/** `network A W area X`: the area as written (`0`, `0.0.0.0`), IOS prints it back that way. */
export interface OspfNetwork {
  address: Ipv4;
  wildcard: Ipv4;
  area: string;
}

export interface OspfArea {
  /** As first written. */
  id: string;
  stub: boolean;
  /** `area N stub no-summary` (totally stubby). */
  noSummary: boolean;
  authentication: 'simple' | 'message-digest' | null;
}

/** `redistribute static|connected [subnets] [metric N] [metric-type 1|2]`. */
export interface Redistribution {
  protocol: 'static' | 'connected';
  subnets: boolean;
  metric: number | null;
  metricType: 1 | 2 | null;
}

/** `passive-interface IF`, `passive-interface default`, `no passive-interface IF`. */
export interface PassiveInterfaces {
  default: boolean;
  /** Passive interfaces (without default) or, with default, the ones made active again. */
  interfaces: string[];
}

export interface OspfProcess {
  id: number;
  routerId: Ipv4 | null;
  networks: OspfNetwork[];
  areas: OspfArea[];
  passive: PassiveInterfaces;
  defaultInformation: { always: boolean; metric: number | null; metricType: 1 | 2 | null } | null;
  redistribute: Redistribution[];
  /** `log-adjacency-changes` (on by default in 12.2, printed by show running-config). */
  logAdjacencyChanges: 'on' | 'detail' | 'off';
  /** Lines of the block accepted but not emulated, as written. */
  extras: string[];
}

/** `network A [W]` of EIGRP: without a wildcard, the classful network of A. */
export interface EigrpNetwork {
  address: Ipv4;
  wildcard: Ipv4 | null;
}

export interface EigrpProcess {
  as: number;
  networks: EigrpNetwork[];
  /** On by default in 12.2 (`no auto-summary` turns it off). */
  autoSummary: boolean;
  passive: PassiveInterfaces;
  extras: string[];
}

export interface RipProcess {
  /** null: IOS's default (send version 1, receive 1 and 2). */
  version: 1 | 2 | null;
  /** Classful networks, as IOS stores them (`network 10.1.1.0` becomes 10.0.0.0). */
  networks: Ipv4[];
  autoSummary: boolean;
  passive: PassiveInterfaces;
  defaultInformation: boolean;
  extras: string[];
}

export interface RoutingConfig {
  /** In the order created. Only the first OSPF process is emulated (FRR runs one instance). */
  ospf: OspfProcess[];
  eigrp: EigrpProcess[];
  rip: RipProcess | null;
}

/** Interface-level OSPF settings (`ip ospf ...`). */
export interface InterfaceOspf {
  cost: number | null;
  hello: number | null;
  dead: number | null;
  network: 'point-to-point' | 'broadcast' | 'non-broadcast' | 'point-to-multipoint' | null;
  priority: number | null;
  authentication: 'simple' | 'message-digest' | 'null' | null;
  authenticationKey: string | null;
  messageDigestKeys: { id: number; key: string }[];
}

/** `encapsulation ...`; null: the interface type's default (HDLC on serial, ARPA on Ethernet). */
export type InterfaceEncapsulation =
  { kind: 'hdlc' } | { kind: 'ppp' } | { kind: 'frame-relay'; ietf: boolean } | { kind: 'dot1q'; vlan: number; native: boolean };

/** Layer-2 settings of WAN interfaces and sub-interfaces. */
export interface InterfaceWan {
  encapsulation: InterfaceEncapsulation | null;
  /** `clock rate N` (bit/s) on a DCE serial. */
  clockRate: number | null;
  /** `frame-relay interface-dlci N` on a sub-interface. */
  dlci: number | null;
  /** `interface X.N point-to-point|multipoint`; null for main interfaces. */
  subinterfaceType: 'point-to-point' | 'multipoint' | null;
}

export function newRoutingConfig(): RoutingConfig {
  return { ospf: [], eigrp: [], rip: null };
}

export function newPassive(): PassiveInterfaces {
  return { default: false, interfaces: [] };
}

export function newOspfProcess(id: number): OspfProcess {
  return {
    id,
    routerId: null,
    networks: [],
    areas: [],
    passive: newPassive(),
    defaultInformation: null,
    redistribute: [],
    logAdjacencyChanges: 'on',
    extras: [],
  };
}

export function newEigrpProcess(as: number): EigrpProcess {
  return { as, networks: [], autoSummary: true, passive: newPassive(), extras: [] };
}

export function newRipProcess(): RipProcess {
  return { version: null, networks: [], autoSummary: true, passive: newPassive(), defaultInformation: false, extras: [] };
}

export function newInterfaceOspf(): InterfaceOspf {
  return { cost: null, hello: null, dead: null, network: null, priority: null, authentication: null, authenticationKey: null, messageDigestKeys: [] };
}

export function newInterfaceWan(): InterfaceWan {
  return { encapsulation: null, clockRate: null, dlci: null, subinterfaceType: null };
}

/** Whether a process treats the interface as passive. */
export function isPassive(passive: PassiveInterfaces, name: string): boolean {
  const listed = passive.interfaces.includes(name);
  return passive.default ? !listed : listed;
}
