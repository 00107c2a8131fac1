/**
 * The `log` and `log-input` keywords of access list lines: IOS's
 * %SEC-6-IPACCESSLOG* messages, the first packet of a flow at once, then a
 * count of the flow's packets every five minutes while it goes on
 * (docs/research/ios-12.2-notes.md, section 2, has the formats). Pure: time
 * comes in with each call.
 *
 *   %SEC-6-IPACCESSLOGP: list 101 denied tcp 10.1.1.2(1025) -> 10.2.2.2(23), 1 packet
 *   %SEC-6-IPACCESSLOGP: list 101 denied tcp 10.1.1.2(1025) (FastEthernet0/0 0050.56c0.0001) -> 10.2.2.2(23), 1 packet   (log-input)
 *   %SEC-6-IPACCESSLOGDP: list 101 permitted icmp 10.1.1.2 -> 10.2.2.2 (8/0), 1 packet
 *   %SEC-6-IPACCESSLOGNP: list 101 denied 47 10.1.1.2 -> 10.2.2.2, 1 packet
 *   %SEC-6-IPACCESSLOGS: list 1 denied 10.1.1.2 1 packet
 *
 * Bounded: at most MAX_FLOWS flows are followed (IOS's own cache size is not
 * published; this one is ours). A flow beyond it is logged alone, at once.
 */
import { formatIpv4 } from '../../codecs/net/address.js';

export const LOG_INTERVAL_MS = 5 * 60_000;
export const MAX_FLOWS = 1024;

export interface LoggedPacket {
  protocol: number;
  source: number;
  destination: number;
  sourcePort?: number;
  destinationPort?: number;
  icmpType?: number;
  icmpCode?: number;
}

export interface LogLine {
  acl: string;
  standard: boolean;
  action: 'permit' | 'deny';
  /** log-input: the interface the packet came in by, and the sender's MAC address when known (`FastEthernet0/0 0050.56c0.0001`). */
  input: string | null;
}

interface Flow {
  text: (count: number) => string;
  pending: number;
  last: number;
}

const NAMES: Record<number, string> = { 1: 'icmp', 2: 'igmp', 6: 'tcp', 17: 'udp' };

function message(line: LogLine, p: LoggedPacket): (count: number) => string {
  const verb = line.action === 'permit' ? 'permitted' : 'denied';
  const packets = (n: number) => `${n} packet${n === 1 ? '' : 's'}`;
  const s = formatIpv4(p.source);
  const d = formatIpv4(p.destination);
  if (line.standard) return (n) => `%SEC-6-IPACCESSLOGS: list ${line.acl} ${verb} ${s} ${packets(n)}`;
  const input = line.input ? ` (${line.input})` : '';
  if ((p.protocol === 6 || p.protocol === 17) && p.sourcePort !== undefined) {
    return (n) =>
      `%SEC-6-IPACCESSLOGP: list ${line.acl} ${verb} ${NAMES[p.protocol]} ${s}(${p.sourcePort})${input} -> ${d}(${p.destinationPort}), ${packets(n)}`;
  }
  if (p.protocol === 1 && p.icmpType !== undefined) {
    return (n) => `%SEC-6-IPACCESSLOGDP: list ${line.acl} ${verb} icmp ${s}${input} -> ${d} (${p.icmpType}/${p.icmpCode ?? 0}), ${packets(n)}`;
  }
  return (n) => `%SEC-6-IPACCESSLOGNP: list ${line.acl} ${verb} ${p.protocol} ${s}${input} -> ${d}, ${packets(n)}`;
}

export class AclLogger {
  private readonly flows = new Map<string, Flow>();

  constructor(
    private readonly log: (text: string) => void,
    private readonly maxFlows = MAX_FLOWS,
  ) {}

  /** A packet matched a line with `log`: the first of its flow is logged now, the others counted. */
  note(line: LogLine, p: LoggedPacket, now: number): void {
    const key = [
      line.acl,
      line.action,
      line.input ?? '',
      p.protocol,
      p.source,
      p.sourcePort ?? '',
      p.destination,
      p.destinationPort ?? '',
      p.icmpType ?? '',
    ].join('|');
    const flow = this.flows.get(key);
    if (flow) {
      flow.pending++;
      return;
    }
    const text = message(line, p);
    this.log(text(1));
    if (this.flows.size < this.maxFlows) this.flows.set(key, { text, pending: 0, last: now });
  }

  /** Every five minutes of a flow: how many more packets it had; a flow quiet for a whole interval is forgotten. */
  flush(now: number): void {
    for (const [key, flow] of this.flows) {
      if (now - flow.last < LOG_INTERVAL_MS) continue;
      if (flow.pending === 0) {
        this.flows.delete(key);
        continue;
      }
      this.log(flow.text(flow.pending));
      flow.pending = 0;
      flow.last = now;
    }
  }

  get size(): number {
    return this.flows.size;
  }
}
