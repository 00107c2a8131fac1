/**
 * Bringing a lab up and down. `up` creates, in parallel where Docker allows:
 * one --internal bridge network per link (a throwaway /28 of 198.18.0.0/15,
 * never a lab address), one transit ACCEPT rule per bridge (see firewall.ts), one container per
 * node; then waits for every node to report ready. Everything carries
 * ownership labels, so `down` finds it again even after a crash.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { cidrOf } from '../../codecs/net/address.js';
import { describeDiagnostic, diagnosticClass } from '../../ios/index.js';
import { FAILED_LINES, readyLine } from '../../contract/ready.js';
import { DockerError, type ContainerInfo, type ContainerSpec, type Engine } from '../docker/engine.js';
import { ensureLabImage, type BaseStrategy } from '../image/build.js';
import { silentProgress, withStep, type Progress } from '../progress.js';
import { loadTopology } from '../topology/load.js';
import type { Topology, TopologyNode } from '../topology/types.js';
import { startCapture, stopCapture } from './capture.js';
import { chooseFirewall, quietBridge } from './firewall.js';
import { collectKeys, writeKeyTables } from './keys.js';
import { SWANCTL_CONF } from '../../agent/strongswan/config.js';
import {
  allocateSubnets,
  ARTIFACTS_LABEL,
  BRIDGE_LABEL,
  bridgeName,
  containerName,
  INTERFACES_LABEL,
  KIND_LABEL,
  LAB_LABEL,
  LAB_NAME_PATTERN,
  LINK_LABEL,
  networkName,
  NODE_LABEL,
  OWNER_LABEL,
  OWNER_VALUE,
  ownerLabels,
  ROLE_LABEL,
  TOPOLOGY_LABEL,
  type Allocation,
} from './naming.js';


export interface UpOptions {
  /** Lab name (default: the topology's `name`). Two labs from one file need two names. */
  name?: string;
  capture?: boolean;
  /** Where pcaps and key tables go (default ./artifacts/<lab>). */
  artifacts?: string;
  base?: BaseStrategy;
  progress?: Progress;
  /** How long to wait for every node to be ready (ms). */
  readyTimeoutMs?: number;
}

export interface InterfaceInfo {
  name: string;
  link: string | null;
  address: string | null;
}

export interface NodeInfo {
  name: string;
  kind: TopologyNode['kind'];
  container: string;
  state: string;
  interfaces: InterfaceInfo[];
}

export interface LinkInfo {
  name: string;
  network: string;
  bridge: string;
  subnet: string;
  endpoints: string[];
  pcap: string | null;
}

export interface LabInfo {
  name: string;
  topology: string;
  artifacts: string;
  image: string;
  nodes: NodeInfo[];
  links: LinkInfo[];
  capturing: boolean;
  /** IOS config diagnostics per router, file:line:column: lines the router refused (it runs anyway), undefined names. */
  warnings: string[];
  /** IOS config lines the routers accept but do not emulate, file:line:column. */
  notEmulated: string[];
}

export class LabError extends Error {
  override name = 'LabError';
}

export function validateLabName(name: string): void {
  if (!LAB_NAME_PATTERN.test(name)) {
    throw new LabError(`lab name "${name}" must be lower-case letters, digits and dashes (at most 24), starting with a letter or digit`);
  }
}

function nodeInterfaces(node: TopologyNode, topo: Topology): InterfaceInfo[] {
  const linkOf = (ifname: string) => topo.links.find((l) => l.endpoints.some((e) => e.node === node.name && e.interface === ifname))?.name ?? null;
  if (node.kind === 'router2600') {
    return node.config.interfaces.map((i) => ({
      name: i.name,
      link: linkOf(i.name),
      address: i.address ? cidrOf(i.address.address, i.address.mask) : null,
    }));
  }
  return node.interfaces.map((i) => ({ name: i.name, link: linkOf(i.name), address: i.address }));
}

