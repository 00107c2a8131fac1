/**
 * The exchange tasks as the engine runs them (src/agent/ike/v1/engine/):
 * a task's deadline is what the engine waits for and what drives its tick;
 * a finished, refused or aborted task leaves nothing behind, neither in the
 * task manager nor in the SA tables. Two engine cores talk through their
 * real entry points (acquire, receive, tick) on a hand-carried wire.
 */
import test from 'ava';
import { parseConfig } from '../../../../../../src/ios/index.js';
import { ExchangeType } from '../../../../../../src/codecs/isakmp/constants.js';
import { policyFromConfig } from '../../../../../../src/agent/ike/policy.js';
import { IOS_TIMERS } from '../../../../../../src/agent/ike/retransmit.js';
import type { AcquireTrigger, IkeAction, RandomSource } from '../../../../../../src/agent/ike/types.js';
import { doAcquire } from '../../../../../../src/agent/ike/v1/engine/acquire.js';
import { engineCall } from '../../../../../../src/agent/ike/v1/engine/call.js';
import { Core } from '../../../../../../src/agent/ike/v1/engine/core.js';
import { deletePhase1 } from '../../../../../../src/agent/ike/v1/engine/lifecycle.js';
import { doReceive } from '../../../../../../src/agent/ike/v1/engine/receive.js';
import { doTick, nextDeadline } from '../../../../../../src/agent/ike/v1/engine/timers.js';
import type { IsakmpSa } from '../../../../../../src/agent/ike/v1/sa/isakmp-sa.js';
import { PING_A, seedConfig, seededRandom, siteConfig } from '../../helpers.js';

type Send = Extract<IkeAction, { kind: 'send' }>;

/** One router's engine core, called the way IkeEngine calls it. */
class Side {
  readonly core: Core;
  private readonly random: RandomSource;
  constructor(config: string, seed: number) {
    this.core = new Core(policyFromConfig(parseConfig(config).config));
    this.random = seededRandom(seed);
  }
  acquire(now: number, trigger: AcquireTrigger): IkeAction[] {
    return engineCall(this.core, { random: this.random }, now, null, (ctx) => doAcquire(this.core, ctx, trigger));
  }
  receive(now: number, s: Send): IkeAction[] {
    return engineCall(this.core, { random: this.random }, now, s.from, (ctx) => doReceive(this.core, ctx, { from: s.from, to: s.to, payload: s.payload }));
  }
  tick(now: number): IkeAction[] {
    return engineCall(this.core, { random: this.random }, now, null, (ctx) => doTick(this.core, ctx));
  }
  deletePhase1(now: number, sa: IsakmpSa): IkeAction[] {
    return engineCall(this.core, { random: this.random }, now, null, (ctx) => deletePhase1(this.core, ctx, sa, 'Manual clear', true));
  }
  /** The only ISAKMP SA. */
  sa(): IsakmpSa {
    const all = [...this.core.t.isakmp.values()];
    if (all.length !== 1) throw new Error(`${all.length} ISAKMP SAs`);
    return all[0]!;
  }
}

const sends = (actions: readonly IkeAction[]): Send[] => actions.filter((a): a is Send => a.kind === 'send');
const lines = (actions: readonly IkeAction[]): string[] => actions.flatMap((a) => (a.kind === 'debug' || a.kind === 'log' ? [a.text] : []));

function sites(b: { remoteNet?: string } = {}): { a: Side; b: Side } {
  const a = new Side(
    siteConfig({ hostname: 'A', wan: '11.11.11.1', lan: '13.13.13.13', peer: '11.11.11.2', localNet: '13.13.13.0', remoteNet: '12.12.12.0' }),
    31,
  );
  const cfgB = siteConfig({
    hostname: 'B',
    wan: '11.11.11.2',
    lan: '12.12.12.12',
    peer: '11.11.11.1',
    localNet: '12.12.12.0',
    remoteNet: b.remoteNet ?? '13.13.13.0',
  });
  return { a, b: new Side(cfgB, 1031) };
}

/** Carries sends between the two sides until none is left; `drop` may keep a message off the wire. */
function converse(a: Side, b: Side, first: IkeAction[], now: number, drop: (s: Send, from: Side) => boolean = () => false): void {
  const queue: [Side, Send][] = sends(first).map((s) => [a, s]);
  for (let guard = 0; queue.length > 0 && guard < 100; guard++) {
    const [from, s] = queue.shift()!;
    if (drop(s, from)) continue;
    const to = from === a ? b : a;
    for (const r of sends(to.receive(now, s))) queue.push([to, r]);
  }
}

const exchangeType = (s: Send): number => s.payload[18]!;

