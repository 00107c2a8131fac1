/**
 * The router's GRE tunnel interfaces: the edges around the pure GreTunnels
 * (datapath/gre.ts). One tun device per Tunnel interface, named after it,
 * carrying its address, MTU and routes (the router programs those like any
 * interface's); what the kernel routes into it is encapsulated, and what
 * arrives for the tunnel is written into it. The line protocol comes from
 * ios/routing/tunnels.ts and the keepalives, re-evaluated when the
 * configuration, a link or a keepalive changes; a change is logged as IOS
 * logs it and reprograms the kernel (routes through a tunnel exist only
 * while it is up) and the IPsec steering. One timer drives the keepalives.
 */
import { parseIpv4, type Ipv4 } from '../../codecs/net/address.js';
import { tunnelIpMtu, tunnelStates, type InterfaceConfig, type InterfaceView, type RouterConfig, type TunnelState, type ExecCommand } from '../../ios/index.js';
import { GreTunnels, type GreTunnelSpec } from '../datapath/gre.js';
import { Tun } from '../io/tun.js';
import type { ExecExtension, Router, TunnelHooks } from './router.js';

/** What the tunnels need of the datapath. */
export interface OriginatePort {
  originate(packet: Buffer, crypto: boolean): void;
}

/** The Linux name of a tunnel's device: the IOS name, or Tu<n> where that is longer than IFNAMSIZ allows. */
export function tunnelDevice(name: string): string {
  return name.length <= 15 ? name : `Tu${name.slice('Tunnel'.length)}`;
}

export class TunnelService implements ExecExtension {
  readonly gre: GreTunnels;
  private readonly devices = new Map<string, Tun>();
  private states = new Map<string, TunnelState>();
  private datapath: OriginatePort | undefined;
  private timer: NodeJS.Timeout | undefined;
  private busy: Promise<void> = Promise.resolve();
  private started = false;
  /** The router's interface addresses (its own SYNs are not adjusted), as of the last evaluation. */
  private local = new Set<number>();

  constructor(private readonly router: Router) {
    this.gre = new GreTunnels({
      deliver: (tunnel, packet) => this.devices.get(tunnel)?.write(packet),
      originate: (packet, crypto) => this.datapath?.originate(packet, crypto),
      keepaliveChanged: () => this.changed(),
      now: () => Date.now(),
      isLocal: (a) => this.local.has(a),
    });
    const hooks: TunnelHooks = {
      lineUp: (name) => this.states.get(name)?.up ?? false,
      ipMtu: (name) => this.ipMtu(name),
      endpoints: () => [...this.states.values()].flatMap((s) => (s.source ? [s.source] : [])),
      gre: this.gre,
    };
    router.tunnels = hooks;
    this.syncDevices(router.config);
  }

  /** At boot, once the links are known: the first states, logged by the boot messages rather than here. */
  async boot(): Promise<void> {
    await this.router.refreshLinks();
    this.evaluate(this.router.config, false);
  }

  /** The datapath is ready: keepalives may start. */
  start(datapath: OriginatePort): void {
    this.datapath = datapath;
    this.started = true;
    this.schedule();
  }

  private ipMtu(name: string): number {
    const iface = this.router.config.interfaces.find((i) => i.name === name);
    return iface ? tunnelIpMtu(this.router.config, iface, this.states.get(name)) : 1476;
  }

  /** A tun device for every Tunnel interface, none for the ones removed. */
  private syncDevices(config: RouterConfig): boolean {
    const wanted = new Set(config.interfaces.filter((i) => i.name.startsWith('Tunnel')).map((i) => i.name));
    let changed = false;
    for (const [name, tun] of this.devices) {
      if (wanted.has(name)) continue;
      tun.close();
      this.devices.delete(name);
      this.router.linux.delete(name);
      changed = true;
    }
    for (const name of wanted) {
      if (this.devices.has(name)) continue;
      try {
        const tun = new Tun(tunnelDevice(name));
        tun.start((p) => this.gre.send(name, p));
        this.devices.set(name, tun);
        this.router.linux.set(name, tun.name);
        changed = true;
      } catch (e) {
        this.router.console.log(`%TESTBED-3-TUNNEL: ${name}: no tun device: ${(e as Error).message}`);
      }
    }
    return changed;
  }

