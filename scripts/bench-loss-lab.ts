/**
 * npm run bench:loss-lab [-- --runs N]: the Docker counterpart of bench:loss.
 * The seed lab (topologies/daphne-fred.yaml), the WAN impaired with random
 * loss on the whole link (each datagram, each way, lost with the setting's
 * probability: iptables statistic, `testbed impair`), N fresh tunnels at 30%
 * and N at 20% (50 by default).
 *
 * One tunnel: both routers' SAs cleared (`clear crypto sa`, `clear crypto
 * isakmp`) and gone, the loss switched on, then d1 pings a1 once a second.
 * Timed: from the start of the ping to the first poll (every 500 ms, `show
 * crypto ipsec sa` on both routers) that finds an inbound ESP SA on both.
 * The polls' spacing bounds the resolution (about 0.5 to 1 s). Each formed
 * trial is also checked against the retransmission schedule from the
 * routers' consoles (scripts/lib/loss-schedule.ts: no stretch without an
 * IKE datagram longer than one 10 s interval, one second more after an
 * abandoned attempt; each router's install right after the last Quick Mode
 * message it received).
 *
 * `--analyze DAPHNE.log,FRED.log` runs those checks alone on two whole
 * consoles saved from a run (`docker logs -t` of both routers), the trials
 * taken in order, --runs per loss setting.
 *
 * Both routers run with `debug crypto isakmp` and `debug crypto ipsec`. A
 * trial whose tunnel does not form within the horizon leaves its evidence in
 * the lab's artifacts folder (artifacts/LAB/, printed at the end): per
 * router, the console (log and debug lines) from the trial's start, then
 * `show crypto isakmp sa` and `show crypto ipsec sa` at the horizon, in
 * `not-formed-LOSS-N-ROUTER.log`.
 *
 *   node --openssl-legacy-provider dist/scripts/bench-loss-lab.js [--runs N] [--horizon S] [--loss 30%,20%] [--analyze A.log,B.log]
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { clearImpairment, impair } from '../src/orchestrator/impair/apply.js';
import { parseKnobWords } from '../src/orchestrator/impair/spec.js';
import { Lab } from '../src/orchestrator/lab/lab.js';
import { SHOW_TABLES } from '../src/orchestrator/show/index.js';
import { fmt, formatTable, loadAverage } from './lib/bench.js';
import { consoleEvents, fromTrigger, splitTrials, trialSchedule, type TrialSchedule } from './lib/loss-schedule.js';

const { values } = parseArgs({ options: { runs: { type: 'string' }, horizon: { type: 'string' }, loss: { type: 'string' }, analyze: { type: 'string' } } });
const RUNS = Number(values.runs ?? 50);
const HORIZON_MS = Number(values.horizon ?? 300) * 1000;
const LOSSES = (values.loss ?? '30%,20%').split(',');
const topology = fileURLToPath(new URL('../../topologies/daphne-fred.yaml', import.meta.url));
const ROUTERS = ['daphne', 'fred'] as const;
/** IOS's retransmission interval (src/agent/ike/retransmit.ts). */
const INTERVAL_MS = 10_000;
const log = (s: string) => process.stderr.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function inboundSas(lab: Lab, router: string): Promise<number> {
  const sa = SHOW_TABLES.ipsec_sa.parse(await lab.ios(router, 'show crypto ipsec sa'), []);
  return sa.reduce((n, x) => n + ((x.inbound_spis as unknown[] | undefined)?.length ?? 0), 0);
}

async function bothUp(lab: Lab): Promise<boolean> {
  const counts = await Promise.all(ROUTERS.map((r) => inboundSas(lab, r)));
  return counts.every((n) => n > 0);
}

/** Where each router's console stood (characters) when a trial began. */
async function consoleMarks(lab: Lab): Promise<Record<string, number>> {
  return Object.fromEntries(await Promise.all(ROUTERS.map(async (r) => [r, (await lab.console(r)).length] as const)));
}

