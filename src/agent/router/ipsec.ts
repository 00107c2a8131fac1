/**
 * IPsec in the router: the edges around the pure IKE engine and datapath.
 * Two tun devices (one for the packets the agent handles, one for clear
 * text that should have been ESP), the kernel's policy routing, one timer
 * for the engine, byte counts for kilobyte lifetimes, and the crypto exec
 * commands.
 */
import { loadNativeEsp } from '../io/esp-native.js';
import type { NativeEsp } from '../esp/index.js';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Datapath, type RouteInfo } from '../datapath/datapath.js';
import { ownAddresses, steeringPlan } from '../datapath/plan.js';
import { natSteering } from '../datapath/nat-plan.js';
import { natPolicy } from '../datapath/nat/policy.js';
import { isSteeringPref, MOVE_LOCAL_TABLE, steeringCommands } from '../datapath/steering.js';
import { espKeyRows, IkeEngine, policyFromConfig, type IkeAction, type IkePolicy, type TrafficNote } from '../ike/index.js';
import { TESTBED_TRACE } from '../../contract/env.js';
import { KEY_JOURNAL_PATH, type EspKeyRow, type IsakmpKeyRow, type KeyMaterial } from '../../contract/keys.js';
import { RouteIndex, renderShowIpTraffic, type ExecCommand, type Route, type RouterConfig } from '../../ios/index.js';
import { ipBatch, ipJson } from '../io/system.js';
import { Tun } from '../io/tun.js';
import { KeyJournal } from '../io/key-journal.js';
import { DhPool, type DhPoolMode, type DhPoolStatus } from './dh-pool.js';
import { Timeline, type TimelineEvent } from './timeline.js';
import { ipTraffic, parseSnmpIp } from './ip-traffic.js';
import type { ExecExtension, Router } from './router.js';
import {
  renderShowCryptoEngineConnections,
  renderShowCryptoIpsecSa,
  renderShowCryptoIsakmpPolicy,
  renderShowCryptoIsakmpSa,
  renderShowCryptoMap,
  renderShowCryptoTransformSets,
} from './show-crypto.js';

export const TUN_NAME = 'ipsec0';

/** The Diffie-Hellman groups a policy may need: phase 1 and PFS. */
function dhGroupsOf(policy: IkePolicy): number[] {
  const pfs = policy.cryptoMaps.flatMap((m) => m.entries.map((e) => e.pfsGroup)).filter((g): g is number => g !== null);
  return [...new Set([...policy.phase1.map((p) => p.group), ...pfs])];
}
export const DROP_TUN_NAME = 'ipsecdrop0';
/** Keys kept per table (ISAKMP, ESP) for Wireshark after their SAs are gone. */
const KEY_HISTORY = 4096;

export class IpsecService implements ExecExtension {
  private policy: IkePolicy;
  readonly engine: IkeEngine;
  readonly datapath: Datapath;
  private tun: Tun | undefined;
  private dropTun: Tun | undefined;
  private timer: NodeJS.Timeout | undefined;
  private trafficTimer: NodeJS.Timeout | undefined;
  private local = new Set<number>();
  private routes: Route[] = [];
  /** The routes by prefix: a lookup costs the same however many routes (a hub has one per spoke). */
  private routeIndex = new RouteIndex([]);
  private readonly lastBytes = new Map<string, number>();
  private readonly dhPool = new DhPool();
  /** When a packet last reached the IKE engine (a trigger, an IKE message, a probe crossing): warm-up.ts steps aside. */
  lastIkeActivity = 0;
  /** Keys of every SA this router ever had: the pcaps still hold their packets after a rekey or a clear. */
  private readonly keyHistory = { isakmp: new Map<string, IsakmpKeyRow>(), esp: new Map<string, EspKeyRow>() };
  /** The same rows, each written to the key journal as it comes (contract/keys.ts): the orchestrator reads the file. */
  private readonly journal = new KeyJournal(KEY_JOURNAL_PATH, KEY_HISTORY, (m) => this.router.console.log(`%TESTBED-3-KEYS: ${m}`));

  /** The native ESP module (cipher and HMAC per packet in one call), when the image has it. */
  readonly nativeEsp: NativeEsp | undefined;
  /** The NAT tun device, once the NAT service made it (router/nat.ts): the steering plan then has its NAT part. */
  natTun: string | undefined;

