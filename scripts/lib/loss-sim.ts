/**
 * An in-memory simulation of the seed lab's WAN under random loss, for
 * bench:loss: the two routers' IKE engines (Daphne and Fred, their seed
 * configs, TED) exchange datagrams over a wire that drops each one with a
 * seeded probability, on a simulated clock driven by the engines'
 * deadlines. Pings from d1 (13.13.13.4 to 12.12.12.13) every second trigger
 * IKE until both routers have installed the pair. No Docker, no sockets: it
 * measures the protocol's schedule, not the lab's machinery.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../src/ios/index.js';
import { IkeEngine } from '../../src/agent/ike/v1/engine.js';
import { policyFromConfig } from '../../src/agent/ike/policy.js';
import type { AcquireTrigger, IkeAction } from '../../src/agent/ike/types.js';

/** One datagram put on the WAN. */
export interface Datagram {
  readonly at: number;
  readonly sender: 'daphne' | 'fred';
  readonly kind: 'ike' | 'probe';
  readonly payload: Buffer;
  readonly dropped: boolean;
  /** When it reached the other router (null: dropped). */
  delivered: number | null;
}

export interface Run {
  /** ms from the first ping to the moment both routers had installed the pair (null: not within the horizon). */
  readonly formed: number | null;
  readonly installs: Record<'daphne' | 'fred', number | null>;
  readonly datagrams: readonly Datagram[];
  /** Negotiations abandoned at the retransmission limit (fail actions), with their times. */
  readonly failures: readonly number[];
}

const PING: AcquireTrigger = { packet: { source: '13.13.13.4', destination: '12.12.12.13', protocol: 1 }, interface: 'FastEthernet0/0', nextHop: '11.11.11.2' };
export const PING_EVERY_MS = 1_000;
const LATENCY_MS = 1;

