/**
 * What the Linux kernel carries of an IOS interface besides its address:
 * Loopback addresses and the IP MTU (`ip -batch` lines), and `ip tcp
 * adjust-mss` (iptables rules). Pure.
 *
 * Loopbacks live on `lo` (this kernel has no dummy interfaces): each address
 * as a /32, which the kernel answers for like any of its own, and the rest of
 * the loopback's subnet as a blackhole route, since IOS discards what is
 * routed to a loopback but not addressed to it. `lo` needs no device of our
 * own, no reader, and survives an agent that restarts; a tun device would
 * add all three and change nothing the lab can see. A loopback shut down
 * loses its address. The addresses the agent added are tracked, so 127.0.0.1
 * and the kernel's own are never touched.
 *
 * `ip mtu N` on an interface is the MTU attribute of every route out of it
 * (`mtu lock N`, which the kernel honours for forwarded and local packets
 * alike: it fragments, or answers DF packets with fragmentation-needed, at
 * N), the connected route included; the link keeps its MTU, so bigger
 * packets still come in, as on IOS.
 */
import { cidrOf, formatIpv4, maskToPrefix, networkOf, parseIpv4 } from '../../codecs/net/address.js';
import type { InterfaceConfig, RouterConfig } from '../../ios/index.js';

/** The /32s the loopbacks should have on lo, and their subnets' blackholes. */
export function loopbackAddresses(config: RouterConfig): { addresses: string[]; blackholes: string[] } {
  const addresses: string[] = [];
  const blackholes: string[] = [];
  for (const i of config.interfaces) {
    if (!i.name.startsWith('Loopback') || i.shutdown) continue;
    for (const a of [i.address, ...i.secondary]) {
      if (!a) continue;
      addresses.push(`${a.address}/32`);
      const length = maskToPrefix(parseIpv4(a.mask));
      if (length < 32) blackholes.push(`${formatIpv4(networkOf(parseIpv4(a.address), parseIpv4(a.mask)))}/${length}`);
    }
  }
  return { addresses: [...new Set(addresses)], blackholes: [...new Set(blackholes)] };
}

/** Commands that take lo from `had` (what the agent added before) to what `config` wants; the blackholes are proto static (flushed with the static routes). */
export function loopbackCommands(config: RouterConfig, had: ReadonlySet<string>): { commands: string[]; now: Set<string> } {
  const { addresses, blackholes } = loopbackAddresses(config);
  const now = new Set(addresses);
  const commands = [
    ...[...had].filter((a) => !now.has(a)).map((a) => `addr del ${a} dev lo`),
    ...addresses.map((a) => `addr replace ${a} dev lo`),
    ...blackholes.map((p) => `route replace blackhole ${p} proto static`),
  ];
  return { commands, now };
}

/** ` mtu lock N` for a route out of this interface, when it has an IP MTU. */
export function routeMtu(iface: InterfaceConfig | undefined): string {
  return iface?.ipMtu ? ` mtu lock ${iface.ipMtu}` : '';
}

/** The connected routes of an interface with an IP MTU, replaced with the MTU attribute (the kernel made them without it). */
export function connectedMtuCommands(iface: InterfaceConfig, dev: string): string[] {
  if (!iface.ipMtu) return [];
  return [iface.address, ...iface.secondary].flatMap((a) => {
    if (!a) return [];
    const prefix = cidrOf(formatIpv4(networkOf(parseIpv4(a.address), parseIpv4(a.mask))), a.mask);
    return [`route replace ${prefix} dev ${dev} proto kernel scope link src ${a.address}${routeMtu(iface)}`];
  });
}

/** The mangle chain holding the `ip tcp adjust-mss` rules, jumped to from FORWARD. */
export const MSS_CHAIN = 'TB-MSS';

/**
 * `ip tcp adjust-mss N` for what the kernel forwards: for each interface
 * with it, two rules in the mangle table's TB-MSS chain (FORWARD only: IOS
 * adjusts the SYNs that pass through the router, not its own), one for SYNs
 * that came in by its device and one for SYNs that leave by it, as IOS acts
 * on both (research notes, section 3). TCPMSS --set-mss alone would also
 * add an MSS option of 536 to a SYN without one; the tcpmss match keeps the
 * rule to SYNs that carry an MSS above N, which is all IOS changes. Tunnel
 * interfaces are left to the agent (datapath/mss.ts), which carries their
 * packets; a shut-down interface has none. `hook`: also jump to the chain
 * from FORWARD (once). As `iptables-restore --noflush` input: the chain is
 * emptied and filled again, so a rule whose line went away goes with it.
 */
export function mssRules(config: RouterConfig, linux: ReadonlyMap<string, string>, hook: boolean): string {
  const lines = ['*mangle', `:${MSS_CHAIN} - [0:0]`];
  if (hook) lines.push(`-A FORWARD -j ${MSS_CHAIN}`);
  for (const i of config.interfaces) {
    const dev = linux.get(i.name);
    if (i.adjustMss === null || !dev || i.shutdown || i.name.startsWith('Tunnel')) continue;
    const match = `-p tcp --tcp-flags SYN,RST SYN -m tcpmss --mss ${i.adjustMss + 1}:65535 -m comment --comment "${i.name} adjust-mss"`;
    for (const dir of ['-i', '-o']) lines.push(`-A ${MSS_CHAIN} ${dir} ${dev} ${match} -j TCPMSS --set-mss ${i.adjustMss}`);
  }
  lines.push('COMMIT', '');
  return lines.join('\n');
}
