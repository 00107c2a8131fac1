/**
 * `show ip ospf neighbor` and `show ip ospf interface` as IOS 12.2 prints
 * them (column layout from IOS captures, docs/research/ios-12.2-notes.md
 * section 8). The data comes from FRR's ospfd, names and words made IOS's by
 * the agent; lines IOS prints about its own internals that FRR has no
 * equivalent for (flood queue, scan times) are left out rather than invented.
 */
import { formatRouteAge } from './route.js';

export interface OspfNeighborRow {
  routerId: string;
  priority: number;
  /** FULL, 2WAY, INIT, EXSTART, EXCHANGE, LOADING, DOWN, ATTEMPT */
  state: string;
  /** DR, BDR, DROTHER, or '-' (point-to-point) */
  role: string;
  deadSeconds: number;
  address: string;
  interface: string;
}

export function renderShowIpOspfNeighbor(rows: readonly OspfNeighborRow[]): string {
  const lines = ['', 'Neighbor ID     Pri   State           Dead Time   Address         Interface'];
  for (const r of rows) {
    const state = `${r.state}/${r.role === '-' ? '  -' : r.role}`;
    lines.push(
      `${r.routerId.padEnd(15)}${String(r.priority).padStart(4)}   ${state.padEnd(16)}${formatRouteAge(r.deadSeconds).padEnd(12)}${r.address.padEnd(16)}${r.interface}`,
    );
  }
  return lines.join('\n') + '\n';
}

export interface OspfInterfaceView {
  interface: string;
  /** Status and line protocol, as show interfaces has them. */
  status: 'up' | 'down' | 'administratively down';
  address: string;
  prefixLength: number;
  /** The area as the network statement wrote it. */
  area: string;
  processId: number;
  routerId: string;
  /** BROADCAST, POINT_TO_POINT, LOOPBACK */
  networkType: string;
  cost: number;
  /** DR, BDR, DROTHER, WAITING, POINT_TO_POINT, DOWN */
  state: string;
  priority: number;
  dr: { id: string; address: string } | null;
  bdr: { id: string; address: string } | null;
  hello: number;
  dead: number;
  wait: number;
  retransmit: number;
  helloDueSeconds: number | null;
  passive: boolean;
  neighbors: number;
  adjacent: { routerId: string; role: 'DR' | 'BDR' | null }[];
}

export function renderShowIpOspfInterface(views: readonly OspfInterfaceView[]): string {
  const out: string[] = [];
  for (const v of views) {
    out.push(`${v.interface} is ${v.status}, line protocol is ${v.status === 'up' ? 'up' : 'down'} `);
    out.push(`  Internet Address ${v.address}/${v.prefixLength}, Area ${v.area} `);
    out.push(`  Process ID ${v.processId}, Router ID ${v.routerId}, Network Type ${v.networkType}, Cost: ${v.cost}`);
    if (v.networkType === 'LOOPBACK') {
      out.push('  Loopback interface is treated as a stub Host');
      continue;
    }
    if (v.networkType === 'POINT_TO_POINT') out.push(`  Transmit Delay is 1 sec, State ${v.state},`);
    else {
      out.push(`  Transmit Delay is 1 sec, State ${v.state}, Priority ${v.priority} `);
      out.push(v.dr ? `  Designated Router (ID) ${v.dr.id}, Interface address ${v.dr.address}` : '  No designated router on this network');
      out.push(v.bdr ? `  Backup Designated router (ID) ${v.bdr.id}, Interface address ${v.bdr.address}` : '  No backup designated router on this network');
    }
    out.push(`  Timer intervals configured, Hello ${v.hello}, Dead ${v.dead}, Wait ${v.wait}, Retransmit ${v.retransmit}`);
    if (v.passive) out.push('    No Hellos (Passive interface)');
    else if (v.helloDueSeconds !== null) out.push(`    Hello due in ${formatRouteAge(v.helloDueSeconds)}`);
    out.push(`  Neighbor Count is ${v.neighbors}, Adjacent neighbor count is ${v.adjacent.length} `);
    for (const a of v.adjacent) {
      out.push(`    Adjacent with neighbor ${a.routerId}${a.role === 'DR' ? '  (Designated Router)' : a.role === 'BDR' ? '  (Backup Designated Router)' : ''}`);
    }
    out.push('  Suppress hello for 0 neighbor(s)');
  }
  return out.join('\n') + '\n';
}
