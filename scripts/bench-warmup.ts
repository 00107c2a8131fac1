/**
 * npm run bench:warmup [-- --config FILE] [--processes N] [--rounds 0,1,2,3,5,10]
 *
 * What the router's warm-up after boot (src/agent/router/warmup.ts) buys,
 * per number of rounds: for each count, N fresh Node processes (a fresh V8
 * each, as after a router's boot) run that many warm-up rounds with the
 * router's policies from FILE (default: a spoke of topologies/ted-core-10),
 * then three loopback handshakes (src/agent/ike/loopback.ts: both engines,
 * TED, Main Mode, Quick Mode, in one process). Printed per count: the CPU
 * the warm-up took, and the CPU of the first handshake after it (the first
 * real tunnel's share of compiling) and of the next two; medians over the
 * processes. CPU, not wall time: `process.cpuUsage` of the process, every
 * thread (so V8's compiler and GC threads count), which a busy machine does
 * not inflate the way it does wall time. Outside the figures: Node's start
 * and loading the modules. The modules are the compiled ones in dist/, not
 * the router's bundle through its code cache: round 1 pays for parsing and
 * compiling here, which the code cache takes off a router's first round.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { IkeEngine } from '../src/agent/ike/index.js';
import { loopbackConfig, loopbackHandshake } from '../src/agent/ike/loopback.js';
import { policyFromConfig } from '../src/agent/ike/policy.js';
import { warmUp, WARMUP_ROUNDS } from '../src/agent/router/warmup.js';
import { parseConfig } from '../src/ios/index.js';
import { loadAverage, median } from './lib/bench.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { values } = parseArgs({
  options: {
    config: { type: 'string', default: `${root}topologies/ted-core-10/spoke1.cfg` },
    processes: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '0,1,2,3,5,10' },
    child: { type: 'string' },
  },
});

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

interface ChildResult {
  warmupMs: number;
  handshakesMs: number[];
}

/** In the child: `rounds` warm-up rounds, then three handshakes, each timed in CPU. */
async function child(rounds: number): Promise<ChildResult> {
  const policy = policyFromConfig(parseConfig(readFileSync(values.config!, 'utf8')).config);
  const never = { contended: () => false, reset: () => undefined };
  const c0 = cpuMs();
  if (rounds > 0) await warmUp(policy, { rounds, cpu: never });
  const warmupMs = cpuMs() - c0;
  const p1 = policy.phase1[0]!;
  const transform = policy.transformSets[0]?.text ?? 'esp-des esp-md5-hmac';
  const engine = (self: 1 | 2) =>
    new IkeEngine({
      policy: policyFromConfig(parseConfig(loopbackConfig(self, p1, transform, null, true)).config, { natTraversal: true }),
      random: randomBytes,
    });
  const handshakesMs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const a = engine(1);
    const b = engine(2);
    const t0 = cpuMs();
    if (!loopbackHandshake(a, b, Date.now())) throw new Error('the loopback handshake did not complete');
    handshakesMs.push(cpuMs() - t0);
  }
  return { warmupMs, handshakesMs };
}

async function main(): Promise<void> {
  if (values.child !== undefined) {
    process.stdout.write(JSON.stringify(await child(Number(values.child))));
    return;
  }
  const counts = values.rounds!.split(',').map(Number);
  const n = Number(values.processes);
  const load = loadAverage();
  const results = new Map<number, ChildResult[]>(counts.map((c) => [c, []]));
  // process by process, the counts in turn, so a change in the machine's load meets every count alike
  for (let p = 0; p < n; p++)
    for (const c of counts) {
      const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', String(c), '--config', values.config!], {
        encoding: 'utf8',
      });
      results.get(c)!.push(JSON.parse(out) as ChildResult);
    }
  console.log(`bench:warmup  ${cpus()[0]?.model ?? ''} x${cpus().length}, Node ${process.version}; ${n} fresh processes per count, in turn`);
  console.log(`config: ${values.config}; the router runs ${WARMUP_ROUNDS} rounds after boot`);
  console.log(`load: ${load} at the start, ${loadAverage()} at the end (1, 5, 15 min)`);
  console.log('\nrounds  warm-up CPU ms  first handshake after it, CPU ms  next two (median)   (medians over the processes; every first handshake)');
  for (const c of counts) {
    const rs = results.get(c)!;
    const first = rs.map((r) => r.handshakesMs[0]!);
    const next = rs.flatMap((r) => r.handshakesMs.slice(1));
    console.log(
      `${String(c).padStart(6)}  ${median(rs.map((r) => r.warmupMs))
        .toFixed(0)
        .padStart(14)}  ${median(first).toFixed(1).padStart(32)}  ${median(next).toFixed(1).padStart(17)}   (${first.map((x) => x.toFixed(1)).join(', ')})`,
    );
  }
}

main().catch((e: unknown) => {
  console.error(`bench:warmup failed: ${(e as Error).message}`);
  process.exitCode = 1;
});
