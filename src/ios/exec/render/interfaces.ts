/**
 * `show interfaces` as IOS 12.2 prints it, for what the emulator has:
 * Ethernet, Loopback and GRE Tunnel interfaces. The lines are 12.x's
 * (research notes, section 3: a 2003 capture of an 800-series router, the
 * 1700 capture of iproute2's iptunnel.c); lines whose figures the emulator
 * does not keep (load and reliability, queues, 5-minute rates, broadcasts,
 * collisions) are left out rather than invented. Pure.
 */
import type { InterfaceStatus } from '../../routing/routes.js';

export interface InterfaceCounters {
  inPackets: number;
  inBytes: number;
  outPackets: number;
  outBytes: number;
  inErrors: number;
  crc: number;
  /** Milliseconds since the last packet in and out; null: never. */
  lastInput: number | null;
  lastOutput: number | null;
}

export interface TunnelView {
  /** The source address in use (0.0.0.0 when there is none) and the interface it comes from. */
  source: string | null;
  sourceInterface: string | null;
  destination: string | null;
  /** `tunnel mode` words; "gre ip" prints as GRE/IP. */
  mode: string;
  key: number | null;
  checksum: boolean;
  keepalive: { period: number; retries: number } | null;
}

export interface InterfaceView {
  name: string;
  status: InterfaceStatus;
  protocol: 'up' | 'down';
  /** "AmdFE", "Loopback", "Tunnel". */
  hardware: string;
  description: string | null;
  /** A.B.C.D/len. */
  address: string | null;
  mtu: number;
  /** Kbit/s and microseconds, as printed. */
  bandwidth: number;
  delay: number;
  /** "ARPA", "LOOPBACK", "TUNNEL". */
  encapsulation: string;
  tunnel?: TunnelView;
  counters?: InterfaceCounters;
}

/** The defaults IOS 12.2 shows: MTU, BW (Kbit), DLY (usec), hardware, encapsulation. */
export function interfaceDefaults(name: string): Pick<InterfaceView, 'mtu' | 'bandwidth' | 'delay' | 'hardware' | 'encapsulation'> {
  if (name.startsWith('Tunnel')) return { mtu: 1514, bandwidth: 9, delay: 500000, hardware: 'Tunnel', encapsulation: 'TUNNEL' };
  if (name.startsWith('Loopback')) return { mtu: 1514, bandwidth: 8000000, delay: 5000, hardware: 'Loopback', encapsulation: 'LOOPBACK' };
  return { mtu: 1500, bandwidth: 100000, delay: 100, hardware: 'AmdFE', encapsulation: 'ARPA' };
}

/** "00:00:25", "1d21h", "2w3d", "never", as IOS prints an age. */
export function formatAge(ms: number | null): string {
  if (ms === null) return 'never';
  const s = Math.max(0, Math.floor(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 86400) return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
  const days = Math.floor(s / 86400);
  if (days < 7) return `${days}d${Math.floor((s % 86400) / 3600)}h`;
  return `${Math.floor(days / 7)}w${days % 7}d`;
}

function tunnelLines(t: TunnelView): string[] {
  const keepalive = t.keepalive ? `  Keepalive set (${t.keepalive.period} sec), retries ${t.keepalive.retries}` : '  Keepalive not set';
  const via = t.sourceInterface ? ` (${t.sourceInterface})` : '';
  const transport = t.mode === 'gre ip' ? 'GRE/IP' : t.mode.toUpperCase().replace(' ', '/');
  const key = t.key === null ? 'key disabled' : `key 0x${t.key.toString(16).toUpperCase()}`;
  return [
    keepalive,
    `  Tunnel source ${t.source ?? '0.0.0.0'}${via}, destination ${t.destination ?? '0.0.0.0'}`,
    `  Tunnel protocol/transport ${transport}, ${key}, sequencing disabled`,
    `  Checksumming of packets ${t.checksum ? 'enabled' : 'disabled'},  fast tunneling enabled`,
  ];
}

function counterLines(c: InterfaceCounters): string[] {
  return [
    `  Last input ${formatAge(c.lastInput)}, output ${formatAge(c.lastOutput)}, output hang never`,
    '  Last clearing of "show interface" counters never',
    `     ${c.inPackets} packets input, ${c.inBytes} bytes, 0 no buffer`,
    `     ${c.inErrors} input errors, ${c.crc} CRC, 0 frame, 0 overrun, 0 ignored, 0 abort`,
    `     ${c.outPackets} packets output, ${c.outBytes} bytes, 0 underruns`,
  ];
}

/** One interface's block. */
export function renderInterface(v: InterfaceView): string[] {
  return [
    `${v.name} is ${v.status}, line protocol is ${v.protocol}`,
    `  Hardware is ${v.hardware}`,
    ...(v.description !== null ? [`  Description: ${v.description}`] : []),
    ...(v.address !== null ? [`  Internet address is ${v.address}`] : []),
    `  MTU ${v.mtu} bytes, BW ${v.bandwidth} Kbit, DLY ${v.delay} usec,`,
    `  Encapsulation ${v.encapsulation}, loopback not set`,
    ...(v.tunnel ? tunnelLines(v.tunnel) : []),
    ...(v.counters ? counterLines(v.counters) : []),
  ];
}

export function renderShowInterfaces(views: readonly InterfaceView[]): string {
  return views.flatMap(renderInterface).join('\n') + '\n';
}
