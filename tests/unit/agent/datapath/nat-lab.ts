/**
 * A branch router that translates and encrypts, an HQ router, and the
 * internet, in memory, for the NAT-order tests. Each router is its kernel
 * (the steering plan with its NAT part, evaluated by kernel-sim.ts, and its
 * routing table) and its agent (the real Datapath, NatPath and IKE engine).
 * The WAN 11.11.11.0/24 joins branch (.1), HQ (.2) and the internet's
 * gateway (.254); behind it, 198.51.100.0/24 is "the internet".
 */
import { randomBytes } from 'node:crypto';
import { AclFilter } from '../../../../src/agent/datapath/acl-filter.js';
import { Datapath } from '../../../../src/agent/datapath/datapath.js';
import { Nat } from '../../../../src/agent/datapath/nat/nat.js';
import { natPolicy } from '../../../../src/agent/datapath/nat/policy.js';
import { NatPath } from '../../../../src/agent/datapath/nat-order.js';
import { natSteering } from '../../../../src/agent/datapath/nat-plan.js';
import { ownAddresses, steeringPlan, TUN_IIF, type SteeringPlan } from '../../../../src/agent/datapath/plan.js';
import { IkeEngine, policyFromConfig, type IkeAction } from '../../../../src/agent/ike/index.js';
import { computeRoutes, formatIpv4, inPrefix, lookupRoute, parseConfig, parseIpv4, type Route } from '../../../../src/ios/index.js';
import { kernelStep } from './kernel-sim.js';

export interface LabRouter {
  name: string;
  dp: Datapath;
  nat: Nat;
  natPath: NatPath;
  /** The agent's check of the access groups (the kernel's chains are not simulated). */
  acl: AclFilter;
  engine: IkeEngine;
  plan: SteeringPlan;
  routes: Route[];
  local: Set<number>;
  logs: string[];
  debug: string[];
}

export interface Seen {
  /** Where the packet was seen: `wan`, `branch LAN`, `hq LAN`, `internet`, or a router's name (delivered to it). */
  at: string;
  packet: Buffer;
}

const net = (ip: number, cidr: string) => inPrefix(ip, parseIpv4(cidr.split('/')[0]!), Number(cidr.split('/')[1]));

export class NatLab {
  readonly routers: Record<'branch' | 'hq', LabRouter>;
  readonly seen: Seen[] = [];
  private readonly queue: { to: LabRouter; iif: string; packet: Buffer }[] = [];
  private readonly written: { from: LabRouter; packet: Buffer }[] = [];
  now = 1_000_000;

  constructor(branch: string, hq: string) {
    this.routers = { branch: this.router(branch), hq: this.router(hq) };
  }

