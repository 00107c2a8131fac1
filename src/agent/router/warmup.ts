/**
 * Warm-up after boot: the first negotiation of a fresh Node process runs
 * cold code (parsed, not yet compiled) and takes several times longer than
 * the next ones. Right after the router is up, it runs a few complete
 * handshakes between two in-memory engines with its own ISAKMP policies and
 * transform sets, plus ESP on their keys, one step per turn of the event
 * loop, so the first real tunnel does not pay for compiling the code. Real
 * packets are never kept waiting: each step is short and yields. It also
 * steps aside while the CPU is contended (in a large lab the other routers
 * are still booting: the warm-up of the first ones would slow theirs down).
 */
import type { IkePolicy } from '../ike/policy.js';
import { IkeEngine, policyFromConfig, type IpsecSaSpec } from '../ike/index.js';
import { loopbackConfig, loopbackSteps } from '../ike/loopback.js';
import { EspInboundSa, EspOutboundSa, type NativeEsp } from '../esp/sa.js';
import { parseConfig } from '../../ios/index.js';
import { randomBytes } from 'node:crypto';

/**
 * Rounds after boot: one with TED and one with a static peer. More bought nothing: in bench:warmup
 * (fe924b8; docs/benchmarks.md, bench:up) the first handshake after the warm-up cost about 63 ms of CPU
 * without one, 8-17 ms after one to five rounds and 14 ms after ten, which themselves cost 493 ms of CPU
 * against 165 ms for two: a router's CPU spent during a large lab's `up` for nothing.
 */
export const WARMUP_ROUNDS = 2;
const ESP_STEPS = 4;
const ESP_PACKETS_PER_STEP = 50;

/** An SA pair on the handshake's outbound keys, built the way the datapath builds its own. */
function espPair(sa: IpsecSaSpec, native: NativeEsp | undefined): { out: EspOutboundSa; inn: EspInboundSa } {
  const d = sa.outbound;
  const cfg = { spi: d.spi, cipher: sa.cipher, integrity: sa.integrity, encryptionKey: d.encryptionKey, authenticationKey: d.authenticationKey, native };
  return { out: new EspOutboundSa(cfg), inn: new EspInboundSa(cfg) };
}

function esp(pair: { out: EspOutboundSa; inn: EspInboundSa }, packets: number): void {
  const packet = Buffer.alloc(1400, 0x45);
  for (let i = 0; i < packets; i++) {
    const r = pair.out.encapsulate(packet, randomBytes);
    if (r.ok) pair.inn.decapsulate(r.packet);
  }
}

/** How long the warm-up waits before looking again while a real negotiation runs. */
const BUSY_PAUSE_MS = 20;
/**
 * How long it steps aside when the CPU is contended (other routers of the lab booting) before it looks again:
 * from 50 ms, doubled at each contended look in a row up to 400 ms. A short contention (the other router of a
 * two-router lab finishing its boot) costs the warm-up little; a long one (a hundred routers booting) finds it
 * mostly asleep.
 */
export const CONTENDED_PAUSE_MIN_MS = 50;
export const CONTENDED_PAUSE_MAX_MS = 400;

/** The pause after this one, if the next look finds the CPU contended again. */
export function nextContendedPause(pause: number): number {
  return Math.min(pause * 2, CONTENDED_PAUSE_MAX_MS);
}
/** Below this share of one core, the process had work and did not get the CPU: the machine is contended. */
const CONTENDED_SHARE = 0.5;
/** The shortest stretch of warm-up over which the share is judged. */
const SHARE_WINDOW_MS = 40;

/**
 * Whether the CPU is contended, judged from the warm-up's own steps: the process always has work while the
 * warm-up runs (a step, then the next one on the next turn of the event loop), so over a window it should get
 * about one core; when it got less than half of one, other processes were given the CPU (a lab's other routers
 * still booting, most likely). The warm-up then steps aside, so it does not slow their boot down. Pausing the
 * warm-up resets the window.
 */
export function cpuShareMonitor(
  clock: () => number = () => performance.now(),
  cpuMs: () => number = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  },
): { contended: () => boolean; reset: () => void } {
  let wall0 = clock();
  let cpu0 = cpuMs();
  const reset = (): void => {
    wall0 = clock();
    cpu0 = cpuMs();
  };
  return {
    reset,
    contended: () => {
      const wall = clock() - wall0;
      if (wall < SHARE_WINDOW_MS) return false;
      const share = (cpuMs() - cpu0) / wall;
      reset();
      return share < CONTENDED_SHARE;
    },
  };
}

/**
 * Run the warm-up in the background; resolves when done. `busy` says a real
 * negotiation is under way: the warm-up then steps aside until it is over.
 * `native`: the ESP module the router's SAs use, so the same code is warmed.
 */
export function warmUp(
  policy: IkePolicy,
  opts: { rounds?: number; busy?: () => boolean; native?: NativeEsp; cpu?: { contended: () => boolean; reset: () => void } } = {},
): Promise<void> {
  const rounds = opts.rounds ?? WARMUP_ROUNDS;
  const busy = opts.busy ?? (() => false);
  const cpu = opts.cpu ?? cpuShareMonitor();
  const p1s = policy.phase1.length ? policy.phase1 : [];
  const sets = policy.transformSets.length ? policy.transformSets.map((t) => t.text) : ['esp-des esp-md5-hmac'];
  const pfsGroups = [...new Set(policy.cryptoMaps.flatMap((m) => m.entries.map((e) => e.pfsGroup)))];
  // round by round over every combination: the first round compiles most of the code, for each suite;
  // every engine call is a step of its own, so a real packet never waits behind a whole handshake
  function* work(): Generator<void> {
    for (let i = 0; i < rounds; i++) {
      for (const p1 of p1s.slice(0, 3)) {
        for (const transform of sets.slice(0, 3)) {
          for (const pfs of pfsGroups.slice(0, 2)) {
            try {
              const ted = i % 2 === 0;
              const a = new IkeEngine({
                policy: policyFromConfig(parseConfig(loopbackConfig(1, p1, transform, pfs, ted)).config, { natTraversal: true }),
                random: randomBytes,
              });
              yield;
              const b = new IkeEngine({
                policy: policyFromConfig(parseConfig(loopbackConfig(2, p1, transform, pfs, ted)).config, { natTraversal: true }),
                random: randomBytes,
              });
              yield;
              const sa = yield* loopbackSteps(a, b, Date.now());
              const pair = sa ? espPair(sa, opts.native) : null;
              for (let k = 0; pair && k < ESP_STEPS; k++) {
                esp(pair, ESP_PACKETS_PER_STEP);
                yield;
              }
            } catch {
              // a warm-up that fails only means the first real tunnel is slower
            }
          }
        }
      }
    }
  }
  const steps = work();
  let pause = CONTENDED_PAUSE_MIN_MS;
  return new Promise((resolve) => {
    const next = (): void => {
      // a real negotiation goes first: the warm-up waits while the router is busy with one
      if (busy()) {
        setTimeout(() => {
          cpu.reset();
          next();
        }, BUSY_PAUSE_MS);
        return;
      }
      // and so do the other routers' boots: while the CPU is contended, the warm-up waits
      if (cpu.contended()) {
        setTimeout(() => {
          cpu.reset();
          next();
        }, pause);
        pause = nextContendedPause(pause);
        return;
      }
      pause = CONTENDED_PAUSE_MIN_MS;
      if (steps.next().done) return resolve();
      setImmediate(next);
    };
    setImmediate(next);
  });
}
