/**
 * The emulated router: its configuration, its interfaces in the container,
 * its console, and the exec commands typed at it. The Linux kernel forwards
 * clear-text packets; what needs IOS behaviour is done here.
 */
import {
  applyConfigLines,
  applyOutputFilter,
  computeRoutes,
  GLOBAL_MODE,
  interfaceBriefRows,
  interfaceCarrier,
  interfaceStatus,
  cidrOf,
  modePrompt,
  parseExec,
  renderDebugChange,
  renderPing,
  renderRunningConfig,
  renderShowAccessLists,
  renderShowClock,
  renderShowDebug,
  renderShowIpInterfaceBrief,
  renderShowIpRoute,
  renderShowVersion,
  type ConfigMode,
  type InterfaceStatus,
  type ExecCommand,
  type Route,
  type InterfaceConfig,
  type RouterConfig,
  interfaceView,
  renderShowInterfaces,
  type InterfaceView,
} from '../../ios/index.js';
import { connectedMtuCommands, loopbackAddresses, loopbackCommands, mssRules, routeMtu } from './kernel-interfaces.js';
import type { InterfaceBinding } from '../../contract/env.js';
import { STARTUP_CONFIG_PATH } from '../../contract/paths.js';
import type { RouterConsole } from './console.js';
import { LINUX_HOST, type RouterHost } from './host.js';

/** A console session: exec mode, or configuration mode with its sub-mode. */
export interface Session {
  config: ConfigMode | null;
  /** A question IOS asked (`Reset ALL OSPF processes? [no]: `): the next line answers it. */
  pending?: Confirm;
}

/** What an exec command returns when IOS asks to confirm first: the question, and what a yes does. */
export interface Confirm {
  question: string;
  yes: () => Promise<string>;
}

export interface CommandResult {
  prompt: string;
  output: string;
  /** The command was refused (invalid input, incomplete, ambiguous, a config error). */
  error: boolean;
}

/** Extra exec commands and show output provided by other parts of the agent (the crypto engine). */
export interface ExecExtension {
  run(cmd: ExecCommand): Promise<string | Confirm | null> | string | Confirm | null;
  /** Called after the configuration changed. */
  reconfigure?(config: RouterConfig): Promise<void> | void;
  /** Called when the routing table changed without a configuration change (routes learned or lost). */
  routesChanged?(): Promise<void> | void;
  /** What `show interfaces` shows of an interface beyond its configuration (tunnel state, counters). */
  describeInterface?(iface: InterfaceConfig): Partial<InterfaceView> | null;
}

/** The GRE tunnel interfaces, as the tunnel service (tunnel-interface.ts) keeps them. */
export interface TunnelHooks {
  /** Line protocol of a Tunnel interface. */
  lineUp(name: string): boolean;
  /** The IP MTU of a Tunnel interface (its device's MTU). */
  ipMtu(name: string): number;
  /** Source addresses of the tunnels: GRE to them is steered to the agent. */
  endpoints(): string[];
  /** GRE for the router's addresses. */
  gre: { receive(packet: Buffer): void };
}

export class Router {
  config: RouterConfig;
  readonly bootTime = Date.now();
  private present = new Set<string>();
  /** Linux interface index by device name (a restored link comes back with a new one). */
  private ifindex = new Map<string, number>();
  private manualAddress = new Set<string>();
  /** Addresses the agent put on lo for the loopbacks (kernel-interfaces.ts). */
  private loopbackAddresses = new Set<string>();
  extensions: ExecExtension[] = [];
  /** Routes the routing protocols learned (src/agent/routing), merged into the table by distance. */
  private learned: Route[] = [];
  /** Set by the tunnel service when the configuration has Tunnel interfaces (or may get them). */
  tunnels: TunnelHooks | undefined;
  /** The adjust-mss rules last given to the kernel (without the FORWARD hook); null before the chain exists. */
  private mssApplied: string | null = null;

  constructor(
    config: RouterConfig,
    readonly startupText: string,
    /** IOS interface name -> Linux interface name, for interfaces that are on a lab link. */
    readonly linux: Map<string, string>,
    readonly console: RouterConsole,
    /** The container's system (LINUX_HOST in the agent; a fake in unit tests). */
    readonly host: RouterHost = LINUX_HOST,
  ) {
    this.config = config;
  }

  get hostname(): string {
    return this.config.hostname;
  }

