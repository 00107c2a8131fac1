/**
 * The full-mesh driver that bench:scale runs inside every host of a lab
 * (node scale-mesh.mjs CONFIG.json; node: modules only, it is copied into the
 * container as it is compiled). From a common start time (the containers
 * share the host's clock) the host sends a UDP echo request to every other
 * host and again every `intervalMs` to those that have not answered; it
 * answers every request it gets. The first answer from each peer is the
 * time that pair's tunnel carried traffic both ways. A host that heard from
 * everyone tells the coordinator (the first host), which, once all have,
 * names a common time for the final sweep: `sweepProbes` rounds of a
 * request to every peer, one of which each peer must answer. A round's
 * requests are spread over it, not sent in one burst, and each host goes
 * through its peers starting after itself (scale-mesh-run.ts `rotated`), so
 * that at any moment the hosts send to different peers. Without the coordinator the
 * sweep starts at start + deadlineMs. At the end one JSON line goes to stdout.
 */
import { createSocket, type RemoteInfo } from 'node:dgram';
import { readFileSync } from 'node:fs';

export interface MeshConfig {
  self: string;
  peers: string[];
  coordinator: string;
  port: number;
  /** Epoch ms: everyone's first requests. */
  start: number;
  intervalMs: number;
  /** Peers asked and not yet answered, at most (the window). */
  inflight: number;
  deadlineMs: number;
  sweepProbes: number;
  /** One sweep round (a request to every peer, spread over it). */
  sweepRoundMs: number;
  /** How long answers are awaited after the last sweep round. */
  sweepTailMs: number;
}

export interface MeshResult {
  self: string;
  /** Epoch ms of the first request sent; late: the script started after `start`. */
  firstSent: number;
  late: boolean;
  /** Peer -> epoch ms of its first answer. */
  first: Record<string, number>;
  requestsSent: number;
  /** Epoch ms when every peer had answered (null: not before the sweep). */
  doneAt: number | null;
  sweepAt: number;
  sweepFrom: 'coordinator' | 'deadline';
  /** Peers that answered a sweep request, and those that did not. */
  sweepAnswered: string[];
  sweepMissing: string[];
  /** Ms from a sweep request to its answer, for every answer (the routers' lag shows here). */
  sweepRtts: number[];
}

type Message = { t: 'req' | 'rep'; phase: 'form' | 'sweep'; seq: number } | { t: 'done' } | { t: 'sweep'; at: number };

const TYPES = ['req', 'rep', 'done', 'sweep'] as const;

/** A message in 10 bytes (type, phase, then the sequence number or the sweep's time): the driver's own CPU is the lab's CPU. */
export function encode(m: Message): Buffer {
  const b = Buffer.alloc(10);
  b[0] = TYPES.indexOf(m.t) + 1;
  if (m.t === 'req' || m.t === 'rep') {
    b[1] = m.phase === 'sweep' ? 1 : 0;
    b.writeUInt32BE(m.seq >>> 0, 2);
  } else if (m.t === 'sweep') b.writeDoubleBE(m.at, 2);
  return b;
}

export function decode(b: Buffer): Message | null {
  if (b.length !== 10) return null;
  const t = TYPES[b[0]! - 1];
  if (t === 'req' || t === 'rep') return { t, phase: b[1] === 1 ? 'sweep' : 'form', seq: b.readUInt32BE(2) };
  if (t === 'done') return { t };
  if (t === 'sweep') return { t, at: b.readDoubleBE(2) };
  return null;
}

/**
 * Which peers a host asks, and when, while the mesh forms: the peers in the
 * host's order, at most `inflight` asked and unanswered at once, each asked
 * again `intervalMs` after its last request until it answers. Every host
 * sending to all its peers at once would start N-1 negotiations per router
 * in the same instant: the routers' queues and the IKE retransmissions then
 * cost more than the tunnels. The window bounds the negotiations a host's
 * traffic starts. A peer whose tunnel the other side already made answers
 * at once and makes room for the next.
 */