  private router(text: string): LabRouter {
    const { config, diagnostics } = parseConfig(text);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) throw new Error(errors.map((d) => d.message).join('\n'));
    const policy = policyFromConfig(config, { natTraversal: false });
    const routes = computeRoutes(config);
    const local = ownAddresses(config);
    const engine = new IkeEngine({ policy, random: randomBytes });
    const nat = new Nat({ now: () => this.now, debug: (l) => r.debug.push(l), isRouterAddress: (a) => local.has(a) });
    const np = natPolicy(config);
    nat.setPolicy(np);
    const addresses = config.interfaces.flatMap((i) => (i.address ? [{ name: i.name, ...i.address }] : []));
    const plan = steeringPlan({ policy, routes, links: config.interfaces.map((i) => i.name), own: local, nat: natSteering(np, addresses) });
    const r: LabRouter = {
      name: config.hostname,
      engine,
      plan,
      routes,
      local,
      nat,
      logs: [],
      debug: [],
      dp: undefined as unknown as Datapath,
      natPath: undefined as unknown as NatPath,
      acl: undefined as unknown as AclFilter,
    };
    const act = (actions: IkeAction[]) => {
      for (const a of actions) {
        if (a.kind === 'send') r.dp.sendUdp(a.from, a.to, a.payload);
        else if (a.kind === 'install-ipsec') r.dp.install(a.sa, a.replaces);
        else if (a.kind === 'delete-ipsec') r.dp.remove(a.inboundSpi, a.outboundSpi);
      }
    };
    const route = (d: number) => {
      const hit = lookupRoute(routes, d);
      return hit
        ? {
            iface: hit.path.outInterface,
            nextHop: hit.path.gateway,
            mtu: 1500,
            address: config.interfaces.find((i) => i.name === hit.path.outInterface)?.address?.address ?? null,
          }
        : null;
    };
    r.dp = new Datapath({
      write: (p) => this.written.push({ from: r, packet: Buffer.from(p) }),
      isLocal: (a) => local.has(a),
      route,
      policy: () => policy,
      engine,
      act,
      log: (l) => r.logs.push(l),
      now: () => this.now,
      random: randomBytes,
    });
    r.natPath = new NatPath({ nat, datapath: r.dp, route, isLocal: (a) => local.has(a), now: () => this.now, log: (l) => r.logs.push(l) });
    r.acl = new AclFilter({
      config: () => config,
      sourceFor: (d) => {
        const a = route(d)?.address;
        return a ? parseIpv4(a) : null;
      },
      send: (p) => r.dp.sendOwn(p),
      log: (l) => r.logs.push(l),
      now: () => this.now,
    });
    r.dp.hooks = {
      untranslate: (p, iface) => r.natPath.untranslate(p, iface),
      permitIn: (p, iface) => r.acl.permits(p, iface, 'in'),
      permitOut: (p, iface) => r.acl.permits(p, iface, 'out'),
    };
    return r;
  }

  /** A packet arrives at a router by an interface (a host on its LAN: FastEthernet0/1). */
  arrive(router: 'branch' | 'hq', iif: string, packet: Buffer): void {
    this.queue.push({ to: this.routers[router], iif, packet });
    this.settle();
  }

  settle(): void {
    for (let round = 0; round < 200 && (this.queue.length > 0 || this.written.length > 0); round++) {
      for (const { from, packet } of this.written.splice(0)) this.receive(from, TUN_IIF, packet);
      for (const { to, iif, packet } of this.queue.splice(0)) this.receive(to, iif, packet);
    }
  }

  at(where: string): Buffer[] {
    return this.seen.filter((s) => s.at === where).map((s) => s.packet);
  }

  private receive(r: LabRouter, iif: string, packet: Buffer): void {
    const { header: h, verdict, copy } = kernelStep(r.plan, iif, packet, r);
    if (verdict === 'agent' || verdict === 'drop' || verdict === 'nat') {
      copy[8] = copy[8]! - 1; // forwarded into a tun device: one hop
      if (verdict === 'agent') r.dp.handle(copy);
      else if (verdict === 'drop') r.dp.handleClearText(copy);
      else r.natPath.handle(copy);
      return;
    }
    if (verdict === 'local') {
      this.seen.push({ at: r.name, packet: copy });
      return;
    }
    if (verdict !== 'main') return;
    const out = lookupRoute(r.routes, h.destination)!;
    copy[8] = copy[8]! - 1;
    if (out.path.outInterface === 'FastEthernet0/1') {
      this.seen.push({ at: `${r.name} LAN`, packet: copy });
      return;
    }
    this.seen.push({ at: 'wan', packet: copy });
    const d = h.destination;
    if (formatIpv4(d) === '11.11.11.2' || net(d, '10.2.2.0/24')) this.queue.push({ to: this.routers.hq, iif: 'FastEthernet0/0', packet: copy });
    else if (formatIpv4(d) === '11.11.11.1' || net(d, '10.1.1.0/24')) this.queue.push({ to: this.routers.branch, iif: 'FastEthernet0/0', packet: copy });
    else this.seen.push({ at: 'internet', packet: copy });
  }
}

const CRYPTO = (peer: string, acl: string) => `crypto isakmp policy 10
 encryption 3des
 authentication pre-share
 group 2
crypto isakmp key lab123 address ${peer}
crypto ipsec transform-set ts esp-3des esp-sha-hmac
crypto map vpn 10 ipsec-isakmp
 set peer ${peer}
 set transform-set ts
 match address ${acl}
`;

/** The branch: NAT through route map NONAT (or `nat` as given), a static crypto map to HQ for LAN to LAN. */
export function branchConfig(nat: string, cryptoAcl = 'access-list 110 permit ip 10.1.1.0 0.0.0.255 10.2.2.0 0.0.0.255'): string {
  return `hostname branch
${CRYPTO('11.11.11.2', '110')}interface FastEthernet0/0
 ip address 11.11.11.1 255.255.255.0
 ip nat outside
 crypto map vpn
interface FastEthernet0/1
 ip address 10.1.1.1 255.255.255.0
 ip nat inside
ip route 0.0.0.0 0.0.0.0 11.11.11.254
ip route 10.2.2.0 255.255.255.0 11.11.11.2
${cryptoAcl}
${nat}
`;
}

export function hqConfig(cryptoAcl = 'access-list 110 permit ip 10.2.2.0 0.0.0.255 10.1.1.0 0.0.0.255', wanLines = ''): string {
  return `hostname hq
${CRYPTO('11.11.11.1', '110')}interface FastEthernet0/0
 ip address 11.11.11.2 255.255.255.0${wanLines}
 crypto map vpn
interface FastEthernet0/1
 ip address 10.2.2.1 255.255.255.0
ip route 0.0.0.0 0.0.0.0 11.11.11.254
ip route 10.1.1.0 255.255.255.0 11.11.11.1
${cryptoAcl}
`;
}

export const EXEMPTION = `access-list 120 deny ip 10.1.1.0 0.0.0.255 10.2.2.0 0.0.0.255
access-list 120 permit ip 10.1.1.0 0.0.0.255 any
route-map NONAT permit 10
 match ip address 120
ip nat inside source route-map NONAT interface FastEthernet0/0 overload`;

/** The classic mistake: the NAT access list has no deny line for the VPN. */
export const NO_EXEMPTION = `access-list 1 permit 10.1.1.0 0.0.0.255
ip nat inside source list 1 interface FastEthernet0/0 overload`;
