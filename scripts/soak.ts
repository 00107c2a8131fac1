/**
 * npm run soak [-- --minutes 60 --lifetime 120 --phase 5 --loss 5%]: the
 * seed lab (topologies/daphne-fred.yaml) for an hour (by default) with the
 * routers' IPsec SA lifetime lowered to 120 s (IOS 12.2's minimum), so the
 * SAs are renegotiated every two minutes or so, under a steady ping of 10
 * per second each way (d1 -> a1 and a1 -> d1), with the WAN impaired (loss
 * 5% on the whole link) every other phase of 5 minutes, starting clean.
 *
 * It reports: each rekey (daphne's outbound SPI changes; polled every 5 s)
 * with the pings lost around it (from the poll before it, less 3 s, to the
 * poll that saw it, plus 3 s) and the SA counts 30 s later; the agents'
 * memory every minute: the container's cgroup, the agent's RSS split into
 * anonymous and file-backed pages (/proc/1/status), and what the agent says
 * of its own memory (`ios --memory`: V8's heap, used and committed, per
 * space, and the external and ArrayBuffer memory it knows of); and the pings
 * lost in each phase. With --heap-snapshots, two heap snapshots of each
 * agent (`ios --memory --snapshot`, after the third minute and at the end)
 * are compared by constructor: what the JavaScript heap gained (the
 * snapshot's writer leaves tens of MB in the agent's malloc heap, so such a
 * run's RSS figures after the first snapshot are not the agent's own). Target: no ping lost at a
 * rekey in a clean phase, memory flat, SA counts back to steady state after
 * every rekey.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { clearImpairment, impair } from '../src/orchestrator/impair/apply.js';
import { parseKnobWords } from '../src/orchestrator/impair/spec.js';
import { findNode } from '../src/orchestrator/lab/inventory.js';
import { Lab } from '../src/orchestrator/lab/lab.js';
import { streamProgress } from '../src/orchestrator/progress.js';
import { SHOW_TABLES } from '../src/orchestrator/show/index.js';
import { rekeyWan, rekeyWindow } from './lib/soak-windows.js';
import { slope } from './lib/bench.js';
import { compareHeapSummaries, summarizeHeapSnapshot, type HeapGroup } from './lib/heap-snapshot.js';
import type { AgentMemory } from '../src/agent/io/memory.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string' },
    lifetime: { type: 'string' },
    phase: { type: 'string' },
    loss: { type: 'string' },
    'heap-snapshots': { type: 'boolean' },
  },
});
// off by default: writing a snapshot makes V8 malloc tens of MB that glibc keeps in the agent's [heap] afterwards,
// so a run with snapshots can name what the JavaScript heap gained but its RSS figures are not the agent's own
const HEAP_SNAPSHOTS = values['heap-snapshots'] === true;
const MINUTES = Number(values.minutes ?? 60);
const LIFETIME = Number(values.lifetime ?? 120);
const PHASE_MIN = Number(values.phase ?? 5);
const LOSS = values.loss ?? '5%';
const POLL_MS = 5000;
const topology = fileURLToPath(new URL('../../topologies/daphne-fred.yaml', import.meta.url));
const FLOWS = [
  { name: 'd1->a1', from: 'd1', to: '12.12.12.13' },
  { name: 'a1->d1', from: 'a1', to: '13.13.13.4' },
];
const ROUTERS = ['daphne', 'fred'];

interface Poll {
  t: number;
  spi: Record<string, number>;
  ipsecIn: Record<string, number>;
  ipsecOut: Record<string, number>;
  isakmp: Record<string, number>;
}
interface Rekey {
  t: number;
  prev: number;
  oldSpi: number;
  newSpi: number;
  after?: Poll;
}
type Trim = Record<string, Record<'before' | 'after', { rss: number; anon: number; brk: number; agent: AgentMemory }>>;
const kbOf = (status: string, field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
interface Memory {
  t: number;
  cgroup: Record<string, number>;
  rss: Record<string, number>;
  /** /proc/1/status: RssAnon, RssFile (bytes). */
  anon: Record<string, number>;
  file: Record<string, number>;
  /** /proc/1/smaps: the resident part of the [heap] mapping, glibc's main malloc arena (bytes). */
  brk: Record<string, number>;
  /** The agent's own figures (ios --memory). */
  agent: Record<string, AgentMemory>;
}
/** The heap snapshot summaries: early (after the third minute) and late (at the end), per router. */
const snapshots: { early: Record<string, Map<string, HeapGroup>>; late: Record<string, Map<string, HeapGroup>>; at: { early?: number; late?: number } } = {
  early: {},
  late: {},
  at: {},
};
const SNAPSHOT_AFTER_MS = 3 * 60000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// Ctrl-C (or SIGTERM) ends the soak early: the table is printed for the time run, and the lab goes
let stopEarly = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => (stopEarly = true));
const hex = (n: number) => `0x${n.toString(16).toUpperCase().padStart(8, '0')}`;
const mb = (b: number) => (b / 1048576).toFixed(1);

