/**
 * Routers in memory for the fuzz targets: each is the router's real IKE
 * engine and datapath (what the agent runs in a container), wired as
 * src/agent/router/ipsec.ts wires them, with seeded randomness. They share
 * one WAN; packets the datapaths write are delivered by address: to the
 * router that owns the destination (ESP and IKE to its datapath, as the
 * steering rules hand them over), to the router whose LAN holds it (a TED
 * probe to its datapath as transit UDP/500, anything else to that LAN), or
 * to the writer's own LAN (decrypted traffic). One router may sit behind a
 * NAT (addresses and UDP ports rewritten). Timers fire as simulated time
 * passes. Each router records what the fuzz invariants look at: drops
 * reporting an internal error, the datapath's safety net, the work the
 * engine did per datagram, installs and deletes.
 */
import { Buffer } from 'node:buffer';
import { Datapath, type RouteInfo } from '../../src/agent/datapath/datapath.js';
import { peekIpv4 } from '../../src/agent/datapath/packet.js';
import type { IkeLimits } from '../../src/agent/ike/limits.js';
import { policyFromConfig, type IkePolicy, type PolicyOptions } from '../../src/agent/ike/policy.js';
import type { AcquireTrigger, Datagram, IkeAction, TransitProbe } from '../../src/agent/ike/types.js';
import { IkeEngine } from '../../src/agent/ike/v1/engine.js';
import { internetChecksum } from '../../src/codecs/net/checksum.js';
import { IPPROTO_ESP, IPPROTO_UDP } from '../../src/codecs/net/ipv4.js';
import { computeRoutes, inPrefix, lookupRoute, maskToPrefix, parseConfig, parseIpv4, type Route, type RouterConfig } from '../../src/ios/index.js';
import type { Rng } from './prng.js';
import { countWork } from '../../tests/unit/agent/work.js';

export interface RouterSpec {
  readonly name: string;
  /** The IOS configuration (errors in it are the harness's fault: they throw). */
  readonly config: string;
  readonly options?: PolicyOptions;
}

/**
 * Work of the engine for the datagrams of one input, counted by countWork
 * (every element a Map, Set or Array yields to an iteration, every array a
 * callback method walks): a loop over a table shows as work that grows
 * with the table.
 */
export interface InputWork {
  visits: number;
  /** Engine calls measured (datagrams, acquires, ticks ... with the next-deadline read after each). */
  calls: number;
}

export class LabRouter {
  readonly config: RouterConfig;
  readonly policy: IkePolicy;
  readonly engine: IkeEngine;
  readonly dp: Datapath;
  readonly local = new Set<number>();
  /** The address of the interface with a crypto map (the WAN). */
  readonly wan: number;
  /** Subnets of the other interfaces. */
  readonly lans: { network: number; length: number }[] = [];
  readonly routes: Route[];
  /** Since the last reset: drops with an internal error, datapath safety-net log lines, installs and deletes. */
  internalErrors: string[] = [];
  safetyNet: string[] = [];
  installs = 0;
  deletes = 0;
  /** Actions by kind since the last reset. */
  kinds: Record<string, number> = {};
  work: InputWork = { visits: 0, calls: 0 };
  /** Every install-ipsec and delete-ipsec, in order, with the rest of the actions when `keepActions`. */
  actions: IkeAction[] = [];
  keepActions = false;
  /** Packets delivered to this router's LAN and to itself, since the last reset. */
  lanSink: Buffer[] = [];
  selfSink = 0;