export class Formation {
  private next = 0;
  /** Peer -> when it was last asked (unanswered only). */
  private readonly waiting = new Map<string, number>();
  private readonly answeredSet = new Set<string>();

  constructor(
    private readonly peers: readonly string[],
    private readonly inflight: number,
    private readonly intervalMs: number,
  ) {
    if (!(inflight >= 1)) throw new Error(`the mesh window must be at least 1 (got ${inflight})`);
  }

  /** The peers to ask at `now`: those whose last request is `intervalMs` old, then new ones while the window has room. */
  due(now: number): string[] {
    const out: string[] = [];
    for (const [p, at] of this.waiting)
      if (now - at >= this.intervalMs) {
        this.waiting.set(p, now);
        out.push(p);
      }
    while (this.waiting.size < this.inflight && this.next < this.peers.length) {
      const p = this.peers[this.next++]!;
      if (this.answeredSet.has(p)) continue;
      this.waiting.set(p, now);
      out.push(p);
    }
    return out;
  }

  /** `peer` answered: it leaves the window (true the first time). */
  answered(peer: string): boolean {
    if (this.answeredSet.has(peer) || !this.peers.includes(peer)) return false;
    this.answeredSet.add(peer);
    this.waiting.delete(peer);
    return true;
  }

  get inFlight(): number {
    return this.waiting.size;
  }

  /** When the next retry falls due (null: no peer waits for an answer). */
  nextDue(): number | null {
    let next: number | null = null;
    for (const at of this.waiting.values()) if (next === null || at + this.intervalMs < next) next = at + this.intervalMs;
    return next;
  }

  get done(): boolean {
    return this.answeredSet.size === this.peers.length;
  }
}

/** The driver's timer while the mesh forms wakes at the next retry due, but never sooner than this after the last wake. */
export const FORM_MIN_WAKE_MS = 10;

