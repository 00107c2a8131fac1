/**
 * One tunnel setup read from the captures of a two-gateway lab (bench:tunnel):
 * host - near gateway - WAN - far gateway - host, traffic from the near host
 * running all along. Pure: packets in, times out (seconds since the epoch,
 * as the pcaps have them), or a problem that makes the sample unusable.
 *
 * The traffic is ICMP echo requests (a ping) or UDP datagrams to one port
 * (`udp`: bench:tunnel's sender, scripts/lib/udp-trigger.ts, one every
 * millisecond whether or not anything comes back; the far host's ICMP port
 * unreachable is the reply).
 *
 *   trigger  the first request on the near LAN (it starts TED, for routers)
 *   probes   TED probes on the WAN (routers: exactly one per setup)
 *   mm1      the first Main Mode message 1 on the WAN (responder cookie zero)
 *   firstEsp the first ESP packet on the WAN (plain or in UDP 4500)
 *   end      the first request on the far LAN: the first one that crossed
 *            the tunnel and was decrypted; nothing crosses the WAN in clear
 *   reply    the first reply back on the near LAN (one round trip later)
 */
import type { CapturedPacket } from '../../src/orchestrator/index.js';

export interface SetupCaptures {
  readonly near: readonly CapturedPacket[];
  readonly wan: readonly CapturedPacket[];
  readonly far: readonly CapturedPacket[];
}

export interface SetupFlow {
  /** The pinging host and its peer. */
  readonly src: string;
  readonly dst: string;
  /** TED probes each setup must have: 1 for TED routers, 0 for a static peer. */
  readonly probes: number;
  /** UDP datagrams to this port instead of echo requests (the reply is then ICMP port unreachable). */
  readonly udpPort?: number;
}

export interface SetupTimes {
  readonly trigger: number;
  readonly probes: number;
  readonly mm1: number;
  /** Main Mode message 1 sent more than once (a retransmission). */
  readonly mm1Count: number;
  readonly firstEsp: number;
  readonly end: number;
  readonly reply: number | null;
}

const MAIN_MODE = 2;
const TED = 240;
const ZERO_COOKIE = '0000000000000000';
const ECHO_REQUEST = 8;
const ECHO_REPLY = 0;
const UNREACHABLE = 3;
const PORT_UNREACHABLE = 3;
const UDP = 17;

/** The setup that starts at or after `since` (seconds), or why there is none. */
export function setupTimes(c: SetupCaptures, since: number, flow: SetupFlow): SetupTimes | { problem: string } {
  const after = (ps: readonly CapturedPacket[]) => ps.filter((p) => p.time >= since);
  const echo = (p: CapturedPacket, type: number, src: string, dst: string) => p.icmp?.type === type && p.src === src && p.dst === dst;
  const udp = flow.udpPort;
  const request = (p: CapturedPacket) =>
    udp === undefined ? echo(p, ECHO_REQUEST, flow.src, flow.dst) : p.protocol === UDP && p.dport === udp && p.src === flow.src && p.dst === flow.dst;
  const answer = (p: CapturedPacket) =>
    udp === undefined ? echo(p, ECHO_REPLY, flow.dst, flow.src) : echo(p, UNREACHABLE, flow.dst, flow.src) && p.icmp?.code === PORT_UNREACHABLE;
  const what = udp === undefined ? 'echo request' : `UDP datagram to port ${udp}`;
  const whats = udp === undefined ? 'echo requests' : `UDP datagrams to port ${udp}`;
  const near = after(c.near);
  const wan = after(c.wan);
  const far = after(c.far);
  const trigger = near.find(request);
  if (!trigger) return { problem: `no ${what} on the near LAN` };
  const probes = wan.filter((p) => p.isakmp?.exchangeType === TED && p.isakmp.responderCookie === ZERO_COOKIE).length;
  if (probes !== flow.probes) return { problem: `${probes} TED probes on the WAN, expected ${flow.probes}` };
  const mm1s = wan.filter((p) => p.isakmp?.exchangeType === MAIN_MODE && p.isakmp.responderCookie === ZERO_COOKIE);
  const mm1 = mm1s[0];
  if (!mm1) return { problem: 'no Main Mode message 1 on the WAN' };
  const clear = wan.filter(request).length;
  if (clear > 0) return { problem: `${clear} ${whats} crossed the WAN in clear` };
  const end = far.find(request);
  if (!end) return { problem: `no ${what} reached the far LAN` };
  const esp = wan.find((p) => p.esp !== null);
  if (!esp || esp.time > end.time) return { problem: `the first ${what} on the far LAN came before any ESP on the WAN` };
  if (end.time < mm1.time) return { problem: `the first ${what} on the far LAN came before Main Mode` };
  const reply = near.find((p) => p.time >= end.time && answer(p));
  return { trigger: trigger.time, probes, mm1: mm1.time, mm1Count: mm1s.length, firstEsp: esp.time, end: end.time, reply: reply?.time ?? null };
}
