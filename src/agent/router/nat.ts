/**
 * NAT in the router: the edges around the pure NAT engine and NatPath
 * (src/agent/datapath/nat-order.ts). The NAT tun device the steering plan
 * hands packets to, the kernel's local routes that make the router answer
 * ARP for static and pool global addresses (IOS answers for them too), one
 * timer for the timeouts, and the exec commands: show ip nat translations
 * [verbose], show ip nat statistics, clear ip nat translation *, clear ip
 * nat statistics (debug ip nat is the console's flag).
 */
import { formatIpv4, parseIpv4 } from '../../codecs/net/address.js';
import { Nat } from '../datapath/nat/nat.js';
import { natPolicy, type NatPolicy } from '../datapath/nat/policy.js';
import { NatTable, type NatEntry } from '../datapath/nat/table.js';
import { NatPath } from '../datapath/nat-order.js';
import { natSteering, type NatSteering } from '../datapath/nat-plan.js';
import { renderShowIpNatStatistics, renderShowIpNatTranslations, type ExecCommand, type NatTranslationRow, type RouterConfig } from '../../ios/index.js';
import { ipBatch } from '../io/system.js';
import { Tun } from '../io/tun.js';
import type { IpsecService } from './ipsec.js';
import type { ExecExtension, Router } from './router.js';

export const NAT_TUN_NAME = 'ipnat0';

function addressesOf(config: RouterConfig): { name: string; address: string; mask: string }[] {
  return config.interfaces.flatMap((i) => (i.address && !i.shutdown ? [{ name: i.name, ...i.address }] : []));
}

/** The steering plan's NAT part for a configuration (IpsecService writes it with the rest of the plan). */
export function natSteeringOf(config: RouterConfig): NatSteering | null {
  return natSteering(natPolicy(config), addressesOf(config));
}

export class NatService implements ExecExtension {
  readonly nat: Nat;
  readonly path: NatPath;
  private tun: Tun | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The configuration translates something (inside and outside interfaces and a rule). */
  private active = false;
  private local = new Set<number>();
  /** Local routes we added for global addresses (CIDR), to take back when the configuration changes. */
  private kernelGlobals: string[] = [];

  constructor(
    private readonly router: Router,
    ipsec: IpsecService,
  ) {
    this.nat = new Nat({
      now: () => Date.now(),
      debug: (line) => router.console.debugLine('nat', line),
      isRouterAddress: (a) => this.local.has(a),
    });
    this.path = new NatPath({
      nat: this.nat,
      datapath: ipsec.datapath,
      route: (d) => ipsec.routeInfo(d),
      isLocal: (a) => this.local.has(a),
      now: () => Date.now(),
      log: (t) => router.console.log(t),
    });
    ipsec.datapath.hooks = { ...ipsec.datapath.hooks, untranslate: (p, iface) => this.path.untranslate(p, iface) };
    ipsec.natTun = NAT_TUN_NAME;
    this.apply(router.config);
  }

  private apply(config: RouterConfig): NatPolicy {
    this.local = new Set(addressesOf(config).map((a) => parseIpv4(a.address)));
    const policy = natPolicy(config);
    this.nat.setPolicy(policy);
    this.active = policy.active;
    return policy;
  }

  /**
   * The timeouts' timer (translations, fragments waiting) runs once a second while NAT is configured, or
   * translations are left from when it was: a router without NAT (most of them) does not wake for it.
   */
  private syncTimer(): void {
    const wanted = () => this.active || this.nat.table.entries().length > 0;
    if (this.timer || !wanted()) return;
    const timer = setInterval(() => {
      const now = Date.now();
      this.nat.sweep(now);
      this.path.sweep(now);
      if (!wanted()) {
        clearInterval(timer);
        this.timer = undefined;
      }
    }, 1000);
    timer.unref();
    this.timer = timer;
  }

  /** The tun device (before IpsecService.start writes the plan that names it) and the timer. */
  async start(): Promise<void> {
    this.tun = new Tun(NAT_TUN_NAME);
    const res = await ipBatch([`link set dev ${this.tun.name} up mtu 1500`]);
    if (res.code !== 0) this.router.console.log(`%TESTBED-3-NAT: ${res.stderr.trim()}`);
    this.tun.start((p) => this.path.handle(p));
    await this.applyKernel();
    this.syncTimer();
  }