async function createNetworks(engine: Engine, lab: string, topo: Topology, step: { update(s: string): void }): Promise<Map<string, Allocation>> {
  const result = new Map<string, Allocation>();
  let pending = topo.links.filter((l) => l.endpoints.length > 0);
  for (let attempt = 0; pending.length > 0; attempt++) {
    const inUse = await engine.allSubnets();
    const allocs = allocateSubnets(pending.map((l) => l.endpoints.length), inUse, `${lab}#${attempt}`);
    const failed: typeof pending = [];
    await Promise.all(
      pending.map(async (link, i) => {
        const alloc = allocs[i]!;
        try {
          await engine.createNetwork({
            name: networkName(lab, link.name),
            subnet: alloc.subnet,
            gateway: alloc.gateway,
            bridgeName: bridgeName(lab, link.name),
            mtu: link.mtu,
            labels: { ...ownerLabels(lab, 'network'), [LINK_LABEL]: link.name, [BRIDGE_LABEL]: bridgeName(lab, link.name) },
          });
          result.set(link.name, alloc);
          step.update(`${link.name} (${alloc.subnet})`);
        } catch (e) {
          // another lab took the block between our look and our create: try another
          if (attempt < 8 && /overlap|conflict|in use/i.test((e as Error).message)) failed.push(link);
          else throw e;
        }
      }),
    );
    pending = failed;
  }
  return result;
}

async function waitReady(engine: Engine, id: string, node: TopologyNode, timeoutMs: number): Promise<void> {
  const marker = readyLine(node.kind);
  let seen = '';
  let stop: (() => void) | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new LabError(`${node.name} did not become ready within ${timeoutMs} ms; its console says:\n${seen.trim().split('\n').slice(-15).join('\n')}`)), timeoutMs);
      const check = (text: string) => {
        seen += text;
        if (seen.includes(marker)) {
          clearTimeout(timer);
          resolve();
        } else if (FAILED_LINES.some((l) => seen.includes(l))) {
          clearTimeout(timer);
          setTimeout(() => reject(new LabError(`${node.name} failed to start:\n${seen.trim().split('\n').slice(-15).join('\n')}`)), 100);
        }
      };
      engine.followLogs(id, check).then((s) => (stop = s), reject);
    });
  } finally {
    stop?.();
  }
}

/** Bring a lab up from a topology file. On failure nothing is left behind. */
export async function up(engine: Engine, topologyPath: string, opts: UpOptions = {}): Promise<LabInfo> {
  const progress = opts.progress ?? silentProgress;
  const topo = await loadTopology(topologyPath); // throws before anything is created
  const lab = opts.name ?? topo.name;
  validateLabName(lab);
  const artifacts = resolve(opts.artifacts ?? resolve('artifacts', lab));
  await engine.ping();
  const existing = await engine.listContainers({ [OWNER_LABEL]: OWNER_VALUE, [LAB_LABEL]: lab });
  const existingNets = await engine.listNetworks({ [OWNER_LABEL]: OWNER_VALUE, [LAB_LABEL]: lab });
  if (existing.length > 0 || existingNets.length > 0) {
    throw new LabError(`a lab named "${lab}" is already up (or left over from a crash): run \`testbed down ${lab}\` first, or choose another name with --name`);
  }
  const image = await ensureLabImage(engine, { base: opts.base, progress });
  const warnings: string[] = [];
  const notEmulated: string[] = [];
  for (const n of topo.nodes) {
    if (n.kind !== 'router2600') continue;
    for (const d of n.diagnostics) (diagnosticClass(d) === 'not-emulated' ? notEmulated : warnings).push(describeDiagnostic(d, n.configFile, n.name));
  }
  try {
    const allocs = await withStep(progress, `creating ${topo.links.length} networks`, (step) => createNetworks(engine, lab, topo, step));
    const firewall = await chooseFirewall(engine, image);
    await withStep(progress, 'allowing transit traffic on the lab bridges', async () => {
      const bridges = topo.links.filter((l) => allocs.has(l.name)).map((l) => bridgeName(lab, l.name));
      for (const bridge of bridges) await quietBridge(bridge);
      await firewall.allowBridges(lab, bridges);
    });
    await mkdir(artifacts, { recursive: true });
    const ids = new Map<string, string>();
    await withStep(progress, `creating ${topo.nodes.length} nodes`, async (step) => {
      await Promise.all(
        topo.nodes.map(async (node) => {
          const id = await engine.createContainer(containerSpec(lab, topo, node, image, allocs, artifacts));
          ids.set(node.name, id);
          step.update(node.name);
        }),
      );
    });
    await withStep(progress, `starting ${topo.nodes.length} nodes`, async (step) => {
      await Promise.all(
        topo.nodes.map(async (node) => {
          const id = ids.get(node.name)!;
          await engine.startContainer(id);
          await waitReady(engine, id, node, opts.readyTimeoutMs ?? 30000);
          step.update(`${node.name} ready`);
        }),
      );
    });
    let pcaps: Record<string, string> = {};
    if (opts.capture) {
      pcaps = await withStep(progress, `capturing ${topo.links.length} links`, () =>
        startCapture(engine, lab, image, artifacts, topo.links.filter((l) => allocs.has(l.name)).map((l) => ({ link: l.name, bridge: bridgeName(lab, l.name) }))),
      );
    }
    const info = await status(engine, lab);
    if (!info) throw new LabError(`lab ${lab} vanished while it was being brought up`);
    for (const l of info.links) l.pcap = pcaps[l.name] ?? l.pcap;
    info.warnings = warnings;
    info.notEmulated = notEmulated;
    return info;
  } catch (e) {
    await down(engine, lab).catch(() => undefined);
    throw e;
  }
}