  constructor(private readonly router: Router) {
    const native = loadNativeEsp();
    this.nativeEsp = native.esp;
    // inside the lab image (which sets TESTBED_ADDON) the module is expected: say why it is not used
    if (native.problem && process.env.TESTBED_ADDON) router.console.log(`%TESTBED-4-ESP: ESP runs through node:crypto: the native module ${native.problem}`);
    this.policy = policyFromConfig(router.config);
    this.engine = new IkeEngine({ policy: this.policy, random: randomBytes, dh: this.dhPool.take });
    this.dhPool.prime(dhGroupsOf(this.policy));
    const trace = TESTBED_TRACE.decode(process.env.TESTBED_TRACE);
    this.datapath = new Datapath({
      write: (p) => {
        if (trace) this.note('tx', `${p.length}`);
        this.tun?.write(p);
      },
      isLocal: (a) => this.local.has(a),
      route: (d) => this.route(d),
      policy: () => this.policy,
      engine: this.engine,
      act: (a) => {
        this.lastIkeActivity = Date.now();
        this.act(a);
      },
      log: (t) => this.router.console.log(t),
      onAcquire: (trigger) => this.note('acquire', `${trigger.packet.source} > ${trigger.packet.destination}`),
      now: () => Date.now(),
      random: randomBytes,
      nativeEsp: this.nativeEsp,
      ...(router.tunnels ? { gre: router.tunnels.gre } : {}),
      adjustMss: (iface) => this.router.config.interfaces.find((i) => i.name === iface)?.adjustMss ?? null,
    });
    this.refreshTables();
  }

  /** Create the tun devices and the kernel rules; start reading packets. */
  async start(): Promise<void> {
    this.journal.open();
    this.tun = new Tun(TUN_NAME);
    this.dropTun = new Tun(DROP_TUN_NAME);
    const setup = [`link set dev ${this.tun.name} up mtu 1500`, `link set dev ${this.dropTun.name} up mtu 1500`, ...MOVE_LOCAL_TABLE];
    const res = await ipBatch(setup);
    if (res.code !== 0) this.router.console.log(`%TESTBED-3-IPSEC: ${res.stderr.trim()}`);
    // rp_filter (0) and accept_local (1) come from the container's sysctls: /proc/sys is read-only here
    await this.applySteering();
    const trace = TESTBED_TRACE.decode(process.env.TESTBED_TRACE);
    this.tun.start((p) => {
      if (trace) this.note('rx', `${p.length}`);
      this.datapath.handle(p);
      this.wakeTraffic();
    });
    this.dropTun.start((p) => {
      this.datapath.handleClearText(p);
      this.wakeTraffic();
    });
    this.wakeTraffic();
    this.schedule();
  }

  /**
   * The datapath's sweep (fragments waiting) and the traffic report (bytes per SA, for kilobyte lifetimes
   * and DPD), once a second while there is something to look at. A router with no SA and no fragment
   * sleeps: every SA and fragment comes with a packet (IKE and ESP arrive on the tun devices), which
   * starts the timer again. An idle router used to wake every second for this, about 2% of a core per
   * hundred routers (docs/benchmarks.md).
   */
  private wakeTraffic(): void {
    if (this.trafficTimer) return;
    const timer = setInterval(() => {
      this.datapath.sweep(Date.now());
      this.reportTraffic();
      if (this.datapath.quiet) {
        clearInterval(timer);
        this.trafficTimer = undefined;
      }
    }, 1000);
    timer.unref();
    this.trafficTimer = timer;
  }

  private refreshTables(): void {
    const cfg = this.router.config;
    this.local = ownAddresses(cfg);
    this.routes = this.router.routes();
    this.routeIndex = new RouteIndex(this.routes);
    this.routeCache?.clear();
  }

  /** Route lookups by destination, cached until the routes change (they are computed from dotted strings). */
  private readonly routeCache = new Map<number, RouteInfo | null>();

  /** The route the router takes to a destination (cached; for NAT and access groups too). */
  routeInfo(destination: number): RouteInfo | null {
    return this.route(destination);
  }

  private route(destination: number): RouteInfo | null {
    const cached = this.routeCache.get(destination);
    if (cached !== undefined) return cached;
    const hit = this.routeIndex.lookup(destination);
    const iface = hit ? this.router.config.interfaces.find((i) => i.name === hit.path.outInterface) : undefined;
    const mtu = !iface ? 1500 : iface.name.startsWith('Tunnel') ? (this.router.tunnels?.ipMtu(iface.name) ?? 1476) : (iface.ipMtu ?? iface.mtu ?? 1500);
    const info = hit ? { iface: hit.path.outInterface, nextHop: hit.path.gateway, mtu, address: iface?.address?.address ?? null } : null;
    if (this.routeCache.size > 10_000) this.routeCache.clear();
    this.routeCache.set(destination, info);
    return info;
  }

