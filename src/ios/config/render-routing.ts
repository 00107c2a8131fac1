/**
 * show running-config for dynamic routing and WAN interfaces: the `router`
 * blocks, and the interface lines of encapsulations, DLCIs and `ip ospf`
 * (bandwidth, delay: render-tunnel.ts), in the places IOS 12.2 prints them (802.1Q before the
 * address of a sub-interface, serial encapsulations after it, the DLCI last;
 * the default HDLC is never printed).
 */
import type { EigrpProcess, InterfaceConfig, InterfaceOspf, OspfProcess, PassiveInterfaces, RipProcess, RoutingConfig } from './types.js';

/** `interface NAME` with a sub-interface's type. */
export function interfaceHeader(i: InterfaceConfig): string {
  return `interface ${i.name}${i.wan.subinterfaceType ? ` ${i.wan.subinterfaceType}` : ''}`;
}

/** Lines IOS prints before the bandwidth and the address: 802.1Q. */
export function interfaceHeadLines(i: InterfaceConfig): string[] {
  const e = i.wan.encapsulation;
  return e?.kind === 'dot1q' ? [` encapsulation dot1Q ${e.vlan}${e.native ? ' native' : ''}`] : [];
}

/** Lines right after the addresses: serial encapsulations, then `ip ospf`. */
export function interfaceAfterAddressLines(i: InterfaceConfig): string[] {
  const e = i.wan.encapsulation;
  const encapsulation = e?.kind === 'ppp' ? ['encapsulation ppp'] : e?.kind === 'frame-relay' ? [`encapsulation frame-relay${e.ietf ? ' IETF' : ''}`] : [];
  return [...encapsulation, ...ospfInterfaceLines(i.ospf)].map((l) => ` ${l}`);
}

/** Lines IOS prints late in the block: the DLCI (delay: render-tunnel.ts). */
export function interfaceTailLines(i: InterfaceConfig): string[] {
  return i.wan.dlci !== null ? [` frame-relay interface-dlci ${i.wan.dlci}`] : [];
}

/** The OSPF interface settings, in IOS's order. */
export function ospfInterfaceLines(o: InterfaceOspf): string[] {
  const out: string[] = [];
  if (o.authentication !== null) out.push(`ip ospf authentication${o.authentication === 'simple' ? '' : ` ${o.authentication}`}`);
  if (o.authenticationKey !== null) out.push(`ip ospf authentication-key ${o.authenticationKey}`);
  for (const k of o.messageDigestKeys) out.push(`ip ospf message-digest-key ${k.id} md5 ${k.key}`);
  if (o.network !== null) out.push(`ip ospf network ${o.network}`);
  if (o.hello !== null) out.push(`ip ospf hello-interval ${o.hello}`);
  if (o.dead !== null) out.push(`ip ospf dead-interval ${o.dead}`);
  if (o.priority !== null) out.push(`ip ospf priority ${o.priority}`);
  if (o.cost !== null) out.push(`ip ospf cost ${o.cost}`);
  return out;
}

function passiveLines(p: PassiveInterfaces): string[] {
  if (p.default) return ['passive-interface default', ...p.interfaces.map((i) => `no passive-interface ${i}`)];
  return p.interfaces.map((i) => `passive-interface ${i}`);
}

function ospfLines(p: OspfProcess): string[] {
  const metric = (m: number | null, t: 1 | 2 | null) => `${m !== null ? ` metric ${m}` : ''}${t !== null ? ` metric-type ${t}` : ''}`;
  const d = p.defaultInformation;
  return [
    `router ospf ${p.id}`,
    ...(p.routerId !== null ? [`router-id ${p.routerId}`] : []),
    ...(p.logAdjacencyChanges === 'on' ? ['log-adjacency-changes'] : p.logAdjacencyChanges === 'detail' ? ['log-adjacency-changes detail'] : []),
    ...p.areas.flatMap((a) => [
      ...(a.authentication ? [`area ${a.id} authentication${a.authentication === 'message-digest' ? ' message-digest' : ''}`] : []),
      ...(a.stub ? [`area ${a.id} stub${a.noSummary ? ' no-summary' : ''}`] : []),
    ]),
    ...p.redistribute.map((r) => `redistribute ${r.protocol}${metric(r.metric, r.metricType)}${r.subnets ? ' subnets' : ''}`),
    ...passiveLines(p.passive),
    ...p.networks.map((n) => `network ${n.address} ${n.wildcard} area ${n.area}`),
    ...(d ? [`default-information originate${d.always ? ' always' : ''}${metric(d.metric, d.metricType)}`] : []),
    ...p.extras,
  ].map((l, i) => (i === 0 ? l : ` ${l}`));
}

function eigrpLines(p: EigrpProcess): string[] {
  return [
    `router eigrp ${p.as}`,
    ...passiveLines(p.passive),
    ...p.networks.map((n) => `network ${n.address}${n.wildcard !== null ? ` ${n.wildcard}` : ''}`),
    ...p.extras,
    ...(p.autoSummary ? [] : ['no auto-summary']),
  ].map((l, i) => (i === 0 ? l : ` ${l}`));
}

function ripLines(p: RipProcess): string[] {
  return [
    'router rip',
    ...(p.version !== null ? [`version ${p.version}`] : []),
    ...passiveLines(p.passive),
    ...p.networks.map((n) => `network ${n}`),
    ...(p.defaultInformation ? ['default-information originate'] : []),
    ...p.extras,
    ...(p.autoSummary ? [] : ['no auto-summary']),
  ].map((l, i) => (i === 0 ? l : ` ${l}`));
}

/** The router blocks, each followed by `!`, EIGRP then OSPF then RIP as IOS orders them. */
export function routerBlockLines(r: RoutingConfig): string[] {
  return [...r.eigrp.map(eigrpLines), ...r.ospf.map(ospfLines), ...(r.rip ? [ripLines(r.rip)] : [])].flatMap((b) => [...b, '!']);
}
