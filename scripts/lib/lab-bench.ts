/** Shared by the benchmarks that run real labs (bench:tunnel, bench:interop). */
import type { Lab } from '../../src/orchestrator/index.js';

/** `--runs N`, `--seconds S` and `--json` from the command line, with the script's defaults. */
export function labBenchArgs(argv: readonly string[], defaults: { runs: number; seconds: number }): { runs: number; seconds: number; json: boolean } {
  const opt = (name: string, def: number) => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : def;
  };
  return { runs: opt('--runs', defaults.runs), seconds: opt('--seconds', defaults.seconds), json: argv.includes('--json') };
}

/** One iperf3 TCP run d1 -> a1 (12.12.12.13) of `seconds`; Mbit/s received. */
export async function iperfMbps(lab: Lab, seconds: number): Promise<number> {
  await lab.exec('a1', 'pkill iperf3; iperf3 -s -D -1');
  // wait until the server listens (at most 2 s)
  for (let i = 0; i < 20 && (await lab.exec('a1', 'ss -ltn | grep -q :5201')).exitCode !== 0; i++) await new Promise((r) => setTimeout(r, 100));
  const out = await lab.sh('d1', `iperf3 -c 12.12.12.13 -t ${seconds} -J`, (seconds + 30) * 1000);
  const json = JSON.parse(out) as { end: { sum_received: { bits_per_second: number } } };
  return json.end.sum_received.bits_per_second / 1e6;
}