function containerSpec(lab: string, topo: Topology, node: TopologyNode, image: string, allocs: Map<string, Allocation>, artifacts: string): ContainerSpec {
  const endpoints: { network: string; ipv4: string }[] = [];
  const bindings: { name: string; dockerIp: string; mtu: number }[] = [];
  for (const link of topo.links) {
    const alloc = allocs.get(link.name);
    if (!alloc) continue;
    link.endpoints.forEach((ep, i) => {
      if (ep.node !== node.name) return;
      endpoints.push({ network: networkName(lab, link.name), ipv4: alloc.addresses[i]! });
      bindings.push({ name: ep.interface, dockerIp: alloc.addresses[i]!, mtu: link.mtu });
    });
  }
  const labels = {
    ...ownerLabels(lab, 'node'),
    [NODE_LABEL]: node.name,
    [KIND_LABEL]: node.kind,
    [TOPOLOGY_LABEL]: topo.file,
    [ARTIFACTS_LABEL]: artifacts,
    [INTERFACES_LABEL]: JSON.stringify(nodeInterfaces(node, topo)),
  };
  const common = {
    name: containerName(lab, node.name),
    hostname: node.name,
    image,
    labels,
    endpoints,
    sysctls: {
      'net.ipv6.conf.all.disable_ipv6': '1',
      'net.ipv6.conf.default.disable_ipv6': '1',
      'net.ipv4.conf.all.rp_filter': '0',
      'net.ipv4.conf.default.rp_filter': '0',
    },
  };
  if (node.kind === 'router2600') {
    return {
      ...common,
      cmd: ['node', '/opt/testbed/app/src/agent/main.js'],
      // TESTBED_TRACE=1 in the orchestrator's environment: routers log every packet of their datapath in their time line
      env: { TESTBED_INTERFACES: JSON.stringify(bindings), ...(process.env.TESTBED_TRACE ? { TESTBED_TRACE: process.env.TESTBED_TRACE } : {}) },
      capAdd: ['NET_ADMIN', 'NET_RAW'],
      devices: ['/dev/net/tun'],
      sysctls: {
        ...common.sysctls,
        'net.ipv4.ip_forward': '1',
        'net.ipv4.conf.all.send_redirects': '0',
        'net.ipv4.conf.default.send_redirects': '0',
        'net.ipv4.conf.all.arp_ignore': '1',
        'net.ipv4.conf.all.arp_announce': '2',
        // the agent writes packets with the router's own source address into its tun device
        // (IKE, ICMP errors): accept them there (all OR per-device; /proc/sys is read-only later)
        'net.ipv4.conf.all.accept_local': '1',
      },
      files: [{ path: '/etc/testbed/startup-config', content: node.configText }],
    };
  }
  const linux = { interfaces: node.interfaces, gateway: node.gateway, routes: node.routes };
  // gateways (strongSwan, NAT) forward between their interfaces and never redirect
  const forwarding = { ...common.sysctls, 'net.ipv4.ip_forward': '1', 'net.ipv4.conf.all.send_redirects': '0', 'net.ipv4.conf.default.send_redirects': '0' };
  if (node.kind === 'strongswan') {
    return {
      ...common,
      cmd: ['node', '/opt/testbed/app/src/agent/strongswan-main.js'],
      env: { TESTBED_INTERFACES: JSON.stringify(bindings), TESTBED_HOST: JSON.stringify(linux) },
      // kernel-libipsec: charon's userspace ESP owns a tun device and routes through it
      capAdd: ['NET_ADMIN', 'NET_RAW'],
      devices: ['/dev/net/tun'],
      sysctls: forwarding,
      files: [{ path: SWANCTL_CONF, content: node.configText }],
    };
  }
  if (node.kind === 'nat') {
    return {
      ...common,
      cmd: ['node', '/opt/testbed/app/src/agent/host-main.js'],
      env: { TESTBED_INTERFACES: JSON.stringify(bindings), TESTBED_HOST: JSON.stringify({ ...linux, nat: { inside: node.inside, outside: node.outside } }) },
      capAdd: ['NET_ADMIN', 'NET_RAW'],
      devices: [],
      sysctls: forwarding,
    };
  }
  return {
    ...common,
    cmd: ['node', '/opt/testbed/app/src/agent/host-main.js'],
    env: {
      TESTBED_INTERFACES: JSON.stringify(bindings),
      TESTBED_HOST: JSON.stringify(linux),
    },
    capAdd: ['NET_ADMIN', 'NET_RAW'],
    devices: [],
  };
}

