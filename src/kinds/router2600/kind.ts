/**
 * `kind: router2600`: an emulated Cisco 2600 running IOS 12.2 from a real
 * running-config. Orchestrator side: reads and checks the config (lines IOS
 * would refuse are warnings, the router boots without them), names the
 * agent's entry point, and talks to the router with `ios` in its container.
 */
import { Type, type Static } from '@sinclair/typebox';
import { cidrOf } from '../../codecs/net/address.js';
import { envEntry, TESTBED_TRACE } from '../../contract/env.js';
import { KEY_JOURNAL_PATH } from '../../contract/keys.js';
import { nodeEntry, STARTUP_CONFIG_PATH } from '../../contract/paths.js';
import { ROUTER_BOOT_FAILED, ROUTER_READY } from '../../contract/ready.js';
import { diagnosticClass, normalizeInterfaceName, parseConfig, shortInterfaceName, type ConfigDiagnostic, type RouterConfig } from '../../ios/index.js';
import { displayPath } from '../../orchestrator/topology/source.js';
import { SHOW_TABLES } from '../../orchestrator/show/index.js';
import type { NodeKind, TopologyNode } from '../kind.js';
import { Description } from '../schema.js';
import { forLogLine } from '../wait.js';

export interface RouterNode extends TopologyNode {
  readonly kind: 'router2600';
  /** Absolute path of the IOS running-config. */
  readonly configFile: string;
  readonly configText: string;
  readonly config: RouterConfig;
  /** What IOS would print for lines it does not accept; the router still boots. */
  readonly diagnostics: ConfigDiagnostic[];
}

const ENTRY = 'kinds/router2600/main.js';

/** What a test run keeps of every router: its configuration, interfaces, routes, the crypto tables, its debugs. */
export const FINAL_SHOW_COMMANDS = [
  'show running-config',
  'show ip interface brief',
  'show ip route',
  ...Object.values(SHOW_TABLES).map((t) => t.command),
  'show access-lists',
  'show ip nat translations verbose',
  'show ip nat statistics',
  'show debugging',
];

const Schema = Type.Object(
  {
    kind: Type.Literal('router2600'),
    config: Type.String({ description: 'IOS running-config file, relative to the topology file.', minLength: 1 }),
    description: Description,
  },
  { additionalProperties: false },
);

export const router2600: NodeKind<RouterNode, Static<typeof Schema>> = {
  name: 'router2600',
  summary: 'router2600: an emulated Cisco 2600 running IOS 12.2 from `config`.',
  schema: Schema,
  entry: ENTRY,
  ios: true,
  shell: false,
  keysFile: KEY_JOURNAL_PATH,
  readiness: forLogLine(ROUTER_READY, ROUTER_BOOT_FAILED),
  artifacts: { suffix: '.show.txt', prompt: '#', commands: FINAL_SHOW_COMMANDS },
  graph: { style: 'router', hostname: (node) => (node as RouterNode).config.hostname, shortName: shortInterfaceName },
  async resolve(_raw, ctx): Promise<RouterNode | null> {
    const file = await ctx.readFile('config');
    if (!file) return null;
    const { config, diagnostics } = parseConfig(file.text);
    return { kind: 'router2600', name: ctx.name, configFile: file.file, configText: file.text, config, diagnostics, pos: ctx.pos };
  },
  interfaces: (node) => node.config.interfaces.map((i) => ({ name: i.name, address: i.address ? cidrOf(i.address.address, i.address.mask) : null })),
  endpoint(node, text) {
    const full = normalizeInterfaceName(text);
    const names = node.config.interfaces.map((i) => i.name);
    if (!full) return { error: `"${text}" is not an IOS interface name (like FastEthernet0/0 or Fa0/0)` };
    if (!names.includes(full))
      return { error: `${node.name} has no interface ${full} in ${displayPath(node.configFile)} (it has ${names.join(', ') || 'none'})` };
    return full;
  },
  warnings: (node) =>
    node.diagnostics.map((d) => ({
      class: diagnosticClass(d),
      file: node.configFile,
      line: d.line,
      column: d.column,
      text: d.text,
      message: d.message.split('\n').pop()!,
      detail: d.detail ?? null,
      ...(d.blockLines ? { blockLines: d.blockLines } : {}),
    })),
  container: (node, ctx) => ({
    cmd: nodeEntry(ENTRY),
    // TESTBED_TRACE=1 in the orchestrator's environment: routers log every packet of their datapath in their time line
    env: TESTBED_TRACE.decode(ctx.env[TESTBED_TRACE.name]) ? envEntry(TESTBED_TRACE, true) : {},
    // SYS_ADMIN: FRR's daemons (src/agent/routing) refuse to start unless their privilege code can keep it
    capAdd: ['NET_ADMIN', 'NET_RAW', 'SYS_ADMIN'],
    devices: ['/dev/net/tun'],
    sysctls: {
      'net.ipv4.ip_forward': '1',
      'net.ipv4.conf.all.send_redirects': '0',
      'net.ipv4.conf.default.send_redirects': '0',
      'net.ipv4.conf.all.arp_ignore': '1',
      'net.ipv4.conf.all.arp_announce': '2',
      // the agent writes packets with the router's own source address into its tun device
      // (IKE, ICMP errors): accept them there (all OR per-device; /proc/sys is read-only later)
      'net.ipv4.conf.all.accept_local': '1',
      // FRR's daemons join 224.0.0.5/6 (OSPF), .9 (RIP) and .10 (EIGRP); Linux would announce those link-local
      // groups with IGMP membership reports on every link, which a 2600 running the protocols does not send
      'net.ipv4.igmp_link_local_mcast_reports': '0',
    },
    files: [{ path: STARTUP_CONFIG_PATH, content: node.configText }],
  }),
  /** IOS lines, one console session: newline-separated text is split, blank lines dropped. */
  execCommand: (command) => ['ios', ...(Array.isArray(command) ? command : [command]).flatMap((l) => l.split('\n')).filter((l) => l.trim() !== '')],
  linkUpLine: (ifname) => `Interface ${ifname}, changed state to up`,
};
