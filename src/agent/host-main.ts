/**
 * Entry point of `host` nodes: a plain Linux end host. Takes the addresses,
 * gateway and routes the topology gives it, then idles; tests run their
 * commands (ping, iperf3, nc) through `testbed exec`.
 */
import { adoptInterfaces, parseBindings } from './io/interfaces.js';
import { ipBatch } from './io/system.js';
import { HOST_FAILED, HOST_READY } from './ready.js';


interface HostSpec {
  interfaces: { name: string; address: string }[];
  gateway: string | null;
  routes: { to: string; via: string }[];
}

async function main(): Promise<void> {
  process.on('SIGTERM', () => process.exit(0));
  process.on('SIGINT', () => process.exit(0));
  const spec = JSON.parse(process.env.TESTBED_HOST ?? '{"interfaces":[],"gateway":null,"routes":[]}') as HostSpec;
  const bindings = parseBindings(process.env.TESTBED_INTERFACES);
  const names = await adoptInterfaces(bindings);
  const cmds: string[] = [];
  for (const i of spec.interfaces) {
    const dev = names.get(i.name) ?? i.name;
    cmds.push(`addr add ${i.address} dev ${dev}`, `link set dev ${dev} up`);
  }
  if (spec.gateway) cmds.push(`route replace default via ${spec.gateway}`);
  for (const r of spec.routes) cmds.push(`route replace ${r.to} via ${r.via}`);
  const res = await ipBatch(cmds, false);
  if (res.code !== 0) {
    process.stdout.write(`${HOST_FAILED}: ${res.stderr.trim()}\n`);
    process.exitCode = 1;
    return;
  }
  for (const i of spec.interfaces) process.stdout.write(`testbed-host: ${i.name} ${i.address}\n`);
  if (spec.gateway) process.stdout.write(`testbed-host: default via ${spec.gateway}\n`);
  process.stdout.write(`${HOST_READY}\n`);
  setInterval(() => undefined, 1 << 30);
}

main().catch((e: unknown) => {
  process.stdout.write(`${HOST_FAILED}: ${(e as Error).message}\n`);
  process.exit(1);
});
