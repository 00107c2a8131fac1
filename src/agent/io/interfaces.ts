/**
 * Docker attaches a container to its networks as eth0, eth1 ... in no
 * particular order, each with a throwaway address from the network's subnet.
 * The orchestrator tells us which throwaway address belongs to which
 * interface of the node; from that we find each Linux interface, give it the
 * node's own name (fa0-0 for FastEthernet0/0, eth0 for hosts), and remove
 * Docker's address and routes, so the only addresses left are the lab's.
 */
import { ipBatch, ipJson } from './system.js';

export interface InterfaceBinding {
  /** IOS or host name: FastEthernet0/0, eth0. */
  name: string;
  /** Linux name to give the interface. */
  linux: string;
  /** The address Docker gave this endpoint (identifies it). */
  dockerIp: string;
  mtu: number;
}

interface IpAddrEntry {
  ifname: string;
  mtu?: number;
  addr_info?: { family: string; local: string; prefixlen: number }[];
}

export class InterfaceSetupError extends Error {
  override name = 'InterfaceSetupError';
}

export function parseBindings(json: string | undefined): InterfaceBinding[] {
  if (!json) return [];
  const list = JSON.parse(json) as InterfaceBinding[];
  if (!Array.isArray(list)) throw new InterfaceSetupError('TESTBED_INTERFACES must be a JSON list');
  return list;
}

/** Rename Docker's interfaces to the node's names and strip Docker's addressing. Returns the Linux names. */
export async function adoptInterfaces(bindings: InterfaceBinding[]): Promise<Map<string, string>> {
  const current = await ipJson<IpAddrEntry[]>(['addr', 'show']);
  const found = new Map<string, string>(); // binding name -> current linux name
  for (const b of bindings) {
    const entry = current.find((e) => e.addr_info?.some((a) => a.family === 'inet' && a.local === b.dockerIp));
    const already = current.find((e) => e.ifname === b.linux);
    if (entry) found.set(b.name, entry.ifname);
    else if (already) found.set(b.name, already.ifname); // adopted before (agent restart)
    else throw new InterfaceSetupError(`no interface carries ${b.dockerIp} for ${b.name}; interfaces: ${current.map((e) => e.ifname).join(', ')}`);
  }
  // two passes so that renaming eth1 -> eth0 while eth0 exists cannot clash
  const pass1: string[] = [];
  const pass2: string[] = [];
  bindings.forEach((b, i) => {
    const now = found.get(b.name)!;
    if (now !== b.linux) {
      pass1.push(`link set dev ${now} down`, `link set dev ${now} name tbtmp${i}`);
      pass2.push(`link set dev tbtmp${i} name ${b.linux}`);
    }
  });
  const rest: string[] = [];
  for (const b of bindings) {
    rest.push(`addr flush dev ${b.linux}`, `link set dev ${b.linux} mtu ${b.mtu}`);
  }
  const res = await ipBatch([...pass1, ...pass2, ...rest]);
  if (res.code !== 0) throw new InterfaceSetupError(`renaming interfaces failed: ${res.stderr.trim()}`);
  // Docker's default route and subnet routes left with the addresses; drop anything else.
  await ipBatch(['route flush table main']);
  return new Map(bindings.map((b) => [b.name, b.linux]));
}
