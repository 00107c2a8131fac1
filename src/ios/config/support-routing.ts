/**
 * Support table, dynamic routing and WAN interfaces: `router ospf|eigrp|rip`
 * and their sub-modes (run by FRR in the router's container,
 * src/agent/routing/), the interface lines they read, and the layer-2 lines
 * of serial, Frame Relay and 802.1Q interfaces. Spliced into support-global.ts
 * and support-modes.ts; parsed by cmd-routing.ts and cmd-wan.ts.
 */
import { rows, type SupportEntry } from './support-types.js';

const NOT_TRANSLATED = 'not translated to FRR: the process runs as if the line were absent';
const ONE_INSTANCE = 'FRR runs one instance per protocol: only the first process is emulated, this one sends nothing and learns nothing';

const g = rows('global');
export const ROUTING_GLOBAL_SUPPORT: SupportEntry[] = [
  g.model('router ospf', 'OSPF (FRR ospfd): hellos, adjacencies, LSAs, routes installed'),
  g.model('router ospf (second-process)', ONE_INSTANCE, 'not-emulated'),
  g.model('no router ospf', 'stops the OSPF process'),
  g.model('router eigrp', 'EIGRP (FRR eigrpd): hellos, neighbours, DUAL, routes installed'),
  g.model('router eigrp (second-process)', ONE_INSTANCE, 'not-emulated'),
  g.model('no router eigrp', 'stops the EIGRP process'),
  g.model('router rip', 'RIP (FRR ripd): updates sent and received, routes installed'),
  g.model('no router rip', 'stops RIP'),
];

const o = rows('router-ospf');
const ospf: SupportEntry[] = [
  o.model('network', 'the interfaces OSPF runs on, and their area'),
  o.model('network (non-contiguous)', 'a wildcard that is not a prefix has no FRR equivalent: no interface is matched by this line', 'not-emulated'),
  o.model('no network', 'removes the network'),
  o.model('router-id', 'the router ID, taken at process start or clear ip ospf process'),
  o.model('no router-id', 'back to the highest loopback or interface address'),
  o.model('passive-interface', 'no hellos on the interface; its network is still advertised'),
  o.model('no passive-interface', 'hellos on the interface again'),
  o.model('default-information originate', 'a type-5 default route (with always, even without one in the table)'),
  o.model('no default-information originate', 'no default route originated'),
  o.model('redistribute', 'static and connected routes as external LSAs (E2 metric 20 unless set)'),
  o.model(
    'redistribute (no-subnets)',
    'without subnets IOS redistributes only classful networks; FRR has no such filter, so nothing is redistributed',
    'not-emulated',
  ),
  o.model('redistribute (other)', 'redistribution between routing protocols is not translated: nothing is redistributed', 'not-emulated'),
  o.model('no redistribute', 'stops redistributing'),
  o.model('area', 'stub and totally stubby areas, area authentication'),
  o.model('area (other)', NOT_TRANSLATED, 'not-emulated'),
  o.model('no area', 'removes the area setting'),
  o.model('log-adjacency-changes', 'adjacency changes logged as %OSPF-5-ADJCHG'),
  o.model('no log-adjacency-changes', 'adjacency changes not logged'),
  o.model('exit', 'back to global mode'),
  ...[
    'timers *',
    'distance *',
    'maximum-paths *',
    'auto-cost *',
    'neighbor *',
    'summary-address *',
    'distribute-list *',
    'default-metric *',
    'compatible *',
    'ispf',
    'max-metric *',
    'ignore *',
    'domain-id *',
  ].map((c) => o.ne(c, NOT_TRANSLATED)),
];

const e = rows('router-eigrp');
const eigrp: SupportEntry[] = [
  e.model('network', 'the interfaces EIGRP runs on'),
  e.model('network (non-contiguous)', 'a wildcard that is not a prefix has no FRR equivalent: no interface is matched by this line', 'not-emulated'),
  e.model('no network', 'removes the network'),
  e.model('auto-summary', 'automatic summarization is not emulated: subnets are advertised unsummarized (FRR has no auto-summary)', 'not-emulated'),
  e.model('no auto-summary', 'subnets advertised as they are (what FRR does)'),
  e.model('passive-interface', 'no hellos or updates sent or received on the interface (the kernel drops EIGRP there); its network is still advertised'),
  e.model('no passive-interface', 'hellos on the interface again'),
  e.model('exit', 'back to global mode'),
  ...[
    'redistribute *',
    'no redistribute *',
    'timers *',
    'distance *',
    'maximum-paths *',
    'variance *',
    'metric *',
    'default-metric *',
    'distribute-list *',
    'offset-list *',
    'neighbor *',
    'eigrp *',
    'no eigrp *',
    'default-information *',
  ].map((c) => e.ne(c, NOT_TRANSLATED)),
];