function run(cfg: MeshConfig): void {
  const sock = createSocket('udp4');
  const first: Record<string, number> = {};
  const sweepOk = new Set<string>();
  /** Sweep requests by sequence number: when each was sent (at most sweepProbes x peers of them). */
  const sweepSent = new Map<number, number>();
  const sweepRtts: number[] = [];
  const doneHosts = new Set<string>();
  const isCoordinator = cfg.self === cfg.coordinator;
  let requestsSent = 0;
  let firstSent = 0;
  let doneAt: number | null = null;
  let sweepAt: number | null = null;
  let sweepFrom: 'coordinator' | 'deadline' = 'coordinator';
  let seq = 0;
  const timers: NodeJS.Timeout[] = [];
  /** The formation's one timer (re-armed, never accumulated). */
  let formTimer: NodeJS.Timeout | undefined;

  const send = (to: string, m: Message) => sock.send(encode(m), cfg.port, to);
  const request = (to: string, phase: 'form' | 'sweep') => {
    requestsSent++;
    if (phase === 'sweep') sweepSent.set(seq, Date.now());
    send(to, { t: 'req', phase, seq: seq++ });
  };

  function announceSweep(at: number): void {
    // three times, 200 ms apart: UDP may lose one
    for (let k = 0; k < 3; k++) timers.push(setTimeout(() => cfg.peers.forEach((p) => send(p, { t: 'sweep', at })), k * 200));
  }

  function scheduleSweep(at: number, from: 'coordinator' | 'deadline'): void {
    if (sweepAt !== null) return;
    sweepAt = at;
    sweepFrom = from;
    // each round spread over sweepRoundMs, so that a hundred hosts do not all send at once
    const wait = Math.max(0, at - Date.now());
    for (let k = 0; k < cfg.sweepProbes; k++)
      timers.push(setTimeout(() => spread(cfg.peers, cfg.sweepRoundMs, (p) => request(p, 'sweep')), wait + k * cfg.sweepRoundMs));
    timers.push(setTimeout(finish, wait + cfg.sweepProbes * cfg.sweepRoundMs + cfg.sweepTailMs));
  }

  function noteDone(host: string): void {
    doneHosts.add(host);
    if (isCoordinator && sweepAt === null && doneHosts.size === cfg.peers.length + 1) {
      const at = Date.now() + 1000;
      scheduleSweep(at, 'coordinator');
      announceSweep(at);
    }
  }

  sock.on('message', (buf: Buffer, from: RemoteInfo) => {
    const m = decode(buf);
    if (!m) return;
    const now = Date.now();
    if (m.t === 'req') send(from.address, { t: 'rep', phase: m.phase, seq: m.seq });
    else if (m.t === 'rep') {
      if (m.phase === 'sweep') {
        sweepOk.add(from.address);
        const sent = sweepSent.get(m.seq);
        if (sent !== undefined) sweepRtts.push(now - sent);
        sweepSent.delete(m.seq);
      } else if (formation.answered(from.address)) {
        first[from.address] = now;
        if (formation.done) {
          doneAt = now;
          if (isCoordinator) noteDone(cfg.self);
        } else askDue(now);
      }
    } else if (m.t === 'done' && isCoordinator) {
      noteDone(from.address);
      if (sweepAt !== null && sweepFrom === 'coordinator') send(from.address, { t: 'sweep', at: sweepAt });
    } else if (m.t === 'sweep') scheduleSweep(m.at, 'coordinator');
  });

  /**
   * `fn` for each item, spaced evenly over `ms` (a burst of a hundred datagrams from every host would only
   * overflow queues), by one timer that wakes at most every 10 ms and sends what is due.
   */
  function spread<T>(items: readonly T[], ms: number, fn: (item: T) => void): void {
    if (items.length === 0) return;
    const started = Date.now();
    let k = 0;
    const step = (): void => {
      const due = Math.min(items.length, Math.floor(((Date.now() - started) * items.length) / ms) + 1);
      while (k < due) fn(items[k++]!);
      if (k < items.length) timers.push(setTimeout(step, Math.max(10, ms / items.length)));
    };
    step();
  }

  const formation = new Formation(cfg.peers, cfg.inflight, cfg.intervalMs);
  const askDue = (now: number) => {
    if (sweepAt === null) for (const p of formation.due(now)) request(p, 'form');
  };

  /**
   * One timer per host while the mesh forms, woken when the next retry falls due (answers make room in the
   * window as they come: askDue on each); then 'done' to the coordinator every second. The driver's own CPU is
   * the lab's: a timer that looked every 50 ms woke a hundred hosts 2,000 times a second for nothing.
   */
  function formRound(): void {
    if (sweepAt !== null) return;
    if (doneAt === null) {
      const now = Date.now();
      askDue(now);
      const next = formation.nextDue();
      formTimer = setTimeout(formRound, Math.max(FORM_MIN_WAKE_MS, (next ?? now + 1000) - now));
      return;
    }
    if (!isCoordinator) send(cfg.coordinator, { t: 'done' });
    formTimer = setTimeout(formRound, 1000);
  }

  function finish(): void {
    clearTimeout(formTimer);
    timers.forEach(clearTimeout);
    const result: MeshResult = {
      self: cfg.self,
      firstSent,
      late: firstSent > cfg.start + 50,
      first,
      requestsSent,
      doneAt,
      sweepAt: sweepAt!,
      sweepFrom,
      sweepAnswered: cfg.peers.filter((p) => sweepOk.has(p)),
      sweepMissing: cfg.peers.filter((p) => !sweepOk.has(p)),
      sweepRtts,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    sock.close();
  }

  sock.bind(cfg.port, () => {
    timers.push(
      setTimeout(
        () => {
          firstSent = Date.now();
          formRound();
        },
        Math.max(0, cfg.start - Date.now()),
      ),
    );
    timers.push(setTimeout(() => scheduleSweep(cfg.start + cfg.deadlineMs, 'deadline'), Math.max(0, cfg.start + cfg.deadlineMs - Date.now())));
  });
}

if (process.argv[2]) run(JSON.parse(readFileSync(process.argv[2], 'utf8')) as MeshConfig);
