/**
 * `show ip eigrp neighbors` and `show ip eigrp topology` as IOS 12.2 prints
 * them (layouts from IOS captures, docs/research/ios-12.2-notes.md section 8).
 * The neighbour table abbreviates interface names (Se0/0.102), the topology
 * table does not.
 */
import { formatRouteAge } from './route.js';

export interface EigrpNeighborRow {
  handle: number;
  address: string;
  /** Abbreviated, as IOS prints it here (Fa0/0, Se0/0.102). */
  interface: string;
  holdSeconds: number;
  uptimeSeconds: number;
  srtt: number;
  rto: number;
  queue: number;
  seq: number;
}

export function renderShowIpEigrpNeighbors(as: number, rows: readonly EigrpNeighborRow[]): string {
  const lines = [
    `IP-EIGRP neighbors for process ${as}`,
    'H   Address                 Interface       Hold Uptime   SRTT   RTO  Q  Seq',
    '                                            (sec)         (ms)       Cnt Num',
  ];
  for (const r of rows) {
    lines.push(
      `${String(r.handle).padEnd(4)}${r.address.padEnd(23)}${r.interface.padEnd(15)}${String(r.holdSeconds).padStart(5)} ${formatRouteAge(r.uptimeSeconds)}` +
        `${String(r.srtt).padStart(5)}${String(r.rto).padStart(6)}${String(r.queue).padStart(3)}${String(r.seq).padStart(4)}`,
    );
  }
  return lines.join('\n') + '\n';
}

export interface EigrpTopologyRow {
  /** P (passive), A (active) ... */
  state: string;
  prefix: string;
  successors: number;
  fd: number;
  vias: { nextHop: string | null; fd: number | null; rd: number | null; interface: string }[];
}

export function renderShowIpEigrpTopology(as: number, routerId: string, rows: readonly EigrpTopologyRow[]): string {
  const lines = [
    `IP-EIGRP Topology Table for AS(${as})/ID(${routerId})`,
    '',
    'Codes: P - Passive, A - Active, U - Update, Q - Query, R - Reply,',
    '       r - Reply status',
    '',
  ];
  for (const r of rows) {
    lines.push(`${r.state} ${r.prefix}, ${r.successors} successors, FD is ${r.fd}`);
    for (const v of r.vias) {
      lines.push(v.nextHop === null ? `        via Connected, ${v.interface}` : `        via ${v.nextHop} (${v.fd}/${v.rd}), ${v.interface}`);
    }
  }
  return lines.join('\n') + '\n';
}
