/**
 * Dynamic routing in the router: FRR's daemons driven from the IOS
 * configuration. The agent starts zebra and the protocol daemons the
 * configuration uses (ospfd, eigrpd, ripd), applies the translation
 * (frr-config.ts) section by section with vtysh, and on every
 * reconfiguration only the difference (frr-diff.ts); a daemon is started or
 * stopped only when a process appears or goes. The routes FRR learns become
 * part of the router's table (Router.setLearned), read from zebra on every
 * kernel route change and every few seconds. FRR's log lines become IOS's
 * console messages (frr-log.ts). The routing show and clear commands are
 * answered here, in IOS's format, from FRR's data.
 */
import {
  classfulLength,
  inPrefix,
  interfaceStatus,
  iosRouterId,
  isPassive,
  ospfCost,
  parseIpv4,
  maskToPrefix,
  shortInterfaceName,
  renderShowIpEigrpNeighbors,
  renderShowIpEigrpTopology,
  renderShowIpOspfInterface,
  renderShowIpOspfNeighbor,
  renderShowIpProtocols,
  renderShowIpRipDatabase,
  wildcardPrefix,
  type ExecCommand,
  type Ipv4,
  type OspfInterfaceView,
  type RipDatabaseEntry,
  type RouterConfig,
} from '../../ios/index.js';
import { daemonReady, FrrDaemon, vtysh, vtyshJson, vtyshText, watchKernelRoutes, type FrrDaemonName } from '../io/frr.js';
import type { Confirm, ExecExtension, Router } from '../router/router.js';
import { frrConfig, type Daemon, type FrrSection } from './frr-config.js';
import { frrSteps } from './frr-diff.js';
import { FrrLogTranslator } from './frr-log.js';
import { run } from '../io/system.js';
import { eigrpHeld, eigrpPassiveDevices, eigrpPassiveRules } from './passive-filter.js';
import { eigrpNeighbors, eigrpTopology, learnedRoutes, ospfInterfaces, ospfNeighbors, ripRoutes, ripSources, type OspfRouteTypes } from './frr-parse.js';

/** Seconds between reads of zebra's table when the kernel reports nothing (routes that lost to a static route). */
const POLL_MS = 5000;

/** How many times a section FRR refuses is sent again (a second apart) before the refusal is reported. */
const RETRIES = 10;

/** FRR's debugs behind IOS's `debug ip ospf adj`. */
const OSPF_ADJ_DEBUGS = ['debug ospf ism', 'debug ospf nsm'];

export class RoutingService implements ExecExtension {
  private readonly daemons = new Map<FrrDaemonName, FrrDaemon>();
  /** What FRR has, section by section (by key), as far as the agent applied it. */
  private applied = new Map<string, FrrSection>();
  /** Sections FRR refused, and how many times in a row. */
  private readonly refusals = new Map<string, number>();
  private queue: Promise<unknown> = Promise.resolve();
  private pollTimer: NodeJS.Timeout | undefined;
  private stopMonitor: (() => void) | undefined;
  private refreshPending: NodeJS.Timeout | undefined;
  /** Router IDs as IOS keeps them: chosen when the process starts, until it is cleared. */
  private ospfRouterId: Ipv4 | null = null;
  private ospfProcessId: number | null = null;
  private eigrpRouterId: Ipv4 | null = null;
  private eigrpAs: number | null = null;
  private readonly translator: FrrLogTranslator;
  /** Router ID of every OSPF neighbour address seen, for DR elections in debug lines. */
  private readonly ospfIds = new Map<string, string>();
  /** When each EIGRP neighbour came up (FRR 8.4 reports no uptime). */
  private readonly eigrpSince = new Map<string, number>();
  /** The last lines of each daemon, to say why it stopped. */
  private readonly tails = new Map<FrrDaemonName, string[]>();
  private debugOn = false;
  private stopped = false;
  /** The devices whose EIGRP the kernel drops (passive or held, passive-filter.ts); null until the chains exist. */
  private eigrpFiltered: string | null = null;
  /** Restarts after a daemon died, for the back-off: a daemon that keeps dying is tried less and less often. */
  private restarts = 0;
  private lastRestart = 0;

