/**
 * npm run bench:impair: how close each impairment knob comes to its
 * setting, in the impair-pair lab (two hosts on one link), h1 sending to h2
 * and the impairment at h2's endpoint:
 *
 *   loss 30%        h2 in     10,000 pings at 1 ms      1 - answered/sent
 *   delay 50 ms     h2 out    1,000 pings at 10 ms      mean RTT minus the mean RTT without it
 *   jitter 5 ms     h2 out    (with delay 50 ms)        spread of the added delay
 *   duplicate 10%   h2 in     10,000 pings at 1 ms      ping's duplicates / sent
 *   reorder 5%      h2 in     10,000 pings at 1 ms      answers arriving after a later one / answered
 *   rate 1, 10 mbit h2 in/out iperf3 TCP for 5 s        goodput received / setting
 *
 *   node dist/scripts/bench-impair.js
 */
import { execSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { impair, clearImpairment, listImpairment } from '../src/orchestrator/impair/apply.js';
import { parseKnobWords, type Direction } from '../src/orchestrator/impair/spec.js';
import { Lab } from '../src/orchestrator/lab/lab.js';
import { streamProgress } from '../src/orchestrator/progress.js';

const topology = fileURLToPath(new URL('../../topologies/impair-pair.yaml', import.meta.url));
const TO = '10.9.0.2';

interface Row {
  knob: string;
  setting: string;
  measured: string;
  over: string;
}

const rows: Row[] = [];

function stats(xs: number[]) {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  const s = [...xs].sort((a, b) => a - b);
  return { mean, sd, min: s[0]!, max: s.at(-1)!, p50: s[Math.floor(s.length / 2)]!, p99: s[Math.floor(s.length * 0.99)]! };
}

async function main(): Promise<void> {
  const lab = await Lab.up(topology, { name: `bench-impair-${process.pid.toString(36)}`.slice(0, 24), progress: streamProgress() });
  const set = (endpoint: string, direction: Direction, words: string) =>
    impair(lab.engine, lab.name, { link: 'wan', endpoint, direction, knobs: parseKnobWords(words.split(' ')).knobs });
  const clear = () => clearImpairment(lab.engine, lab.name, 'wan');
  const ping = (count: number, interval: number) => lab.sh('h1', `ping -n -c ${count} -i ${interval} -W 2 ${TO}`, 300000);
  const times = (out: string) => [...out.matchAll(/icmp_seq=\d+ ttl=\d+ time=([0-9.]+) ms/g)].map((m) => Number(m[1]));
  const summary = (out: string) => {
    const m = /(\d+) packets transmitted, (\d+) received(?:, \+(\d+) duplicates)?/.exec(out);
    return { sent: Number(m?.[1] ?? 0), received: Number(m?.[2] ?? 0), dups: Number(m?.[3] ?? 0) };
  };
  try {
    await set('h2', 'in', 'loss=30%');
    const path = (await listImpairment(lab.engine, lab.name)).helpers[0]?.path ?? '?';
    let s = summary(await lab.exec('h1', `ping -n -q -c 10000 -i 0.001 -W 2 ${TO}`, 300000).then((r) => r.stdout));
    rows.push({ knob: 'loss (h2 in)', setting: '30%', measured: `${(100 * (1 - s.received / s.sent)).toFixed(2)}%`, over: `${s.sent} pings` });

    await clear();
    const base = stats(times(await ping(1000, 0.01)));
    await set('h2', 'out', 'delay=50ms');
    const d = stats(times(await ping(1000, 0.01)));
    rows.push({
      knob: 'delay (h2 out)',
      setting: '50 ms',
      measured: `+${(d.mean - base.mean).toFixed(2)} ms (p50 +${(d.p50 - base.p50).toFixed(2)}, p99 +${(d.p99 - base.p99).toFixed(2)})`,
      over: `1000 pings; RTT without: ${base.mean.toFixed(3)} ms`,
    });
    await set('h2', 'out', 'jitter=5ms');
    const j = stats(times(await ping(1000, 0.01)));
    rows.push({
      knob: 'jitter (h2 out, delay 50 ms)',
      setting: '±5 ms uniform (sd 2.89)',
      measured: `sd ${j.sd.toFixed(2)} ms, ${(j.min - base.mean).toFixed(1)}..${(j.max - base.mean).toFixed(1)} ms added`,
      over: '1000 pings',
    });

    await clear();
    await set('h2', 'in', 'duplicate=10%');
    s = summary(await ping(10000, 0.001).catch((e: { result?: { stdout: string } }) => e.result?.stdout ?? ''));
    rows.push({ knob: 'duplicate (h2 in)', setting: '10%', measured: `${((100 * s.dups) / s.sent).toFixed(2)}%`, over: `${s.sent} pings` });

    await clear();
    await set('h2', 'in', 'reorder=5%');
    const out = await ping(10000, 0.001);
    const seqs = [...out.matchAll(/icmp_seq=(\d+)/g)].map((m) => Number(m[1]));
    let late = 0;
    let highest = -1;
    for (const q of seqs) {
      if (q < highest) late++;
      highest = Math.max(highest, q);
    }
    rows.push({ knob: 'reorder (h2 in)', setting: '5%', measured: `${((100 * late) / seqs.length).toFixed(2)}%`, over: `${seqs.length} answers` });

    for (const [dir, rate, bps] of [
      ['in', '1mbit', 1e6],
      ['out', '10mbit', 1e7],
    ] as const) {
      await clear();
      await set('h2', dir, `rate=${rate}`);
      await lab.sh('h2', 'iperf3 -s -1 -D');
      await new Promise((r) => setTimeout(r, 300));
      // in at h2: h1 sends to h2; out at h2: h2 sends to h1 (-R)
      const r = JSON.parse(await lab.sh('h1', `iperf3 -c ${TO} -t 5 -J${dir === 'out' ? ' -R' : ''}`, 60000)) as {
        end: { sum_received: { bits_per_second: number } };
      };
      const got = r.end.sum_received.bits_per_second;
      rows.push({
        knob: `rate (h2 ${dir})`,
        setting: rate,
        measured: `${(got / 1e6).toFixed(3)} Mbit/s TCP goodput (${((100 * got) / bps).toFixed(1)}%)`,
        over: 'iperf3 -t 5',
      });
    }
    const commit = (() => {
      try {
        return execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
      } catch {
        return '?';
      }
    })();
    console.log(`\nbench:impair  impair-pair lab (2 hosts, 1 link), ${path} path, commit ${commit}, ${new Date().toISOString().slice(0, 10)}`);
    const w = (k: keyof Row) => Math.max(k.length, ...rows.map((r) => r[k].length));
    const line = (r: Row) => `${r.knob.padEnd(w('knob'))}  ${r.setting.padEnd(w('setting'))}  ${r.measured.padEnd(w('measured'))}  ${r.over}`;
    console.log(line({ knob: 'knob', setting: 'setting', measured: 'measured', over: 'over' }));
    for (const r of rows) console.log(line(r));
  } finally {
    await lab.down();
  }
}

await main();