  /**
   * The line protocol of every tunnel; logs what changed (when `log`) and
   * hands the tunnels to GreTunnels. Returns whether any state changed.
   */
  private evaluate(config: RouterConfig, log = true): boolean {
    const link = (name: string) => this.router.linkUp(name);
    const next = new Map(tunnelStates(config, link, (n) => this.gre.keepaliveDown(n), this.router.learnedRoutes).map((s) => [s.name, s]));
    let changed = false;
    for (const [name, s] of next) {
      const before = this.states.get(name);
      if (before?.up === s.up && before?.source === s.source && before?.transport === s.transport) continue;
      changed = true;
      if (!log || before === undefined || before.up === s.up) continue;
      if (!s.up && s.reason === 'recursive') this.router.console.log(`%TUN-5-RECURDOWN: ${name} temporarily disabled due to recursive routing`);
      this.router.console.log(`%LINEPROTO-5-UPDOWN: Line protocol on Interface ${name}, changed state to ${s.up ? 'up' : 'down'}`);
    }
    if (next.size !== this.states.size) changed = true;
    this.states = next;
    this.local = new Set(config.interfaces.flatMap((i) => [i.address, ...i.secondary].flatMap((a) => (a ? [parseIpv4(a.address)] : []))));
    this.gre.configure(config.interfaces.flatMap((i) => this.spec(i, next.get(i.name))));
    return changed;
  }

  private spec(i: InterfaceConfig, s: TunnelState | undefined): GreTunnelSpec[] {
    if (!s || !i.tunnel || s.source === null || s.destination === null) return [];
    return [
      {
        name: i.name,
        source: parseIpv4(s.source as Ipv4),
        destination: parseIpv4(s.destination),
        key: i.tunnel.key,
        checksum: i.tunnel.checksum,
        keepalive: i.keepalive,
        up: s.up,
        reachable: !i.shutdown && (s.up || s.reason === 'keepalive'),
        cryptoMap: i.cryptoMap !== null,
        adjustMss: i.adjustMss,
      },
    ];
  }

  /** Keepalives changed a line protocol: evaluate, then reprogram the kernel and the other services. */
  private changed(): void {
    this.busy = this.busy
      .then(async () => {
        if (!this.evaluate(this.router.config)) return;
        await this.router.applyKernel();
        for (const ext of this.router.extensions) if (ext !== this) await ext.reconfigure?.(this.router.config);
      })
      .catch((e: unknown) => this.router.console.log(`%TESTBED-3-TUNNEL: ${(e as Error).message}`));
  }

  /**
   * Learned routes came or went: a tunnel whose destination they make
   * routable (or route through the tunnel itself) changes state. The kernel
   * follows here; the IPsec steering with its own routesChanged, which the
   * router calls after this one. (Not `changed()`: the routing service is
   * delivering this change from its queue, and its reconfigure waits on it.)
   */
  async routesChanged(): Promise<void> {
    if (this.evaluate(this.router.config)) await this.router.applyKernel();
  }

  /** The configuration or a link changed (the router calls this before the IPsec service's). */
  async reconfigure(config: RouterConfig): Promise<void> {
    const devices = this.syncDevices(config);
    const states = this.evaluate(config);
    if (devices || states) await this.router.applyKernel();
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const next = this.started ? this.gre.nextDeadline() : null;
    if (next === null) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.gre.tick(Date.now());
        this.schedule();
      },
      Math.max(0, next - Date.now()),
    );
    this.timer.unref();
  }

  run(_cmd: ExecCommand): null {
    return null;
  }

  describeInterface(iface: InterfaceConfig): Partial<InterfaceView> | null {
    if (!iface.tunnel) return null;
    const s = this.states.get(iface.name);
    const c = this.gre.countersOf(iface.name);
    const now = Date.now();
    return {
      tunnel: {
        source: s?.source ?? null,
        sourceInterface: s?.sourceInterface ?? null,
        destination: iface.tunnel.destination,
        mode: iface.tunnel.mode,
        key: iface.tunnel.key,
        checksum: iface.tunnel.checksum,
        keepalive: iface.keepalive,
      },
      counters: {
        inPackets: c?.inPackets ?? 0,
        inBytes: c?.inBytes ?? 0,
        outPackets: c?.outPackets ?? 0,
        outBytes: c?.outBytes ?? 0,
        inErrors: c?.inErrors ?? 0,
        crc: c?.crc ?? 0,
        lastInput: c?.lastInput != null ? now - c.lastInput : null,
        lastOutput: c?.lastOutput != null ? now - c.lastOutput : null,
      },
    };
  }

  /** Why a tunnel's line protocol is down (for tests and the time line). */
  stateOf(name: string): TunnelState | undefined {
    return this.states.get(name);
  }
}
