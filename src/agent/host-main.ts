/**
 * Entry point of `host` nodes: a plain Linux end host. Takes the addresses,
 * gateway and routes the topology gives it, then idles; tests run their
 * commands (ping, iperf3, nc) through `testbed exec`. A link that is cut and
 * restored (docker network disconnect/connect) is taken over again.
 */
import { adoptInterfaces, parseBindings, readoptInterfaces, watchLinks, type InterfaceBinding } from './io/interfaces.js';
import { ipBatch } from './io/system.js';
import { HOST_FAILED, HOST_READY } from './ready.js';

interface HostSpec {
  interfaces: { name: string; address: string }[];
  gateway: string | null;
  routes: { to: string; via: string }[];
}

/** Addresses, link state and routes for the given interfaces (all of them at boot). */
async function configure(spec: HostSpec, names: Map<string, string>, only?: Set<string>): Promise<string | null> {
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

async function main(): Promise<void> {
  process.on('SIGTERM', () => process.exit(0));
  process.on('SIGINT', () => process.exit(0));
  const spec = JSON.parse(process.env.TESTBED_HOST ?? '{"interfaces":[],"gateway":null,"routes":[]}') as HostSpec;
  const bindings: InterfaceBinding[] = parseBindings(process.env.TESTBED_INTERFACES);
  const names = await adoptInterfaces(bindings);
  const error = await configure(spec, names);
  if (error) {
    process.stdout.write(`${HOST_FAILED}: ${error}\n`);
    process.exitCode = 1;
    return;
  }
  for (const i of spec.interfaces) process.stdout.write(`testbed-host: ${i.name} ${i.address}\n`);
  if (spec.gateway) process.stdout.write(`testbed-host: default via ${spec.gateway}\n`);
  process.stdout.write(`${HOST_READY}\n`);

  let timer: NodeJS.Timeout | undefined;
  watchLinks(() => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const back = await readoptInterfaces(bindings, names).catch(() => []);
      if (back.length === 0) return;
      const problem = await configure(spec, names, new Set(back.map((b) => b.name)));
      process.stdout.write(`testbed-host: ${back.map((b) => b.name).join(', ')} restored${problem ? ` (${problem})` : ''}\n`);
    }, 100);
  });
}

main().catch((e: unknown) => {
  process.stdout.write(`${HOST_FAILED}: ${(e as Error).message}\n`);
  process.exit(1);
});
