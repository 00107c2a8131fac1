/**
 * What an interface is when the configuration says nothing: the bandwidth,
 * delay, hardware and encapsulation IOS 12.2 shows for a 2600's interface
 * types (show interfaces), and the OSPF cost that follows from the bandwidth
 * (10^8 / bandwidth in bit/s, truncated, at least 1). A sub-interface has its
 * main interface's defaults.
 */
import { interfaceType } from './interface-names.js';
import type { InterfaceConfig } from './types.js';

export interface InterfaceDefaults {
  /** kbit/s */
  bandwidth: number;
  /** tens of microseconds, as the `delay` command takes it */
  delay: number;
  hardware: string;
}

const DEFAULTS: Record<string, InterfaceDefaults> = {
  Ethernet: { bandwidth: 10_000, delay: 100, hardware: 'AmdP2' },
  FastEthernet: { bandwidth: 100_000, delay: 10, hardware: 'AmdFE' },
  GigabitEthernet: { bandwidth: 1_000_000, delay: 1, hardware: 'BCM1125 Internal MAC' },
  Serial: { bandwidth: 1544, delay: 2000, hardware: 'PowerQUICC Serial' },
  Loopback: { bandwidth: 8_000_000, delay: 500, hardware: 'Loopback' },
  Tunnel: { bandwidth: 9, delay: 50_000, hardware: 'Tunnel' },
};

export function interfaceDefaults(name: string): InterfaceDefaults {
  return DEFAULTS[interfaceType(name)?.name ?? 'FastEthernet'] ?? DEFAULTS.FastEthernet!;
}

export function effectiveBandwidth(i: InterfaceConfig): number {
  return i.bandwidth ?? interfaceDefaults(i.name).bandwidth;
}

export function effectiveDelay(i: InterfaceConfig): number {
  return i.delay ?? interfaceDefaults(i.name).delay;
}

/** The OSPF cost IOS uses: `ip ospf cost`, or 100 Mbit/s over the bandwidth (reference bandwidth 100). */
export function ospfCost(i: InterfaceConfig): number {
  return i.ospf.cost ?? Math.max(1, Math.floor(100_000 / effectiveBandwidth(i)));
}

/** The encapsulation show interfaces names: HDLC by default on serial links, ARPA on Ethernet. */
export function encapsulationName(i: InterfaceConfig, parent: InterfaceConfig | undefined): string {
  const e = i.wan.encapsulation ?? parent?.wan.encapsulation ?? null;
  if (e?.kind === 'dot1q') return '802.1Q Virtual LAN';
  if (e?.kind === 'ppp') return 'PPP';
  if (e?.kind === 'frame-relay') return 'FRAME-RELAY';
  if (interfaceType(i.name)?.name === 'Serial') return 'HDLC';
  if (interfaceType(i.name)?.name === 'Loopback') return 'LOOPBACK';
  return 'ARPA';
}

/** The main interface of a sub-interface (`Serial0/0.102` -> `Serial0/0`), null for a main interface. */
export function parentName(name: string): string | null {
  const dot = name.indexOf('.');
  return dot < 0 ? null : name.slice(0, dot);
}

const SHORT: [RegExp, string][] = [
  [/^FastEthernet/, 'Fa'],
  [/^GigabitEthernet/, 'Gi'],
  [/^Ethernet/, 'Et'],
  [/^Serial/, 'Se'],
  [/^Loopback/, 'Lo'],
  [/^Tunnel/, 'Tu'],
];

/** FastEthernet0/1 -> Fa0/1, Serial0/0.102 -> Se0/0.102, as IOS abbreviates in some tables. */
export function shortInterfaceName(name: string): string {
  for (const [re, s] of SHORT) if (re.test(name)) return name.replace(re, s);
  return name;
}
