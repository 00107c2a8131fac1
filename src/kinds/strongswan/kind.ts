/**
 * `kind: strongswan`: a real IKE peer, strongSwan 5.9.8 (charon with
 * kernel-libipsec) configured by a swanctl.conf. Orchestrator side.
 */
import { Type, type Static } from '@sinclair/typebox';
import { envEntry, TESTBED_HOST } from '../../contract/env.js';
import { nodeEntry, SWANCTL_CONF } from '../../contract/paths.js';
import { STRONGSWAN_FAILED, STRONGSWAN_READY } from '../../contract/ready.js';
import type { NodeKind } from '../kind.js';
import {
  FORWARDING_SYSCTLS,
  HOST_COMMANDS,
  linuxEndpoint,
  linuxInterfaces,
  linuxProperties,
  linuxSpec,
  plainGraph,
  resolveLinux,
  shellCommand,
  type LinuxNode,
} from '../linux/node.js';
import { described, Description, Ipv4Prefix } from '../schema.js';
import { forLogLine } from '../wait.js';

/** A strongSwan 5.9.8 IKE gateway (charon with kernel-libipsec), configured by a swanctl.conf. */
export interface StrongswanNode extends LinuxNode {
  readonly kind: 'strongswan';
  /** Absolute path of the swanctl.conf. */
  readonly configFile: string;
  readonly configText: string;
}

const ENTRY = 'kinds/strongswan/main.js';

/** strongSwan nodes: the SAs and connections charon has. */
const STRONGSWAN_COMMANDS = ['swanctl --list-sas', 'swanctl --list-conns'];

const Schema = Type.Object(
  {
    kind: Type.Literal('strongswan'),
    description: Description,
    config: Type.String({ description: 'swanctl.conf (connections and secrets) loaded into charon at boot, relative to the topology file.', minLength: 1 }),
    address: Type.Optional(described(Ipv4Prefix, 'Address of eth0 with its prefix length (shorthand for interfaces: {eth0: ...}).')),
    ...linuxProperties,
  },
  { additionalProperties: false },
);

export const strongswan: NodeKind<StrongswanNode, Static<typeof Schema>> = {
  name: 'strongswan',
  summary: 'strongswan: a strongSwan 5.9.8 IKE gateway configured by a swanctl.conf.',
  schema: Schema,
  entry: ENTRY,
  ios: false,
  shell: true,
  keysFile: null,
  readiness: forLogLine(STRONGSWAN_READY, STRONGSWAN_FAILED),
  artifacts: { suffix: '.txt', prompt: '$', commands: [...HOST_COMMANDS, ...STRONGSWAN_COMMANDS] },
  graph: plainGraph,
  async resolve(raw, ctx): Promise<StrongswanNode | null> {
    const base = resolveLinux(raw, ctx);
    const conf = await ctx.readFile('config');
    return conf ? { kind: 'strongswan', ...base, configFile: conf.file, configText: conf.text } : null;
  },
  interfaces: linuxInterfaces,
  endpoint: linuxEndpoint,
  warnings: () => [],
  container: (node) => ({
    cmd: nodeEntry(ENTRY),
    env: envEntry(TESTBED_HOST, linuxSpec(node)),
    // kernel-libipsec: charon's userspace ESP owns a tun device and routes through it
    capAdd: ['NET_ADMIN', 'NET_RAW'],
    devices: ['/dev/net/tun'],
    sysctls: { ...FORWARDING_SYSCTLS },
    files: [{ path: SWANCTL_CONF, content: node.configText }],
  }),
  execCommand: shellCommand,
  linkUpLine: () => null,
};
