/** `show ip interface brief`, column widths as IOS 12.2 prints them. */
import type { Ipv4 } from '../../../codecs/net/address.js';
import type { RouterConfig } from '../../config/types.js';
import { interfaceStatus, type InterfaceStatus, type LinkState } from '../../routing/routes.js';

export interface InterfaceBriefRow {
  interface: string;
  address: Ipv4 | null;
  ok: boolean;
  /** How the address was set: NVRAM (startup-config), manual (configure terminal), unset. */
  method: 'NVRAM' | 'manual' | 'unset' | 'DHCP' | 'TFTP';
  status: InterfaceStatus;
  protocol: 'up' | 'down';
}

/** Rows for every configured interface; `method` applies to all (NVRAM for a config loaded at boot). */
export function interfaceBriefRows(config: RouterConfig, link?: LinkState, method: InterfaceBriefRow['method'] = 'NVRAM'): InterfaceBriefRow[] {
  return config.interfaces.map((i) => {
    const status = interfaceStatus(i, link);
    return {
      interface: i.name,
      address: i.address?.address ?? null,
      ok: true,
      method,
      status,
      protocol: status === 'up' ? 'up' : 'down',
    };
  });
}

const HEADER = 'Interface                  IP-Address      OK? Method Status                Protocol';

function column(text: string, width: number): string {
  return text.length >= width ? `${text} ` : text.padEnd(width);
}

export function renderShowIpInterfaceBrief(rows: readonly InterfaceBriefRow[]): string {
  const lines = [HEADER];
  for (const r of rows) {
    lines.push(
      column(r.interface, 27) +
        column(r.address ?? 'unassigned', 16) +
        column(r.ok ? 'YES' : 'NO', 4) +
        column(r.method, 7) +
        column(r.status, 22) +
        r.protocol.padEnd(8),
    );
  }
  return lines.join('\n') + '\n';
}