test("a task's deadline drives tick: Main Mode resends MM1 at each deadline, then the SA dies with it", (t) => {
  const { a } = sites();
  const mm1 = sends(a.acquire(0, PING_A))[0]!;
  const sa = a.sa();
  const tasks = a.core.tasks(sa);
  const policy = a.core.policy;
  t.is(tasks.deadline(policy), IOS_TIMERS.phase1.intervalMs);
  t.is(nextDeadline(a.core), tasks.deadline(policy));
  t.deepEqual(a.tick(IOS_TIMERS.phase1.intervalMs - 1), [], 'nothing is due before the deadline');
  for (let i = 1; i <= IOS_TIMERS.phase1.maxRetransmits; i++) {
    const at = tasks.deadline(policy)!;
    const out = a.tick(at);
    t.deepEqual(
      sends(out).map((s) => s.payload),
      [mm1.payload],
      `resend ${i} is MM1 again`,
    );
    t.true(
      lines(out).includes(`ISAKMP (0:${sa.connId}): incrementing error counter on sa, attempt ${i} of ${IOS_TIMERS.phase1.maxRetransmits}: retransmit phase 1`),
    );
    t.is(tasks.deadline(policy), at + IOS_TIMERS.phase1.intervalMs);
  }
  const end = tasks.deadline(policy)!;
  const out = a.tick(end);
  t.like(
    out.find((x) => x.kind === 'fail'),
    { phase: 1, notify: 0 },
  );
  t.true(lines(out).some((l) => l.includes('deleting SA reason "death by retransmission P1 sa"')));
  t.false(a.core.t.isakmp.has(sa.connId));
  t.throws(() => a.core.tasks(sa), { message: /no task manager/ });
  t.deepEqual([...a.core.t.pending.keys()], [], 'the flow ended with its SA');
  t.is(nextDeadline(a.core), end + IOS_TIMERS.purgeDelayMs, 'only the purge is left to do');
});

test('after a handshake no task is left and the SA holds no exchange state', (t) => {
  const { a, b } = sites();
  converse(a, b, a.acquire(0, PING_A), 0);
  for (const side of [a, b]) {
    const sa = side.sa();
    t.true(sa.established);
    t.is(side.core.t.ipsec.size, 1);
    // phase 1 and Quick Mode are over, DPD is not configured: only the SA's lifetime is left
    t.is(side.core.tasks(sa).deadline(side.core.policy), sa.expiresAt);
    const working = [
      'psk',
      'saiB',
      'dh',
      'gxi',
      'gxr',
      'niB',
      'nrB',
      'iv',
      'retransmit',
      'peerIdB',
      'firstFrom',
      'firstTo',
      'quickModes',
      'queue',
      'badMessages',
      'pending',
      'nextSeq',
    ];
    t.deepEqual(
      Object.keys(sa).filter((k) => working.includes(k)),
      [],
    );
  }
});

test('an aborted Quick Mode leaves nothing: its SPI is free again, the SA and its tasks are gone', (t) => {
  const { a, b } = sites();
  let quickFromA = 0;
  // QM3 never reaches B: B's Quick Mode waits for it with the SPI it chose for its inbound SA
  converse(a, b, a.acquire(0, PING_A), 0, (s, from) => from === a && exchangeType(s) === ExchangeType.QUICK_MODE && ++quickFromA === 2);
  t.is(a.core.t.ipsec.size, 1);
  t.is(b.core.t.ipsec.size, 0);
  t.is(b.core.usedSpis.size, 1, 'the waiting Quick Mode holds its SPI');
  const sa = b.sa();
  const waiting = b.core.tasks(sa).deadline(b.core.policy);
  t.is(waiting, IOS_TIMERS.phase2.intervalMs, 'the Quick Mode retransmission is the next deadline');
  b.deletePhase1(1, sa);
  t.is(b.core.usedSpis.size, 0);
  t.is(b.core.t.isakmp.size, 0);
  t.throws(() => b.core.tasks(sa), { message: /no task manager/ });
  t.is(nextDeadline(b.core), 1 + IOS_TIMERS.purgeDelayMs);
});

test('a refused Quick Mode is not kept on either side', (t) => {
  // B protects another network: it refuses the proxies with INVALID-ID-INFORMATION
  const { a, b } = sites({ remoteNet: '14.14.14.0' });
  converse(a, b, a.acquire(0, PING_A), 0);
  const saA = a.sa();
  const saB = b.sa();
  t.true(saA.established && saB.established);
  t.deepEqual([a.core.t.ipsec.size, b.core.t.ipsec.size], [0, 0]);
  t.deepEqual([...a.core.t.pending.keys()], [], 'the flow failed');
  t.is(b.core.usedSpis.size, 0, 'B allocated no SPI it keeps');
  t.is(a.core.tasks(saA).deadline(a.core.policy), saA.expiresAt, 'no Quick Mode left on A');
  t.is(b.core.tasks(saB).deadline(b.core.policy), saB.expiresAt, 'no Quick Mode left on B');
});

test("the TED probe's deadline drives its resends; when it gives up its discovery SA leaves the table", (t) => {
  const daphne = new Side(seedConfig('daphne'), 7);
  const probe = daphne.acquire(0, PING_A).find((x) => x.kind === 'send-probe')!;
  t.truthy(probe);
  t.deepEqual(
    [...daphne.core.t.probes.values()].map((p) => [p.source, p.target]),
    [['13.13.13.4', '12.12.12.13']],
  );
  const probeId = [...daphne.core.t.probes.keys()][0]!;
  for (let i = 1; i <= IOS_TIMERS.probe.maxRetransmits; i++) {
    const at = nextDeadline(daphne.core)!;
    t.is(at, i * IOS_TIMERS.probe.intervalMs);
    t.deepEqual(daphne.tick(at - 1), []);
    const again = daphne.tick(at).filter((x) => x.kind === 'send-probe');
    t.deepEqual(again, [probe]);
  }
  const end = nextDeadline(daphne.core)!;
  const out = daphne.tick(end);
  t.like(
    out.find((x) => x.kind === 'fail'),
    { phase: 'ted', peer: '12.12.12.13' },
  );
  t.is(daphne.core.t.probes.size, 0);
  t.is(daphne.core.probe(probeId), undefined, 'the probe task went with its SA');
  t.deepEqual([...daphne.core.t.pending.keys()], []);
  t.is(nextDeadline(daphne.core), end + IOS_TIMERS.purgeDelayMs);
});
