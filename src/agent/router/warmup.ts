/**
 * Warm-up after boot: the first negotiation of a fresh Node process runs
 * cold code (parsed, not yet compiled) and takes several times longer than
 * the next ones. Right after the router is up, it runs a few complete
 * handshakes between two in-memory engines with its own ISAKMP policies and
 * transform sets, plus ESP on their keys, one step per turn of the event
 * loop, so the first real tunnel does not pay for compiling the code. Real
 * packets are never kept waiting: each step is short and yields.
 */
import type { IkePolicy } from '../ike/policy.js';
import { IkeEngine, policyFromConfig, type IpsecSaSpec } from '../ike/index.js';
import { loopbackConfig, loopbackSteps } from '../ike/loopback.js';
import { EspInboundSa, EspOutboundSa, type NativeEsp } from '../esp/sa.js';
import { parseConfig } from '../../ios/index.js';
import { randomBytes } from 'node:crypto';

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
 * Run the warm-up in the background; resolves when done. `busy` says a real
 * negotiation is under way: the warm-up then steps aside until it is over.
 * `native`: the ESP module the router's SAs use, so the same code is warmed.
 */
export function warmUp(policy: IkePolicy, opts: { rounds?: number; busy?: () => boolean; native?: NativeEsp } = {}): Promise<void> {
  const rounds = opts.rounds ?? 10;
  const busy = opts.busy ?? (() => false);
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
  return new Promise((resolve) => {
    const next = (): void => {
      // a real negotiation goes first: the warm-up waits while the router is busy with one
      if (busy()) {
        setTimeout(next, BUSY_PAUSE_MS);
        return;
      }
      if (steps.next().done) return resolve();
      setImmediate(next);
    };
    setImmediate(next);
  });
}
