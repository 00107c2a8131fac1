/**
 * Background traffic between lab hosts: ping, or iperf3 (UDP or TCP) with a
 * one-off server on the receiving host. Each flow writes its output to a
 * file in the sending container; stopping it interrupts the sender by its
 * process id, so it prints its summary, and returns that output.
 */
import type { ExecOutput } from '../lab/types.js';
import type { LabDriver } from './driver.js';
import type { TrafficStartStep } from './types.js';

export interface Flow {
  name: string;
  from: string;
  toNode: string | null;
  kind: TrafficStartStep['traffic'];
}

const file = (flow: string, what: string) => `/tmp/testbed-flow-${flow.replace(/[^A-Za-z0-9_.-]/g, '_')}.${what}`;

/**
 * Shell: is process $1 alive? Not a zombie: a container's PID 1 (the node
 * agent) does not reap the orphans a finished flow leaves.
 */
const ALIVE = `alive() { [ -r /proc/$1/stat ] && [ "$(sed 's/.*) //' /proc/$1/stat | cut -d' ' -f1)" != Z ]; }`;

function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Start a flow; throws with the node's output when it does not start. */
export async function startFlow(driver: LabDriver, step: TrafficStartStep): Promise<{ flow: Flow; detail: string }> {
  const log = q(file(step.name, 'log'));
  const pid = q(file(step.name, 'pid'));
  let client: string;
  if (step.traffic === 'ping') {
    const interval = Math.max(0.01, 1 / step.rate).toFixed(3);
    client = `ping -n -i ${interval} ${step.to}`;
  } else {
    const spid = q(file(step.name, 'server.pid'));
    const server = await driver.exec(
      step.toNode!,
      `rm -f ${spid}; iperf3 -s -1 -D -I ${spid} --logfile ${q(file(step.name, 'server.log'))} && sleep 0.3 && ${ALIVE} && alive "$(cat ${spid})"`,
    );
    if (server.exitCode !== 0)
      throw new Error(`iperf3 server on ${step.toNode} did not start: ${(server.stdout + server.stderr).trim() || `exit ${server.exitCode}`}`);
    client = `iperf3 -c ${step.to} ${step.traffic === 'udp' ? '-u ' : ''}-b ${Math.round(step.rate)} -t 86400 -i 1 --forceflush`;
  }
  const r = await driver.exec(
    step.from,
    `rm -f ${log} ${pid}; ${client} </dev/null >${log} 2>&1 & echo $! >${pid}; sleep 0.3; ${ALIVE}; alive "$(cat ${pid})" || { cat ${log}; exit 1; }`,
  );
  if (r.exitCode !== 0)
    throw new Error(`${step.traffic} from ${step.from} to ${step.to} did not start: ${(r.stdout + r.stderr).trim() || `exit ${r.exitCode}`}`);
  return {
    flow: { name: step.name, from: step.from, toNode: step.toNode, kind: step.traffic },
    detail: `${step.traffic} ${step.from} -> ${step.to}${step.traffic === 'ping' ? ` at ${step.rate}/s` : ` at ${step.rate} bit/s`}`,
  };
}

/** Stop a flow: SIGINT the sender, wait for it to finish its summary, return its output. */
export async function stopFlow(driver: LabDriver, flow: Flow): Promise<ExecOutput> {
  const log = q(file(flow.name, 'log'));
  const pid = q(file(flow.name, 'pid'));
  const r = await driver.exec(
    flow.from,
    `${ALIVE}; p="$(cat ${pid} 2>/dev/null)"; [ -n "$p" ] && kill -INT "$p" 2>/dev/null; i=0; while [ -n "$p" ] && alive "$p" && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; [ -n "$p" ] && alive "$p" && kill -KILL "$p"; cat ${log}`,
  );
  if (flow.toNode && flow.kind !== 'ping') {
    const spid = q(file(flow.name, 'server.pid'));
    await driver.exec(flow.toNode, `p="$(cat ${spid} 2>/dev/null)"; [ -n "$p" ] && kill "$p" 2>/dev/null; true`);
  }
  return r;
}
