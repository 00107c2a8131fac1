/**
 * `show ip protocols` in IOS 12.2's layout, one block per routing process
 * (EIGRP, OSPF, RIP), from the configuration and what the routing daemons
 * report (sources, timers). Where FRR's behaviour differs from IOS's, the
 * block says FRR's value rather than IOS's default: RIP has no hold-down in
 * FRR and flushes a route 300 s after its last update.
 */
import { parseIpv4 } from '../../../codecs/net/address.js';
import { isPassive, type PassiveInterfaces, type RouterConfig } from '../../config/types.js';
import { formatRouteAge } from './route.js';

export interface RoutingSource {
  gateway: string;
  distance: number;
  ageSeconds: number;
}

export interface ProtocolsInput {
  config: RouterConfig;
  ospfRouterId: string | null;
  ospfSources: RoutingSource[];
  eigrpSources: RoutingSource[];
  ripSources: RoutingSource[];
  /** IOS names of the interfaces RIP runs on. */
  ripInterfaces: string[];
  /** Seconds until RIP's next periodic update, when known. */
  ripNextDue: number | null;
}

function sources(list: readonly RoutingSource[]): string[] {
  return [
    '  Routing Information Sources:',
    '    Gateway         Distance      Last Update',
    ...list.map((s) => `    ${s.gateway.padEnd(16)}${String(s.distance).padStart(8)}      ${formatRouteAge(s.ageSeconds)}`),
  ];
}

function passive(config: RouterConfig, p: PassiveInterfaces): string[] {
  const names = config.interfaces.map((i) => i.name).filter((n) => isPassive(p, n));
  return names.length ? ['  Passive Interface(s):', ...names.map((n) => `    ${n}`)] : [];
}

const FILTERS = ['  Outgoing update filter list for all interfaces is not set', '  Incoming update filter list for all interfaces is not set'];

function eigrpBlock(input: ProtocolsInput): string[] {
  const p = input.config.routing.eigrp[0];
  if (!p) return [];
  return [
    `Routing Protocol is "eigrp ${p.as}"`,
    ...FILTERS,
    '  Default networks flagged in outgoing updates',
    '  Default networks accepted from incoming updates',
    '  EIGRP metric weight K1=1, K2=0, K3=1, K4=0, K5=0',
    '  EIGRP maximum hopcount 100',
    '  EIGRP maximum metric variance 1',
    `  Redistributing: eigrp ${p.as}`,
    `  Automatic network summarization is ${p.autoSummary ? '' : 'not '}in effect`,
    '  Maximum path: 4',
    '  Routing for Networks:',
    ...p.networks.map((n) => `    ${n.address}${n.wildcard !== null ? `/${32 - Math.log2(parseIpv4(n.wildcard) + 1)}` : ''}`),
    ...passive(input.config, p.passive),
    ...sources(input.eigrpSources),
    '  Distance: internal 90 external 170',
  ];
}

function ospfBlock(input: ProtocolsInput): string[] {
  const p = input.config.routing.ospf[0];
  if (!p) return [];
  const areas = new Set(p.networks.map((n) => (n.area.includes('.') ? parseIpv4(n.area) : Number(n.area))));
  const stub = p.areas.filter((a) => a.stub && areas.has(a.id.includes('.') ? parseIpv4(a.id) : Number(a.id))).length;
  const redistributed = p.redistribute.filter((r) => r.subnets);
  const asbr = redistributed.length > 0 || p.defaultInformation !== null;
  return [
    `Routing Protocol is "ospf ${p.id}"`,
    ...FILTERS,
    `  Router ID ${input.ospfRouterId ?? '0.0.0.0'}`,
    ...(asbr ? ['  It is an autonomous system boundary router', '  Redistributing External Routes from,'] : []),
    ...redistributed.map((r) => `    ${r.protocol}, includes subnets in redistribution`),
    `  Number of areas in this router is ${areas.size}. ${areas.size - stub} normal ${stub} stub 0 nssa`,
    '  Maximum path: 4',
    '  Routing for Networks:',
    ...p.networks.map((n) => `    ${n.address} ${n.wildcard} area ${n.area}`),
    ...passive(input.config, p.passive),
    ...sources(input.ospfSources),
    '  Distance: (default is 110)',
  ];
}

function ripBlock(input: ProtocolsInput): string[] {
  const p = input.config.routing.rip;
  if (!p) return [];
  const send = p.version === null ? '1' : String(p.version);
  const recv = p.version === null ? '1 2' : String(p.version);
  return [
    'Routing Protocol is "rip"',
    `  Sending updates every 30 seconds${input.ripNextDue !== null ? `, next due in ${input.ripNextDue} seconds` : ''}`,
    '  Invalid after 180 seconds, hold down 0, flushed after 300',
    ...FILTERS,
    '  Redistributing: rip',
    `  Default version control: send version ${send}, receive ${p.version === null ? 'any version' : `version ${p.version}`}`,
    '    Interface             Send  Recv  Triggered RIP  Key-chain',
    ...input.ripInterfaces.filter((n) => !isPassive(p.passive, n)).map((n) => `    ${n.padEnd(22)}${send.padEnd(6)}${recv}`),
    `  Automatic network summarization is ${p.autoSummary ? '' : 'not '}in effect`,
    '  Maximum path: 4',
    '  Routing for Networks:',
    ...p.networks.map((n) => `    ${n}`),
    ...passive(input.config, p.passive),
    ...sources(input.ripSources),
    '  Distance: (default is 120)',
  ];
}

export function renderShowIpProtocols(input: ProtocolsInput): string {
  const blocks = [eigrpBlock(input), ospfBlock(input), ripBlock(input)].filter((b) => b.length > 0);
  return blocks.map((b) => `${b.join('\n')}\n`).join('\n');
}
