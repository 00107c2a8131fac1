/**
 * IPsec tunnels of a running lab, for the picture: the ISAKMP SAs (show
 * crypto isakmp sa) of each node that speaks IOS whose peer is another such
 * node of the lab, with the protected flows from show crypto ipsec sa.
 */
import type { Lab } from '../lab/lab.js';
import { parseIpsecSa, parseIsakmpSa } from '../show/index.js';
import type { Topology } from '../topology/types.js';
import type { Tunnel } from './model.js';

export async function labTunnels(lab: Lab, topo: Topology): Promise<Tunnel[]> {
  const routers = topo.nodes.filter((n) => topo.kinds.of(n).ios);
  const addresses = new Map(
    routers.map((r) => [
      r.name,
      topo.kinds
        .of(r)
        .interfaces(r)
        .flatMap((i) => (i.address ? [i.address.split('/')[0]!] : [])),
    ]),
  );
  const owner = (ip: string) => [...addresses].find(([, list]) => list.includes(ip))?.[0] ?? null;
  const tunnels = new Map<string, Tunnel>();
  for (const r of routers) {
    const local = addresses.get(r.name) ?? [];
    const isakmp = await lab.exec(r.name, ['show crypto isakmp sa']).catch(() => null);
    if (!isakmp || isakmp.exitCode !== 0) continue;
    const rows = parseIsakmpSa(isakmp.stdout, local).filter((row) => row.peer && row.state !== 'PEER_DISCOVERY');
    if (!rows.length) continue;
    const ipsec = await lab.exec(r.name, ['show crypto ipsec sa']).catch(() => null);
    const flows = ipsec ? parseIpsecSa(ipsec.stdout) : [];
    for (const row of rows) {
      const peer = owner(String(row.peer));
      if (!peer || peer === r.name) continue;
      const [a, b] = [r.name, peer].sort();
      const key = `${a}|${b}`;
      if (tunnels.has(key)) continue;
      const mine = flows.filter((f) => f.peer === row.peer && f.local_ident && f.remote_ident);
      tunnels.set(key, { a: a!, b: b!, state: String(row.state), flows: mine.map((f) => `${f.local_ident} <-> ${f.remote_ident}`) });
    }
  }
  return [...tunnels.values()];
}