  private async applySteering(): Promise<void> {
    if (!this.tun || !this.dropTun) return;
    const rules = await ipJson<{ priority?: number }[]>(['rule', 'show']).catch(() => []);
    const del = [...new Set(rules.map((r) => r.priority ?? -1).filter(isSteeringPref))].flatMap((p) => {
      const n = rules.filter((r) => r.priority === p).length;
      return Array.from({ length: n }, () => `rule del pref ${p}`);
    });
    const config = this.router.config;
    const addresses = config.interfaces.flatMap((i) => (i.address && !i.shutdown ? [{ name: i.name, ...i.address }] : []));
    const nat = this.natTun ? natSteering(natPolicy(config), addresses) : null;
    const plan = steeringPlan({
      policy: this.policy,
      routes: this.routes,
      links: [...this.router.linux.keys()],
      own: this.local,
      nat,
      greEndpoints: this.router.tunnels?.endpoints() ?? [],
    });
    const cmds = [
      ...del,
      ...steeringCommands(plan, { linux: this.router.linux, tun: this.tun.name, dropTun: this.dropTun.name, ...(this.natTun ? { natTun: this.natTun } : {}) }),
    ];
    const res = await ipBatch(cmds);
    if (res.code !== 0) this.router.console.log(`%TESTBED-3-IPSEC: policy routing: ${res.stderr.trim().split('\n').join('; ')}`);
  }

  /** Learned routes came or went: the egress table follows the routing table. */
  async routesChanged(): Promise<void> {
    this.refreshTables();
    this.datapath.policyChanged();
    await this.applySteering();
  }

  async reconfigure(config: RouterConfig): Promise<void> {
    this.policy = policyFromConfig(config);
    this.engine.setPolicy(this.policy);
    this.dhPool.prime(dhGroupsOf(this.policy));
    this.refreshTables();
    this.datapath.policyChanged();
    await this.applySteering();
    this.schedule();
  }

  // ------------------------------------------------------------- actions

  private act(actions: readonly IkeAction[]): void {
    // an SA installed, or one whose bytes must be counted: the traffic timer runs
    if (actions.length) this.wakeTraffic();
    // datagrams leave first: the peer can go on while this router installs its SAs (all of this
    // runs before the next packet is read, so nothing can arrive for an SA not installed yet)
    const ordered = [
      ...actions.filter((a) => a.kind === 'send' || a.kind === 'send-probe'),
      ...actions.filter((a) => a.kind !== 'send' && a.kind !== 'send-probe'),
    ];
    for (const a of ordered) {
      if (a.kind === 'send-probe') this.note('probe', a.ipDestination);
      else if (a.kind === 'phase1-up') this.note('phase1-up', a.remote.ip);
    }
    for (const a of ordered) {
      try {
        this.actOne(a);
        // the time line's install is when the SA pair is in the datapath (and this batch's datagrams are sent)
        if (a.kind === 'install-ipsec') this.note('install', `${a.sa.peer} in ${a.sa.inbound.spi} out ${a.sa.outbound.spi}`);
      } catch (e) {
        this.router.console.log(`%TESTBED-3-IPSEC: ${a.kind}: ${(e as Error).message}`);
      }
    }
    this.schedule();
  }

  private actOne(a: IkeAction): void {
    switch (a.kind) {
      case 'send':
        this.datapath.sendUdp(a.from, a.to, a.payload);
        return;
      case 'send-probe':
        this.datapath.sendProbe(a.ipSource, a.ipDestination, a.sourcePort, a.destinationPort, a.payload);
        return;
      case 'install-ipsec':
        this.datapath.install(a.sa, a.replaces, a.supersededBy ?? null);
        for (const k of espKeyRows(a.sa)) {
          this.keyHistory.esp.set(`${k.dst}/${k.spi}`, k);
          this.journal.add({ esp: k });
        }
        this.trimKeys();
        return;
      case 'delete-ipsec':
        this.datapath.remove(a.inboundSpi, a.outboundSpi);
        this.lastBytes.delete(`inbound:${a.inboundSpi}`);
        this.lastBytes.delete(`outbound:${a.outboundSpi}`);
        return;
      case 'debug':
        this.router.console.debugLine(a.facility, a.text);
        return;
      case 'log':
        this.router.console.log(a.text);
        return;
      case 'phase1-up': {
        const k = this.engine.isakmpKeys(a.connId);
        if (k) {
          this.keyHistory.isakmp.set(k.initiatorCookie, k);
          this.journal.add({ isakmp: k });
        }
        this.trimKeys();
        return;
      }
      case 'phase1-down':
      case 'fail':
      case 'drop':
        // the engine says what IOS would say about these through debug and log actions
        return;
    }
  }

