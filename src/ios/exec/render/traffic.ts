/**
 * `show ip traffic`, as IOS 12.2 prints its "IP statistics" block, limited
 * to the counters the emulator really keeps: the fragmentation line
 * ("Frags:"). The other lines of IOS's output (Rcvd, Opts, Bcast, Mcast,
 * Sent, Drop, and the ICMP, UDP, TCP ... sections) are left out rather than
 * printed with numbers the emulator does not have (docs/architecture.md).
 */

export interface IpFragCounters {
  reassembled: number;
  timeouts: number;
  couldNotReassemble: number;
  fragmented: number;
  couldNotFragment: number;
}

export interface IpTraffic {
  frags: IpFragCounters;
  /** Why part of the counters is missing, if it is (printed as a `%` note, not as IOS output). */
  note?: string;
}

export function renderShowIpTraffic(traffic: IpTraffic): string {
  const f = traffic.frags;
  const lines = [
    'IP statistics:',
    `  Frags: ${f.reassembled} reassembled, ${f.timeouts} timeouts, ${f.couldNotReassemble} couldn't reassemble`,
    `         ${f.fragmented} fragmented, ${f.couldNotFragment} couldn't fragment`,
  ];
  if (traffic.note) lines.push(`% ${traffic.note}`);
  return lines.join('\n') + '\n';
}
