/**
 * Real Ethernet on a link that crosses engines. Docker's overlay network is
 * a bridge (br0) and a VXLAN device (vxlan0) in a network namespace of its
 * own on every engine with a container on the network. vxlan0 is created
 * with proxy ARP: it answers ARP only for the addresses Docker assigned and
 * drops all other ARP, and it has no flood entry, so broadcast and multicast
 * never reach the other engines. Lab nodes use their own addresses (the IOS
 * config's), so on each engine, in each of the lab's overlay namespaces,
 * vxlan0 is replaced by one with the same VNI and MTU and no proxy (the flag
 * cannot be changed on a live device); it is created in the engine's own
 * namespace, so its UDP socket is on the underlay, and moved in, as Docker
 * does. Docker's per-MAC forwarding entries are put back, and one all-zero
 * (flood) entry per remote engine is added.
 *
 * Docker removes that namespace when the last container on an engine leaves
 * the network and makes a new one on the next attach, so the fix is applied
 * again after anything that may have done so (up, restore, restart); it is
 * idempotent. The work is done by a short-lived helper (NET_ADMIN, SYS_ADMIN) on the
 * engine's network, with the engine's netns directory as /run/netns.
 */
import { ENGINE_LABEL, LAB_LABEL, OWNER_LABEL, OWNER_VALUE, ownerLabels } from '../../contract/labels.js';
import { DockerError } from '../docker/engine.js';
import type { FederatedEngine, Member } from './federated.js';

export const L2_FIX_SCRIPT = `
set -eu
for ns in "$@"; do
  [ -e "/run/netns/$ns" ] || { echo "$ns: no such namespace" >&2; exit 3; }
  info=$(ip -n "$ns" -d link show vxlan0)
  if echo "$info" | grep -q ' proxy '; then
    vni=$(echo "$info" | sed -n 's/.*vxlan id \\([0-9]*\\).*/\\1/p')
    mtu=$(echo "$info" | sed -n 's/.* mtu \\([0-9]*\\) .*/\\1/p' | head -n 1)
    fdb=$(bridge -n "$ns" fdb show dev vxlan0 | awk '$1 != "00:00:00:00:00:00" { for (i = 1; i < NF; i++) if ($i == "dst") print $1, $(i + 1) }')
    tmp="tbvx$$"
    ip -n "$ns" link del vxlan0
    ip link add "$tmp" mtu "$mtu" type vxlan id "$vni" dstport 4789
    ip link set "$tmp" netns "$ns"
    ip -n "$ns" link set "$tmp" name vxlan0
    ip -n "$ns" link set vxlan0 master br0
    ip -n "$ns" link set vxlan0 up
    echo "$fdb" | while read -r mac dst; do
      [ -n "$mac" ] && bridge -n "$ns" fdb replace "$mac" dev vxlan0 dst "$dst" self permanent
    done
    echo "$ns: vxlan0 (VNI $vni, MTU $mtu) recreated without proxy ARP"
  fi
  for r in \${REMOTES:-}; do
    if ! bridge -n "$ns" fdb show dev vxlan0 | grep -q "^00:00:00:00:00:00 dst $r "; then
      bridge -n "$ns" fdb append 00:00:00:00:00:00 dev vxlan0 dst "$r" self permanent
      echo "$ns: flood to $r"
    fi
  done
  echo "=netns $ns $(stat -L -c %i "/run/netns/$ns")"
done
`;

/** The name Docker gives an overlay network's namespace: "1-" and the first 10 characters of the network's id. */
export function overlayNamespace(networkId: string): string {
  return `1-${networkId.slice(0, 10)}`;
}

/** A lab's overlay networks that have a container on member `m`: namespace name and a container there. */
export async function localOverlays(fed: FederatedEngine, m: Member, lab: string): Promise<{ network: string; link: string; ns: string; container: string }[]> {
  const nets = (await fed.listNetworks({ [OWNER_LABEL]: OWNER_VALUE, [LAB_LABEL]: lab })).filter((n) => n.driver === 'overlay');
  const out: { network: string; link: string; ns: string; container: string }[] = [];
  for (const n of nets) {
    const info = (await m.engine.docker
      .getNetwork(n.id)
      .inspect()
      .catch(() => null)) as { Containers?: Record<string, unknown> } | null;
    const local = Object.keys(info?.Containers ?? {}).filter((id) => !id.startsWith('lb-'));
    if (local.length > 0) out.push({ network: n.name, link: n.labels['testbed.link'] ?? n.name, ns: overlayNamespace(n.id), container: local[0]! });
  }
  return out;
}

/** An overlay namespace of the lab as the fix-up found it: its inode tells one made anew from the one before. */
export interface OverlayNamespace {
  engine: string;
  link: string;
  ns: string;
  inode: string;
  /** A container of the lab on that link and engine. */
  container: string;
}

/** Apply the fix on every engine; returns what was done, one line per change. */
export async function fixOverlayL2(fed: FederatedEngine, lab: string, image: string): Promise<string[]> {
  return (await applyOverlayL2(fed, lab, image)).changes;
}

/** Apply the fix on every engine: the changes (one line each), and every overlay namespace of the lab as it is now. */
export async function applyOverlayL2(fed: FederatedEngine, lab: string, image: string): Promise<{ changes: string[]; namespaces: OverlayNamespace[] }> {
  const lines: string[] = [];
  const namespaces: OverlayNamespace[] = [];
  for (const m of fed.members) {
    const overlays = await localOverlays(fed, m, lab);
    if (overlays.length === 0) continue;
    const netns = await fed.netnsDir(m, overlays[0]!.container);
    const remotes = fed.members.filter((o) => o !== m && o.ref.address).map((o) => o.ref.address!);
    const id = await m.engine.createContainer({
      name: `tb-${lab}--l2-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
      hostname: 'l2',
      image,
      cmd: ['sleep', '120'],
      env: {},
      labels: { ...ownerLabels(lab, 'helper'), [ENGINE_LABEL]: m.ref.name },
      endpoints: [],
      hostNetwork: true,
      // not --privileged: that asks for every capability, and a host whose bounding set lacks one refuses it
      capAdd: ['NET_ADMIN', 'NET_RAW', 'SYS_ADMIN'],
      devices: [],
      sysctls: {},
      binds: { [netns]: '/run/netns' },
    });
    try {
      await m.engine.startContainer(id);
      const res = await m.engine.exec(id, ['sh', '-c', L2_FIX_SCRIPT, 'l2', ...overlays.map((o) => o.ns)], { env: { REMOTES: remotes.join(' ') } });
      if (res.exitCode !== 0) throw new DockerError(`overlay fix-up on ${m.ref.name} failed (exit ${res.exitCode}): ${(res.stderr + res.stdout).trim()}`);
      for (const line of res.stdout.trim().split('\n').filter(Boolean)) {
        const ns = /^=netns (\S+) (\d+)$/.exec(line);
        if (!ns) {
          lines.push(`${m.ref.name}: ${line}`);
          continue;
        }
        const o = overlays.find((x) => x.ns === ns[1]);
        if (o) namespaces.push({ engine: m.ref.name, link: o.link, ns: o.ns, inode: ns[2]!, container: o.container });
      }
    } finally {
      await m.engine.removeContainer(id);
    }
  }
  return { changes: lines, namespaces };
}
