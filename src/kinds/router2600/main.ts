/**
 * Entry point of `router2600` nodes (the program in the container): boot
 * the emulated Cisco 2600 from its startup-config, take over the
 * container's interfaces, and serve its console on the control socket.
 */
import { readFile } from 'node:fs/promises';
import { interfaceStatus, parseConfig } from '../../ios/index.js';
import { serveControl } from '../../agent/io/control.js';
import { adoptInterfaces } from '../../agent/io/interfaces.js';
import { TESTBED_CONFIG, TESTBED_INTERFACES } from '../../contract/env.js';
import { STARTUP_CONFIG_PATH } from '../../contract/paths.js';
import { ROUTER_BOOT_FAILED, ROUTER_READY } from '../../contract/ready.js';
import { RouterConsole } from '../../agent/router/console.js';
import { policyFromConfig } from '../../agent/ike/policy.js';
import { IpsecService } from '../../agent/router/ipsec.js';
import { warmUp } from '../../agent/router/warmup.js';
import { Router, type Session } from '../../agent/router/router.js';
import { RoutingService } from '../../agent/routing/service.js';


async function main(): Promise<void> {
  const out = (text: string) => process.stdout.write(text);
  const console = new RouterConsole(out);
  let routingStop: (() => Promise<void>) | undefined;
  const exit = () => void (routingStop?.() ?? Promise.resolve()).finally(() => process.exit(0));
  process.on('SIGTERM', exit);
  process.on('SIGINT', exit);
  // The router must not die because of one bad packet or command: log and go on.
  process.on('uncaughtException', (e) => console.log(`%TESTBED-2-BUG: ${e.stack ?? e.message}`));
  process.on('unhandledRejection', (e) => console.log(`%TESTBED-2-BUG: ${(e as Error)?.stack ?? String(e)}`));

  const text = await readFile(TESTBED_CONFIG.decode(process.env.TESTBED_CONFIG) ?? STARTUP_CONFIG_PATH, 'utf8');
  const { config, diagnostics } = parseConfig(text);
  for (const d of diagnostics) console.diagnostic(d);

  const bindings = TESTBED_INTERFACES.decode(process.env.TESTBED_INTERFACES);
  const linux = await adoptInterfaces(bindings);
  const router = new Router(config, text, linux, console);
  await router.applyKernel();
  router.watch(bindings);
  const ipsec = new IpsecService(router);
  await ipsec.start();
  router.extensions.push(ipsec);
  // OSPF, EIGRP and RIP through FRR (src/agent/routing): started only when the config routes
  const routing = new RoutingService(router);
  router.extensions.push(routing);
  routingStop = () => routing.stop();
  await routing.start().catch((e: unknown) => console.log(`%TESTBED-3-ROUTING: ${(e as Error).message}`));

  await serveControl(async (req) => {
    if (req.query === 'keys') return { hostname: router.hostname, results: [], data: ipsec.keys() };
    if (req.query === 'timeline') return { hostname: router.hostname, results: [], data: ipsec.timeline };
    const session: Session = { config: null };
    const results = [];
    for (const line of req.lines ?? []) {
      const r = await router.command(session, line);
      results.push({ line, ...r });
    }
    return { hostname: router.hostname, results };
  });

  for (const iface of router.config.interfaces) {
    const status = interfaceStatus(iface, router.linkUp);
    const state = status === 'administratively down' ? 'administratively down' : status;
    console.log(`%LINK-3-UPDOWN: Interface ${iface.name}, changed state to ${state}`);
    console.log(`%LINEPROTO-5-UPDOWN: Line protocol on Interface ${iface.name}, changed state to ${status === 'up' ? 'up' : 'down'}`);
  }
  console.log(ROUTER_READY);
  // warm the IKE and ESP code once the router is up (started during the boot it made `up` about 10% slower);
  // real negotiations go first
  void warmUp(policyFromConfig(router.config), { busy: () => Date.now() - ipsec.lastIkeActivity < 500, native: ipsec.nativeEsp });
  console.raw(`Cisco Internetwork Operating System Software \nIOS (tm) C2600 Software (C2600-JK9S-M), Version 12.2(27), RELEASE SOFTWARE (fc1) [testbed emulation]`);
}

main().catch((e: unknown) => {
  process.stdout.write(`${ROUTER_BOOT_FAILED}: the router could not start: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
