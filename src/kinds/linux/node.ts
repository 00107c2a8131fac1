/**
 * What the Linux node kinds (host, nat, strongswan) share: their addresses,
 * default gateway and routes in the topology file (schema and checks), the
 * TESTBED_HOST variable that hands them to the node, a shell for commands,
 * and the commands whose output a test run keeps.
 */
import { Type } from '@sinclair/typebox';
import { broadcastAddress, inPrefix, networkAddress, parseIpv4 } from '../../codecs/net/address.js';
import type { LinuxSpec } from '../../contract/env.js';
import type { NodeInterface, ResolveContext, TopologyNode } from '../kind.js';
import { described, Ipv4, Ipv4Prefix, mapOf, named } from '../schema.js';

const IFNAME_PATTERN = '^eth[0-9]{1,2}$';

export const LinuxInterfaceName = Type.String({ pattern: IFNAME_PATTERN });

/** Interface name to address with prefix length. */
export const HostInterfaces = named(
  'hostInterfaces',
  mapOf(IFNAME_PATTERN, Ipv4Prefix, { description: 'Interface name to address with prefix length.', minProperties: 1 }),
);

export const Routes = named(
  'routes',
  Type.Array(Type.Object({ to: Ipv4Prefix, via: Ipv4 }, { additionalProperties: false }), { description: 'Extra static routes.' }),
);

/** The schema properties every Linux node has (`address` only where the kind allows the eth0 shorthand). */
export const linuxProperties = {
  interfaces: Type.Optional(HostInterfaces),
  gateway: Type.Optional(described(Ipv4, 'Default gateway.')),
  routes: Type.Optional(Routes),
};

export const AddressShorthand = Type.Optional(
  described(Ipv4Prefix, 'Address of eth0 with its prefix length, like 13.13.13.4/24 (shorthand for interfaces: {eth0: ...}).'),
);

export interface HostInterface {
  name: string;
  /** Address with prefix length, e.g. 13.13.13.4/24. */
  address: string;
}

/** What every Linux node has: addresses, a default gateway, routes. */
export interface LinuxNode extends TopologyNode {
  readonly interfaces: HostInterface[];
  readonly gateway: string | null;
  readonly routes: { to: string; via: string }[];
}

export interface RawLinux {
  address?: string;
  interfaces?: Record<string, string>;
  gateway?: string;
  routes?: { to: string; via: string }[];
}

/** Addresses, gateway and routes of a Linux node, with their checks. */
export function resolveLinux(raw: RawLinux, ctx: ResolveContext): Omit<LinuxNode, 'kind'> {
  const name = ctx.name;
  const interfaces = Object.entries(raw.interfaces ?? {}).map(([ifname, address]) => ({ name: ifname, address }));
  const shorthand = raw.address;
  if (shorthand) {
    if (raw.interfaces?.eth0) ctx.issue(['address'], `nodes.${name}: "address" and "interfaces.eth0" both give eth0 an address`, true);
    interfaces.unshift({ name: 'eth0', address: shorthand });
  }
  for (const i of interfaces) {
    if (!validHostAddress(i.address)) {
      const path = shorthand === i.address && i.name === 'eth0' ? ['address'] : ['interfaces', i.name];
      ctx.issue(path, `nodes.${name}: ${i.address} is the network or broadcast address of its prefix, not a host address`);
    }
  }
  const gateway = raw.gateway ?? null;
  if (gateway && !interfaces.some((i) => sameSubnet(i.address, gateway))) {
    ctx.issue(
      ['gateway'],
      `nodes.${name}.gateway: ${gateway} is not in the subnet of any of its interfaces (${interfaces.map((i) => i.address).join(', ') || 'none'})`,
    );
  }
  return { name, interfaces, gateway, routes: raw.routes ?? [], pos: ctx.pos };
}

export function linuxInterfaces(node: LinuxNode): NodeInterface[] {
  return node.interfaces.map((i) => ({ name: i.name, address: i.address }));
}

/** Link endpoints of Linux nodes name an interface that has an address. */
export function linuxEndpoint(node: LinuxNode, text: string): string | { error: string } {
  if (!node.interfaces.some((i) => i.name === text)) {
    return {
      error: `${node.kind} ${node.name} has no interface ${text} (it has ${node.interfaces.map((i) => i.name).join(', ') || 'none'}; give it an address)`,
    };
  }
  return text;
}

/** TESTBED_HOST's value for a Linux node. */
export function linuxSpec(node: LinuxNode): LinuxSpec {
  return { interfaces: node.interfaces, gateway: node.gateway, routes: node.routes };
}

/** A shell command line: several lines are one script. */
export function shellCommand(command: string | string[]): string[] {
  return ['sh', '-c', Array.isArray(command) ? command.join('\n') : command];
}

/** Gateways (strongSwan, NAT) forward between their interfaces and never redirect. */
export const FORWARDING_SYSCTLS: Readonly<Record<string, string>> = {
  'net.ipv4.ip_forward': '1',
  'net.ipv4.conf.all.send_redirects': '0',
  'net.ipv4.conf.default.send_redirects': '0',
};

/** What a test run keeps of every Linux node. */
export const HOST_COMMANDS = ['ip -4 addr', 'ip route'];

export const plainGraph = { style: 'host' as const, hostname: () => null, shortName: (ifname: string) => ifname };

function validHostAddress(cidr: string): boolean {
  const [ip, lenText] = cidr.split('/');
  const address = parseIpv4(ip!);
  const len = Number(lenText);
  if (len >= 31) return true;
  return address !== networkAddress(address, len) && address !== broadcastAddress(address, len);
}

function sameSubnet(cidr: string, ip: string): boolean {
  const len = Number(cidr.split('/')[1]);
  return inPrefix(parseIpv4(ip), parseIpv4(cidr.split('/')[0]!), len);
}
