/**
 * Test helpers: a seeded random source, IOS configs for two routers, and a
 * tiny deterministic "wire" that carries the engines' send actions to each
 * other in simulated time, and can drop, duplicate, delay, corrupt or NAT
 * packets on the way.
 */
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../../../src/ios/index.js';
import { IkeEngine } from '../../../../src/agent/ike/v1/engine.js';
import { policyFromConfig, type PolicyOptions } from '../../../../src/agent/ike/policy.js';
import type { AcquireTrigger, Endpoint, IkeAction, RandomSource } from '../../../../src/agent/ike/types.js';

/** A seeded xorshift128+ byte source. */
export function seededRandom(seed: number): RandomSource {
  let s0 = BigInt(seed) * 0x9e3779b97f4a7c15n + 1n;
  let s1 = (BigInt(seed) ^ 0xdeadbeefcafebaben) | 1n;
  const mask = (1n << 64n) - 1n;
  const next = (): bigint => {
    let x = s0;
    const y = s1;
    s0 = y;
    x ^= (x << 23n) & mask;
    s1 = x ^ y ^ (x >> 17n) ^ (y >> 26n);
    return (s1 + y) & mask;
  };
  return (n: number) => {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i += 8) {
      const v = next();
      for (let j = 0; j < 8 && i + j < n; j++) out[i + j] = Number((v >> BigInt(8 * j)) & 0xffn);
    }
    return out;
  };
}

/** The seed configurations (topologies/daphne-fred), read relative to dist/tests/unit/agent/ike. */
export function seedConfig(name: 'daphne' | 'fred'): string {
  return readFileSync(new URL(`../../../../../topologies/daphne-fred/${name}.cfg`, import.meta.url), 'utf8');
}

export function engineFromConfig(text: string, seed: number, options: PolicyOptions = {}): IkeEngine {
  const { config, diagnostics } = parseConfig(text);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`config errors: ${JSON.stringify(errors)}`);
  return new IkeEngine({ policy: policyFromConfig(config, options), random: seededRandom(seed) });
}

export interface SiteOptions {
  readonly hostname: string;
  readonly wan: string;
  readonly lan: string;
  readonly peer: string;
  readonly localNet: string;
  readonly remoteNet: string;
  readonly isakmp?: string;
  readonly key?: string;
  readonly transform?: string;
  readonly pfs?: string | null;
  readonly extra?: string;
  readonly mapExtra?: string;
  /** Use a dynamic map (responder only) instead of `set peer`. */
  readonly dynamic?: boolean;
  readonly aggressivePassword?: string;
  readonly keepalive?: string;
  readonly lifetime?: string;
}

/** A router config with one static crypto map entry toward `peer` (or a dynamic map). */
export function siteConfig(o: SiteOptions): string {
  const isakmp = o.isakmp ?? ' authentication pre-share';
  const pfs = o.pfs ? ` set pfs ${o.pfs}\n` : '';
  const body = ` set transform-set ts\n${pfs} match address 101\n${o.mapExtra ?? ''}`;
  const map = o.dynamic
    ? `crypto dynamic-map dmap 10\n${body}crypto map cm 10 ipsec-isakmp dynamic dmap\n`
    : `crypto map cm 10 ipsec-isakmp\n set peer ${o.peer}\n${body}`;
  const agg = o.aggressivePassword ? `crypto isakmp peer address ${o.peer}\n set aggressive-mode password ${o.aggressivePassword}\n` : '';
  return [
    `hostname ${o.hostname}`,
    `crypto isakmp policy 10`,
    isakmp,
    `crypto isakmp key ${o.key ?? 'abc123'} address 0.0.0.0 0.0.0.0`,
    o.keepalive ?? '',
    agg,
    o.lifetime ?? '',
    `crypto ipsec transform-set ts ${o.transform ?? 'esp-des esp-md5-hmac'}`,
    map,
    `interface FastEthernet0/0`,
    ` ip address ${o.wan} 255.255.255.0`,
    ` crypto map cm`,
    `interface FastEthernet0/1`,
    ` ip address ${o.lan} 255.255.255.0`,
    `access-list 101 permit ip ${o.localNet} 0.0.0.255 ${o.remoteNet} 0.0.0.255`,
    o.extra ?? '',
  ].join('\n');
}