const r = rows('router-rip');
const rip: SupportEntry[] = [
  r.model('version', 'RIP version 1 or 2 sent and received'),
  r.model('no version', 'back to sending version 1, receiving 1 and 2'),
  r.model('network', 'the interfaces RIP runs on (classful networks)'),
  r.model('no network', 'removes the network'),
  r.model('auto-summary', 'automatic summarization is not emulated: subnets are advertised unsummarized (FRR has no auto-summary)', 'not-emulated'),
  r.model('no auto-summary', 'subnets advertised as they are (what FRR does)'),
  r.model('passive-interface', 'no updates sent out of the interface; its network is still advertised'),
  r.model('no passive-interface', 'updates out of the interface again'),
  r.model('default-information originate', 'a default route advertised'),
  r.model('no default-information originate', 'no default route advertised'),
  r.model('exit', 'back to global mode'),
  ...[
    'redistribute *',
    'no redistribute *',
    'timers *',
    'distance *',
    'maximum-paths *',
    'default-metric *',
    'distribute-list *',
    'offset-list *',
    'neighbor *',
    'validate-update-source',
    'no validate-update-source',
    'output-delay *',
  ].map((c) => r.ne(c, NOT_TRANSLATED)),
];

export const ROUTER_MODE_SUPPORT: readonly SupportEntry[] = [...ospf, ...eigrp, ...rip];

const ROUTING_KNOB = 'not translated to FRR: the routing protocol runs with its default on this interface';
const i = rows('interface');
export const ROUTING_INTERFACE_SUPPORT: SupportEntry[] = [
  i.model('ip ospf cost', 'the OSPF cost of the interface'),
  i.model('ip ospf hello-interval', 'seconds between OSPF hellos'),
  i.model('ip ospf dead-interval', 'seconds without hellos before a neighbour is declared down'),
  i.model('ip ospf network', 'point-to-point or broadcast OSPF network type'),
  i.model(
    'ip ospf network (nbma)',
    'non-broadcast and point-to-multipoint networks need neighbour statements, which are not translated: the interface stays broadcast',
    'not-emulated',
  ),
  i.model('ip ospf priority', 'the DR election priority'),
  i.model('ip ospf authentication', 'simple or MD5 authentication of OSPF packets'),
  i.model('ip ospf authentication-key', 'the simple authentication key'),
  i.model('ip ospf message-digest-key', 'an MD5 authentication key'),
  ...['cost', 'hello-interval', 'dead-interval', 'network', 'priority', 'authentication', 'authentication-key', 'message-digest-key'].map((k) =>
    i.model(`no ip ospf ${k}`, 'back to the default'),
  ),
  i.ne('ip ospf *', ROUTING_KNOB),
  i.ne('no ip ospf *', ROUTING_KNOB),
  i.model('bandwidth', 'show interfaces, the OSPF cost and the EIGRP metric of routes learned over the interface'),
  i.model('no bandwidth', 'the default bandwidth'),
  i.model('delay', 'show interfaces and the EIGRP metric of routes learned over the interface'),
  i.model('no delay', 'the default delay'),
  i.model('encapsulation', 'HDLC, PPP and Frame Relay on serial links, 802.1Q on Ethernet sub-interfaces: shown, carried as Ethernet frames on the lab link'),
  i.model('encapsulation (other)', 'this encapsulation is not emulated: the link carries plain IP', 'not-emulated'),
  i.model('frame-relay interface-dlci', 'the DLCI of a point-to-point sub-interface: shown, its lab link is the PVC'),
  i.model('no frame-relay interface-dlci', 'removes the DLCI'),
  ...[
    'ip rip *',
    'ip authentication *',
    'ip hello-interval *',
    'ip hold-time *',
    'ip bandwidth-percent *',
    'ip split-horizon *',
    'no ip split-horizon *',
    'ip summary-address *',
  ].map((c) => i.ne(c, ROUTING_KNOB)),
];