export interface DownResult {
  labs: string[];
  containers: number;
  networks: number;
  firewallRules: number;
}

/** Remove a lab (or every lab when `lab` is undefined). Idempotent. */
export async function down(engine: Engine, lab?: string, progress: Progress = silentProgress): Promise<DownResult> {
  await engine.ping();
  const labels: Record<string, string> = { [OWNER_LABEL]: OWNER_VALUE };
  if (lab) labels[LAB_LABEL] = lab;
  const containers = await engine.listContainers(labels);
  const networks = await engine.listNetworks(labels);
  const labs = [...new Set([...containers, ...networks].map((x) => x.labels[LAB_LABEL]!).filter((l) => l && l !== '-'))].sort();
  const image = containers.find((c) => c.image.startsWith('testbed/'))?.image ?? null;
  return withStep(progress, lab ? `removing lab ${lab}` : `removing ${labs.length} labs`, async () => {
    // the routers' keys go next to the pcaps before the routers go
    await Promise.all(
      labs.map(async (name) => {
        const dir = containers.find((c) => c.labels[LAB_LABEL] === name && c.labels[ARTIFACTS_LABEL])?.labels[ARTIFACTS_LABEL];
        if (!dir || !containers.some((c) => c.labels[LAB_LABEL] === name && c.labels[KIND_LABEL] === 'router2600' && c.state === 'running')) return;
        await writeKeyTables(dir, await collectKeys(engine, name)).catch((e: unknown) => progress.note(`note: key tables of ${name} not written: ${(e as Error).message}`));
      }),
    );
    await stopCapture(engine, lab);
    await Promise.all(containers.filter((c) => c.labels[ROLE_LABEL] !== 'capture').map((c) => engine.removeContainer(c.id)));
    await Promise.all(networks.map((n) => engine.removeNetwork(n.id)));
    let rules = 0;
    try {
      const firewall = await chooseFirewall(engine, image);
      rules = await firewall.removeRules(lab);
    } catch (e) {
      // without root and without an image we cannot look; say so rather than pretend
      if (!(e instanceof Error && /needs root/.test(e.message))) throw e;
      progress.note(`note: could not check iptables for leftover rules: ${e.message}`);
    }
    return { labs: lab ? [lab] : labs, containers: containers.length, networks: networks.length, firewallRules: rules };
  });
}

/** What is running for a lab, from Docker's labels alone. */
export async function status(engine: Engine, lab: string): Promise<LabInfo | null> {
  const all = await listLabs(engine, lab);
  return all[0] ?? null;
}