/** A trial that did not form: each router's console since the trial began and its SA tables, into the artifacts folder. */
async function keepEvidence(lab: Lab, loss: string, n: number, marks: Record<string, number>): Promise<string[]> {
  const files: string[] = [];
  for (const r of ROUTERS) {
    const text = [
      `# bench:loss-lab: ${r}, loss ${loss}, trial ${n}: no tunnel within ${HORIZON_MS / 1000} s; the console from the trial's start`,
      (await lab.console(r)).slice(marks[r] ?? 0),
      `# ${r}#show crypto isakmp sa (at the horizon)`,
      await lab.ios(r, 'show crypto isakmp sa'),
      `# ${r}#show crypto ipsec sa (at the horizon)`,
      await lab.ios(r, 'show crypto ipsec sa'),
    ].join('\n');
    const file = join(lab.info.artifacts, `not-formed-${loss.replace('%', 'pct')}-${n}-${r}.log`);
    await writeFile(file, text);
    files.push(file);
  }
  return files;
}

/** A formed trial's schedule, from each router's console since the trial began. */
async function schedule(lab: Lab, marks: Record<string, number>): Promise<TrialSchedule | null> {
  const events = Object.fromEntries(await Promise.all(ROUTERS.map(async (r) => [r, consoleEvents((await lab.console(r)).slice(marks[r] ?? 0))] as const)));
  const trial = fromTrigger(events, 'daphne');
  return trial ? trialSchedule(trial, INTERVAL_MS) : null;
}

/** The schedule checks of one loss setting, as lines of the report. */
function scheduleLines(loss: string, checked: TrialSchedule[]): string[] {
  if (!checked.length) return [`${loss}: no formed trial to check`];
  const gaps = checked.map((c) => c.maxGapMs);
  const waits = checked.flatMap((c) => Object.values(c.installWaitMs).filter((w): w is number => w !== null));
  const over = checked.flatMap((c) => c.violations);
  return [
    `${loss}: ${checked.length} trials checked against the schedule; longest stretch without an IKE datagram ${fmt(Math.max(...gaps) / 1000, 3)} s ` +
      `(bound ${fmt((INTERVAL_MS + 100) / 1000, 1)} s, ${fmt((INTERVAL_MS + 1100) / 1000, 1)} s across an abandoned attempt; ${checked.reduce((n, c) => n + c.abandoned, 0)} abandoned); ` +
      `stretches over the bound: ${over.length}${over.length ? ` (${over.map(([g, b]) => `${g} ms > ${b}`).join(', ')})` : ''}; ` +
      `last Quick Mode message to the install: at most ${waits.length ? Math.max(...waits) : '-'} ms`,
  ];
}

/** One fresh tunnel at `loss`: ms to both routers' SAs and the trial's schedule, or null past the horizon (the routers' evidence then kept). */
async function tunnel(lab: Lab, loss: string, n: number): Promise<{ ms: number; schedule: TrialSchedule | null } | null> {
  await clearImpairment(lab.engine, lab.name, 'wan');
  for (const r of ROUTERS) await lab.ios(r, 'clear crypto sa', 'clear crypto isakmp');
  for (let i = 0; i < 40 && (await Promise.all(ROUTERS.map((r) => inboundSas(lab, r)))).some((n) => n > 0); i++) await sleep(250);
  await sleep(1000);
  const marks = await consoleMarks(lab);
  await impair(lab.engine, lab.name, { link: 'wan', endpoint: null, direction: 'both', knobs: parseKnobWords([`loss=${loss}`]).knobs });
  const t0 = Date.now();
  const ping = lab
    .sh(
      'd1',
      `ping -n -i 1 -W 1 -c ${Math.ceil(HORIZON_MS / 1000)} 12.12.12.13 >/dev/null 2>&1 & echo $! > /tmp/bench-loss-ping.pid; wait`,
      HORIZON_MS + 30_000,
    )
    .catch(() => '');
  let formed: number | null = null;
  while (Date.now() - t0 < HORIZON_MS) {
    if (await bothUp(lab)) {
      formed = Date.now() - t0;
      break;
    }
    await sleep(500);
  }
  await lab.sh('d1', 'kill $(cat /tmp/bench-loss-ping.pid) 2>/dev/null; true');
  await ping;
  await clearImpairment(lab.engine, lab.name, 'wan');
  if (formed === null) {
    for (const f of await keepEvidence(lab, loss, n, marks)) log(`  kept ${f}`);
    return null;
  }
  return { ms: formed, schedule: await schedule(lab, marks) };
}