  constructor(private readonly router: Router) {
    this.translator = new FrrLogTranslator({
      ios: (dev) => this.iosName(dev),
      routerIdOf: (address) => this.ospfIds.get(address) ?? (this.ownAddress(address) ? (this.ospfRouterId ?? undefined) : undefined),
      ospfProcess: () => this.ospfProcessId,
      eigrpAs: () => this.eigrpAs,
      ospfLogging: () => this.router.config.routing.ospf[0]?.logAdjacencyChanges ?? 'off',
    });
  }

  /** Starts FRR when the startup-config routes, and follows the kernel's routes. */
  async start(): Promise<void> {
    await this.enqueue(() => this.apply());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.refreshPending);
    this.stopMonitor?.();
    for (const d of this.daemons.values()) await d.stop();
  }

  reconfigure(): Promise<void> {
    this.refusals.clear();
    return this.enqueue(() => this.apply());
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch((e: unknown) => this.router.console.log(`%TESTBED-3-ROUTING: ${(e as Error).message}`));
    return next;
  }

  // ---------------------------------------------------------------- names

  /** IOS name -> Linux device of the interfaces FRR can see (loopbacks are on `lo` when they have no device). */
  private devices(): Map<string, string> {
    const out = new Map<string, string>();
    for (const i of this.router.config.interfaces) {
      const dev = this.router.linux.get(i.name) ?? (i.name.startsWith('Loopback') ? 'lo' : undefined);
      if (dev) out.set(i.name, dev);
    }
    return out;
  }

  private iosName(dev: string): string | undefined {
    for (const [name, d] of this.devices()) if (d === dev) return name;
    return undefined;
  }

  private ownAddress(address: string): boolean {
    return this.router.config.interfaces.some((i) => [i.address, ...i.secondary].some((a) => a?.address === address));
  }

  /** The IOS interface whose subnet holds `address`. */
  private deviceOf(address: string): string | undefined {
    const n = parseIpv4(address);
    for (const i of this.router.config.interfaces) {
      for (const a of [i.address, ...i.secondary]) {
        if (a && inPrefix(n, parseIpv4(a.address), maskToPrefix(parseIpv4(a.mask)))) return this.devices().get(i.name);
      }
    }
    return undefined;
  }

  // --------------------------------------------------------------- daemons

  private wanted(config: RouterConfig): Daemon[] {
    return [
      ...(config.routing.ospf.length ? (['ospfd'] as const) : []),
      ...(config.routing.eigrp.length ? (['eigrpd'] as const) : []),
      ...(config.routing.rip ? (['ripd'] as const) : []),
    ];
  }

  private async ensure(name: FrrDaemonName): Promise<void> {
    const existing = this.daemons.get(name);
    if (existing?.running) return;
    const daemon = new FrrDaemon(
      name,
      (line) => this.onLine(name, line),
      (code) => this.onExit(name, code),
    );
    this.daemons.set(name, daemon);
    await daemon.start();
    for (let i = 0; i < 50 && daemon.running; i++) {
      if (await daemonReady(name)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    if (!daemon.running) throw new Error(`FRR's ${name} did not start: ${(this.tails.get(name) ?? []).join(' | ')}`);
    // a (re)started daemon has none of the interface settings
    for (const key of [...this.applied.keys()]) if (key.startsWith('interface ')) this.applied.delete(key);
    if (name === 'ospfd' && this.debugOn) await vtysh(['configure terminal', ...OSPF_ADJ_DEBUGS]);
  }

  private onLine(name: FrrDaemonName, line: string): void {
    const tail = this.tails.get(name) ?? [];
    tail.push(line);
    if (tail.length > 5) tail.shift();
    this.tails.set(name, tail);
    for (const e of this.translator.feed(line)) {
      if (e.kind === 'log') this.router.console.log(e.text);
      else if (e.kind === 'debug-ospf-adj') this.router.console.debugLine('ospf-adj', e.text);
      else if (e.kind === 'ospf-adjacency') this.ospfIds.set(e.address, e.routerId);
      else if (e.kind === 'eigrp-neighbor') {
        if (e.up) this.eigrpSince.set(e.address, Date.now());
        else this.eigrpSince.delete(e.address);
      }
    }
  }

  private onExit(name: FrrDaemonName, code: number | null): void {
    if (this.stopped) return;
    this.router.console.log(`%TESTBED-3-ROUTING: FRR's ${name} exited (${code ?? 'signal'}): ${(this.tails.get(name) ?? []).join(' | ')}`);
    const owned = name === 'zebra' ? () => true : (h: string) => h.startsWith('interface ') || h.startsWith(`router ${name.replace(/d$/, '')}`);
    for (const header of [...this.applied.keys()]) if (owned(header)) this.applied.delete(header);
    // start it again, waiting 1, 2, 4 ... 60 s while it keeps dying (a daemon up for a minute is forgiven)
    if (Date.now() - this.lastRestart > 60_000) this.restarts = 0;
    const delay = Math.min(60_000, 1000 * 2 ** this.restarts);
    this.restarts++;
    this.lastRestart = Date.now();
    setTimeout(() => void this.enqueue(() => this.apply()), delay).unref();
  }

  // ----------------------------------------------------------------- apply

  /** Router IDs as IOS picks them: kept while the process lives (`clear ip ospf process` picks again). */
  private routerIds(config: RouterConfig): void {
    const ospf = config.routing.ospf[0];
    if (!ospf) {
      this.ospfRouterId = null;
      this.ospfProcessId = null;
    } else if (this.ospfRouterId === null || this.ospfProcessId !== ospf.id) {
      this.ospfProcessId = ospf.id;
      this.ospfRouterId = ospf.routerId ?? iosRouterId(config, this.router.linkUp);
    }
    const eigrp = config.routing.eigrp[0];
    if (!eigrp) {
      this.eigrpRouterId = null;
      this.eigrpAs = null;
    } else if (this.eigrpRouterId === null || this.eigrpAs !== eigrp.as) {
      this.eigrpAs = eigrp.as;
      this.eigrpRouterId = iosRouterId(config, this.router.linkUp);
    }
  }

  private async apply(): Promise<void> {
    if (this.stopped) return;
    const config = this.router.config;
    const wanted = this.wanted(config);
    if (wanted.length === 0 && !this.daemons.get('zebra')?.running) return;
    if (wanted.length > 0) {
      await this.ensure('zebra');
      for (const d of wanted) await this.ensure(d);
      this.follow();
    }
    this.routerIds(config);
    const target = frrConfig({ config, devices: this.devices(), ospfRouterId: this.ospfRouterId, eigrpRouterId: this.eigrpRouterId });
    const steps = frrSteps(this.applied, target);
    // before eigrpd starts or takes a network: no hello leaves a passive interface, nor one whose settings
    // eigrpd has yet to take (passive-filter.ts)
    await this.applyPassiveFilter(config, eigrpHeld(steps.map((s) => s.key)));
    const failed: string[] = [];
    for (const step of steps) {
      const res = await vtysh(['configure terminal', ...step.commands]);
      if (res.code === 0) {
        if (step.result) this.applied.set(step.key, step.result);
        else this.applied.delete(step.key);
        this.refusals.delete(step.key);
      } else {
        const n = (this.refusals.get(step.key) ?? 0) + 1;
        this.refusals.set(step.key, n);
        if (n === RETRIES) {
          const why = `${res.stdout} ${res.stderr}`.replace(/\s+/g, ' ').trim();
          this.router.console.log(`%TESTBED-3-ROUTING: FRR refused ${step.header}: ${why} (${step.commands.join('; ')})`);
        }
        if (n < RETRIES) failed.push(step.key);
      }
    }
    for (const [name, daemon] of this.daemons) {
      if (name !== 'zebra' && !wanted.includes(name as Daemon) && daemon.running) await daemon.stop();
    }
    // EIGRP takes an interface's bandwidth and delay only once the interface is in the process, a moment
    // after the network statement: what failed is tried again on the next pass, held until then
    await this.applyPassiveFilter(config, eigrpHeld(failed));
    if (failed.length > 0) setTimeout(() => void this.enqueue(() => this.apply()), 1000).unref();
    await this.refresh();
  }

  /** The kernel's drops of EIGRP on passive and held interfaces, made what they should be (only when that changed). */
  private async applyPassiveFilter(config: RouterConfig, held: readonly string[]): Promise<void> {
    const devices = this.devices();
    const want = eigrpPassiveDevices(config, devices, held).join(' ');
    if (want === (this.eigrpFiltered ?? '')) return;
    const res = await run('iptables-restore', ['--noflush'], eigrpPassiveRules({ config, devices, held, first: this.eigrpFiltered === null }));
    if (res.code !== 0) {
      this.router.console.log(`%TESTBED-3-ROUTING: EIGRP passive interfaces: iptables-restore: ${res.stderr.trim().split('\n').join('; ')}`);
      return;
    }
    this.eigrpFiltered = want;
  }

  /** Follows zebra: on kernel route changes (debounced) and every few seconds. */
  private follow(): void {
    if (this.stopMonitor) return;
    this.stopMonitor = watchKernelRoutes(() => {
      clearTimeout(this.refreshPending);
      this.refreshPending = setTimeout(() => void this.enqueue(() => this.refresh()), 200);
    });
    this.pollTimer = setInterval(() => void this.enqueue(() => this.refresh()), POLL_MS);
    this.pollTimer.unref();
  }

  private async refresh(): Promise<void> {
    if (!this.daemons.get('zebra')?.running) {
      await this.router.setLearned([]);
      return;
    }
    const zebra = (await vtyshJson<Parameters<typeof learnedRoutes>[0]>('show ip route json')) ?? {};
    const types = this.daemons.get('ospfd')?.running ? ((await vtyshJson<OspfRouteTypes>('show ip ospf route json')) ?? {}) : {};
    await this.router.setLearned(learnedRoutes(zebra, types, (dev) => this.iosName(dev), Date.now()));
  }

  // ----------------------------------------------------------------- exec

  run(cmd: ExecCommand): Promise<string | Confirm | null> | null {
    switch (cmd.kind) {
      case 'show-ip-ospf-neighbor':
        return this.showOspfNeighbor();
      case 'show-ip-ospf-interface':
        return this.showOspfInterface(cmd.interface);
      case 'show-ip-eigrp-neighbors':
        return this.showEigrpNeighbors();
      case 'show-ip-eigrp-topology':
        return this.showEigrpTopology();
      case 'show-ip-protocols':
        return this.showProtocols();
      case 'show-ip-rip-database':
        return this.showRipDatabase();
      case 'clear-ip-ospf-process':
        return Promise.resolve(this.clearOspf(cmd.processId));
      case 'debug':
        if (cmd.facility === 'ospf-adj' || cmd.facility === 'all') return this.debugOspf(cmd.on).then(() => null);
        return null;
      default:
        return null;
    }
  }

  private running(name: FrrDaemonName): boolean {
    return this.daemons.get(name)?.running === true;
  }

  private async debugOspf(on: boolean): Promise<void> {
    this.debugOn = on;
    if (this.running('ospfd')) await vtysh(['configure terminal', ...OSPF_ADJ_DEBUGS.map((d) => (on ? d : `no ${d}`))]);
  }

  private clearOspf(processId: number | null): Confirm | string {
    const ospf = this.router.config.routing.ospf[0];
    if (processId !== null && ospf?.id !== processId) return '';
    return {
      question: processId === null ? 'Reset ALL OSPF processes? [no]: ' : 'Reset OSPF process? [no]: ',
      yes: () =>
        this.enqueue(async () => {
          if (!ospf || !this.running('ospfd')) return '';
          // IOS picks its router ID again when the process restarts
          this.ospfRouterId = null;
          await this.apply();
          await vtysh(['clear ip ospf process']);
          return '';
        }),
    };
  }

  private async showOspfNeighbor(): Promise<string> {
    if (!this.running('ospfd')) return '';
    const json = (await vtyshJson<Parameters<typeof ospfNeighbors>[0]>('show ip ospf neighbor json')) ?? {};
    const rows = ospfNeighbors(json, (dev) => this.iosName(dev));
    for (const r of rows) this.ospfIds.set(r.address, r.routerId);
    return renderShowIpOspfNeighbor(rows);
  }

  private async showOspfInterface(only: string | null): Promise<string> {
    const ospf = this.router.config.routing.ospf[0];
    if (!ospf || !this.running('ospfd')) return '';
    const frr = ospfInterfaces((await vtyshJson<Parameters<typeof ospfInterfaces>[0]>('show ip ospf interface json')) ?? {});
    const neighbors = ospfNeighbors((await vtyshJson<Parameters<typeof ospfNeighbors>[0]>('show ip ospf neighbor json')) ?? {}, (dev) => this.iosName(dev));
    const devices = this.devices();
    const views: OspfInterfaceView[] = [];
    for (const i of this.router.config.interfaces) {
      if (only && i.name !== only) continue;
      const net =
        i.address &&
        ospf.networks.find((n) => {
          const p = wildcardPrefix(n.address, n.wildcard);
          return p !== null && inPrefix(parseIpv4(i.address!.address), parseIpv4(p.address), p.length);
        });
      if (!net || !i.address) continue;
      const dev = devices.get(i.name);
      const state = dev ? frr.get(dev) : undefined;
      const loopback = i.name.startsWith('Loopback');
      const status = interfaceStatus(i, this.router.linkUp);
      const mine = neighbors.filter((n) => n.interface === i.name);
      views.push({
        interface: i.name,
        status,
        address: i.address.address,
        prefixLength: loopback ? 32 : maskToPrefix(parseIpv4(i.address.mask)),
        area: net.area,
        processId: ospf.id,
        routerId: this.ospfRouterId ?? '0.0.0.0',
        networkType: loopback ? 'LOOPBACK' : (state?.networkType ?? 'BROADCAST'),
        cost: ospfCost(i),
        state: status === 'up' ? (state?.state ?? 'DOWN') : 'DOWN',
        priority: state?.priority ?? i.ospf.priority ?? 1,
        dr: state?.drId && state.drAddress ? { id: state.drId, address: state.drAddress } : null,
        bdr: state?.bdrId && state.bdrAddress ? { id: state.bdrId, address: state.bdrAddress } : null,
        hello: state?.hello ?? i.ospf.hello ?? 10,
        dead: state?.dead ?? i.ospf.dead ?? 40,
        wait: state?.wait ?? i.ospf.dead ?? 40,
        retransmit: state?.retransmit ?? 5,
        helloDueSeconds: status === 'up' ? (state?.helloDueSeconds ?? null) : null,
        passive: isPassive(ospf.passive, i.name),
        neighbors: mine.length,
        adjacent: mine.filter((n) => n.state === 'FULL').map((n) => ({ routerId: n.routerId, role: n.role === 'DR' ? 'DR' : n.role === 'BDR' ? 'BDR' : null })),
      });
    }
    return views.length ? renderShowIpOspfInterface(views) : '';
  }

  private async showEigrpNeighbors(): Promise<string> {
    const eigrp = this.router.config.routing.eigrp[0];
    if (!eigrp || !this.running('eigrpd')) return '';
    const rows = eigrpNeighbors(await vtyshText('show ip eigrp neighbors'), (dev) => this.iosName(dev));
    const now = Date.now();
    return renderShowIpEigrpNeighbors(
      eigrp.as,
      rows.map((r) => ({ ...r, interface: shortInterfaceName(r.interface), uptimeSeconds: (now - (this.eigrpSince.get(r.address) ?? now)) / 1000 })),
    );
  }

  private async showEigrpTopology(): Promise<string> {
    const eigrp = this.router.config.routing.eigrp[0];
    if (!eigrp || !this.running('eigrpd')) return '';
    const rows = eigrpTopology(await vtyshText('show ip eigrp topology'), (dev) => this.iosName(dev));
    return renderShowIpEigrpTopology(eigrp.as, this.eigrpRouterId ?? '0.0.0.0', rows);
  }

  private async showProtocols(): Promise<string> {
    const config = this.router.config;
    const now = Date.now();
    const ospfSources = this.running('ospfd')
      ? ospfNeighbors((await vtyshJson<Parameters<typeof ospfNeighbors>[0]>('show ip ospf neighbor json')) ?? {}, (dev) => this.iosName(dev))
          .filter((n) => n.state === 'FULL')
          // the time since the adjacency came up: FRR keeps no per-router time of the last update
          .map((n) => ({ gateway: n.routerId, distance: 110, ageSeconds: n.upSeconds }))
      : [];
    const eigrpSources = this.running('eigrpd')
      ? eigrpNeighbors(await vtyshText('show ip eigrp neighbors'), (dev) => this.iosName(dev)).map((n) => ({
          gateway: n.address,
          distance: 90,
          ageSeconds: (now - (this.eigrpSince.get(n.address) ?? now)) / 1000,
        }))
      : [];
    const status = this.running('ripd') ? await vtyshText('show ip rip status') : '';
    const due = /next due in (\d+) seconds/.exec(status);
    const ripNets = (config.routing.rip?.networks ?? []).map((n) => ({ address: parseIpv4(n), length: classfulLength(parseIpv4(n)) }));
    return renderShowIpProtocols({
      config,
      ospfRouterId: this.ospfRouterId,
      ospfSources,
      eigrpSources,
      ripSources: ripSources(status).map((s) => ({ gateway: s.gateway, distance: 120, ageSeconds: s.age })),
      ripInterfaces: config.interfaces
        .filter((i) => i.address && ripNets.some((n) => inPrefix(parseIpv4(i.address!.address), n.address, n.length)))
        .map((i) => i.name),
      ripNextDue: due ? Number(due[1]) : null,
    });
  }

  private async showRipDatabase(): Promise<string> {
    if (!this.router.config.routing.rip || !this.running('ripd')) return '';
    const routes = ripRoutes(
      await vtyshText('show ip rip'),
      (dev) => this.iosName(dev),
      (address) => this.deviceOf(address),
    );
    const entries: RipDatabaseEntry[] = [];
    for (const r of routes) {
      let e = entries.find((x) => x.prefix === r.prefix && x.length === r.length);
      if (!e) {
        e = { prefix: r.prefix, length: r.length, connected: null, paths: [] };
        entries.push(e);
      }
      if (r.connected) {
        const iface = this.router.config.interfaces.find((i) => i.address && inPrefix(parseIpv4(i.address.address), parseIpv4(r.prefix), r.length));
        e.connected = { interface: iface?.name ?? '' };
      } else if (r.nextHop && r.interface) {
        e.paths.push({ metric: r.metric, nextHop: r.nextHop, ageSeconds: r.age ?? 0, interface: r.interface });
      }
    }
    return renderShowIpRipDatabase(entries.filter((e) => e.connected || e.paths.length > 0));
  }
}
