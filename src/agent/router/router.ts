/**
 * The emulated router: its configuration, its interfaces in the container,
 * its console, and the exec commands typed at it. The Linux kernel forwards
 * clear-text packets; what needs IOS behaviour is done here.
 */
import { writeFile } from 'node:fs/promises';
import {
  applyConfigLines,
  applyOutputFilter,
  computeRoutes,
  GLOBAL_MODE,
  interfaceBriefRows,
  interfaceCarrier,
  interfaceLines,
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
  type ExecCommand,
  type Route,
  type RouterConfig,
} from '../../ios/index.js';
import type { InterfaceBinding } from '../../contract/env.js';
import { STARTUP_CONFIG_PATH } from '../../contract/paths.js';
import { readoptInterfaces, watchLinks } from '../io/interfaces.js';
import { ipBatch, ipJson } from '../io/system.js';
import type { RouterConsole } from './console.js';

import { ping } from './ping.js';

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
}

export class Router {
  config: RouterConfig;
  readonly bootTime = Date.now();
  private present = new Set<string>();
  /** Linux interface index by device name (a restored link comes back with a new one). */
  private ifindex = new Map<string, number>();
  private manualAddress = new Set<string>();
  extensions: ExecExtension[] = [];
  /** Routes the routing protocols learned (src/agent/routing), merged into the table by distance. */
  private learned: Route[] = [];

