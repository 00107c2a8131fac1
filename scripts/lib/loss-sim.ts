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

function engine(root: string, name: string): IkeEngine {
  const { config } = parseConfig(readFileSync(`${root}topologies/daphne-fred/${name}.cfg`, 'utf8'));
  return new IkeEngine({ policy: policyFromConfig(config), random: (n) => randomBytes(n) });
}

/** One tunnel from fresh engines: loss applies to every datagram, both directions. */
export function simulate(root: string, loss: number, seed: number, horizonMs = 600_000): Run {
  const rnd = seeded(seed);
  const nodes = { daphne: engine(root, 'daphne'), fred: engine(root, 'fred') } as const;
  const owns = { daphne: ['11.11.11.1', '13.13.13.13'], fred: ['11.11.11.2', '12.12.12.12'] };
  const lan = { daphne: '13.13.13.', fred: '12.12.12.' };
  const datagrams: Datagram[] = [];
  const failures: number[] = [];
  const installs: Record<'daphne' | 'fred', number | null> = { daphne: null, fred: null };
  const queue: { at: number; d: Datagram; to: string; from: { ip: string; port: number }; dst: { ip: string; port: number } }[] = [];
  let now = 0;

  const feed = (who: 'daphne' | 'fred', actions: readonly IkeAction[]): void => {
    for (const a of actions) {
      if (a.kind === 'install-ipsec' && installs[who] === null) installs[who] = now;
      if (a.kind === 'fail') failures.push(now);
      const wire =
        a.kind === 'send'
          ? { kind: 'ike' as const, from: a.from, dst: a.to }
          : a.kind === 'send-probe'
            ? { kind: 'probe' as const, from: { ip: a.ipSource, port: a.sourcePort }, dst: { ip: a.ipDestination, port: a.destinationPort } }
            : null;
      if (!wire) continue;
      const payload = a.kind === 'send' || a.kind === 'send-probe' ? a.payload : Buffer.alloc(0);
      const d: Datagram = { at: now, sender: who, kind: wire.kind, payload, dropped: rnd() < loss, delivered: null };
      datagrams.push(d);
      if (!d.dropped) queue.push({ at: now + LATENCY_MS, d, to: who === 'daphne' ? 'fred' : 'daphne', from: wire.from, dst: wire.dst });
    }
  };

  let nextPing = 0;
  while (now <= horizonMs && (installs.daphne === null || installs.fred === null)) {
    const deadlines = [nextPing, ...queue.map((q) => q.at), nodes.daphne.nextDeadline() ?? Infinity, nodes.fred.nextDeadline() ?? Infinity];
    now = Math.max(now, Math.min(...deadlines));
    queue.sort((x, y) => x.at - y.at);
    if (queue[0] && queue[0].at <= now) {
      const q = queue.shift()!;
      q.d.delivered = now;
      const to = q.to as 'daphne' | 'fred';
      if (q.d.kind === 'probe' && !owns[to].includes(q.dst.ip)) {
        if (q.dst.ip.startsWith(lan[to]))
          feed(to, nodes[to].receiveTransitProbe({ ipSource: q.from.ip, ipDestination: q.dst.ip, payload: q.d.payload }, now).actions);
      } else if (owns[to].includes(q.dst.ip)) feed(to, nodes[to].receive({ from: q.from, to: q.dst, payload: q.d.payload }, now));
      continue;
    }
    let ticked = false;
    for (const who of ['daphne', 'fred'] as const) {
      const d = nodes[who].nextDeadline();
      if (d !== null && d <= now) {
        feed(who, nodes[who].tick(now));
        ticked = true;
      }
    }
    if (!ticked && nextPing <= now) {
      feed('daphne', nodes.daphne.acquire(PING, now));
      nextPing = now + PING_EVERY_MS;
    }
  }
  const formed = installs.daphne !== null && installs.fred !== null ? Math.max(installs.daphne, installs.fred) : null;
  return { formed, installs, datagrams, failures };
}