async function main(): Promise<void> {
  const lab = await Lab.up(topology, { name: `soak-${process.pid.toString(36)}`.slice(0, 24), progress: streamProgress() });
  const start = Date.now();
  const rel = (t: number) => `${Math.floor((t - start) / 60000)}:${String(Math.floor(((t - start) % 60000) / 1000)).padStart(2, '0')}`;
  const rawSh = async (node: string, cmd: string) => {
    const c = await findNode(lab.engine, lab.name, node);
    return (await lab.engine.exec(c.id, ['sh', '-c', cmd])).stdout;
  };
  // the resident part of the agent's [heap] mapping: glibc's main malloc arena
  const brkOf = async (node: string) =>
    Number(
      (await rawSh(node, "awk '/ \\[heap\\]$/ { h = 1; next } /^[0-9a-f]+-/ { h = 0 } h && /^Rss:/ { n += $2 } END { print n + 0 }' /proc/1/smaps")).trim(),
    ) * 1024;
  try {
    for (const r of ROUTERS) await lab.ios(r, 'configure terminal', `crypto ipsec security-association lifetime seconds ${LIFETIME}`, 'end');
    // the tunnel first (TED drops the first packet, as IOS does), then the flows
    for (let i = 0; i < 20; i++) if ((await lab.exec('d1', 'ping -c 1 -W 1 12.12.12.13')).exitCode === 0) break;
    const t0 = Date.now();
    for (const f of FLOWS) await lab.sh(f.from, `ping -n -D -O -i 0.1 ${f.to} > /tmp/soak-ping.log 2>&1 & echo $! > /tmp/soak-ping.pid`);
    console.log(
      `soak: lab ${lab.name}, ${MINUTES} min, IPsec SA lifetime ${LIFETIME} s, ${FLOWS.length} pings at 10/s, loss ${LOSS} on wan every other ${PHASE_MIN}-min phase`,
    );

    const polls: Poll[] = [];
    const rekeys: Rekey[] = [];
    const memory: Memory[] = [];
    const phases: { from: number; to: number; impaired: boolean }[] = [];
    let impaired = false;
    let phaseStart = t0;
    let nextMemory = t0;
    const end = t0 + MINUTES * 60000;
    // a heap snapshot of each agent, summed up by constructor (the file, tens of MB, is read and removed)
    const snapshot = async (into: Record<string, Map<string, HeapGroup>>) => {
      for (const r of ROUTERS) {
        const m = JSON.parse((await lab.exec(r, ['--memory', '--snapshot'], 120_000)).stdout) as AgentMemory;
        into[r] = summarizeHeapSnapshot(await rawSh(r, `cat ${m.snapshot!} && rm -f ${m.snapshot!}`));
      }
    };
    while (Date.now() < end && !stopEarly) {
      const now = Date.now();
      const wantImpaired = Math.floor((now - t0) / (PHASE_MIN * 60000)) % 2 === 1;
      if (wantImpaired !== impaired) {
        phases.push({ from: phaseStart, to: now, impaired });
        phaseStart = now;
        impaired = wantImpaired;
        if (impaired) await impair(lab.engine, lab.name, { link: 'wan', endpoint: null, direction: 'both', knobs: parseKnobWords([`loss=${LOSS}`]).knobs });
        else await clearImpairment(lab.engine, lab.name, 'wan');
        console.log(`${rel(Date.now())}  wan ${impaired ? `impaired: loss ${LOSS}` : 'clean'}`);
      }
      const poll: Poll = { t: Date.now(), spi: {}, ipsecIn: {}, ipsecOut: {}, isakmp: {} };
      for (const r of ROUTERS) {
        const sa = SHOW_TABLES.ipsec_sa.parse(await lab.ios(r, 'show crypto ipsec sa'), []);
        poll.spi[r] = Number(sa[0]?.outbound_spi ?? 0);
        poll.ipsecIn[r] = sa.reduce((n, x) => n + ((x.inbound_spis as unknown[] | undefined)?.length ?? 0), 0);
        poll.ipsecOut[r] = sa.reduce((n, x) => n + ((x.outbound_spis as unknown[] | undefined)?.length ?? 0), 0);
        poll.isakmp[r] = SHOW_TABLES.isakmp_sa.parse(await lab.ios(r, 'show crypto isakmp sa'), []).length;
      }
      const last = polls.at(-1);
      if (last && last.spi.daphne !== poll.spi.daphne) {
        rekeys.push({ t: poll.t, prev: last.t, oldSpi: last.spi.daphne!, newSpi: poll.spi.daphne! });
        console.log(`${rel(poll.t)}  rekey: daphne outbound ${hex(last.spi.daphne!)} -> ${hex(poll.spi.daphne!)}`);
      }
      for (const k of rekeys) if (!k.after && poll.t - k.t >= 30000) k.after = poll;
      polls.push(poll);
      if (Date.now() >= nextMemory) {
        const m: Memory = { t: Date.now(), cgroup: {}, rss: {}, anon: {}, file: {}, brk: {}, agent: {} };
        for (const r of ROUTERS) {
          m.cgroup[r] = Number((await rawSh(r, 'cat /sys/fs/cgroup/memory/memory.usage_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.current')).trim());
          const status = await rawSh(r, 'cat /proc/1/status');
          const kb = (field: string) => kbOf(status, field);
          m.rss[r] = kb('VmRSS');
          m.anon[r] = kb('RssAnon');
          m.file[r] = kb('RssFile');
          m.brk[r] = await brkOf(r);
          m.agent[r] = JSON.parse((await lab.exec(r, ['--memory'])).stdout) as AgentMemory;
        }
        memory.push(m);
        nextMemory += 60000;
        if (HEAP_SNAPSHOTS && snapshots.at.early === undefined && m.t - t0 >= SNAPSHOT_AFTER_MS) {
          await snapshot(snapshots.early);
          snapshots.at.early = Date.now();
        }
      }
      await sleep(Math.max(0, POLL_MS - (Date.now() - poll.t)));
    }
    phases.push({ from: phaseStart, to: Date.now(), impaired });
    // at the end, how much of each agent's RSS is free memory that malloc kept: the figures, a malloc_trim, the figures again
    const trim: Trim = {};
    for (const r of ROUTERS) {
      const read = async (args: string[]) => {
        const a = JSON.parse((await lab.exec(r, args)).stdout) as AgentMemory;
        const status = await rawSh(r, 'cat /proc/1/status');
        return { rss: kbOf(status, 'VmRSS'), anon: kbOf(status, 'RssAnon'), brk: await brkOf(r), agent: a };
      };
      trim[r] = { before: await read(['--memory']), after: await read(['--memory', '--trim']) };
    }
    if (snapshots.at.early !== undefined) {
      await snapshot(snapshots.late);
      snapshots.at.late = Date.now();
    }

    // the pings: stop them, then find the lost ones and when they were sent
    const lost: { flow: string; t: number }[] = [];
    const sentAt: { flow: string; t: number }[] = [];
    const sent: Record<string, number> = {};
    for (const f of FLOWS) {
      const log = await lab.sh(f.from, 'kill -INT "$(cat /tmp/soak-ping.pid)"; sleep 1; cat /tmp/soak-ping.log', 60000);
      const answered = new Set([...log.matchAll(/icmp_seq=(\d+) ttl=/g)].map((m) => Number(m[1])));
      const noAnswer = new Map([...log.matchAll(/^\[(\d+\.\d+)\] no answer yet for icmp_seq=(\d+)/gm)].map((m) => [Number(m[2]), Number(m[1]) * 1000]));
      const total = Number(/(\d+) packets transmitted/.exec(log)?.[1] ?? 0);
      sent[f.name] = total;
      const answeredAt = new Map([...log.matchAll(/^\[(\d+\.\d+)\] .*icmp_seq=(\d+) ttl=/gm)].map((m) => [Number(m[2]), Number(m[1]) * 1000]));
      for (let seq = 1; seq <= total; seq++) {
        const t = answeredAt.get(seq) ?? noAnswer.get(seq) ?? t0 + seq * 100;
        sentAt.push({ flow: f.name, t });
        if (!answered.has(seq)) lost.push({ flow: f.name, t });
      }
    }
    report(rel, { rekeys, memory, phases, lost, sent, sentAt, polls, trim });
    // the raw readings, so that a run can be read again (which ping was lost when, the phases, the rekeys)
    const raw = join(lab.info.artifacts, 'soak.json');
    await mkdir(lab.info.artifacts, { recursive: true });
    await writeFile(
      raw,
      JSON.stringify({
        t0,
        phases,
        rekeys: rekeys.map(({ t, prev, oldSpi, newSpi }) => ({ t, prev, oldSpi, newSpi })),
        lost,
        sent,
        memory,
        trim,
        heap: Object.fromEntries(ROUTERS.map((r) => [r, { early: [...(snapshots.early[r]?.values() ?? [])], late: [...(snapshots.late[r]?.values() ?? [])] }])),
      }),
    );
    console.log(`readings: ${raw}`);
  } finally {
    await lab.down();
  }
}

