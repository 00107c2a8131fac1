/**
 * The commands a node runs to take its interfaces over from Docker and give
 * a Linux node its addressing, as text: the agent and the strongSwan program
 * run them through `ip -batch` and `iptables-restore`, and host and nat
 * nodes run them from the shell program the orchestrator writes for them
 * (src/kinds/linux/program.ts). One list for both, so the two cannot drift.
 *
 * `dev` names the Linux device of a topology interface: a device name
 * (eth2) in the agent, a shell variable (${d0}) in the shell program.
 */
import type { InterfaceBinding, LinuxSpec } from './env.js';

/** `ip` commands that drop Docker's address from an adopted interface and give it the link's MTU. */
export function stripCommands(bindings: readonly InterfaceBinding[], dev: (name: string) => string | undefined): string[] {
  return bindings.flatMap((b) => {
    const d = dev(b.name);
    return d ? [`addr flush dev ${d}`, `link set dev ${d} mtu ${b.mtu}`] : [];
  });
}

/** Docker's routes left with its addresses: drop anything else in the main table. */
export const FLUSH_ROUTES = 'route flush table main';

/** `ip` commands for the addresses and link state of a Linux node's interfaces (those in `only`, or all). */
export function interfaceCommands(spec: LinuxSpec, dev: (name: string) => string, only?: ReadonlySet<string>): string[] {
  return spec.interfaces
    .filter((i) => !only || only.has(i.name))
    .flatMap((i) => [`addr replace ${i.address} dev ${dev(i.name)}`, `link set dev ${dev(i.name)} up`]);
}

/** `ip` commands for a Linux node's default gateway and routes (at boot, and again after a restored link: they left with it). */
export function routeCommands(spec: LinuxSpec): string[] {
  return [...(spec.gateway ? [`route replace default via ${spec.gateway}`] : []), ...spec.routes.map((r) => `route replace ${r.to} via ${r.via}`)];
}

/** Addresses, link state, gateway and routes: of every interface at boot, of those in `only` after a restored link. */
export function addressCommands(spec: LinuxSpec, dev: (name: string) => string, only?: ReadonlySet<string>): string[] {
  return [...interfaceCommands(spec, dev, only), ...routeCommands(spec)];
}

const NAT_CHAIN = 'TESTBED-NAT';
const NAT_FORWARD_CHAIN = 'TESTBED-FWD';

/**
 * The iptables rules of a NAT node (iptables-restore --noflush input), by
 * device. They live in chains of their own, which the input declares and so
 * empties first: after a cut link comes back under another device name,
 * applying them again replaces the old rules. `first`: also hook the chains
 * into POSTROUTING and FORWARD (once, at boot).
 */
export function natRules(nat: { inside: string[]; outside: string }, dev: (name: string) => string, first = true): string {
  const out = dev(nat.outside);
  return [
    '*nat',
    `:${NAT_CHAIN} - [0:0]`,
    ...(first ? [`-A POSTROUTING -j ${NAT_CHAIN}`] : []),
    `-A ${NAT_CHAIN} -o ${out} -j MASQUERADE`,
    'COMMIT',
    '*filter',
    ':FORWARD DROP [0:0]',
    `:${NAT_FORWARD_CHAIN} - [0:0]`,
    ...(first ? [`-A FORWARD -j ${NAT_FORWARD_CHAIN}`] : []),
    ...nat.inside.map((i) => `-A ${NAT_FORWARD_CHAIN} -i ${dev(i)} -o ${out} -j ACCEPT`),
    ...nat.inside.map((i) => `-A ${NAT_FORWARD_CHAIN} -i ${out} -o ${dev(i)} -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT`),
    // between inside segments nothing is translated
    ...nat.inside.flatMap((a) => nat.inside.filter((b) => b !== a).map((b) => `-A ${NAT_FORWARD_CHAIN} -i ${dev(a)} -o ${dev(b)} -j ACCEPT`)),
    'COMMIT',
    '',
  ].join('\n');
}
