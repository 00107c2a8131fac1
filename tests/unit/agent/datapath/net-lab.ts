/**
 * Any number of routers in memory, for the datapath tests: each router is its
 * kernel (the steering plan, evaluated by kernel-sim.ts, and its routing
 * table) plus its agent (the real Datapath and IKE engine, seeded). Routers
 * whose interfaces share a subnet are on one segment; a packet routed to an
 * address no router has is delivered to the host on that segment. Time is
 * simulated: `run` carries packets and fires the engines' timers in order.
 */
import { readFileSync } from 'node:fs';
import { Datapath } from '../../../../src/agent/datapath/datapath.js';
import { peekIpv4 } from '../../../../src/agent/datapath/packet.js';
import { ownAddresses, steeringPlan, TUN_IIF, type SteeringPlan } from '../../../../src/agent/datapath/plan.js';
import { IkeEngine, policyFromConfig, type IkeAction } from '../../../../src/agent/ike/index.js';
import {
  computeRoutes,
  formatIpv4,
  inPrefix,
  lookupRoute,
  maskToPrefix,
  parseConfig,
  parseIpv4,
  RouteIndex,
  type Route,
  type RouterConfig,
} from '../../../../src/ios/index.js';
import { root } from '../../../root.js';
import { seededRandom } from '../ike/helpers.js';
import { kernelStep, type Verdict } from './kernel-sim.js';

export interface LabRouter {
  readonly name: string;
  readonly config: RouterConfig;
  readonly engine: IkeEngine;
  readonly dp: Datapath;
  readonly plan: SteeringPlan;
  readonly routes: Route[];
  readonly local: Set<number>;
  /** What the kernel did with each packet that arrived by an interface. */
  readonly verdicts: Verdict[];
  /** Every action the engine returned, in order. */
  readonly actions: IkeAction[];
  /** What the agent logged. */
  readonly logs: string[];
  acquires: number;
}

export interface Delivered {
  /** The router whose LAN the packet was delivered on. */
  readonly by: string;
  readonly packet: Buffer;
}

/** A configuration under tests/fixtures/topologies/. */
export const fixtureConfig = (path: string) => readFileSync(`${root}tests/fixtures/topologies/${path}`, 'utf8');

export class NetLab {
  readonly routers = new Map<string, LabRouter>();
  readonly delivered: Delivered[] = [];
  /** Every packet that crossed a link between two routers, with the sender. */
  readonly links: { from: string; to: string; packet: Buffer }[] = [];
  private readonly queue: { to: LabRouter; iif: string; packet: Buffer }[] = [];
  private readonly written: { from: LabRouter; packet: Buffer }[] = [];
  /** The router owning each interface address. */
  private readonly owners = new Map<number, { router: LabRouter; iface: string }>();
  now = 1_000_000;
  /** When set, a packet arriving at a router for which it returns true is kept in `held` instead. */
  hold: ((to: LabRouter, packet: Buffer) => boolean) | null = null;
  readonly held: { to: LabRouter; iif: string; packet: Buffer }[] = [];

  /** Routers from their configurations; each engine draws from its own seeded random source. */
  constructor(configs: readonly string[], seed = 1) {
    configs.forEach((text, i) => this.add(text, seed * 1000 + i));
  }

