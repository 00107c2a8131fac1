/**
 * `show interfaces` as IOS 12.2 prints it, for what the emulator has:
 * Ethernet, Serial, their sub-interfaces, Loopback and GRE Tunnel
 * interfaces. The lines are 12.x's (research notes, section 3: a 2003
 * capture of an 800-series router, the 1700 capture of iproute2's
 * iptunnel.c); lines whose figures the emulator does not keep (load and
 * reliability, queues, 5-minute rates, broadcasts, collisions) are left out
 * rather than invented. Serial links name their encapsulation (HDLC by
 * default, PPP, FRAME-RELAY) and keepalive as a 2600's PowerQUICC serial
 * does; an 802.1Q sub-interface says `Encapsulation 802.1Q Virtual LAN, Vlan
 * ID  10.` (two spaces and the full stop, as IOS prints it: research notes,
 * section 8). Pure.
 */
import { cidrOf } from '../../../codecs/net/address.js';
import { effectiveBandwidth, effectiveDelay, encapsulationName, interfaceDefaults, parentName } from '../../config/interface-defaults.js';
import { interfaceType, isSubinterface } from '../../config/interface-names.js';
import type { InterfaceConfig, RouterConfig } from '../../config/types.js';
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
  /** "ARPA", "LOOPBACK", "TUNNEL", "HDLC", "PPP", "FRAME-RELAY", "802.1Q Virtual LAN". */
  encapsulation: string;
  /** 802.1Q sub-interfaces: the VLAN. */
  vlan?: number;
  /** Serial sub-interfaces print no `loopback not set`. */
  noLoopbackLine?: boolean;
  /** Serial main interfaces: `Keepalive set (N sec)`. */
  keepaliveSeconds?: number;
  tunnel?: TunnelView;
  counters?: InterfaceCounters;
}

/** The defaults IOS 12.2 shows: MTU, BW (Kbit), DLY (usec), hardware, encapsulation (config/interface-defaults.ts). */
export function interfaceViewDefaults(name: string): Pick<InterfaceView, 'mtu' | 'bandwidth' | 'delay' | 'hardware' | 'encapsulation'> {
  const d = interfaceDefaults(name);
  const type = interfaceType(name)?.name;
  const encapsulation = type === 'Tunnel' ? 'TUNNEL' : type === 'Loopback' ? 'LOOPBACK' : type === 'Serial' ? 'HDLC' : 'ARPA';
  return { mtu: type === 'Tunnel' || type === 'Loopback' ? 1514 : 1500, bandwidth: d.bandwidth, delay: d.delay * 10, hardware: d.hardware, encapsulation };
}

/**
 * What show interfaces prints of an interface from its configuration and
 * status; the agent adds a tunnel's state and the counters.
 */
export function interfaceView(config: RouterConfig, iface: InterfaceConfig, status: InterfaceStatus): InterfaceView {
  const parent = config.interfaces.find((i) => i.name === parentName(iface.name));
  const d = interfaceViewDefaults(iface.name);
  const type = interfaceType(iface.name)?.name;
  const sub = isSubinterface(iface.name);
  const e = iface.wan.encapsulation ?? parent?.wan.encapsulation ?? null;
  return {
    name: iface.name,
    status,
    protocol: status === 'up' ? 'up' : 'down',
    hardware: d.hardware,
    description: iface.description,
    address: iface.address ? cidrOf(iface.address.address, iface.address.mask) : null,
    mtu: type === 'Tunnel' ? d.mtu : (iface.mtu ?? d.mtu),
    bandwidth: effectiveBandwidth(iface),
    delay: effectiveDelay(iface) * 10,
    encapsulation: type === 'Tunnel' ? 'TUNNEL' : encapsulationName(iface, parent),
    ...(e?.kind === 'dot1q' ? { vlan: e.vlan } : {}),
    ...(type === 'Serial' && sub ? { noLoopbackLine: true } : {}),
    ...(type === 'Serial' && !sub ? { keepaliveSeconds: 10 } : {}),
  };
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
    v.vlan !== undefined
      ? `  Encapsulation ${v.encapsulation}, Vlan ID  ${v.vlan}.`
      : `  Encapsulation ${v.encapsulation}${v.noLoopbackLine ? '' : ', loopback not set'}`,
    ...(v.keepaliveSeconds !== undefined ? [`  Keepalive set (${v.keepaliveSeconds} sec)`] : []),
    ...(v.tunnel ? tunnelLines(v.tunnel) : []),
    ...(v.counters ? counterLines(v.counters) : []),
  ];
}

export function renderShowInterfaces(views: readonly InterfaceView[]): string {
  return views.flatMap(renderInterface).join('\n') + '\n';
}