  /**
   * Follow links that disappear and come back (a link cut and restored with
   * docker network disconnect/connect): log IOS's UPDOWN messages, re-adopt
   * the interface and program it again.
   */
  watch(bindings: InterfaceBinding[]): () => void {
    let timer: NodeJS.Timeout | undefined;
    let busy = Promise.resolve();
    // which device (by ifindex) carried each interface when we last looked: a link cut and restored
    // between two looks comes back as a new device, and IOS would have logged it going down and up
    // (tunnels have no carrier: their line protocol is the tunnel service's to log)
    const carrier = () =>
      new Map(
        this.config.interfaces
          .filter((i) => !i.name.startsWith('Tunnel') && this.linkUp(i.name))
          .map((i) => [i.name, this.ifindex.get(this.linux.get(i.name) ?? '') ?? -1]),
      );
    const check = async () => {
      const before = carrier();
      const back = await this.host.readoptInterfaces(bindings, this.linux).catch((e: unknown) => {
        this.console.log(`%TESTBED-3-LINK: ${(e as Error).message}`);
        return [];
      });
      await this.refreshLinks();
      if (back.length > 0) await this.applyKernel();
      const after = carrier();
      let changed = false;
      const say = (name: string, state: 'up' | 'down') => {
        this.console.log(`%LINK-3-UPDOWN: Interface ${name}, changed state to ${state}`);
        this.console.log(`%LINEPROTO-5-UPDOWN: Line protocol on Interface ${name}, changed state to ${state}`);
      };
      for (const iface of this.config.interfaces) {
        if (iface.shutdown || iface.name.startsWith('Tunnel')) continue;
        const was = before.get(iface.name);
        const now = after.get(iface.name);
        if (was === now) continue;
        changed = true;
        if (was !== undefined) say(iface.name, 'down');
        if (now !== undefined) say(iface.name, 'up');
      }
      if (changed) for (const ext of this.extensions) await ext.reconfigure?.(this.config);
    };
    return this.host.watchLinks(() => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        // a failed pass is reported and never blocks the next one (a rejected chain would stop the watcher for good)
        busy = busy.then(check).catch((e: unknown) => this.console.log(`%TESTBED-3-LINK: ${(e as Error).message}`));
      }, 100);
    });
  }

  /** Carrier: the interface is attached to a lab link and present in the container (sub-interfaces: routing/links.ts). */
  linkUp = (name: string): boolean => {
    if (name.startsWith('Loopback') || name.startsWith('Null')) return true;
    if (name.startsWith('Tunnel')) return this.tunnels?.lineUp(name) ?? false;
    return interfaceCarrier(this.config, name, (n) => {
      const dev = this.linux.get(n);
      return dev !== undefined && this.present.has(dev);
    });
  };

  /** The routing table: connected, learned and static routes (src/ios/routing/routes.ts). */
  routes(): Route[] {
    return computeRoutes(this.config, this.linkUp, this.learned);
  }

  /** The routes the routing protocols hold now (what the tunnels' line protocol also looks at). */
  get learnedRoutes(): readonly Route[] {
    return this.learned;
  }

  /** New learned routes: the static routes they displace or give way to, the tunnels' line protocol and the IPsec steering follow. */
  async setLearned(routes: Route[]): Promise<void> {
    const key = (list: Route[]) => JSON.stringify(list.map(({ learnedAt: _a, ...r }) => r));
    const changed = key(routes) !== key(this.learned);
    this.learned = routes;
    if (!changed) return;
    await this.applyStaticRoutes();
    for (const ext of this.extensions) await ext.routesChanged?.();
  }

  async refreshLinks(): Promise<void> {
    const links = await this.host.ipJson<{ ifname: string; ifindex: number }[]>(['link', 'show']).catch(() => []);
    this.present = new Set(links.map((l) => l.ifname));
    this.ifindex = new Map(links.map((l) => [l.ifname, l.ifindex]));
  }

  /**
   * Program the container's interfaces and routes from the configuration.
   * Only what differs is changed: a routing daemon sees an address removed
   * and added again as the interface going down and up.
   */
  async applyKernel(): Promise<void> {
    await this.refreshLinks();
    const current = new Map(
      (await this.host.ipJson<{ ifname: string; addr_info?: { family: string; local: string; prefixlen: number }[] }[]>(['addr', 'show']).catch(() => [])).map(
        (e) => [e.ifname, (e.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`)],
      ),
    );
    const cmds: string[] = [];
    const loopbacks = loopbackCommands(this.config, this.loopbackAddresses);
    this.loopbackAddresses = loopbacks.now;
    cmds.push(...loopbacks.commands.filter((c) => c.startsWith('addr')));
    for (const iface of this.config.interfaces) {
      const dev = this.linux.get(iface.name);
      if (!dev || !this.present.has(dev)) continue;
      const tunnel = iface.name.startsWith('Tunnel');
      const want = [iface.address, ...iface.secondary].filter((a) => a !== null).map((a) => cidrOf(a!.address, a!.mask));
      const have = current.get(dev) ?? [];
      for (const a of have) if (!want.includes(a)) cmds.push(`addr del ${a} dev ${dev}`);
      for (const a of want) if (!have.includes(a)) cmds.push(`addr add ${a} dev ${dev}`);
      const mtu = tunnel ? this.tunnels?.ipMtu(iface.name) : iface.mtu;
      if (mtu) cmds.push(`link set dev ${dev} mtu ${mtu}`);
      // a tunnel whose line protocol is down takes its routes with it, as on IOS
      cmds.push(`link set dev ${dev} ${iface.shutdown || (tunnel && !this.linkUp(iface.name)) ? 'down' : 'up'}`);
      if (!tunnel && !iface.shutdown) cmds.push(...connectedMtuCommands(iface, dev));
    }
    const res = await this.host.ipBatch(cmds);
    if (res.code !== 0) this.console.log(`%TESTBED-3-KERNEL: ${res.stderr.trim().split('\n').join('; ')}`);
    await this.applyMss();
    await this.applyStaticRoutes();
    await this.refreshLinks();
  }

  /**
   * `ip tcp adjust-mss` in the kernel (kernel-interfaces.ts): the chain is
   * made and hooked into FORWARD the first time an interface has it, then
   * rewritten whenever the rules change (emptied when no interface has it).
   * It lives in the router's network namespace, which goes with the container.
   */
  private async applyMss(): Promise<void> {
    const rules = mssRules(this.config, this.linux, false);
    if (rules === this.mssApplied) return;
    if (this.mssApplied === null && !this.config.interfaces.some((i) => i.adjustMss !== null)) return;
    const res = await this.host.iptablesRestore(this.mssApplied === null ? mssRules(this.config, this.linux, true) : rules);
    if (res.code !== 0) {
      this.console.log(`%TESTBED-3-KERNEL: ip tcp adjust-mss: iptables-restore: ${res.stderr.trim().split('\n').join('; ')}`);
      return;
    }
    this.mssApplied = rules;
  }

  /**
   * The kernel's static routes (proto static) made what the routing table
   * says: the ones that win by distance, and the loopbacks' blackholes.
   */
  private async applyStaticRoutes(): Promise<void> {
    // keyed by destination and metric, as `ip route del` names a route
    const want = new Map<string, string>();
    for (const p of loopbackAddresses(this.config).blackholes) want.set(`${p} 0`, `route replace blackhole ${p} proto static`);
    for (const r of this.routes()) {
      if (r.source !== 'static') continue;
      const dst = `${r.prefix}/${r.length}`;
      if (r.paths.every((p) => p.outInterface.startsWith('Loopback'))) {
        // routed to a loopback: IOS discards it
        want.set(`${dst} ${r.distance}`, `route replace blackhole ${dst} proto static metric ${r.distance}`);
        continue;
      }
      const hops = r.paths
        .map((p) => ({ dev: this.linux.get(p.outInterface), gw: p.gateway, iface: this.config.interfaces.find((i) => i.name === p.outInterface) }))
        .filter((h): h is { dev: string; gw: string | null; iface: InterfaceConfig | undefined } => h.dev !== undefined);
      if (hops.length === 0) continue;
      // the smallest IP MTU of the interfaces the route leaves by
      const mtu = routeMtu(
        hops
          .map((h) => h.iface)
          .filter((i) => i?.ipMtu)
          .sort((a, b) => a!.ipMtu! - b!.ipMtu!)[0],
      );
      const target =
        hops.length === 1
          ? `${hops[0]!.gw ? `via ${hops[0]!.gw} ` : ''}dev ${hops[0]!.dev}`
          : hops.map((h) => `nexthop ${h.gw ? `via ${h.gw} ` : ''}dev ${h.dev}`).join(' ');
      want.set(`${dst} ${r.distance}`, `route replace ${dst} proto static metric ${r.distance}${mtu} ${target}`);
    }
    const installed = await this.host.ipJson<{ dst: string; metric?: number }[]>(['route', 'show', 'proto', 'static']).catch(() => []);
    const cmds: string[] = [];
    for (const r of installed) {
      const dst = r.dst === 'default' ? '0.0.0.0/0' : r.dst.includes('/') ? r.dst : `${r.dst}/32`;
      if (!want.has(`${dst} ${r.metric ?? 0}`)) cmds.push(`route del ${dst} proto static${r.metric !== undefined ? ` metric ${r.metric}` : ''}`);
    }
    // replace is idempotent: an unchanged route is rewritten in place, which no daemon reports as a change
    cmds.push(...want.values());
    const res = await this.host.ipBatch(cmds);
    if (res.code !== 0) this.console.log(`%TESTBED-3-KERNEL: ${res.stderr.trim().split('\n').join('; ')}`);
  }

  prompt(session: Session): string {
    return `${this.hostname}${session.config ? modePrompt(session.config) : ''}#`;
  }

  /** One line typed at the console. */
  async command(session: Session, line: string): Promise<CommandResult> {
    const prompt = this.prompt(session);
    const pending = session.pending;
    if (pending) {
      session.pending = undefined;
      return { prompt: pending.question, output: /^\s*y(es?)?\s*$/i.test(line) ? await pending.yes() : '', error: false };
    }
    if (session.config) return { prompt, ...(await this.configLine(session, line)) };
    const parsed = parseExec(line, { promptLength: prompt.length });
    if (!parsed.ok) return { prompt, output: parsed.output, error: true };
    try {
      const output = await this.exec(session, parsed.command);
      return { prompt, output: applyOutputFilter(output, parsed.filter), error: false };
    } catch (e) {
      this.console.log(`%TESTBED-3-EXEC: ${(e as Error).message}`);
      return { prompt, output: `% ${(e as Error).message}\n`, error: true };
    }
  }

  private async configLine(session: Session, line: string): Promise<{ output: string; error: boolean }> {
    const before = this.config;
    const res = applyConfigLines(this.config, [line], session.config ?? GLOBAL_MODE);
    // IOS says nothing about a line it accepts; not-emulated lines are testbed validate's business
    const output = res.diagnostics
      .filter((d) => d.code !== 'not-emulated')
      .map((d) => `${d.message}\n`)
      .join('');
    // a refused line, or one that only moves between modes, changes nothing: the kernel and the
    // crypto side are reprogrammed only for a real change (reprogramming flushes addresses and routes)
    const changed = JSON.stringify(res.config) !== JSON.stringify(before);
    if (changed) this.config = res.config;
    session.config = res.ended ? null : res.mode;
    if (res.ended) this.console.log('%SYS-5-CONFIG_I: Configured from console by console');
    if (changed) {
      for (const iface of this.config.interfaces) {
        const old = before.interfaces.find((i) => i.name === iface.name);
        if (JSON.stringify(old?.address) !== JSON.stringify(iface.address)) this.manualAddress.add(iface.name);
      }
      await this.applyKernel();
      for (const ext of this.extensions) await ext.reconfigure?.(this.config);
    }
    return { output, error: res.diagnostics.some((d) => d.severity === 'error') };
  }

  private async exec(session: Session, cmd: ExecCommand): Promise<string> {
    for (const ext of this.extensions) {
      const out = await ext.run(cmd);
      if (out === null) continue;
      if (typeof out === 'string') return out;
      // the question is the prompt of the next line, which answers it (as on the console)
      session.pending = out;
      return '';
    }
    switch (cmd.kind) {
      case 'empty':
      case 'exit':
      case 'terminal-length':
      case 'terminal-monitor':
        return '';
      case 'configure-terminal':
        session.config = GLOBAL_MODE;
        return 'Enter configuration commands, one per line.  End with CNTL/Z.\n';
      case 'show-running-config':
        return renderRunningConfig(this.config);
      case 'show-startup-config': {
        const bytes = Buffer.byteLength(this.startupText);
        return `Using ${bytes} out of 29688 bytes\n${this.startupText.endsWith('\n') ? this.startupText : `${this.startupText}\n`}`;
      }
      case 'write-memory': {
        const text = renderRunningConfig(this.config).replace(/^Building configuration...\n\nCurrent configuration : \d+ bytes\n/, '');
        await this.host.writeFile(STARTUP_CONFIG_PATH, text);
        return 'Building configuration...\n[OK]\n';
      }
      case 'show-version':
        return renderShowVersion({ config: this.config, uptimeSeconds: Math.floor((Date.now() - this.bootTime) / 1000) });
      case 'show-clock':
        return renderShowClock(new Date());
      case 'show-ip-interface-brief': {
        await this.refreshLinks();
        const rows = interfaceBriefRows(this.config, this.linkUp)
          .map((r) => (this.manualAddress.has(r.interface) && r.address ? { ...r, method: 'manual' as const } : r))
          .map((r) => (r.interface.startsWith('Tunnel') ? { ...r, ...this.tunnelStatus(r.interface) } : r));
        return renderShowIpInterfaceBrief(rows);
      }
      case 'show-interfaces':
        await this.refreshLinks();
        return this.renderInterfaces(cmd.interface);
      case 'show-ip-route':
        await this.refreshLinks();
        return renderShowIpRoute(this.routes());
      case 'show-access-lists': {
        const acls = cmd.name === null ? this.config.accessLists : this.config.accessLists.filter((a) => String(a.name) === cmd.name);
        return renderShowAccessLists(acls);
      }
      case 'show-logging':
        return this.renderLogging();
      case 'show-debugging':
        return renderShowDebug(this.console.debug);
      case 'debug': {
        const facilities = cmd.facility === 'all' ? (['isakmp', 'ipsec', 'engine', 'ospf-adj', 'nat'] as const) : [cmd.facility];
        for (const f of facilities) this.console.debug[f] = cmd.on;
        return renderDebugChange(cmd.facility, cmd.on);
      }
      case 'ping': {
        const source =
          cmd.source === null
            ? null
            : cmd.source.kind === 'address'
              ? cmd.source.address
              : (this.config.interfaces.find((i) => i.name === (cmd.source as { name: string }).name)?.address?.address ?? null);
        const replies = await this.host.ping({
          target: cmd.target,
          repeat: cmd.repeat,
          size: cmd.size,
          timeoutSeconds: cmd.timeoutSeconds,
          source,
          dfBit: cmd.dfBit,
        });
        return renderPing({ target: cmd.target, repeat: cmd.repeat, size: cmd.size, timeoutSeconds: cmd.timeoutSeconds, source, replies });
      }
      default:
        return `% "${commandWords(cmd)}" is not emulated by the testbed\n`;
    }
  }

  private renderLogging(): string {
    const lines = this.console.lines();
    return [
      'Syslog logging: enabled (0 messages dropped, 0 flushes, 0 overruns)',
      '    Console logging: level debugging, ' + lines.length + ' messages logged',
      '    Monitor logging: level debugging, 0 messages logged',
      '    Buffer logging: level debugging, ' + lines.length + ' messages logged',
      '    Trap logging: level informational, 0 message lines logged',
      '',
      `Log Buffer (${lines.reduce((n, l) => n + l.length + 1, 0)} bytes):`,
      ...lines,
      '',
    ].join('\n');
  }

  /** A tunnel's status and line protocol: the interface is up unless shut down; its line protocol is the tunnel's. */
  private tunnelStatus(name: string): { status: InterfaceStatus; protocol: 'up' | 'down' } {
    const iface = this.config.interfaces.find((i) => i.name === name);
    if (iface?.shutdown) return { status: 'administratively down', protocol: 'down' };
    return { status: 'up', protocol: this.linkUp(name) ? 'up' : 'down' };
  }

  private renderInterfaces(only: string | null): string {
    const views: InterfaceView[] = [];
    for (const iface of this.config.interfaces) {
      if (only && iface.name !== only) continue;
      const view: InterfaceView = {
        ...interfaceView(this.config, iface, interfaceStatus(iface, this.linkUp)),
        ...(iface.name.startsWith('Tunnel') ? this.tunnelStatus(iface.name) : {}),
      };
      for (const ext of this.extensions) Object.assign(view, ext.describeInterface?.(iface) ?? {});
      views.push(view);
    }
    if (only && views.length === 0) return `% Invalid input detected at '^' marker.\n`;
    return renderShowInterfaces(views);
  }
}

function commandWords(cmd: ExecCommand): string {
  return cmd.kind.replace(/-/g, ' ');
}