export async function listLabs(engine: Engine, lab?: string): Promise<LabInfo[]> {
  await engine.ping();
  const labels: Record<string, string> = { [OWNER_LABEL]: OWNER_VALUE };
  if (lab) labels[LAB_LABEL] = lab;
  const [containers, networks] = await Promise.all([engine.listContainers(labels), engine.listNetworks(labels)]);
  const names = [...new Set([...containers, ...networks].map((x) => x.labels[LAB_LABEL]!).filter((l) => l && l !== '-'))].sort();
  return names.map((name) => {
    const mine = (c: ContainerInfo) => c.labels[LAB_LABEL] === name;
    const nodes = containers.filter((c) => mine(c) && c.labels[ROLE_LABEL] === 'node');
    const capture = containers.find((c) => mine(c) && c.labels[ROLE_LABEL] === 'capture');
    const artifacts = nodes[0]?.labels[ARTIFACTS_LABEL] ?? capture?.labels[ARTIFACTS_LABEL] ?? '';
    const nodeInfos: NodeInfo[] = nodes
      .map((c) => ({
        name: c.labels[NODE_LABEL]!,
        kind: c.labels[KIND_LABEL] as NodeInfo['kind'],
        container: c.name,
        state: c.state,
        interfaces: safeJson<InterfaceInfo[]>(c.labels[INTERFACES_LABEL], []),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const links: LinkInfo[] = networks
      .filter((n) => n.labels[LAB_LABEL] === name)
      .map((n) => {
        const link = n.labels[LINK_LABEL]!;
        return {
          name: link,
          network: n.name,
          bridge: n.labels[BRIDGE_LABEL] ?? n.bridgeName ?? '',
          subnet: n.subnets[0] ?? '',
          endpoints: nodeInfos.flatMap((node) => node.interfaces.filter((i) => i.link === link).map((i) => `${node.name}:${i.name}`)),
          pcap: capture?.state === 'running' && artifacts ? `${artifacts}/${link}.pcap` : null,
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
    return {
      name,
      topology: nodes[0]?.labels[TOPOLOGY_LABEL] ?? '',
      artifacts,
      image: nodes[0]?.image ?? '',
      nodes: nodeInfos,
      links,
      capturing: capture?.state === 'running',
      warnings: [],
      notEmulated: [],
    };
  });
}

function safeJson<T>(text: string | undefined, fallback: T): T {
  try {
    return text ? (JSON.parse(text) as T) : fallback;
  } catch {
    return fallback;
  }
}

/** Find a node's container; a clear error names the nodes that exist. */
export async function findNode(engine: Engine, lab: string, node: string): Promise<ContainerInfo> {
  const list = await engine.listContainers({ [OWNER_LABEL]: OWNER_VALUE, [LAB_LABEL]: lab, [ROLE_LABEL]: 'node' });
  if (list.length === 0) throw new LabError(`no lab named "${lab}" is up (testbed status lists the running labs)`);
  const found = list.find((c) => c.labels[NODE_LABEL] === node);
  if (!found) throw new LabError(`lab ${lab} has no node "${node}" (nodes: ${list.map((c) => c.labels[NODE_LABEL]).sort().join(', ')})`);
  if (found.state !== 'running') throw new LabError(`node ${node} of lab ${lab} is ${found.state}, not running`);
  return found;
}

export interface ExecOutput {
  node: string;
  kind: string;
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Run a command on a node: IOS exec commands on routers (several lines form
 * one console session, e.g. configure terminal ... end), a shell command
 * line on hosts.
 */
export async function execOnNode(engine: Engine, lab: string, node: string, command: string | string[], timeoutMs?: number): Promise<ExecOutput> {
  const c = await findNode(engine, lab, node);
  const kind = c.labels[KIND_LABEL]!;
  const lines = Array.isArray(command) ? command : [command];
  const cmd = kind === 'router2600' ? ['ios', ...lines] : ['sh', '-c', lines.join('\n')];
  const res = await engine.exec(c.id, cmd, { timeoutMs }).catch((e: unknown) => {
    throw e instanceof DockerError ? new LabError(`${node}: ${e.message}`) : e;
  });
  return { node, kind, ...res };
}

function countOf(text: string, marker: string): number {
  return text.split(marker).length - 1;
}

/**
 * Restart a node's container and wait until it is ready again: the router
 * prints its RESTART line once more, the host its ready line.
 */
export async function restartNode(engine: Engine, lab: string, node: string, timeoutMs = 60000): Promise<void> {
  const c = await findNode(engine, lab, node);
  const marker = readyLine(c.labels[KIND_LABEL] ?? 'host');
  const before = countOf(await engine.logs(c.id), marker);
  await engine.restartContainer(c.id, 2);
  let seen = '';
  let stop: (() => void) | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new LabError(`${node} did not become ready within ${timeoutMs} ms after a restart; its console says:\n${seen.trim().split('\n').slice(-15).join('\n')}`)), timeoutMs);
      engine.followLogs(c.id, (text) => {
        seen += text;
        if (countOf(seen, marker) > before) {
          clearTimeout(timer);
          resolve();
        }
      }).then((s) => (stop = s), reject);
    });
  } finally {
    stop?.();
  }
}