  /** One timer: the engine's next deadline. */
  private schedule(): void {
    const next = this.engine.nextDeadline();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (next === null) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.act(this.engine.tick(Date.now()));
      },
      Math.max(0, next - Date.now()),
    );
  }

  /** Bytes per SA since the last report, for kilobyte lifetimes and DPD. */
  private reportTraffic(): void {
    const notes: TrafficNote[] = [];
    for (const pair of this.datapath.saPairs) {
      for (const [direction, sa] of [
        ['inbound', pair.inbound],
        ['outbound', pair.outbound],
      ] as const) {
        const key = `${direction}:${sa.spi}`;
        const delta = sa.counters.bytes - (this.lastBytes.get(key) ?? 0);
        if (delta > 0) {
          notes.push({ spi: sa.spi, direction, bytes: delta });
          this.lastBytes.set(key, sa.counters.bytes);
        }
      }
    }
    if (notes.length) this.act(this.engine.noteTraffic(notes, Date.now()));
  }

  // ------------------------------------------------------------- exec

  run(cmd: ExecCommand): Promise<string> | string | null {
    const counters = (spi: number) => this.datapath.countersOf(spi);
    switch (cmd.kind) {
      case 'show-ip-traffic':
        return this.showIpTraffic();
      case 'show-crypto-isakmp-sa':
        return renderShowCryptoIsakmpSa(this.engine.isakmpSas());
      case 'show-crypto-ipsec-sa':
        return renderShowCryptoIpsecSa(
          this.engine.ipsecSas(Date.now()),
          counters,
          (i) => this.router.config.interfaces.find((x) => x.name === i)?.mtu ?? 1500,
          cmd.peer,
        );
      case 'show-crypto-map':
        return renderShowCryptoMap(this.engine.cryptoMaps().filter((m) => cmd.tag === null || m.name === cmd.tag));
      case 'show-crypto-engine-connections-active':
        return renderShowCryptoEngineConnections(this.engine.engineConnections(), counters);
      case 'show-crypto-isakmp-policy':
        return renderShowCryptoIsakmpPolicy(this.policy);
      case 'show-crypto-ipsec-transform-set':
        return renderShowCryptoTransformSets(this.policy, cmd.name);
      case 'clear-crypto-sa':
        this.act(this.engine.clearIpsec(cmd.peer ? { peer: cmd.peer } : cmd.map ? { map: cmd.map } : {}, Date.now()));
        return '';
      case 'clear-crypto-isakmp':
        this.act(this.engine.clearIsakmp(cmd.connId ?? undefined, Date.now()));
        return '';
      default:
        return null;
    }
  }

  /** The agent's fragmentation counters and the kernel's (/proc/net/snmp of the container), added up. */
  private async showIpTraffic(): Promise<string> {
    this.datapath.sweep(Date.now());
    let problem = '/proc/net/snmp has no fragmentation counters';
    const text = await readFile('/proc/net/snmp', 'utf8').catch((e: unknown) => {
      problem = `/proc/net/snmp: ${(e as Error).message}`;
      return '';
    });
    return renderShowIpTraffic(ipTraffic(this.datapath, parseSnmpIp(text), problem));
  }

  /**
   * Every key the engine holds now, into the history. Each pair and ISAKMP
   * SA is also recorded as it comes up (`actOne`), one at a time: reading
   * all of the engine's SAs at each install cost a router of a 100-peer
   * mesh a table's worth of rows per tunnel.
   */
  private rememberKeys(): void {
    const now = this.engine.keys();
    for (const k of now.isakmp) this.keyHistory.isakmp.set(k.initiatorCookie, k);
    for (const k of now.esp) this.keyHistory.esp.set(`${k.dst}/${k.spi}`, k);
    this.trimKeys();
  }

  private trimKeys(): void {
    // bounded: a lab's captures rarely hold more SAs than this; the oldest keys go first
    for (const table of [this.keyHistory.isakmp, this.keyHistory.esp] as Map<string, unknown>[]) {
      for (const key of table.keys()) {
        if (table.size <= KEY_HISTORY) break;
        table.delete(key);
      }
    }
  }

  /**
   * A time line of IPsec events with microsecond wall-clock times (the
   * containers share the host's clock, so routers' and pcaps' times compare):
   * bench:tunnel's cross-check of the setup times it reads from the captures,
   * bench:scale's first acquire and last SA.
   */
  private readonly events = new Timeline();

  get timeline(): TimelineEvent[] {
    return this.events.events();
  }

  note(event: string, detail: string): void {
    this.events.note(event, detail);
  }

  /** The DH pool (benchmarks: `ios --status`, `ios --dh-pool`). */
  dhPoolStatus(): DhPoolStatus {
    return this.dhPool.status();
  }

  /** Benchmarks only: pooled (the router's behaviour) or fresh (a new DH key pair per exchange). */
  setDhPoolMode(mode: DhPoolMode): void {
    this.dhPool.setMode(mode);
  }

  /** Keys for Wireshark's tables: every SA so far, current or gone. */
  keys(): KeyMaterial {
    this.rememberKeys();
    return { isakmp: [...this.keyHistory.isakmp.values()], esp: [...this.keyHistory.esp.values()] };
  }
}