  constructor(
    readonly lab: Lab,
    readonly name: string,
    spec: RouterSpec,
    rng: Rng,
  ) {
    const parsed = parseConfig(spec.config);
    const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) throw new Error(`${name}: config errors ${JSON.stringify(errors.map((e) => e.text))}`);
    this.config = parsed.config;
    this.policy = policyFromConfig(parsed.config, spec.options ?? {});
    this.engine = new IkeEngine({ policy: this.policy, random: rng.fork().source() });
    this.routes = computeRoutes(parsed.config);
    let wan: number | null = null;
    for (const i of parsed.config.interfaces) {
      if (!i.address) continue;
      const a = parseIpv4(i.address.address);
      this.local.add(a);
      if (i.cryptoMap) wan ??= a;
      else this.lans.push({ network: parseIpv4(i.address.address), length: maskToPrefix(parseIpv4(i.address.mask)) });
    }
    if (wan === null) throw new Error(`${name}: no interface with a crypto map`);
    this.wan = wan;
    const engine = this.engine;
    const measured = <T>(f: () => T): T => {
      const { result, work } = countWork(() => {
        const out = f();
        engine.nextDeadline(); // the agent reads it after every datagram
        return out;
      });
      this.work.visits += work;
      this.work.calls++;
      return result;
    };
    const port = {
      acquire: (t: AcquireTrigger, now: number) => measured(() => engine.acquire(t, now)),
      receive: (d: Datagram, now: number) => measured(() => engine.receive(d, now)),
      receiveTransitProbe: (p: TransitProbe, now: number) => measured(() => engine.receiveTransitProbe(p, now)),
    };
    const dpRandom = rng.fork().source();
    this.dp = new Datapath({
      write: (p) => lab.written(this, Buffer.from(p)),
      isLocal: (a) => this.local.has(a),
      route: (d) => this.route(d),
      policy: () => this.policy,
      engine: port,
      act: (actions) => this.act(actions),
      log: (text) => {
        if (text.startsWith('%TESTBED-3-DATAPATH')) this.safetyNet.push(text);
      },
      now: () => lab.now,
      random: dpRandom,
    });
  }

  /** Carries out the engine's actions as router/ipsec.ts does. */
  act(actions: readonly IkeAction[]): void {
    for (const a of actions) {
      this.kinds[a.kind] = (this.kinds[a.kind] ?? 0) + 1;
      if (a.kind === 'send') this.dp.sendUdp(a.from, a.to, a.payload);
      else if (a.kind === 'send-probe') this.dp.sendProbe(a.ipSource, a.ipDestination, a.sourcePort, a.destinationPort, a.payload);
      else if (a.kind === 'install-ipsec') {
        this.dp.install(a.sa, a.replaces);
        this.installs++;
      } else if (a.kind === 'delete-ipsec') {
        this.dp.remove(a.inboundSpi, a.outboundSpi);
        this.deletes++;
      } else if (a.kind === 'drop' && a.reason.startsWith('internal error')) this.internalErrors.push(a.reason);
      if (this.keepActions || a.kind === 'install-ipsec' || a.kind === 'delete-ipsec') this.actions.push(a);
    }
  }

  private route(destination: number): RouteInfo | null {
    const hit = lookupRoute(this.routes, destination);
    if (!hit) return null;
    const iface = hit.path.outInterface;
    const address = this.config.interfaces.find((i) => i.name === iface)?.address?.address ?? null;
    return { iface, nextHop: hit.path.gateway, mtu: 1500, address };
  }

  /** SAs the last input created or removed (installs, deletes, phase 1 up, down or failed): what its work may grow with. */
  get changes(): number {
    const k = this.kinds;
    return this.installs + this.deletes + (k['phase1-up'] ?? 0) + (k['phase1-down'] ?? 0) + (k.fail ?? 0);
  }

  ownsLan(address: number): boolean {
    return this.lans.some((l) => inPrefix(address, l.network, l.length));
  }

  /** Clears what the invariants read per input. */
  reset(): void {
    this.internalErrors = [];
    this.safetyNet = [];
    this.installs = 0;
    this.deletes = 0;
    this.kinds = {};
    this.work = { visits: 0, calls: 0 };
    this.actions = [];
    this.lanSink = [];
    this.selfSink = 0;
  }
}

export interface Nat {
  readonly inside: LabRouter;
  readonly publicAddress: number;
}

const NAT_PORT_OFFSET = 10_000;

/** Rewrites addresses (and UDP ports) of an IPv4 packet in place, fixing the header checksum; UDP checksums become 0 (allowed for IPv4). */
function rewrite(p: Buffer, source: number | null, destination: number | null, sport: number | null, dport: number | null): void {
  const hl = (p[0]! & 0x0f) * 4;
  if (source !== null) p.writeUInt32BE(source >>> 0, 12);
  if (destination !== null) p.writeUInt32BE(destination >>> 0, 16);
  p.writeUInt16BE(0, 10);
  p.writeUInt16BE(internetChecksum(p.subarray(0, hl)), 10);
  if (p[9] === IPPROTO_UDP && p.length >= hl + 8) {
    if (sport !== null) p.writeUInt16BE(sport, hl);
    if (dport !== null) p.writeUInt16BE(dport, hl + 2);
    p.writeUInt16BE(0, hl + 6);
  }
}

