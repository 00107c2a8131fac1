/**
 * The gre-ipsec lab in memory, for the GRE tests: two routers, each its
 * kernel (the steering plan evaluated by kernel-sim.ts, its routing table
 * with the tunnel's routes while it is up, the tunnel device as a route out
 * of Tunnel0) plus its agent (the real Datapath, IKE engine and GreTunnels).
 * Hosts inject packets at a LAN; what a router routes out of its LAN is
 * delivered; the WAN can be cut.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Datapath } from '../../../../src/agent/datapath/datapath.js';
import { GreTunnels, type GreTunnelSpec } from '../../../../src/agent/datapath/gre.js';
import { ownAddresses, steeringPlan, TUN_IIF, type SteeringPlan } from '../../../../src/agent/datapath/plan.js';
import { IkeEngine, policyFromConfig, type IkeAction } from '../../../../src/agent/ike/index.js';
import { computeRoutes, inPrefix, lookupRoute, parseConfig, parseIpv4, tunnelStates, type Route, type RouterConfig } from '../../../../src/ios/index.js';
import { root } from '../../../root.js';
import { kernelStep } from './kernel-sim.js';

export const labConfig = (name: 'hq' | 'branch') => readFileSync(`${root}topologies/gre-ipsec/${name}.cfg`, 'utf8');

export interface GreRouter {
  name: string;
  config: RouterConfig;
  lan: string;
  dp: Datapath;
  gre: GreTunnels;
  engine: IkeEngine;
  plan: SteeringPlan;
  routes: Route[];
  local: Set<number>;
  logs: string[];
  /** Keepalive state changes the agent reported: [tunnel, down]. */
  keepalive: [string, boolean][];
}

export class GreLab {
  readonly routers: GreRouter[];
  readonly delivered: { at: string; packet: Buffer }[] = [];
  /** Every packet that crossed the WAN. */
  readonly wan: Buffer[] = [];
  wanUp = true;
  now = 1_000_000;
  private readonly queue: { to: GreRouter; iif: string; packet: Buffer }[] = [];

  /** `texts`: the two configurations (default: the lab's). */
  constructor(texts: [string, string] = [labConfig('hq'), labConfig('branch')]) {
    this.routers = texts.map((text, i) => this.router(text, i === 0 ? '10.1.1.0/24' : '10.2.2.0/24'));
  }

  private router(text: string, lan: string): GreRouter {
    const { config } = parseConfig(text);
    const policy = policyFromConfig(config, { natTraversal: false });
    const engine = new IkeEngine({ policy, random: randomBytes });
    const local = ownAddresses(config);
    const r: GreRouter = {
      name: config.hostname,
      config,
      lan,
      engine,
      local,
      logs: [],
      keepalive: [],
      routes: [],
      plan: undefined as never,
      dp: undefined as never,
      gre: undefined as never,
    };
    const act = (actions: IkeAction[]) => {
      for (const a of actions) {
        if (a.kind === 'send') r.dp.sendUdp(a.from, a.to, a.payload);
        else if (a.kind === 'install-ipsec') r.dp.install(a.sa, a.replaces);
        else if (a.kind === 'delete-ipsec') r.dp.remove(a.inboundSpi, a.outboundSpi);
      }
    };
    r.gre = new GreTunnels({
      deliver: (tunnel, packet) => this.queue.push({ to: r, iif: tunnel, packet: Buffer.from(packet) }),
      originate: (packet, crypto) => r.dp.originate(Buffer.from(packet), crypto),
      keepaliveChanged: (tunnel, down) => {
        r.keepalive.push([tunnel, down]);
        this.reconfigure(r);
      },
      now: () => this.now,
      isLocal: (a) => local.has(a),
    });
    r.dp = new Datapath({
      write: (p) => this.queue.push({ to: r, iif: TUN_IIF, packet: Buffer.from(p) }),
      isLocal: (a) => local.has(a),
      route: (d) => {
        const hit = lookupRoute(r.routes, d);
        const out = hit ? config.interfaces.find((i) => i.name === hit.path.outInterface) : undefined;
        return hit
          ? { iface: hit.path.outInterface, nextHop: hit.path.gateway, mtu: out?.ipMtu ?? out?.mtu ?? 1500, address: out?.address?.address ?? null }
          : null;
      },
      policy: () => policy,
      engine,
      act,
      log: (l) => r.logs.push(l),
      now: () => this.now,
      random: randomBytes,
      gre: r.gre,
      adjustMss: (iface) => r.config.interfaces.find((i) => i.name === iface)?.adjustMss ?? null,
    });
    this.reconfigure(r, policy);
    return r;
  }

