/**
 * Entry point of `host` and `nat` nodes: a plain Linux end host, or a NAT
 * box. Takes the addresses, gateway and routes the topology gives it (a NAT
 * node then masquerades what leaves by its outside interface), then idles;
 * tests run their commands (ping, iperf3, nc) through `testbed exec`. A link
 * that is cut and restored (docker network disconnect/connect) is taken over
 * again.
 */
import { adoptInterfaces } from './io/interfaces.js';
import { TESTBED_HOST, TESTBED_INTERFACES } from '../contract/env.js';
import { applyNat, configureLinux, followLinks } from './io/linux-node.js';
import { HOST_FAILED, HOST_READY } from '../contract/ready.js';

async function main(): Promise<void> {
  process.on('SIGTERM', () => process.exit(0));
  process.on('SIGINT', () => process.exit(0));
  const spec = TESTBED_HOST.decode(process.env.TESTBED_HOST);
  const bindings = TESTBED_INTERFACES.decode(process.env.TESTBED_INTERFACES);
  const names = await adoptInterfaces(bindings);
  const error = (await configureLinux(spec, names)) ?? (spec.nat ? await applyNat(spec.nat, names) : null);
  if (error) {
    process.stdout.write(`${HOST_FAILED}: ${error}\n`);
    process.exitCode = 1;
    return;
  }
  for (const i of spec.interfaces) process.stdout.write(`testbed-host: ${i.name} ${i.address}\n`);
  if (spec.gateway) process.stdout.write(`testbed-host: default via ${spec.gateway}\n`);
  if (spec.nat) process.stdout.write(`testbed-host: masquerading ${spec.nat.inside.join(', ')} behind ${spec.nat.outside}\n`);
  process.stdout.write(`${HOST_READY}\n`);
  followLinks(spec, bindings, names, (line) => process.stdout.write(`testbed-host: ${line}\n`));
}

main().catch((e: unknown) => {
  process.stdout.write(`${HOST_FAILED}: ${(e as Error).message}\n`);
  process.exit(1);
});
