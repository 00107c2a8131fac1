/**
 * `kind: nat`: a Linux box that masquerades what leaves by its `outside`
 * interface and lets only answers back in. Orchestrator side.
 */
import { Type, type Static } from '@sinclair/typebox';
import { HOST_FAILED, HOST_READY } from '../../contract/ready.js';
import type { NodeKind } from '../kind.js';
import {
  FORWARDING_SYSCTLS,
  HOST_COMMANDS,
  HostInterfaces,
  LinuxInterfaceName,
  linuxEndpoint,
  linuxInterfaces,
  linuxProperties,
  linuxSpec,
  plainGraph,
  resolveLinux,
  shellCommand,
  type LinuxNode,
} from '../linux/node.js';
import { linuxProgram } from '../linux/program.js';
import { Description, oneOf } from '../schema.js';
import { forLogLine } from '../wait.js';

/** A Linux NAT box: forwards between its interfaces and masquerades what leaves by `outside`. */
export interface NatNode extends LinuxNode {
  readonly kind: 'nat';
  /** The interfaces whose traffic is translated (private side). */
  readonly inside: string[];
  /** The interface that masquerades (public side); only answers come back in. */
  readonly outside: string;
}

/** NAT nodes: the translation rules and the connections they track. */
const NAT_COMMANDS = ['iptables-save', 'cat /proc/net/nf_conntrack 2>/dev/null || true'];

const Schema = Type.Object(
  {
    kind: Type.Literal('nat'),
    description: Description,
    interfaces: HostInterfaces,
    outside: Type.String({
      description: 'The public interface: what leaves by it is masqueraded to its address; from it, only answers come back in.',
      pattern: LinuxInterfaceName.pattern,
    }),
    inside: Type.Optional(
      oneOf([LinuxInterfaceName, Type.Array(LinuxInterfaceName, { minItems: 1, uniqueItems: true })], {
        description: 'The private interfaces (default: every interface but the outside one).',
      }),
    ),
    gateway: linuxProperties.gateway,
    routes: linuxProperties.routes,
  },
  { additionalProperties: false },
);

export const nat: NodeKind<NatNode, Static<typeof Schema>> = {
  name: 'nat',
  summary: 'nat: a Linux box that masquerades between its inside and outside interfaces.',
  schema: Schema,
  entry: null,
  ios: false,
  shell: true,
  keysFile: null,
  readiness: forLogLine(HOST_READY, HOST_FAILED),
  artifacts: { suffix: '.txt', prompt: '$', commands: [...HOST_COMMANDS, ...NAT_COMMANDS] },
  graph: plainGraph,
  async resolve(raw, ctx): Promise<NatNode> {
    const base = resolveLinux(raw, ctx);
    const name = ctx.name;
    const names = base.interfaces.map((i) => i.name);
    const inside = raw.inside === undefined ? names.filter((i) => i !== raw.outside) : typeof raw.inside === 'string' ? [raw.inside] : raw.inside;
    for (const [key, list] of [
      ['outside', [raw.outside]],
      ['inside', inside],
    ] as const) {
      for (const i of list) {
        if (!names.includes(i)) ctx.issue([key], `nodes.${name}.${key}: ${i} is not one of its interfaces (${names.join(', ')})`);
      }
    }
    if (inside.includes(raw.outside)) ctx.issue(['inside'], `nodes.${name}: ${raw.outside} cannot be both inside and outside`);
    if (inside.length === 0) ctx.issue(['interfaces'], `nodes.${name}: a NAT needs an inside interface besides the outside one (${raw.outside})`);
    return { kind: 'nat', ...base, inside, outside: raw.outside };
  },
  interfaces: linuxInterfaces,
  endpoint: linuxEndpoint,
  warnings: () => [],
  container: (node, { bindings }) => ({
    cmd: linuxProgram(linuxSpec(node), bindings, { inside: node.inside, outside: node.outside }),
    env: {},
    capAdd: ['NET_ADMIN', 'NET_RAW'],
    devices: [],
    sysctls: { ...FORWARDING_SYSCTLS },
    files: [],
  }),
  execCommand: shellCommand,
  linkUpLine: () => null,
};