/** A packet in flight. */
export interface Packet {
  kind: 'ike' | 'probe';
  from: Endpoint;
  to: Endpoint;
  payload: Buffer;
  /** The sender's node name. */
  sender: string;
  /** Sequence number over the whole run (1, 2, ...). */
  n: number;
}

export interface WireNode {
  readonly name: string;
  readonly engine: IkeEngine;
  readonly addresses: readonly string[];
  /** Every action this node's engine returned, with the time. */
  readonly log: { at: number; action: IkeAction }[];
  /** Networks (prefix/len) behind this node: TED probes toward them cross it. */
  readonly protects: readonly string[];
}

export interface NatBox {
  /** The inside node's private address. */
  readonly inside: string;
  readonly public: string;
  /** Port the NAT maps each inside port to. */
  readonly portMap: (port: number) => number;
}

function inPrefix(ip: string, prefix: string): boolean {
  const [net, len] = prefix.split('/') as [string, string];
  const n = (a: string) => a.split('.').reduce((v, o) => v * 256 + Number(o), 0);
  const bits = Number(len);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (n(ip) & mask) >>> 0 === (n(net) & mask) >>> 0;
}

export class Wire {
  now = 0;
  latency = 5;
  private seq = 0;
  readonly nodes: WireNode[] = [];
  private queue: { at: number; order: number; packet: Packet }[] = [];
  private order = 0;
  /** Called for every packet sent: return the packets to deliver (none = drop, two = duplicate, modified = corrupt), with an optional extra delay. */
  filter: ((p: Packet) => { packet: Packet; delay?: number }[]) | null = null;
  nat: NatBox | null = null;
  /** Every packet put on the wire (after NAT), in order. */
  readonly sent: Packet[] = [];

  add(name: string, engine: IkeEngine, addresses: string[], protects: string[] = []): WireNode {
    const node: WireNode = { name, engine, addresses, log: [], protects };
    this.nodes.push(node);
    return node;
  }