  /** Tunnel states, routes, steering plan and the tunnels' specs, as the agent recomputes them. */
  reconfigure(r: GreRouter, policy = policyFromConfig(r.config, { natTraversal: false })): void {
    const states = tunnelStates(r.config, undefined, (n) => r.gre.keepaliveDown(n));
    r.routes = computeRoutes(r.config, (n) => !n.startsWith('Tunnel') || states.some((s) => s.name === n && s.up));
    const specs: GreTunnelSpec[] = states
      .filter((s) => s.source && s.destination)
      .map((s) => {
        const i = r.config.interfaces.find((x) => x.name === s.name)!;
        return {
          name: s.name,
          source: parseIpv4(s.source!),
          destination: parseIpv4(s.destination!),
          key: i.tunnel!.key,
          checksum: i.tunnel!.checksum,
          keepalive: i.keepalive,
          up: s.up,
          reachable: s.up || s.reason === 'keepalive',
          cryptoMap: i.cryptoMap !== null,
          adjustMss: i.adjustMss,
        };
      });
    r.gre.configure(specs);
    r.plan = steeringPlan({
      policy,
      routes: r.routes,
      links: ['FastEthernet0/0', 'FastEthernet0/1'],
      own: r.local,
      greEndpoints: states.flatMap((s) => (s.source ? [s.source] : [])),
    });
    r.dp.policyChanged();
  }

  /** A host on router `n`'s LAN sends a packet. */
  send(n: number, packet: Buffer): void {
    this.queue.push({ to: this.routers[n]!, iif: 'FastEthernet0/1', packet });
    this.settle();
  }

  /** Time passes: keepalives that are due. */
  tick(ms: number): void {
    this.now += ms;
    for (const r of this.routers) r.gre.tick(this.now);
    this.settle();
  }

  settle(): void {
    for (let round = 0; round < 400 && this.queue.length > 0; round++) {
      for (const { to, iif, packet } of this.queue.splice(0)) this.receive(to, iif, packet);
    }
  }

  private receive(r: GreRouter, iif: string, packet: Buffer): void {
    const { header: h, verdict, copy } = kernelStep(r.plan, iif, packet, r);
    if (verdict === 'agent' || verdict === 'drop') {
      copy[8] = copy[8]! - 1;
      if (verdict === 'agent') r.dp.handle(copy);
      else r.dp.handleClearText(copy);
      return;
    }
    if (verdict === 'local') {
      this.delivered.push({ at: r.name, packet: copy });
      return;
    }
    if (verdict !== 'main') return;
    const out = lookupRoute(r.routes, h.destination)!;
    copy[8] = copy[8]! - 1;
    const iface = out.path.outInterface;
    if (iface === 'Tunnel0') {
      r.gre.send('Tunnel0', copy);
      return;
    }
    if (iface === 'FastEthernet0/1') {
      this.delivered.push({ at: `${r.name} LAN`, packet: copy });
      return;
    }
    if (!this.wanUp) return;
    this.wan.push(copy);
    const other = this.routers.find((x) => x !== r && (x.local.has(h.destination) || inPrefix(h.destination, parseIpv4(x.lan.split('/')[0]!), 24)));
    if (other) this.queue.push({ to: other, iif: 'FastEthernet0/0', packet: copy });
  }
}