export class Lab {
  now = 1_000_000;
  readonly routers: LabRouter[] = [];
  nat: Nat | null = null;
  /** Packets that reached no router, and clear text that crossed the WAN into a LAN. */
  unroutable = 0;
  clearAcrossWan = 0;
  /** When set, every packet that crosses the WAN (after the NAT) is copied here: the corpus recorder. */
  capture: Buffer[] | null = null;
  private readonly queue: { from: LabRouter; packet: Buffer }[] = [];
  private settling = false;

  constructor(private readonly rng: Rng) {}

  add(spec: RouterSpec): LabRouter {
    const r = new LabRouter(this, spec.name, spec, this.rng.fork());
    this.routers.push(r);
    return r;
  }

  router(name: string): LabRouter {
    const r = this.routers.find((x) => x.name === name);
    if (!r) throw new Error(`no router ${name}`);
    return r;
  }

  /** Puts `inside` behind a NAT whose public address is `publicAddress`. */
  natBehind(inside: LabRouter, publicAddress: string): void {
    this.nat = { inside, publicAddress: parseIpv4(publicAddress) };
  }

  /** A datapath wrote a packet. */
  written(from: LabRouter, packet: Buffer): void {
    this.queue.push({ from, packet });
    if (!this.settling) this.settle();
  }

  /** A host on `r`'s LAN sends `packet` (it is routed out of the crypto interface: the agent gets it). */
  hostSend(r: LabRouter, packet: Buffer): void {
    r.dp.handle(Buffer.from(packet));
    this.settle();
  }

  /** A packet arrives at `r` from the WAN and is steered to its datapath. */
  arrive(r: LabRouter, packet: Buffer): void {
    r.dp.handle(packet);
    this.settle();
  }

  settle(): void {
    if (this.settling) return;
    this.settling = true;
    try {
      for (let n = 0; this.queue.length > 0; n++) {
        if (n > 100_000) throw new Error('lab: packets keep bouncing');
        const { from, packet } = this.queue.shift()!;
        this.deliver(from, packet);
      }
    } finally {
      this.settling = false;
    }
  }

  private deliver(from: LabRouter, packet: Buffer): void {
    const p = peekIpv4(packet);
    if (!p) {
      this.unroutable++;
      return;
    }
    if (from.ownsLan(p.destination)) {
      from.lanSink.push(packet);
      return;
    }
    if (from.local.has(p.destination)) {
      from.selfSink++;
      return;
    }
    let dst = p.destination;
    const nat = this.nat;
    if (nat && from === nat.inside && p.source === from.wan) {
      const sport = p.protocol === IPPROTO_UDP && p.sourcePort !== undefined ? p.sourcePort + NAT_PORT_OFFSET : null;
      rewrite(packet, nat.publicAddress, null, sport, null);
    } else if (nat && dst === nat.publicAddress) {
      const dport = p.protocol === IPPROTO_UDP && p.destinationPort !== undefined ? p.destinationPort - NAT_PORT_OFFSET : null;
      if (dport !== null && dport !== 500 && dport !== 4500) {
        this.unroutable++;
        return;
      }
      rewrite(packet, null, nat.inside.wan, null, dport);
      dst = nat.inside.wan;
    }
    this.capture?.push(Buffer.from(packet));
    const owner = this.routers.find((r) => r !== from && r.local.has(dst));
    const steered = p.protocol === IPPROTO_ESP || (p.protocol === IPPROTO_UDP && !p.laterFragment);
    if (owner) {
      if (steered) owner.dp.handle(packet);
      else owner.selfSink++;
      return;
    }
    const lanOwner = this.routers.find((r) => r !== from && r.ownsLan(dst));
    if (!lanOwner) {
      this.unroutable++;
      return;
    }
    if (p.protocol === IPPROTO_UDP && p.destinationPort === 500) {
      lanOwner.dp.handle(packet); // a TED probe crossing the router
      return;
    }
    this.clearAcrossWan++;
    lanOwner.lanSink.push(packet);
  }

  /** Time passes: each engine's timers fire when due, in order, and reassembly times out. */
  advance(ms: number): void {
    const until = this.now + ms;
    for (let guard = 0; guard < 100_000; guard++) {
      let next: LabRouter | null = null;
      let at = Infinity;
      for (const r of this.routers) {
        const d = r.engine.nextDeadline();
        if (d !== null && d < at) {
          at = d;
          next = r;
        }
      }
      if (!next || at > until) break;
      this.now = Math.max(this.now, at);
      next.act(next.engine.tick(this.now));
      this.settle();
    }
    this.now = until;
    for (const r of this.routers) r.dp.sweep(this.now);
  }

  resetAll(): void {
    for (const r of this.routers) r.reset();
  }
}

export type { IkeLimits };
