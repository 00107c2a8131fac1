/**
 * Entry point of `router2600` nodes (the program in the container): boot
 * the emulated Cisco 2600 from its startup-config, take over the
 * container's interfaces, and serve its console on the control socket.
 */
import { readFile } from 'node:fs/promises';
import { interfaceStatus, isTunnel, parseConfig } from '../../ios/index.js';
import { serveControl } from '../../agent/io/control.js';
import { agentMemory, exposeGc, loadNativeMalloc, oldSpaceUsed } from '../../agent/io/memory.js';
import { adoptInterfaces } from '../../agent/io/interfaces.js';
import { TESTBED_CONFIG, TESTBED_INTERFACES } from '../../contract/env.js';
import { STARTUP_CONFIG_PATH } from '../../contract/paths.js';
import { ROUTER_BOOT_FAILED, ROUTER_READY } from '../../contract/ready.js';
import { RouterConsole } from '../../agent/router/console.js';
import { policyFromConfig } from '../../agent/ike/policy.js';
import { IpsecService } from '../../agent/router/ipsec.js';
import { InterfaceAclService } from '../../agent/router/interface-acl.js';
import { NatService } from '../../agent/router/nat.js';
import { TunnelService } from '../../agent/router/tunnel-interface.js';
import { warmUp } from '../../agent/router/warmup.js';
import { HeapKeeper } from '../../agent/router/heap-keeper.js';
import { trainRouter } from '../../agent/router/train.js';
import { loadNativeEsp } from '../../agent/io/esp-native.js';
import { CODE_CACHE_ENV, codeCacheState } from '../../agent/io/code-cache.js';
import { BootWork } from '../../agent/router/boot-work.js';
import { Router, type Session } from '../../agent/router/router.js';
import { RoutingService } from '../../agent/routing/service.js';

/** How long the boot's background work may take before the after-boot collection is left to the keeper's looks. */
const BOOT_IDLE_WAIT_MS = 60_000;

async function main(): Promise<void> {
  const out = (text: string) => process.stdout.write(text);
  const console = new RouterConsole(out);
  // what to stop on exit, filled in once the routing service has started
  const stops: { routing?: () => Promise<void> } = {};
  const exit = () => void (stops.routing?.() ?? Promise.resolve()).finally(() => process.exit(0));
  process.on('SIGTERM', exit);
  process.on('SIGINT', exit);
  // The router must not die because of one bad packet or command: log and go on.
  process.on('uncaughtException', (e) => console.log(`%TESTBED-2-BUG: ${e.stack ?? e.message}`));
  process.on('unhandledRejection', (e) => console.log(`%TESTBED-2-BUG: ${(e as Error)?.stack ?? String(e)}`));

  // the steps of the boot with the CPU they took (`ios --status`, for bench:up); the DH pool is asked for only once
  // the control socket serves, after the IPsec service exists
  const services: { ipsec?: IpsecService } = {};
  const boot = new BootWork(() => services.ipsec!.dhPoolStatus(), Date.now, codeCacheState());
  boot.mark('loaded');
  const text = await readFile(TESTBED_CONFIG.decode(process.env.TESTBED_CONFIG) ?? STARTUP_CONFIG_PATH, 'utf8');
  const { config, diagnostics } = parseConfig(text);
  for (const d of diagnostics) console.diagnostic(d);
  boot.mark('config');

  const bindings = TESTBED_INTERFACES.decode(process.env.TESTBED_INTERFACES);
  const linux = await adoptInterfaces(bindings);
  const router = new Router(config, text, linux, console);
  const tunnels = new TunnelService(router);
  await tunnels.boot();
  await router.applyKernel();
  router.watch(bindings);
  boot.mark('interfaces');
  const ipsec = new IpsecService(router);
  services.ipsec = ipsec;
  // NAT and access groups hook into the IPsec datapath; the NAT tun device exists before the plan names it
  const nat = new NatService(router, ipsec);
  const acl = new InterfaceAclService(router, ipsec);
  await nat.start();
  await ipsec.start();
  await acl.start();
  tunnels.start(ipsec.datapath);
  boot.mark('services');
  // the tunnels first: their line protocol decides routes the IPsec service reads
  router.extensions.push(tunnels, ipsec, nat, acl);
  // OSPF, EIGRP and RIP through FRR (src/agent/routing): started only when the config routes
  const routing = new RoutingService(router);
  router.extensions.push(routing);
  stops.routing = () => routing.stop();
  await routing.start().catch((e: unknown) => console.log(`%TESTBED-3-ROUTING: ${(e as Error).message}`));
  boot.mark('routing');
  // full collections of old space's garbage on a quiet router (V8 would hold it for hours): the soak's memory
  const negotiating = () => Date.now() - ipsec.lastIkeActivity < 500;
  const malloc = loadNativeMalloc();
  const keeper = new HeapKeeper({ gc: exposeGc(), oldSpaceUsed, busy: negotiating, ...(malloc ? { trim: () => void malloc.trim() } : {}) });

  await serveControl(async (req) => {
    if (req.query === 'keys') return { hostname: router.hostname, results: [], data: ipsec.keys() };
    if (req.query === 'timeline') return { hostname: router.hostname, results: [], data: ipsec.timeline };
    // benchmarks only (bench:up, bench:tunnel), not IOS: the background work after boot, and the DH pool switch
    if (req.query === 'status') return { hostname: router.hostname, results: [], data: await boot.whenIdle(req.waitMs ?? 0) };
    if (req.query === 'dh-pool') {
      ipsec.setDhPoolMode(req.mode!);
      return { hostname: router.hostname, results: [], data: boot.status() };
    }
    // the soak only, not IOS: the agent's memory, and a heap snapshot in the container when asked
    if (req.query === 'memory')
      return {
        hostname: router.hostname,
        results: [],
        data: { ...agentMemory({ snapshot: req.snapshot === true, trim: req.trim === true }), keeper: keeper.status() },
      };
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
    // a tunnel is up as an interface unless shut down; its line protocol is the tunnel's
    const state = status === 'administratively down' || !isTunnel(iface.name) ? status : 'up';
    console.log(`%LINK-3-UPDOWN: Interface ${iface.name}, changed state to ${state}`);
    console.log(`%LINEPROTO-5-UPDOWN: Line protocol on Interface ${iface.name}, changed state to ${status === 'up' ? 'up' : 'down'}`);
  }
  console.log(ROUTER_READY);
  boot.ready();
  // warm the IKE and ESP code once the router is up (started during the boot it made `up` about 10% slower);
  // real negotiations go first
  boot.warmup(warmUp(policyFromConfig(router.config), { busy: negotiating, native: ipsec.nativeEsp }));
  keeper.start();
  // the boot's garbage goes once the background work is over, so the router idles without it
  void boot.whenIdle(BOOT_IDLE_WAIT_MS, 100).then((s) => {
    if (s.idleAt !== null) keeper.afterBoot();
  });
  console.raw(
    `Cisco Internetwork Operating System Software \nIOS (tm) C2600 Software (C2600-JK9S-M), Version 12.2(27), RELEASE SOFTWARE (fc1) [testbed emulation]`,
  );
}

/** The image build's training run for the code cache (src/agent/io/code-cache.ts): the boot's code without devices. */
export function train(): Promise<void> {
  return trainRouter(loadNativeEsp().esp);
}

if (process.env[CODE_CACHE_ENV] !== 'train')
  main().catch((e: unknown) => {
    process.stdout.write(`${ROUTER_BOOT_FAILED}: the router could not start: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