  node(name: string): WireNode {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  /** Records a node's actions and puts its sends on the wire. */
  feed(node: WireNode, actions: readonly IkeAction[]): void {
    for (const a of actions) {
      node.log.push({ at: this.now, action: a });
      if (a.kind === 'send') this.put({ kind: 'ike', from: a.from, to: a.to, payload: a.payload, sender: node.name, n: 0 });
      else if (a.kind === 'send-probe') {
        this.put({
          kind: 'probe',
          from: { ip: a.ipSource, port: a.sourcePort },
          to: { ip: a.ipDestination, port: a.destinationPort },
          payload: a.payload,
          sender: node.name,
          n: 0,
        });
      }
    }
  }

  private put(p: Packet): void {
    p.n = ++this.seq;
    if (this.nat && p.from.ip === this.nat.inside) p = { ...p, from: { ip: this.nat.public, port: this.nat.portMap(p.from.port) } };
    const out = this.filter ? this.filter(p) : [{ packet: p }];
    for (const o of out) {
      this.sent.push(o.packet);
      this.queue.push({ at: this.now + this.latency + (o.delay ?? 0), order: this.order++, packet: o.packet });
    }
  }

  acquire(name: string, trigger: AcquireTrigger): void {
    const node = this.node(name);
    this.feed(node, node.engine.acquire(trigger, this.now));
  }

  private deliver(p: Packet): void {
    if (p.kind === 'probe') {
      const owner = this.nodes.find((n) => n.addresses.includes(p.to.ip));
      if (owner) {
        this.feed(owner, owner.engine.receive({ from: p.from, to: p.to, payload: p.payload }, this.now));
        return;
      }
      const transit = this.nodes.find((n) => n.name !== p.sender && n.protects.some((pre) => inPrefix(p.to.ip, pre)));
      if (!transit) return;
      const v = transit.engine.receiveTransitProbe({ ipSource: p.from.ip, ipDestination: p.to.ip, payload: p.payload }, this.now);
      this.feed(transit, v.actions);
      return;
    }
    let to = p.to;
    if (this.nat && to.ip === this.nat.public) {
      const nat = this.nat;
      const inner = [500, 4500].find((port) => nat.portMap(port) === to.port);
      if (inner === undefined) return;
      to = { ip: nat.inside, port: inner };
    }
    const owner = this.nodes.find((n) => n.addresses.includes(to.ip));
    if (!owner) return;
    this.feed(owner, owner.engine.receive({ from: p.from, to, payload: p.payload }, this.now));
  }

  /** Runs until nothing is queued and no timer is due before `until` (or `stop` says so). */
  run(until: number, stop?: () => boolean): void {
    for (let guard = 0; guard < 100_000; guard++) {
      if (stop?.()) return;
      this.queue.sort((a, b) => a.at - b.at || a.order - b.order);
      const nextPacket = this.queue[0]?.at ?? Infinity;
      let nextTimer = Infinity;
      for (const n of this.nodes) nextTimer = Math.min(nextTimer, n.engine.nextDeadline() ?? Infinity);
      const next = Math.min(nextPacket, nextTimer);
      if (next === Infinity || next > until) {
        this.now = Math.max(this.now, until);
        return;
      }
      this.now = Math.max(this.now, next);
      if (nextPacket <= nextTimer) {
        this.deliver(this.queue.shift()!.packet);
      } else {
        for (const n of this.nodes) {
          const d = n.engine.nextDeadline();
          if (d !== null && d <= this.now) this.feed(n, n.engine.tick(this.now));
        }
      }
    }
    throw new Error('wire: too many steps');
  }

  /** Actions of one node, of one kind. */
  actions<K extends IkeAction['kind']>(name: string, kind: K): Extract<IkeAction, { kind: K }>[] {
    return this.node(name)
      .log.map((l) => l.action)
      .filter((a): a is Extract<IkeAction, { kind: K }> => a.kind === kind);
  }

  /** Debug and log lines of a node, in order. */
  lines(name: string): string[] {
    return this.node(name)
      .log.map((l) => l.action)
      .flatMap((a) => (a.kind === 'debug' || a.kind === 'log' ? [a.text] : []));
  }
}

/** Collapses whitespace (the seed's lines went through HTML). */
export function norm(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Index of the first element of `needles` not found in order in `haystack`, or -1 when all are (as a subsequence). */
export function missingInOrder(haystack: readonly string[], needles: readonly string[]): number {
  let at = 0;
  const h = haystack.map(norm);
  for (let i = 0; i < needles.length; i++) {
    const want = norm(needles[i]!);
    while (at < h.length && h[at] !== want) at++;
    if (at >= h.length) return i;
    at++;
  }
  return -1;
}

/** The packet that triggers negotiation from site A (13.13.13.4 -> 12.12.12.13, ICMP). */
export const PING_A: AcquireTrigger = {
  packet: { source: '13.13.13.4', destination: '12.12.12.13', protocol: 1 },
  interface: 'FastEthernet0/0',
  nextHop: '11.11.11.2',
};
export const PING_B: AcquireTrigger = {
  packet: { source: '12.12.12.13', destination: '13.13.13.4', protocol: 1 },
  interface: 'FastEthernet0/0',
  nextHop: '11.11.11.1',
};

/** Two sites, A = 11.11.11.1 (13.13.13.0/24) and B = 11.11.11.2 (12.12.12.0/24), with per-site overrides. */
export function twoSites(seed: number, a: Partial<SiteOptions> = {}, b: Partial<SiteOptions> = {}, options: PolicyOptions = {}): Wire {
  const wire = new Wire();
  const cfgA = siteConfig({ hostname: 'A', wan: '11.11.11.1', lan: '13.13.13.13', peer: '11.11.11.2', localNet: '13.13.13.0', remoteNet: '12.12.12.0', ...a });
  const cfgB = siteConfig({ hostname: 'B', wan: '11.11.11.2', lan: '12.12.12.12', peer: '11.11.11.1', localNet: '12.12.12.0', remoteNet: '13.13.13.0', ...b });
  wire.add('A', engineFromConfig(cfgA, seed, options), ['11.11.11.1', '13.13.13.13'], ['13.13.13.0/24']);
  wire.add('B', engineFromConfig(cfgB, seed + 1000, options), ['11.11.11.2', '12.12.12.12'], ['12.12.12.0/24']);
  return wire;
}

export interface TedSiteOptions {
  readonly hostname: string;
  /** WAN address; the mask is /24 unless `wanMask` says otherwise. */
  readonly wan: string;
  readonly wanMask?: string;
  /** The router's LAN address (/24) and the LAN's network. */
  readonly lan: string;
  readonly lanNet: string;
  /** Lines after `crypto isakmp key` (keepalive, lifetimes ...). */
  readonly extra?: string;
  readonly routes?: readonly string[];
}

/**
 * A TED site as users configure many of them: the seed's policy, transform
 * set and `crypto map tedtag 10 ipsec-isakmp dynamic ted-map discover` on the
 * WAN interface, access-list 110 from the site's LAN to 10.0.0.0/8, a
 * supernet of every site.
 */
export function tedSiteConfig(o: TedSiteOptions): string {
  return [
    `hostname ${o.hostname}`,
    'crypto isakmp policy 10',
    ' authentication pre-share',
    'crypto isakmp key abc123 address 0.0.0.0 0.0.0.0',
    o.extra ?? '',
    'crypto ipsec transform-set ted-transforms esp-des esp-md5-hmac',
    'crypto dynamic-map ted-map 10',
    ' set transform-set ted-transforms',
    ' match address 110',
    'crypto map tedtag 10 ipsec-isakmp dynamic ted-map discover',
    'interface FastEthernet0/0',
    ` ip address ${o.wan} ${o.wanMask ?? '255.255.255.0'}`,
    ' crypto map tedtag',
    'interface FastEthernet0/1',
    ` ip address ${o.lan} 255.255.255.0`,
    ...(o.routes ?? []),
    `access-list 110 permit ip ${o.lanNet} 0.0.0.255 10.0.0.0 0.255.255.255`,
  ].join('\n');
}

/** The WAN address of spoke k (11.11.0.2 for spoke 1, ...). */
export function spokeWan(k: number): string {
  return `11.11.${(k + 1) >> 8}.${(k + 1) & 255}`;
}

/**
 * A hub (WAN 11.11.0.1, LAN 10.0.0.0/24) and `n` spokes on one WAN segment
 * (spoke k: WAN spokeWan(k), LAN 10.k.0.0/24 for k < 256), every one a TED
 * site (tedSiteConfig), as Wire nodes 'hub', 's1' ... 'sN'.
 */
export function hubAndSpokes(n: number, seed: number, extra = '', options: PolicyOptions = {}): Wire {
  const wire = new Wire();
  const mask = '255.255.0.0';
  wire.add(
    'hub',
    engineFromConfig(tedSiteConfig({ hostname: 'hub', wan: '11.11.0.1', wanMask: mask, lan: '10.0.0.1', lanNet: '10.0.0.0', extra }), seed, options),
    ['11.11.0.1', '10.0.0.1'],
    ['10.0.0.0/24'],
  );
  for (let k = 1; k <= n; k++) {
    const cfg = tedSiteConfig({ hostname: `s${k}`, wan: spokeWan(k), wanMask: mask, lan: `10.${k}.0.1`, lanNet: `10.${k}.0.0`, extra });
    wire.add(`s${k}`, engineFromConfig(cfg, seed * 1000 + k, options), [spokeWan(k), `10.${k}.0.1`], [`10.${k}.0.0/24`]);
  }
  return wire;
}

/** A packet from `source` to `destination` leaving by FastEthernet0/0 (ICMP). */
export function ping(source: string, destination: string): AcquireTrigger {
  return { packet: { source, destination, protocol: 1 }, interface: 'FastEthernet0/0' };
}
