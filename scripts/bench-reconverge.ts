/**
 * npm run bench:reconverge: how long OSPF takes to move traffic to the other
 * path when a link is cut on one side. The lab is topologies/ospf-triangle.yaml
 * (hello 10 s, dead 40 s, the IOS defaults on Ethernet): h1 pings h3 five
 * times a second over R1-R3; R3's end of that link is disconnected, so R1's
 * interface stays up and only the dead interval tells R1 (what IOS does when
 * the far end of an Ethernet link goes quiet). Measured per run:
 *
 *   route     from the cut to R1's `show ip route` naming R2 for h3's LAN
 *   outage    the longest gap between two answered pings around the cut
 *
 * Then the link is restored and the direct path awaited before the next run.
 * The time `up` took for the lab (three routers starting FRR) is printed too.
 *
 *   node dist/scripts/bench-reconverge.js [runs]
 */
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Lab } from '../src/orchestrator/lab/lab.js';
import { RealLabDriver } from '../src/orchestrator/checks/lab-driver.js';
import { loadLabFile } from '../src/orchestrator/labfile/load.js';
import { down } from '../src/orchestrator/lab/down.js';
import { DockerodeEngine } from '../src/orchestrator/docker/dockerode.js';
import { ensureLabImage } from '../src/orchestrator/image/build.js';
import { streamProgress } from '../src/orchestrator/progress.js';

const runs = Number(process.argv[2] ?? 3);
const topology = fileURLToPath(new URL('../../topologies/ospf-triangle.yaml', import.meta.url));
const LAB = 'bench-reconverge';
const DIRECT = /^O\s+192\.168\.3\.0\/24 \[110\/11\] via 10\.0\.13\.3,/m;
const AROUND = /^O\s+192\.168\.3\.0\/24 \[110\/12\] via 10\.0\.12\.2,/m;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function until(what: string, timeoutMs: number, test: () => Promise<boolean>): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (await test()) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what} did not happen within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** `ping -D` answers: the times (s) of the replies. */
function replyTimes(output: string): number[] {
  return [...output.matchAll(/^\[(\d+\.\d+)\] \d+ bytes from /gm)].map((m) => Number(m[1]));
}

async function main(): Promise<void> {
  const engine = new DockerodeEngine();
  await ensureLabImage(engine, { progress: streamProgress() });
  await down(engine, LAB);
  const { topology: topo } = await loadLabFile(topology);
  const t0 = performance.now();
  await using lab = await Lab.up(topology, { name: LAB });
  const upMs = performance.now() - t0;
  const driver = new RealLabDriver(lab, topo);
  const route = () => lab.ios('r1', 'show ip route');
  const adjacency = await until('the direct route', 150_000, async () => DIRECT.test(await route()));
  const routeMs: number[] = [];
  const outageMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const ping = lab.sh('h1', 'ping -D -n -i 0.2 -W 1 -w 100 192.168.3.10', 120_000).catch((e: Error) => e.message);
    await new Promise((r) => setTimeout(r, 5000));
    const cutAt = Date.now();
    await driver.cut('r1-r3', ['r3']);
    await until('the route through R2', 120_000, async () => AROUND.test(await route()));
    routeMs.push(Date.now() - cutAt);
    const times = replyTimes(await ping);
    const after = times.filter((x) => x * 1000 > cutAt - 2000);
    let gap = 0;
    for (let k = 1; k < after.length; k++) gap = Math.max(gap, after[k]! - after[k - 1]!);
    outageMs.push(gap * 1000);
    process.stderr.write(`run ${i + 1}/${runs}: route through R2 after ${(routeMs.at(-1)! / 1000).toFixed(1)} s, pings lost for ${gap.toFixed(1)} s\n`);
    await driver.restore('r1-r3', ['r3']);
    await until('the direct route again', 150_000, async () => DIRECT.test(await route()));
  }
  console.log(`\nbench:reconverge  OSPF triangle (hello 10 s, dead 40 s), one side of the direct link cut, ${runs} runs`);
  console.log(`machine: ${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}, Node ${process.version}`);
  console.log(
    `\nup of the lab (3 routers with FRR, 2 hosts): ${(upMs / 1000).toFixed(1)} s; first full adjacency and route: ${(adjacency / 1000).toFixed(1)} s later`,
  );
  console.log(`\nmeasure                     median     min      max`);
  const row = (what: string, xs: number[]) =>
    console.log(
      `${what.padEnd(26)} ${(median(xs) / 1000).toFixed(1).padStart(6)} s ${(Math.min(...xs) / 1000).toFixed(1).padStart(6)} s ${(Math.max(...xs) / 1000).toFixed(1).padStart(6)} s`,
    );
  row('cut -> route through R2', routeMs);
  row('pings lost (longest gap)', outageMs);
  console.log(
    `\nIOS reference: about 5 s, 12.2's SPF delay (timers spf 5 10) after R3 floods its LSA without the cut link; the dead interval (40 s) counts only where nothing signals the loss`,
  );
}

main().catch((e: unknown) => {
  console.error(`bench:reconverge failed: ${(e as Error).message}`);
  process.exitCode = 1;
});
