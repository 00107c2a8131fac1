/** `kind: host`: a Linux end host (addresses, gateway, routes; ping, iperf3, tcpdump, nc). Orchestrator side. */
import { Type, type Static } from '@sinclair/typebox';
import { HOST_FAILED, HOST_READY } from '../../contract/ready.js';
import type { NodeKind } from '../kind.js';
import {
  AddressShorthand,
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
import { linuxProgram } from '../linux/program.js';
import { Description } from '../schema.js';
import { forLogLine } from '../wait.js';

export interface HostNode extends LinuxNode {
  readonly kind: 'host';
}

const Schema = Type.Object(
  { kind: Type.Literal('host'), description: Description, address: AddressShorthand, ...linuxProperties },
  { additionalProperties: false },
);

export const host: NodeKind<HostNode, Static<typeof Schema>> = {
  name: 'host',
  summary: 'host: a Linux end host.',
  schema: Schema,
  entry: null,
  ios: false,
  shell: true,
  keysFile: null,
  readiness: forLogLine(HOST_READY, HOST_FAILED),
  artifacts: { suffix: '.txt', prompt: '$', commands: HOST_COMMANDS },
  graph: plainGraph,
  async resolve(raw, ctx): Promise<HostNode> {
    return { kind: 'host', ...resolveLinux(raw, ctx) };
  },
  interfaces: linuxInterfaces,
  endpoint: linuxEndpoint,
  warnings: () => [],
  container: (node, { bindings }) => ({
    cmd: linuxProgram(linuxSpec(node), bindings),
    env: {},
    capAdd: ['NET_ADMIN', 'NET_RAW'],
    devices: [],
    sysctls: {},
    files: [],
  }),
  execCommand: shellCommand,
  linkUpLine: () => null,
};
