/**
 * `show running-config` lines of the interface settings cmd-tunnel.ts parses,
 * where IOS prints them: bandwidth before the address, ip mtu after the access
 * groups, ip tcp adjust-mss after the NAT side, then delay, keepalive and the
 * tunnel lines.
 */
import { TUNNEL_MODE_GRE_IP, type InterfaceConfig } from './types.js';

export function bandwidthLines(i: InterfaceConfig): string[] {
  return i.bandwidth !== null ? [` bandwidth ${i.bandwidth}`] : [];
}

export function ipMtuLines(i: InterfaceConfig): string[] {
  return i.ipMtu !== null ? [` ip mtu ${i.ipMtu}`] : [];
}

/** After the NAT side (a 12.4 router prints `ip nat inside`, `ip virtual-reassembly`, then `ip tcp adjust-mss 1452`). */
export function adjustMssLines(i: InterfaceConfig): string[] {
  return i.adjustMss !== null ? [` ip tcp adjust-mss ${i.adjustMss}`] : [];
}

export function tunnelLines(i: InterfaceConfig): string[] {
  const out: string[] = [];
  if (i.delay !== null) out.push(` delay ${i.delay}`);
  if (i.keepalive) out.push(` keepalive ${i.keepalive.period} ${i.keepalive.retries}`);
  const t = i.tunnel;
  if (!t) return out;
  if (t.source) out.push(` tunnel source ${t.source.kind === 'address' ? t.source.address : t.source.name}`);
  if (t.destination) out.push(` tunnel destination ${t.destination}`);
  if (t.mode !== TUNNEL_MODE_GRE_IP) out.push(` tunnel mode ${t.mode}`);
  if (t.key !== null) out.push(` tunnel key ${t.key}`);
  if (t.checksum) out.push(' tunnel checksum');
  return out;
}
