/**
 * The counters behind `show ip traffic`. The emulated router is the Linux
 * kernel of its container and the agent together, so each line adds the
 * two: the agent reassembles the ESP and IKE fragments addressed to the
 * router (before decryption) and fragments the ESP packets too big for the
 * link after encryption (or answers "fragmentation needed" when DF is set); the kernel reassembles
 * everything else addressed to the router and fragments what it forwards.
 * The kernel's part comes from /proc/net/snmp, read by the caller. Pure.
 */
import type { IpTraffic } from '../../ios/index.js';
import type { DatapathCounters } from '../datapath/datapath.js';
import type { ReassemblyCounters } from '../datapath/reassembly.js';

/** The fragmentation counters of the kernel's `Ip:` line (RFC 4293 names). */
export interface KernelFragCounters {
  ReasmTimeout: number;
  ReasmOKs: number;
  /** Timeouts included (Linux counts an expired reassembly as both). */
  ReasmFails: number;
  FragOKs: number;
  FragFails: number;
}

const FIELDS = ['ReasmTimeout', 'ReasmOKs', 'ReasmFails', 'FragOKs', 'FragFails'] as const;

/** The `Ip:` counters of /proc/net/snmp, or null when the text does not have them all. */
export function parseSnmpIp(text: string): KernelFragCounters | null {
  const lines = text.split('\n').filter((l) => l.startsWith('Ip: '));
  if (lines.length < 2) return null;
  const names = lines[0]!.split(/\s+/).slice(1);
  const values = lines[1]!.split(/\s+/).slice(1);
  const out: Partial<KernelFragCounters> = {};
  for (const f of FIELDS) {
    const i = names.indexOf(f);
    const v = i < 0 ? NaN : Number(values[i]);
    if (!Number.isSafeInteger(v) || v < 0) return null;
    out[f] = v;
  }
  return out as KernelFragCounters;
}

export interface AgentFragCounters {
  reassembly: Readonly<ReassemblyCounters>;
  counters: Readonly<DatapathCounters>;
}

/** Agent and kernel added up; without the kernel's counters, the agent's alone and a note that says so. */
export function ipTraffic(agent: AgentFragCounters, kernel: KernelFragCounters | null, problem = "the kernel's counters could not be read"): IpTraffic {
  const k = kernel ?? { ReasmTimeout: 0, ReasmOKs: 0, ReasmFails: 0, FragOKs: 0, FragFails: 0 };
  return {
    frags: {
      reassembled: agent.reassembly.reassembled + k.ReasmOKs,
      timeouts: agent.reassembly.timeouts + k.ReasmTimeout,
      couldNotReassemble: agent.reassembly.failed + Math.max(0, k.ReasmFails - k.ReasmTimeout),
      fragmented: agent.counters.fragmented + k.FragOKs,
      couldNotFragment: agent.counters.fragNeeded + k.FragFails,
    },
    ...(kernel ? {} : { note: `testbed: ${problem}; these are the agent's counters only` }),
  };
}