  private add(text: string, seed: number): void {
    const { config, diagnostics } = parseConfig(text);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) throw new Error(`${config.hostname}: ${JSON.stringify(errors)}`);
    const policy = policyFromConfig(config, { natTraversal: false });
    const routes = computeRoutes(config);
    const local = ownAddresses(config);
    const random = seededRandom(seed);
    const engine = new IkeEngine({ policy, random });
    // route lookups as the router's IPsec service makes them
    const index = new RouteIndex(routes);
    const route = (d: number) => index.lookup(d);
    const plan = steeringPlan({ policy, routes, links: config.interfaces.map((i) => i.name), own: local });
    const r: LabRouter = {
      name: config.hostname,
      config,
      engine,
      plan,
      routes,
      local,
      verdicts: [],
      actions: [],
      logs: [],
      acquires: 0,
      dp: undefined as unknown as Datapath,
    };
    const dp = new Datapath({
      write: (p) => this.written.push({ from: r, packet: Buffer.from(p) }),
      isLocal: (a) => local.has(a),
      route: (d) => {
        const hit = route(d);
        return hit
          ? {
              iface: hit.path.outInterface,
              nextHop: hit.path.gateway,
              mtu: 1500,
              address: config.interfaces.find((i) => i.name === hit.path.outInterface)?.address?.address ?? null,
            }
          : null;
      },
      policy: () => policy,
      engine,
      act: (actions) => this.act(r, actions),
      log: (l) => r.logs.push(l),
      onAcquire: () => r.acquires++,
      now: () => this.now,
      random,
    });
    (r as { dp: Datapath }).dp = dp;
    this.routers.set(r.name, r);
    for (const i of config.interfaces) if (i.address) this.owners.set(parseIpv4(i.address.address), { router: r, iface: i.name });
  }

  router(name: string): LabRouter {
    const r = this.routers.get(name);
    if (!r) throw new Error(`no router ${name}`);
    return r;
  }

  /** Carries out a router's engine actions, as src/agent/router/ipsec.ts does. */
  act(r: LabRouter, actions: readonly IkeAction[]): void {
    for (const a of actions) {
      r.actions.push(a);
      if (a.kind === 'send') r.dp.sendUdp(a.from, a.to, a.payload);
      else if (a.kind === 'send-probe') r.dp.sendProbe(a.ipSource, a.ipDestination, a.sourcePort, a.destinationPort, a.payload);
      else if (a.kind === 'install-ipsec') r.dp.install(a.sa, a.replaces, a.supersededBy ?? null);
      else if (a.kind === 'delete-ipsec') r.dp.remove(a.inboundSpi, a.outboundSpi);
    }
  }

  /** A host sends a packet to its router (the router's interface on the source's subnet); `settle` false leaves it queued, so that two hosts can send at the same moment. */
  send(router: string, packet: Buffer, settle = true): void {
    const r = this.router(router);
    const src = peekIpv4(packet)!.source;
    const iface = r.config.interfaces.find((i) => i.address && inPrefix(src, parseIpv4(i.address.address), maskToPrefix(parseIpv4(i.address.mask))));
    if (!iface) throw new Error(`${router} has no interface on the subnet of ${formatIpv4(src)}`);
    this.queue.push({ to: r, iif: iface.name, packet });
    if (settle) this.settle();
  }

  /** Carries packets until none moves (no time passes). */
  settle(): void {
    for (let round = 0; this.queue.length > 0 || this.written.length > 0; round++) {
      if (round > 10_000) throw new Error('net-lab: packets keep moving');
      for (const { from, packet } of this.written.splice(0)) this.receive(from, TUN_IIF, packet);
      for (const { to, iif, packet } of this.queue.splice(0)) this.receive(to, iif, packet);
    }
  }

  /** Runs until `until`: packets first, then the earliest engine timer, and so on. */
  run(until: number): void {
    this.settle();
    for (let guard = 0; guard < 1_000_000; guard++) {
      let next = Infinity;
      for (const r of this.routers.values()) next = Math.min(next, r.engine.nextDeadline() ?? Infinity);
      if (next > until) {
        this.now = Math.max(this.now, until);
        return;
      }
      this.now = Math.max(this.now, next);
      for (const r of this.routers.values()) {
        const d = r.engine.nextDeadline();
        if (d !== null && d <= this.now) this.act(r, r.engine.tick(this.now));
      }
      this.settle();
    }
    throw new Error('net-lab: too many timer steps');
  }

  /** A packet the kernel hands to a router's agent (the tun device), as `receive` would. */
  agent(r: LabRouter, packet: Buffer): void {
    const copy = Buffer.from(packet);
    copy[8] = copy[8]! - 1;
    r.dp.handle(copy);
  }

  /** One packet through a router's kernel. */
  private receive(r: LabRouter, iif: string, packet: Buffer): void {
    if (iif !== TUN_IIF && this.hold?.(r, packet)) {
      this.held.push({ to: r, iif, packet });
      return;
    }
    const { header: h, verdict, copy } = kernelStep(r.plan, iif, packet, r);
    if (iif !== TUN_IIF) r.verdicts.push(verdict);
    if (verdict === 'agent' || verdict === 'drop') {
      copy[8] = copy[8]! - 1; // forwarded into a tun device: one hop
      if (verdict === 'agent') r.dp.handle(copy);
      else r.dp.handleClearText(copy);
      return;
    }
    if (verdict === 'local') {
      this.delivered.push({ by: r.name, packet: copy });
      return;
    }
    if (verdict !== 'main') return;
    const out = lookupRoute(r.routes, h.destination)!;
    copy[8] = copy[8]! - 1;
    const nextHop = out.path.gateway ? parseIpv4(out.path.gateway) : h.destination;
    const owner = this.owners.get(nextHop);
    if (owner && owner.router !== r) {
      this.links.push({ from: r.name, to: owner.router.name, packet: copy });
      this.queue.push({ to: owner.router, iif: owner.iface, packet: copy });
      return;
    }
    this.delivered.push({ by: r.name, packet: copy });
  }
}
