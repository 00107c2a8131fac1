/**
 * Docker attaches a container to its networks as eth0, eth1 ... in no
 * particular order, each with a throwaway address from the network's subnet.
 * The orchestrator tells us which throwaway address belongs to which
 * interface of the node; from that we find each Linux interface and remove
 * Docker's address and routes, so the only addresses left are the lab's.
 *
 * The interfaces keep Docker's names: Docker finds them by those names when
 * a link is cut (network disconnect) and restored (connect), so renaming
 * them would break that. The agent maps IOS names to Linux names instead.
 */
import type { InterfaceBinding } from '../../contract/env.js';
import { FLUSH_ROUTES, stripCommands } from '../../contract/linux.js';
import { ipBatch, ipJson, spawn } from './system.js';

interface IpAddrEntry {
  ifname: string;
  mtu?: number;
  addr_info?: { family: string; local: string; prefixlen: number }[];
}

export class InterfaceSetupError extends Error {
  override name = 'InterfaceSetupError';
}

function carrying(entries: IpAddrEntry[], ip: string): IpAddrEntry | undefined {
  return entries.find((e) => e.addr_info?.some((a) => a.family === 'inet' && a.local === ip));
}

/** Take over the interfaces Docker gave us: strip Docker's addressing. Returns IOS name -> Linux name. */
export async function adoptInterfaces(bindings: InterfaceBinding[]): Promise<Map<string, string>> {
  const current = await ipJson<IpAddrEntry[]>(['addr', 'show']);
  const map = new Map<string, string>();
  for (const b of bindings) {
    const entry = carrying(current, b.dockerIp);
    if (!entry) throw new InterfaceSetupError(`no interface carries ${b.dockerIp} for ${b.name}; interfaces: ${current.map((e) => e.ifname).join(', ')}`);
    map.set(b.name, entry.ifname);
  }
  await strip(bindings, map);
  // Docker's routes left with its addresses; drop anything else in the main table
  await ipBatch([FLUSH_ROUTES]);
  return map;
}

async function strip(bindings: InterfaceBinding[], map: Map<string, string>): Promise<void> {
  const res = await ipBatch(stripCommands(bindings, (name) => map.get(name)));
  if (res.code !== 0) throw new InterfaceSetupError(`taking over the interfaces failed: ${res.stderr.trim()}`);
}

/**
 * Interfaces that came back (a link restored with docker network connect)
 * carry Docker's address again, maybe under another name. Updates `map` and
 * returns the bindings that were re-adopted.
 */
export async function readoptInterfaces(bindings: InterfaceBinding[], map: Map<string, string>): Promise<InterfaceBinding[]> {
  const current = await ipJson<IpAddrEntry[]>(['addr', 'show']);
  const back: InterfaceBinding[] = [];
  for (const b of bindings) {
    const entry = carrying(current, b.dockerIp);
    if (!entry) continue;
    map.set(b.name, entry.ifname);
    back.push(b);
  }
  if (back.length > 0) await strip(back, map);
  return back;
}

/** Calls `onChange` whenever links appear or disappear (ip monitor link). Returns a stop function. */
export function watchLinks(onChange: () => void): () => void {
  let stopped = false;
  let child: ReturnType<typeof spawn> | undefined;
  const startMonitor = () => {
    if (stopped) return;
    child = spawn('ip', ['-o', 'monitor', 'link'], { stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout?.on('data', () => onChange());
    child.on('exit', () => setTimeout(startMonitor, 1000));
  };
  startMonitor();
  return () => {
    stopped = true;
    child?.kill();
  };
}
