/**
 * What every Linux node kind (host, nat, strongswan) does at boot and when a
 * cut link comes back: take the topology's addresses, default gateway and
 * routes on the interfaces Docker gave it; a NAT node also masquerades.
 * runLinuxNode is the whole program of host and nat nodes.
 */
import { TESTBED_HOST, TESTBED_INTERFACES, type InterfaceBinding, type LinuxSpec } from '../../contract/env.js';
import { HOST_FAILED, HOST_READY } from '../../contract/ready.js';
import { adoptInterfaces, readoptInterfaces, watchLinks } from './interfaces.js';
import { ipBatch, run } from './system.js';

/** Addresses, link state and routes for the given interfaces (all of them at boot); null or the error. */
export async function configureLinux(spec: LinuxSpec, names: Map<string, string>, only?: Set<string>): Promise<string | null> {
  const cmds: string[] = [];
  for (const i of spec.interfaces) {
    if (only && !only.has(i.name)) continue;
    const dev = names.get(i.name) ?? i.name;
    cmds.push(`addr replace ${i.address} dev ${dev}`, `link set dev ${dev} up`);
  }
  if (spec.gateway) cmds.push(`route replace default via ${spec.gateway}`);
  for (const r of spec.routes) cmds.push(`route replace ${r.to} via ${r.via}`);
  const res = await ipBatch(cmds, only !== undefined);
  return res.code === 0 ? null : res.stderr.trim();
}

/**
 * The iptables rules of a NAT node (iptables-restore --noflush input), by the
 * devices Docker named. They live in chains of their own, which the input
 * declares and so empties first: after a cut link comes back under another
 * device name, applying them again replaces the old rules. `first`: also
 * hook the chains into POSTROUTING and FORWARD (once, at boot).
 */
export function natRules(nat: { inside: string[]; outside: string }, names: Map<string, string>, first = true): string {
  const dev = (i: string) => names.get(i) ?? i;
  const out = dev(nat.outside);
  return [
    '*nat',
    `:${NAT_CHAIN} - [0:0]`,
    ...(first ? [`-A POSTROUTING -j ${NAT_CHAIN}`] : []),
    `-A ${NAT_CHAIN} -o ${out} -j MASQUERADE`,
    'COMMIT',
    '*filter',
    ':FORWARD DROP [0:0]',
    `:${FORWARD_CHAIN} - [0:0]`,
    ...(first ? [`-A FORWARD -j ${FORWARD_CHAIN}`] : []),
    ...nat.inside.map((i) => `-A ${FORWARD_CHAIN} -i ${dev(i)} -o ${out} -j ACCEPT`),
    ...nat.inside.map((i) => `-A ${FORWARD_CHAIN} -i ${out} -o ${dev(i)} -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT`),
    // between inside segments nothing is translated
    ...nat.inside.flatMap((a) => nat.inside.filter((b) => b !== a).map((b) => `-A ${FORWARD_CHAIN} -i ${dev(a)} -o ${dev(b)} -j ACCEPT`)),
    'COMMIT',
    '',
  ].join('\n');
}

const NAT_CHAIN = 'TESTBED-NAT';
const FORWARD_CHAIN = 'TESTBED-FWD';

export async function applyNat(nat: { inside: string[]; outside: string }, names: Map<string, string>, first = true): Promise<string | null> {
  // --noflush: keep what Docker put in the container's tables (its DNS rules), replace only our chains
  const res = await run('iptables-restore', ['--noflush'], natRules(nat, names, first));
  return res.code === 0 ? null : `iptables-restore: ${res.stderr.trim()}`;
}

/** Take restored links over again (docker network connect after a cut). */
export function followLinks(spec: LinuxSpec, bindings: InterfaceBinding[], names: Map<string, string>, say: (line: string) => void): void {
  let timer: NodeJS.Timeout | undefined;
  watchLinks(() => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      void (async () => {
        const back = await readoptInterfaces(bindings, names).catch(() => []);
        if (back.length === 0) return;
        // a NAT's rules name devices: a restored link has a new one
        const problem = (await configureLinux(spec, names, new Set(back.map((b) => b.name)))) ?? (spec.nat ? await applyNat(spec.nat, names, false) : null);
        say(`${back.map((b) => b.name).join(', ')} restored${problem ? ` (${problem})` : ''}`);
      })().catch((e: unknown) => say(`a restored link could not be taken over: ${(e as Error).message}`));
    }, 100);
  });
}

/**
 * The program of host and nat nodes: take the addresses, gateway and routes
 * of TESTBED_HOST (a NAT then masquerades what leaves by its outside
 * interface), say so and that the node is ready, then follow cut and
 * restored links. Tests run their commands through `testbed exec`.
 */
export async function runLinuxNode(): Promise<void> {
  const write = (line: string) => process.stdout.write(`${line}\n`);
  process.on('SIGTERM', () => process.exit(0));
  process.on('SIGINT', () => process.exit(0));
  try {
    const spec = TESTBED_HOST.decode(process.env[TESTBED_HOST.name]);
    const bindings = TESTBED_INTERFACES.decode(process.env[TESTBED_INTERFACES.name]);
    const names = await adoptInterfaces(bindings);
    const error = (await configureLinux(spec, names)) ?? (spec.nat ? await applyNat(spec.nat, names) : null);
    if (error) {
      write(`${HOST_FAILED}: ${error}`);
      process.exitCode = 1;
      return;
    }
    for (const i of spec.interfaces) write(`testbed-host: ${i.name} ${i.address}`);
    if (spec.gateway) write(`testbed-host: default via ${spec.gateway}`);
    if (spec.nat) write(`testbed-host: masquerading ${spec.nat.inside.join(', ')} behind ${spec.nat.outside}`);
    write(HOST_READY);
    followLinks(spec, bindings, names, (line) => write(`testbed-host: ${line}`));
  } catch (e) {
    write(`${HOST_FAILED}: ${(e as Error).message}`);
    process.exit(1);
  }
}