/** mulberry32: a small seeded generator in [0, 1). */
export function seeded(seed: number): () => number {
  // the seed scrambled first: consecutive small seeds would otherwise start correlated streams
  let a = Math.imul(seed ^ (seed >>> 16), 0x45d9f3b) >>> 0;
  a = Math.imul(a ^ (a >>> 16), 0x45d9f3b) >>> 0;
  a = (a ^ (a >>> 16)) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function engine(root: string, name: string, extra = ''): IkeEngine {
  // extra lines go before the config's `end`, where IOS stops reading
  const text = readFileSync(`${root}topologies/daphne-fred/${name}.cfg`, 'utf8').replace(/^end\s*$/m, `${extra}\nend`);
  const { config } = parseConfig(text);
  return new IkeEngine({ policy: policyFromConfig(config), random: (n) => randomBytes(n) });
}

type Who = 'daphne' | 'fred';

/**
 * The two engines on the simulated WAN: every datagram lost with probability `loss` (changeable between
 * runs), 1 ms one way, time driven by the engines' deadlines and the caller's own events.
 */
class WanSim {
  readonly nodes: Record<Who, IkeEngine>;
  readonly datagrams: Datagram[] = [];
  readonly failures: number[] = [];
  readonly installs: Record<Who, number | null> = { daphne: null, fred: null };
  /** Every action, with its time and router, for scenarios that look further. */
  readonly log: { at: number; who: Who; action: IkeAction }[] = [];
  private readonly queue: { at: number; d: Datagram; to: Who; from: { ip: string; port: number }; dst: { ip: string; port: number } }[] = [];
  private readonly owns = { daphne: ['11.11.11.1', '13.13.13.13'], fred: ['11.11.11.2', '12.12.12.12'] };
  private readonly lan = { daphne: '13.13.13.', fred: '12.12.12.' };
  now = 0;

  constructor(
    root: string,
    readonly rnd: () => number,
    public loss: number,
    extra = '',
  ) {
    this.nodes = { daphne: engine(root, 'daphne', extra), fred: engine(root, 'fred', extra) };
  }

  feed(who: Who, actions: readonly IkeAction[]): void {
    for (const a of actions) {
      this.log.push({ at: this.now, who, action: a });
      if (a.kind === 'install-ipsec' && this.installs[who] === null) this.installs[who] = this.now;
      if (a.kind === 'fail') this.failures.push(this.now);
      const wire =
        a.kind === 'send'
          ? { kind: 'ike' as const, from: a.from, dst: a.to }
          : a.kind === 'send-probe'
            ? { kind: 'probe' as const, from: { ip: a.ipSource, port: a.sourcePort }, dst: { ip: a.ipDestination, port: a.destinationPort } }
            : null;
      if (!wire) continue;
      const payload = a.kind === 'send' || a.kind === 'send-probe' ? a.payload : Buffer.alloc(0);
      const d: Datagram = { at: this.now, sender: who, kind: wire.kind, payload, dropped: this.rnd() < this.loss, delivered: null };
      this.datagrams.push(d);
      if (!d.dropped) this.queue.push({ at: this.now + LATENCY_MS, d, to: who === 'daphne' ? 'fred' : 'daphne', from: wire.from, dst: wire.dst });
    }
  }

  /**
   * Runs until `until` or until `done` says so: datagrams and the engines' timers first, then the caller's
   * `event` (at `nextEvent()`: a ping, a traffic report).
   */
  run(until: number, done: () => boolean, nextEvent: () => number, event: () => void): void {
    while (this.now <= until && !done()) {
      const deadlines = [nextEvent(), ...this.queue.map((q) => q.at), this.nodes.daphne.nextDeadline() ?? Infinity, this.nodes.fred.nextDeadline() ?? Infinity];
      const next = Math.min(...deadlines);
      if (next > until) {
        this.now = until;
        return;
      }
      this.now = Math.max(this.now, next);
      this.queue.sort((x, y) => x.at - y.at);
      if (this.queue[0] && this.queue[0].at <= this.now) {
        const q = this.queue.shift()!;
        q.d.delivered = this.now;
        const to = q.to;
        if (q.d.kind === 'probe' && !this.owns[to].includes(q.dst.ip)) {
          if (q.dst.ip.startsWith(this.lan[to]))
            this.feed(to, this.nodes[to].receiveTransitProbe({ ipSource: q.from.ip, ipDestination: q.dst.ip, payload: q.d.payload }, this.now).actions);
        } else if (this.owns[to].includes(q.dst.ip)) this.feed(to, this.nodes[to].receive({ from: q.from, to: q.dst, payload: q.d.payload }, this.now));
        continue;
      }
      let ticked = false;
      for (const who of ['daphne', 'fred'] as const) {
        const d = this.nodes[who].nextDeadline();
        if (d !== null && d <= this.now) {
          this.feed(who, this.nodes[who].tick(this.now));
          ticked = true;
        }
      }
      if (!ticked && nextEvent() <= this.now) event();
    }
  }

  /** d1 pings a1 every second until both routers have installed the pair (or `until`). */
  form(until: number): number | null {
    const start = this.now;
    let nextPing = this.now;
    this.run(
      until,
      () => this.installs.daphne !== null && this.installs.fred !== null,
      () => nextPing,
      () => {
        this.feed('daphne', this.nodes.daphne.acquire(PING, this.now));
        nextPing = this.now + PING_EVERY_MS;
      },
    );
    return this.installs.daphne !== null && this.installs.fred !== null ? Math.max(this.installs.daphne, this.installs.fred) - start : null;
  }
}

/** One tunnel from fresh engines: loss applies to every datagram, both directions. */
export function simulate(root: string, loss: number, seed: number, horizonMs = 600_000): Run {
  const sim = new WanSim(root, seeded(seed), loss);
  const formed = sim.form(horizonMs);
  return { formed, installs: sim.installs, datagrams: sim.datagrams, failures: sim.failures };
}

export interface DpdRun {
  /** Peers declared dead (phase 1 deleted for want of an R-U-THERE-ACK) on either router, while both were alive. */
  readonly declaredDead: number;
  readonly ruThereSent: number;
  readonly acksReceived: number;
}

/**
 * DPD on a live tunnel under loss: the tunnel forms on a clean WAN, then for `durationMs` every datagram
 * (IKE, and the ping's ESP in `traffic` mode) is lost with probability `loss`. With `traffic`, d1 pings a1
 * every second through the tunnel: Daphne counts the request as sent; it reaches Fred (counted in, and the
 * reply out) unless lost, and the reply reaches Daphne unless lost: what the datapath tells the engine
 * (noteTraffic), so on-demand DPD sees the traffic the way it does in the lab.
 */
export function simulateDpd(root: string, opts: { loss: number; seed: number; keepalive: string; traffic: boolean; durationMs: number }): DpdRun {
  const sim = new WanSim(root, seeded(opts.seed), 0, opts.keepalive);
  if (sim.form(120_000) === null) throw new Error('the tunnel did not form on a clean WAN');
  const sa = (who: Who) =>
    [...sim.log].reverse().find((l) => l.who === who && l.action.kind === 'install-ipsec')!.action as Extract<IkeAction, { kind: 'install-ipsec' }>;
  const d = sa('daphne').sa;
  const f = sa('fred').sa;
  const from = sim.log.length;
  sim.loss = opts.loss;
  const end = sim.now + opts.durationMs;
  let nextPing = opts.traffic ? sim.now + PING_EVERY_MS : Infinity;
  sim.run(
    end,
    () => false,
    () => nextPing,
    () => {
      sim.feed('daphne', sim.nodes.daphne.noteTraffic({ spi: d.outbound.spi, direction: 'outbound', bytes: 84 }, sim.now));
      if (sim.rnd() >= opts.loss) {
        sim.feed('fred', sim.nodes.fred.noteTraffic({ spi: f.inbound.spi, direction: 'inbound', bytes: 84 }, sim.now));
        sim.feed('fred', sim.nodes.fred.noteTraffic({ spi: f.outbound.spi, direction: 'outbound', bytes: 84 }, sim.now));
        if (sim.rnd() >= opts.loss) sim.feed('daphne', sim.nodes.daphne.noteTraffic({ spi: d.inbound.spi, direction: 'inbound', bytes: 84 }, sim.now));
      }
      nextPing = sim.now + PING_EVERY_MS;
    },
  );
  const after = sim.log.slice(from);
  const text = (l: (typeof after)[number]) => (l.action.kind === 'debug' || l.action.kind === 'log' ? l.action.text : '');
  const sent = after.filter((l) => text(l).includes('DPD R_U_THERE sent'));
  return {
    declaredDead: after.filter((l) => l.action.kind === 'phase1-down').length,
    ruThereSent: sent.length,
    acksReceived: after.filter((l) => text(l).includes('DPD R_U_THERE_ACK received')).length,
  };
}
