/**
 * EIGRP in the kernel's filter (pure: the iptables rules as
 * `iptables-restore --noflush` input): the passive interfaces, and the
 * interfaces held while eigrpd takes their settings.
 *
 * On IOS, `passive-interface` under `router eigrp` stops the router sending
 * and receiving hellos on the interface, so no neighbour forms there and no
 * update goes out or comes in; the interface's network is still advertised
 * on the other interfaces (Cisco, "How Does the Passive Interface Feature
 * Work in EIGRP?", document 13675, on 2600s with 12.2(10b)).
 *
 * FRR 8.4's eigrpd accepts `passive-interface IFNAME` and does nothing with
 * it: its eigrp_if_is_passive() calls an interface passive only while the
 * instance's passive_interface_default is passive too, which no command sets,
 * and its hello timer sends on every interface in the process without asking
 * (eigrpd/eigrp_interface.c, eigrp_hello.c; unchanged on FRR's master). So
 * the interface stays in the process (its network is advertised, as on IOS)
 * and the kernel drops EIGRP (IP protocol 88) leaving by it or arriving on it:
 *
 *   OUTPUT -p 88 -> TB-EIGRP-OUT:  -o DEV -j DROP   per passive or held interface
 *   INPUT  -p 88 -> TB-EIGRP-IN:   -i DEV -j DROP
 *
 * Held: eigrpd takes an interface's bandwidth and delay only once the
 * interface is in the process (after the network statement, once zebra told
 * it the interface's address), and answers each by resetting the interface,
 * which deletes its neighbours. A neighbour deleted that way leaves its
 * routes' descriptors pointing at the freed neighbour
 * (eigrp_topology_neighbor_down marks them unreachable and keeps them), and
 * the hub of topologies/eigrp-hub.yaml then handed zebra next hops read from
 * freed memory (5.0.0.0, 224.58.246.72: routes inactive, branch to branch
 * unreachable). So until eigrpd has taken an interface's settings, no EIGRP
 * crosses it and no neighbour forms there to be deleted.
 *
 * Loopbacks (`lo`) are left alone: no neighbour is ever there.
 */
import type { RouterConfig } from '../../ios/index.js';
import { passiveDevices } from './frr-config.js';

export const EIGRP_PASSIVE_IN = 'TB-EIGRP-IN';
export const EIGRP_PASSIVE_OUT = 'TB-EIGRP-OUT';
/** EIGRP's IP protocol number. */
const EIGRP = 88;

export interface PassiveFilterInput {
  config: RouterConfig;
  /** IOS interface name -> Linux device. */
  devices: ReadonlyMap<string, string>;
  /** Devices held until eigrpd has taken their settings (besides the passive ones). */
  held?: readonly string[];
  /** Hook the chains into INPUT and OUTPUT (once, at the first apply). */
  first: boolean;
}

/** The Linux devices whose EIGRP traffic is dropped: the passive interfaces of the EIGRP process, if any, and the held ones. */
export function eigrpPassiveDevices(config: RouterConfig, devices: ReadonlyMap<string, string>, held: readonly string[] = []): string[] {
  const eigrp = config.routing.eigrp[0];
  if (!eigrp) return [];
  const out = new Set([...passiveDevices(config, eigrp.passive, devices), ...held]);
  out.delete('lo');
  return [...out];
}

/** iptables-restore --noflush input that makes the two chains hold exactly the passive and held interfaces' drops. */
export function eigrpPassiveRules({ config, devices, held = [], first }: PassiveFilterInput): string {
  const lines = ['*filter', `:${EIGRP_PASSIVE_IN} - [0:0]`, `:${EIGRP_PASSIVE_OUT} - [0:0]`];
  if (first) lines.push(`-A INPUT -p ${EIGRP} -j ${EIGRP_PASSIVE_IN}`, `-A OUTPUT -p ${EIGRP} -j ${EIGRP_PASSIVE_OUT}`);
  for (const dev of eigrpPassiveDevices(config, devices, held)) {
    lines.push(`-A ${EIGRP_PASSIVE_IN} -i ${dev} -j DROP`, `-A ${EIGRP_PASSIVE_OUT} -o ${dev} -j DROP`);
  }
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/** The devices of the EIGRP interface sections among these section keys (frr-config.ts keys them `interface DEV (eigrp)`). */
export function eigrpHeld(keys: readonly string[]): string[] {
  return keys.flatMap((k) => /^interface (\S+) \(eigrp\)$/.exec(k)?.[1] ?? []);
}
