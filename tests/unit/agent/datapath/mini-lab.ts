/**
 * The ted-spokes lab in memory, for the datapath tests: each spoke is its
 * kernel (the steering plan, evaluated by kernel-sim.ts, and its routing
 * table) plus its agent (the real Datapath and IKE engine); the transit
 * router only forwards. Hosts inject packets at a LAN; everything a router
 * routes out of its LAN is collected as delivered.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Datapath } from '../../../../src/agent/datapath/datapath.js';
import { ownAddresses, steeringPlan, TUN_IIF, type SteeringPlan } from '../../../../src/agent/datapath/plan.js';
import { IkeEngine, policyFromConfig, type IkeAction } from '../../../../src/agent/ike/index.js';
import { computeRoutes, formatIpv4, inPrefix, lookupRoute, parseConfig, parseIpv4, type Route } from '../../../../src/ios/index.js';
import { root } from '../../../root.js';
import { kernelStep, type Verdict } from './kernel-sim.js';

export interface Spoke {
  name: string;
  lan: string;
  wan: string;
  dp: Datapath;
  engine: IkeEngine;
  plan: SteeringPlan;
  routes: Route[];
  local: Set<number>;
  /** What the kernel did with each packet the spoke received (for assertions). */
  verdicts: Verdict[];
  /** Packets the agent asked to negotiate for. */
  acquires: number;
  /** What the agent logged. */
  logs: string[];
}

export interface Delivered {
  at: string;
  packet: Buffer;
}

export const spokeConfig = (n: number) => readFileSync(`${root}tests/fixtures/topologies/ted-spokes/spoke${n}.cfg`, 'utf8');

export class MiniLab {
  readonly spokes: Spoke[] = [];
  readonly delivered: Delivered[] = [];
  /** Everything that crossed the transit router. */
  readonly wan: Buffer[] = [];
  private readonly queue: { to: Spoke; iif: string; packet: Buffer }[] = [];
  private readonly written: { from: Spoke; packet: Buffer }[] = [];
  now = 1_000_000;

  /** `texts[i]` is spoke i+1's configuration (default: the fixture). */
  constructor(texts: string[] = [1, 2, 3].map(spokeConfig)) {
    texts.forEach((text, i) => this.spokes.push(this.spoke(i + 1, text)));
  }

  private spoke(n: number, text: string): Spoke {
    const { config } = parseConfig(text);
    const policy = policyFromConfig(config, { natTraversal: false });
    const routes = computeRoutes(config);
    const local = ownAddresses(config);
    const engine = new IkeEngine({ policy, random: randomBytes });
    const plan = steeringPlan({ policy, routes, links: config.interfaces.map((i) => i.name), own: local });
    const s: Spoke = {
      name: config.hostname,
      lan: `10.${n}.${n}.0/24`,
      wan: `192.168.${n}.2`,
      engine,
      plan,
      routes,
      local,
      verdicts: [],
      acquires: 0,
      logs: [],
      dp: undefined as unknown as Datapath,
    };
    const act = (actions: IkeAction[]) => {
      for (const a of actions) {
        if (a.kind === 'send') s.dp.sendUdp(a.from, a.to, a.payload);
        else if (a.kind === 'send-probe') s.dp.sendProbe(a.ipSource, a.ipDestination, a.sourcePort, a.destinationPort, a.payload);
        else if (a.kind === 'install-ipsec') s.dp.install(a.sa, a.replaces, a.supersededBy ?? null);
        else if (a.kind === 'delete-ipsec') s.dp.remove(a.inboundSpi, a.outboundSpi);
      }
    };
    s.dp = new Datapath({
      write: (p) => this.written.push({ from: s, packet: Buffer.from(p) }),
      isLocal: (a) => local.has(a),
      route: (d) => {
        const hit = lookupRoute(routes, d);
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
      act,
      log: (l) => s.logs.push(l),
      onAcquire: () => s.acquires++,
      now: () => this.now,
      random: randomBytes,
      adjustMss: (iface) => config.interfaces.find((i) => i.name === iface)?.adjustMss ?? null,
    });
    return s;
  }

  /** A host on spoke `n`'s LAN sends a packet to its router. */
  send(n: number, packet: Buffer): void {
    this.arrive(n, 'FastEthernet0/1', packet);
  }

  /** A packet arrives at spoke `n` by interface `iif`. */
  arrive(n: number, iif: string, packet: Buffer): void {
    this.queue.push({ to: this.spokes[n - 1]!, iif, packet });
    this.settle();
  }

  /** Run until nothing moves. */
  settle(): void {
    for (let round = 0; round < 200 && (this.queue.length > 0 || this.written.length > 0); round++) {
      for (const { from, packet } of this.written.splice(0)) this.receive(from, TUN_IIF, packet);
      for (const { to, iif, packet } of this.queue.splice(0)) this.receive(to, iif, packet);
    }
  }

  /** One packet through a spoke's kernel. */
  private receive(s: Spoke, iif: string, packet: Buffer): void {
    const { header: h, verdict, copy } = kernelStep(s.plan, iif, packet, s);
    if (iif !== TUN_IIF) s.verdicts.push(verdict);
    if (verdict === 'agent' || verdict === 'drop') {
      copy[8] = copy[8]! - 1; // forwarded into the tun device: one hop
      if (verdict === 'agent') s.dp.handle(copy);
      else s.dp.handleClearText(copy);
      return;
    }
    if (verdict === 'local') {
      this.delivered.push({ at: s.name, packet: copy });
      return;
    }
    if (verdict !== 'main') return;
    const out = lookupRoute(s.routes, h.destination)!;
    copy[8] = copy[8]! - 1; // forwarded (also what the agent wrote into its tun device)
    if (out.path.outInterface === 'FastEthernet0/1') {
      this.delivered.push({ at: `${s.name} LAN`, packet: copy });
      return;
    }
    // across the transit router to the spoke that owns the destination
    this.wan.push(copy);
    const to = this.spokes.find((x) => x.wan === formatIpv4(h.destination) || inPrefix(h.destination, parseIpv4(x.lan.split('/')[0]!), 24));
    if (to && to !== s) this.queue.push({ to, iif: 'FastEthernet0/0', packet: copy });
  }
}