  constructor(
    config: RouterConfig,
    readonly startupText: string,
    /** IOS interface name -> Linux interface name, for interfaces that are on a lab link. */
    readonly linux: Map<string, string>,
    readonly console: RouterConsole,
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
    const carrier = () => new Map(this.config.interfaces.filter((i) => this.linkUp(i.name)).map((i) => [i.name, this.ifindex.get(this.linux.get(i.name) ?? '') ?? -1]));
    const check = async () => {
      const before = carrier();
      const back = await readoptInterfaces(bindings, this.linux).catch((e: unknown) => {
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
        if (iface.shutdown) continue;
        const was = before.get(iface.name);
        const now = after.get(iface.name);
        if (was === now) continue;
        changed = true;
        if (was !== undefined) say(iface.name, 'down');
        if (now !== undefined) say(iface.name, 'up');
      }
      if (changed) for (const ext of this.extensions) await ext.reconfigure?.(this.config);
    };
    return watchLinks(() => {
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
    return interfaceCarrier(this.config, name, (n) => {
      const dev = this.linux.get(n);
      return dev !== undefined && this.present.has(dev);
    });
  };

  /** The routing table: connected, learned and static routes (src/ios/routing/routes.ts). */
  routes(): Route[] {
    return computeRoutes(this.config, this.linkUp, this.learned);
  }

  /** New learned routes: the static routes they displace or give way to, and the IPsec steering, follow. */
  async setLearned(routes: Route[]): Promise<void> {
    const key = (list: Route[]) => JSON.stringify(list.map(({ learnedAt: _a, ...r }) => r));
    const changed = key(routes) !== key(this.learned);
    this.learned = routes;
    if (!changed) return;
    await this.applyStaticRoutes();
    for (const ext of this.extensions) await ext.routesChanged?.();
  }

  async refreshLinks(): Promise<void> {
    const links = await ipJson<{ ifname: string; ifindex: number }[]>(['link', 'show']).catch(() => []);
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
      (await ipJson<{ ifname: string; addr_info?: { family: string; local: string; prefixlen: number }[] }[]>(['addr', 'show']).catch(() => []))
        .map((e) => [e.ifname, (e.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`)]),
    );
    const cmds: string[] = [];
    for (const iface of this.config.interfaces) {
      let dev = this.linux.get(iface.name);
      const loop = /^Loopback(\d+)$/.exec(iface.name);
      if (!dev && loop) {
        dev = `lo${loop[1]}`;
        this.linux.set(iface.name, dev);
        if (!this.present.has(dev)) cmds.push(`link add ${dev} type dummy`);
        this.present.add(dev);
      }
      if (!dev || !this.present.has(dev)) continue;
      const want = [iface.address, ...iface.secondary].filter((a) => a !== null).map((a) => cidrOf(a!.address, a!.mask));
      const have = current.get(dev) ?? [];
      for (const a of have) if (!want.includes(a)) cmds.push(`addr del ${a} dev ${dev}`);
      for (const a of want) if (!have.includes(a)) cmds.push(`addr add ${a} dev ${dev}`);
      if (iface.mtu) cmds.push(`link set dev ${dev} mtu ${iface.mtu}`);
      cmds.push(`link set dev ${dev} ${iface.shutdown ? 'down' : 'up'}`);
    }
    const res = await ipBatch(cmds);
    if (res.code !== 0) this.console.log(`%TESTBED-3-KERNEL: ${res.stderr.trim().split('\n').join('; ')}`);
    await this.applyStaticRoutes();
    await this.refreshLinks();
  }

  /** The kernel's static routes (proto static) made what the routing table says: the ones that win by distance. */
  private async applyStaticRoutes(): Promise<void> {
    const want = new Map<string, string>();
    for (const r of this.routes()) {
      if (r.source !== 'static') continue;
      const hops = r.paths
        .map((p) => ({ dev: this.linux.get(p.outInterface), gw: p.gateway }))
        .filter((h): h is { dev: string; gw: string | null } => h.dev !== undefined);
      if (hops.length === 0) continue;
      const dst = `${r.prefix}/${r.length}`;
      const target =
        hops.length === 1
          ? `${hops[0]!.gw ? `via ${hops[0]!.gw} ` : ''}dev ${hops[0]!.dev}`
          : hops.map((h) => `nexthop ${h.gw ? `via ${h.gw} ` : ''}dev ${h.dev}`).join(' ');
      want.set(dst, `route replace ${dst} proto static metric ${r.distance} ${target}`);
    }
    const installed = await ipJson<{ dst: string; metric?: number }[]>(['route', 'show', 'proto', 'static']).catch(() => []);
    const cmds: string[] = [];
    for (const r of installed) {
      const dst = r.dst === 'default' ? '0.0.0.0/0' : r.dst.includes('/') ? r.dst : `${r.dst}/32`;
      if (!want.has(dst)) cmds.push(`route del ${dst} proto static${r.metric !== undefined ? ` metric ${r.metric}` : ''}`);
    }
    // replace is idempotent: an unchanged route is rewritten in place, which no daemon reports as a change
    cmds.push(...want.values());
    const res = await ipBatch(cmds);
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
    const output = res.diagnostics.filter((d) => d.code !== 'not-emulated').map((d) => `${d.message}\n`).join('');
    this.config = res.config;
    session.config = res.ended ? null : res.mode;
    if (res.ended) this.console.log('%SYS-5-CONFIG_I: Configured from console by console');
    if (this.config !== before) {
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
        await writeFile(STARTUP_CONFIG_PATH, text);
        return 'Building configuration...\n[OK]\n';
      }
      case 'show-version':
        return renderShowVersion({ config: this.config, uptimeSeconds: Math.floor((Date.now() - this.bootTime) / 1000) });
      case 'show-clock':
        return renderShowClock(new Date());
      case 'show-ip-interface-brief': {
        await this.refreshLinks();
        const rows = interfaceBriefRows(this.config, this.linkUp).map((r) => (this.manualAddress.has(r.interface) && r.address ? { ...r, method: 'manual' as const } : r));
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
        const facilities = cmd.facility === 'all' ? (['isakmp', 'ipsec', 'engine', 'ospf-adj'] as const) : [cmd.facility];
        for (const f of facilities) this.console.debug[f] = cmd.on;
        return renderDebugChange(cmd.facility, cmd.on);
      }
      case 'ping': {
        const source = cmd.source === null ? null : cmd.source.kind === 'address' ? cmd.source.address : (this.config.interfaces.find((i) => i.name === (cmd.source as { name: string }).name)?.address?.address ?? null);
        const replies = await ping({ target: cmd.target, repeat: cmd.repeat, size: cmd.size, timeoutSeconds: cmd.timeoutSeconds, source, dfBit: cmd.dfBit });
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

  private renderInterfaces(only: string | null): string {
    const out: string[] = [];
    for (const iface of this.config.interfaces) {
      if (only && iface.name !== only) continue;
      out.push(...interfaceLines(this.config, iface, interfaceStatus(iface, this.linkUp)));
    }
    if (only && out.length === 0) return `% Invalid input detected at '^' marker.\n`;
    return out.join('\n') + '\n';
  }
}

function commandWords(cmd: ExecCommand): string {
  return cmd.kind.replace(/-/g, ' ');
}