/** `--analyze`: the schedule checks alone, on two saved whole consoles. */
async function analyze(files: string[]): Promise<void> {
  const events = Object.fromEntries(await Promise.all(ROUTERS.map(async (r, i) => [r, consoleEvents(await readFile(files[i]!, 'utf8'))] as const)));
  const trials = splitTrials(events, 'daphne').map((t) => trialSchedule(t, INTERVAL_MS));
  const formed = (t: TrialSchedule) => Object.values(t.installWaitMs).every((w) => w !== null);
  process.stdout.write(`bench:loss-lab --analyze ${files.join(',')}: ${trials.length} trials, ${RUNS} per setting (${LOSSES.join(', ')})\n`);
  LOSSES.forEach((loss, k) => {
    const mine = trials.slice(k * RUNS, (k + 1) * RUNS);
    for (const line of scheduleLines(loss, mine.filter(formed))) process.stdout.write(`${line}\n`);
  });
}

async function main(): Promise<void> {
  const start = loadAverage();
  const lab = await Lab.up(topology, { name: `bench-loss-${process.pid.toString(36)}`.slice(0, 24) });
  const rows: string[][] = [];
  const lists: string[] = [];
  const schedules: string[] = [];
  const artifacts = lab.info.artifacts;
  let kept = 0;
  try {
    for (const r of ROUTERS) await lab.ios(r, 'debug crypto isakmp', 'debug crypto ipsec');
    for (const loss of LOSSES) {
      const times: number[] = [];
      const checked: TrialSchedule[] = [];
      let missed = 0;
      for (let i = 0; i < RUNS; i++) {
        const r = await tunnel(lab, loss, i + 1);
        const v = r?.schedule?.violations.length ? `; ${r.schedule.violations.length} stretches over the schedule` : '';
        log(`${loss} #${i + 1}: ${r === null ? 'not formed' : `${fmt(r.ms / 1000, 2)} s${v}`}`);
        if (r === null) {
          missed++;
          kept += ROUTERS.length;
        } else {
          times.push(r.ms / 1000);
          if (r.schedule) checked.push(r.schedule);
        }
      }
      schedules.push(...scheduleLines(loss, checked));
      const s = [...times].sort((a, b) => a - b);
      const q = (p: number) => (s.length ? fmt(s[Math.min(s.length - 1, Math.floor(p * s.length))]!, 2) : '-');
      rows.push([
        loss,
        `${s.length}/${RUNS}`,
        q(0),
        q(0.5),
        q(0.9),
        s.length ? fmt(s.at(-1)!, 2) : '-',
        `${s.filter((x) => x <= 120).length}/${RUNS}`,
        String(missed),
      ]);
      lists.push(`${loss}: ${s.map((x) => fmt(x, 1)).join(' ')}`);
    }
  } finally {
    await lab.down();
  }
  process.stdout.write(`bench:loss-lab (seed lab, loss on the whole WAN link; load ${start} -> ${loadAverage()})\n`);
  process.stdout.write(
    formatTable(['loss', 'formed', 'min s', 'median s', 'p90 s', 'max s', '<=120 s', 'not formed'], rows, [
      'left',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
    ]),
  );
  process.stdout.write(`\n${lists.join('\n')}\n\nschedule (from the routers' consoles)\n${schedules.join('\n')}\n`);
  if (kept > 0) process.stdout.write(`\nthe routers' consoles of the tunnels not formed (${kept} files): ${artifacts}/not-formed-*.log\n`);
}

if (values.analyze) await analyze(values.analyze.split(','));
else await main();
