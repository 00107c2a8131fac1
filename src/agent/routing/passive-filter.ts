/**
 * EIGRP's passive interfaces, enforced in the kernel (pure: the iptables
 * rules as `iptables-restore --noflush` input).
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
 *   OUTPUT -p 88 -> TB-EIGRP-OUT:  -o DEV -j DROP   per passive interface
 *   INPUT  -p 88 -> TB-EIGRP-IN:   -i DEV -j DROP
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
  /** Hook the chains into INPUT and OUTPUT (once, at the first apply). */
  first: boolean;
}

/** The Linux devices whose EIGRP traffic is dropped: the passive interfaces of the EIGRP process, if any. */
export function eigrpPassiveDevices(config: RouterConfig, devices: ReadonlyMap<string, string>): string[] {
  const eigrp = config.routing.eigrp[0];
  if (!eigrp) return [];
  return passiveDevices(config, eigrp.passive, devices).filter((d) => d !== 'lo');
}

/** iptables-restore --noflush input that makes the two chains hold exactly the passive interfaces' drops. */
export function eigrpPassiveRules({ config, devices, first }: PassiveFilterInput): string {
  const lines = ['*filter', `:${EIGRP_PASSIVE_IN} - [0:0]`, `:${EIGRP_PASSIVE_OUT} - [0:0]`];
  if (first) lines.push(`-A INPUT -p ${EIGRP} -j ${EIGRP_PASSIVE_IN}`, `-A OUTPUT -p ${EIGRP} -j ${EIGRP_PASSIVE_OUT}`);
  for (const dev of eigrpPassiveDevices(config, devices)) {
    lines.push(`-A ${EIGRP_PASSIVE_IN} -i ${dev} -j DROP`, `-A ${EIGRP_PASSIVE_OUT} -o ${dev} -j DROP`);
  }
  lines.push('COMMIT', '');
  return lines.join('\n');
}
