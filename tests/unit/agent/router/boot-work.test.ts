/**
 * The router's background work after boot as benchmarks see it: idle only
 * once both the warm-up and the DH pool's refilling are over, at the later
 * of the two; whenIdle answers then, or with the status as it is after its
 * timeout.
 */
import test from 'ava';
import { BootWork, processCpuMs } from '../../../../src/agent/router/boot-work.js';
import type { DhPoolStatus } from '../../../../src/agent/router/dh-pool.js';

function pool(idleSince: number | null): DhPoolStatus {
  return { mode: 'pooled', depth: 4, ready: { '1': idleSince === null ? 1 : 4 }, hits: 0, misses: 0, fresh: 0, idleSince };
}

test('idle at the later of the warm-up end and the pool being full', async (t) => {
  let clock = 1000;
  let poolIdle: number | null = null;
  const boot = new BootWork(
    () => pool(poolIdle),
    () => clock,
  );
  boot.ready();
  let finish!: () => void;
  boot.warmup(new Promise<void>((r) => (finish = r)));
  t.like(boot.status(), { readyAt: 1000, warmup: { startedAt: 1000, doneAt: null }, idleAt: null });
  clock = 1500;
  poolIdle = 1400;
  t.is(boot.status().idleAt, null, 'the warm-up still runs');
  finish();
  await Promise.resolve();
  await Promise.resolve();
  t.like(boot.status(), { warmup: { doneAt: 1500 }, idleAt: 1500 });
  poolIdle = null;
  t.is(boot.status().idleAt, null, 'the pool refills again');
  poolIdle = 1700;
  t.is(boot.status().idleAt, 1700);
});

test('a warm-up that fails still ends', async (t) => {
  const boot = new BootWork(
    () => pool(5),
    () => 10,
  );
  boot.warmup(Promise.reject(new Error('no policy')));
  await new Promise((r) => setImmediate(r));
  t.is(boot.status().idleAt, 10);
});

test('whenIdle answers once idle, or with the status as it is after its timeout', async (t) => {
  let poolIdle: number | null = null;
  const boot = new BootWork(() => pool(poolIdle));
  boot.warmup(Promise.resolve());
  const late = await boot.whenIdle(30, 5);
  t.is(late.idleAt, null, 'not idle within 30 ms');
  setTimeout(() => (poolIdle = Date.now()), 20);
  const s = await boot.whenIdle(5000, 5);
  t.not(s.idleAt, null);
  t.true(s.at >= s.idleAt!);
});

test("the boot's steps carry the CPU used by their end; ready and the warm-up's end are steps too", async (t) => {
  let clock = 100;
  let cpu = 40;
  const boot = new BootWork(
    () => pool(null),
    () => clock,
    null,
    () => cpu,
  );
  boot.mark('loaded');
  clock = 150;
  cpu = 75;
  boot.mark('config');
  clock = 300;
  cpu = 190;
  boot.ready();
  let finish!: () => void;
  boot.warmup(new Promise<void>((r) => (finish = r)));
  cpu = 400;
  clock = 900;
  finish();
  await new Promise((r) => setImmediate(r));
  cpu = 410;
  const s = boot.status();
  t.deepEqual(s.phases, [
    { phase: 'loaded', at: 100, cpuMs: 40 },
    { phase: 'config', at: 150, cpuMs: 75 },
    { phase: 'ready', at: 300, cpuMs: 190 },
    { phase: 'warm-up', at: 900, cpuMs: 400 },
  ]);
  t.is(s.cpuMs, 410, 'the CPU when the status was taken');
});

test('processCpuMs grows with work done', (t) => {
  const before = processCpuMs();
  let x = 0;
  for (let i = 0; i < 5e6; i++) x += i % 7;
  t.true(x > 0);
  t.true(processCpuMs() > before);
});