function report(
  rel: (t: number) => string,
  d: {
    rekeys: Rekey[];
    memory: Memory[];
    phases: { from: number; to: number; impaired: boolean }[];
    lost: { flow: string; t: number }[];
    sent: Record<string, number>;
    sentAt: { flow: string; t: number }[];
    polls: Poll[];
    trim: Trim;
  },
): void {
  const commit = (() => {
    try {
      return execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
    } catch {
      return '?';
    }
  })();
  const lostIn = (from: number, to: number, flow: string) => d.lost.filter((l) => l.flow === flow && l.t >= from && l.t <= to).length;
  const counts = (p: Poll | undefined) => (p ? ROUTERS.map((r) => `${p.ipsecIn[r]}/${p.ipsecOut[r]}/${p.isakmp[r]}`).join('  ') : 'n/a');
  const steady = d.polls.find((p) => p.spi.daphne);
  console.log(`\nsoak  seed lab, commit ${commit}, ${new Date().toISOString().slice(0, 16)}Z`);
  console.log(`steady state SA counts (inbound/outbound ESP SAs/ISAKMP SAs, daphne  fred): ${counts(steady)}`);
  console.log('\nrekey  at     wan        daphne outbound SPI      lost d1->a1  lost a1->d1  SA counts 30 s later');
  const wanOf = (k: Rekey) => rekeyWan(rekeyWindow(k.prev, k.t), d.phases);
  d.rekeys.forEach((k, i) => {
    const { from, to } = rekeyWindow(k.prev, k.t);
    console.log(
      `${String(i + 1).padStart(5)}  ${rel(k.t).padStart(5)}  ${wanOf(k).padEnd(9)}  ${hex(k.oldSpi)} -> ${hex(k.newSpi)}  ${String(lostIn(from, to, 'd1->a1')).padStart(11)}  ${String(lostIn(from, to, 'a1->d1')).padStart(11)}  ${counts(k.after)}`,
    );
  });
  console.log('\nphase  from   to     wan        sent d1->a1  lost  sent a1->d1  lost');
  d.phases.forEach((p, i) => {
    const n = (flow: string) => d.sentAt.filter((x) => x.flow === flow && x.t >= p.from && x.t < p.to).length;
    console.log(
      `${String(i + 1).padStart(5)}  ${rel(p.from).padStart(5)}  ${rel(p.to).padStart(5)}  ${(p.impaired ? 'impaired' : 'clean').padEnd(9)}  ${String(n('d1->a1')).padStart(11)}  ${String(lostIn(p.from, p.to, 'd1->a1')).padStart(4)}  ${String(n('a1->d1')).padStart(11)}  ${String(lostIn(p.from, p.to, 'a1->d1')).padStart(4)}`,
    );
  });
  console.log('\nminute  daphne cgroup MB  rss MB   fred cgroup MB  rss MB');
  d.memory.forEach((m) =>
    console.log(
      `${rel(m.t).padStart(6)}  ${mb(m.cgroup.daphne!).padStart(16)}  ${mb(m.rss.daphne!).padStart(6)}  ${mb(m.cgroup.fred!).padStart(14)}  ${mb(m.rss.fred!).padStart(6)}`,
    ),
  );
  // where the RSS sits: anonymous pages (the heap, malloc, stacks) and file pages (node's binary and libraries);
  // of the anonymous part, V8's heap (committed, and of it used), the memory V8 knows outside its heap (external),
  // and the rest (anon - heap committed: malloc arenas, native buffers, code and thread stacks that V8 does not count),
  // of which brk is the main thread's malloc arena (the [heap] mapping)
  const space = (a: AgentMemory, name: string) => a.spaces.find((x) => x.name === name);
  for (const r of ROUTERS) {
    console.log(
      `\n${r}, MB   rss   anon   file  heap total  heap used  old used  code  new total  large obj  external  arraybuf  anon-heap    brk  malloc used  free  keeper gc`,
    );
    d.memory.forEach((m) => {
      const a = m.agent[r]!;
      console.log(
        [
          rel(m.t).padStart(6),
          mb(m.rss[r]!).padStart(7),
          mb(m.anon[r]!).padStart(6),
          mb(m.file[r]!).padStart(6),
          mb(a.heapTotal).padStart(11),
          mb(a.heapUsed).padStart(10),
          mb(space(a, 'old_space')?.used ?? 0).padStart(9),
          mb(space(a, 'code_space')?.size ?? 0).padStart(5),
          mb(space(a, 'new_space')?.size ?? 0).padStart(10),
          mb(space(a, 'large_object_space')?.size ?? 0).padStart(10),
          mb(a.external).padStart(9),
          mb(a.arrayBuffers).padStart(9),
          mb(m.anon[r]! - a.heapTotal).padStart(10),
          mb(m.brk[r]!).padStart(6),
          (a.malloc ? mb(a.malloc.inUse) : '-').padStart(12),
          (a.malloc ? mb(a.malloc.free) : '-').padStart(5),
          String(a.keeper?.collections ?? '-').padStart(10),
        ].join(' '),
      );
    });
  }
  // the figure for "flat": the RSS's slope over the run after its first ten minutes (boot and the first rekeys done)
  console.log('\nRSS after minute 10, least-squares slope (MB per hour) and first -> last (MB); full collections the heap keeper asked for');
  for (const r of ROUTERS) {
    const pts = d.memory.filter((m) => m.t - d.memory[0]!.t >= 10 * 60_000 - POLL_MS).map((m) => ({ h: m.t / 3_600_000, v: m.rss[r]! / 1048576 }));
    const last = d.memory.at(-1)?.agent[r]?.keeper;
    console.log(
      `${r.padEnd(7)} ${pts.length < 2 ? 'too short' : `${slope(pts).toFixed(2)} MB/h, ${pts[0]!.v.toFixed(1)} -> ${pts.at(-1)!.v.toFixed(1)} MB over ${pts.length} readings`}; keeper: ${last ? `${last.collections} collections, ${last.deferred} deferred` : 'not reported'}`,
    );
  }
  console.log('\nat the end, before and after a malloc_trim (MB)  rss    anon   brk    malloc used  free   heap used');
  for (const r of ROUTERS)
    for (const w of ['before', 'after'] as const) {
      const x = d.trim[r]![w];
      console.log(
        `${`${r} ${w}`.padEnd(48)} ${mb(x.rss).padStart(5)}  ${mb(x.anon).padStart(5)}  ${mb(x.brk).padStart(5)}  ${(x.agent.malloc ? mb(x.agent.malloc.inUse) : '-').padStart(11)}  ${(x.agent.malloc ? mb(x.agent.malloc.free) : '-').padStart(5)}  ${mb(x.agent.heapUsed).padStart(9)}`,
      );
    }
  if (snapshots.at.early !== undefined && snapshots.at.late !== undefined) {
    console.log(`\nheap snapshots at ${rel(snapshots.at.early)} and ${rel(snapshots.at.late)}: the 15 largest changes by constructor (self size)`);
    for (const r of ROUTERS) {
      const before = snapshots.early[r]!;
      const after = snapshots.late[r]!;
      const total = (g: Map<string, HeapGroup>) => [...g.values()].reduce((n, x) => n + x.size, 0);
      const count = (g: Map<string, HeapGroup>) => [...g.values()].reduce((n, x) => n + x.count, 0);
      console.log(`${r}: ${count(before)} objects, ${mb(total(before))} MB -> ${count(after)} objects, ${mb(total(after))} MB`);
      console.log('  constructor                               count before  count after     KB before   KB after');
      for (const g of compareHeapSummaries(before, after).slice(0, 15))
        console.log(
          `  ${g.name.slice(0, 40).padEnd(40)} ${String(g.countBefore).padStart(13)} ${String(g.countAfter).padStart(12)} ${(g.sizeBefore / 1024).toFixed(1).padStart(13)} ${(g.sizeAfter / 1024).toFixed(1).padStart(10)}`,
        );
    }
  }
  const clean = d.rekeys.filter((k) => wanOf(k) === 'clean');
  const cleanRekeyLoss = clean.reduce((n, k) => {
    const w = rekeyWindow(k.prev, k.t);
    return n + lostIn(w.from, w.to, 'd1->a1') + lostIn(w.from, w.to, 'a1->d1');
  }, 0);
  const switches = d.rekeys.filter((k) => wanOf(k) === 'switch').length;
  const back = d.rekeys.filter((k) => k.after && counts(k.after) === counts(steady)).length;
  console.log(
    `\nsummary: ${d.rekeys.length} rekeys (${clean.length} clean, ${switches} across a switch of the WAN); pings lost at clean rekeys: ${cleanRekeyLoss} (target 0); ` +
      `SA counts back to steady state 30 s after ${back} of ${d.rekeys.filter((k) => k.after).length} rekeys; ` +
      `pings sent ${Object.entries(d.sent)
        .map(([f, n]) => `${f} ${n}`)
        .join(', ')}, lost in total ${d.lost.length}`,
  );
  const first = d.memory[0];
  const lastM = d.memory.at(-1);
  if (first && lastM)
    console.log(
      `memory: daphne rss ${mb(first.rss.daphne!)} -> ${mb(lastM.rss.daphne!)} MB, fred rss ${mb(first.rss.fred!)} -> ${mb(lastM.rss.fred!)} MB over ${rel(lastM.t)}`,
    );
}

await main();