  /** Local routes for the static and pool globals that are not the router's own: the kernel then answers ARP for them. */
  private async applyKernel(): Promise<void> {
    const steering = natSteeringOf(this.router.config);
    const wanted = (steering?.globals ?? []).map((g) => `${formatIpv4(g.address)}/${g.length}`);
    const cmds = [
      ...this.kernelGlobals.filter((c) => !wanted.includes(c)).map((c) => `route del local ${c} dev lo table local`),
      ...wanted.map((c) => `route replace local ${c} dev lo table local`),
    ];
    this.kernelGlobals = wanted;
    const res = await ipBatch(cmds);
    if (res.code !== 0) this.router.console.log(`%TESTBED-3-NAT: ${res.stderr.trim().split('\n').join('; ')}`);
  }

  async reconfigure(config: RouterConfig): Promise<void> {
    this.apply(config);
    await this.applyKernel();
    this.syncTimer();
  }

  // ------------------------------------------------------------- exec

  run(cmd: ExecCommand): string | null {
    switch (cmd.kind) {
      case 'show-ip-nat-translations':
        this.nat.sweep(Date.now());
        return renderShowIpNatTranslations(
          this.nat.table.entries().map((e) => this.row(e)),
          cmd.verbose,
        );
      case 'show-ip-nat-statistics':
        this.nat.sweep(Date.now());
        return this.statistics();
      case 'clear-ip-nat-translation':
        this.nat.clear();
        return '';
      case 'clear-ip-nat-statistics':
        this.nat.clearStatistics();
        return '';
      default:
        return null;
    }
  }

  private row(e: NatEntry): NatTranslationRow {
    const now = Date.now();
    const at = NatTable.expiresAt(e);
    const ports = e.kind === 'extended';
    const outside = e.kind === 'extended' && !e.static;
    return {
      protocol: e.kind === 'simple' ? null : e.protocol,
      insideGlobal: formatIpv4(e.insideGlobal),
      insideGlobalPort: ports ? e.insideGlobalPort : null,
      insideLocal: formatIpv4(e.insideLocal),
      insideLocalPort: ports ? e.insideLocalPort : null,
      outsideLocal: outside ? formatIpv4(e.outside) : null,
      outsideLocalPort: outside ? e.outsidePort : null,
      outsideGlobal: outside ? formatIpv4(e.outside) : null,
      outsideGlobalPort: outside ? e.outsideGlobalPort : null,
      createdSecondsAgo: (now - e.created) / 1000,
      usedSecondsAgo: (now - e.used) / 1000,
      leftSeconds: e.static || at === null ? null : Math.max(0, (at - now) / 1000),
      flags: [e.static ? 'static' : '', e.kind === 'extended' ? 'extended' : '', e.closing ? 'timing-out' : ''].filter(Boolean).join(', ') || 'none',
    };
  }

  private statistics(): string {
    const entries = this.nat.table.entries();
    const policy = this.nat.current;
    const config = this.router.config;
    const c = this.nat.table.counters;
    return renderShowIpNatStatistics({
      total: entries.length,
      static: entries.filter((e) => e.static).length,
      dynamic: entries.filter((e) => !e.static).length,
      extended: entries.filter((e) => e.kind === 'extended').length,
      outside: config.interfaces.filter((i) => i.nat === 'outside').map((i) => i.name),
      inside: config.interfaces.filter((i) => i.nat === 'inside').map((i) => i.name),
      hits: c.hits,
      misses: c.misses,
      expired: c.expired,
      mappings: (policy?.mappings ?? []).map((m) => ({
        label: m.label,
        refcount: this.nat.table.refcount(m),
        pool: m.pool
          ? {
              name: m.pool.name,
              netmask: formatIpv4(m.pool.netmask),
              start: formatIpv4(m.pool.start),
              end: formatIpv4(m.pool.end),
              total: m.pool.size,
              allocated: this.nat.table.allocatedIn(m.pool),
              misses: this.nat.poolMisses.get(m.pool.name) ?? 0,
            }
          : null,
      })),
    });
  }
}
