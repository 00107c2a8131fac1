/**
 * Support table, sub-modes: interface, ISAKMP policy and peer, transform set,
 * crypto map entry and named access list lines, with their class and why.
 */
import { ROUTING_INTERFACE_SUPPORT } from './support-routing.js';
import { rows, type SupportEntry } from './support-types.js';
import { TUNNEL_SUPPORT } from './support-tunnel.js';

const QOS = 'queueing and QoS are not emulated: the lab link is served first in, first out';

const i = rows('interface');
const iface: SupportEntry[] = [
  i.model('ip address', 'the interface address and its connected route'),
  i.model('no ip address', 'removes the address'),
  i.model('description', 'shown by show interfaces'),
  i.model('no description', 'removes the description'),
  i.model('shutdown', 'administratively down'),
  i.model('no shutdown', 'up when its lab link is'),
  i.model('crypto map', 'the crypto map protecting traffic out of the interface'),
  i.model('no crypto map', 'removes the crypto map'),
  i.model('ip nat', 'the interface is NAT inside or outside: packets routed from inside to outside are translated'),
  i.model('no ip nat', 'no NAT on the interface'),
  i.model('ip access-group', 'filters packets in or out of the interface; matches are counted, denied packets answered with ICMP administratively prohibited'),
  i.model('no ip access-group', 'removes the filter'),
  i.model('mtu', 'the link MTU: fragmentation and ICMP too-big follow it'),
  i.model('no mtu', 'back to 1500'),
  i.model('exit', 'back to global mode'),
  i.ne('ip address negotiated', 'PPP address negotiation is not emulated: the interface gets no address'),
  i.ne('ip address dhcp *', 'the DHCP client is not emulated: the interface gets no address'),
  i.ne('ip unnumbered *', 'unnumbered interfaces are not emulated: the interface gets no address'),
  ...['duplex *', 'speed *', 'half-duplex', 'full-duplex', 'media-type *', 'negotiation *'].map((c) =>
    i.cos(c, 'Ethernet autonegotiation: the lab link is a virtual Ethernet'),
  ),
  i.cos('clock rate *', 'DCE clocking of a serial cable; the lab link needs none'),
  i.cos('no dce-terminal-timing-enable', 'DCE clocking of a serial cable; the lab link needs none'),
  i.em('no ip directed-broadcast', 'directed broadcasts are not forwarded'),
  i.ne('ip directed-broadcast *', 'directed broadcasts are still not forwarded'),
  i.cos('ip route-cache *', 'a switching path; packets are forwarded the same way'),
  i.cos('no ip route-cache *', 'a switching path; packets are forwarded the same way'),
  i.cos('ip mroute-cache', 'a multicast switching path; multicast routing is reported'),
  i.cos('no ip mroute-cache', 'a multicast switching path; multicast routing is reported'),
  i.ne('load-interval *', 'show interfaces keeps its 5-minute rates'),
  i.ne('cdp enable', 'CDP is not emulated: no CDP frames are sent'),
  i.cos('cdp log *', 'console messages about CDP neighbours, which the lab never has'),
  i.cos('no cdp log *', 'console messages about CDP neighbours, which the lab never has'),
  i.em('no cdp enable', 'no CDP, as in the emulator'),
  i.ne('ip redirects', 'the emulator sends no ICMP redirects'),
  i.em('no ip redirects', 'no ICMP redirects'),
  i.em('ip unreachables', 'ICMP unreachables are sent (the Linux kernel sends them)'),
  i.ne('no ip unreachables', 'ICMP unreachables are still sent: by the Linux kernel, and for packets an access group denies'),
  i.ne('ip proxy-arp', 'the emulator answers no proxy ARP'),
  i.em('no ip proxy-arp', 'no proxy ARP'),
  i.ne('ip tcp *', 'TCP header compression is not emulated'),
  i.ne('ip helper-address *', 'DHCP/BOOTP relay is not emulated: broadcasts are not forwarded'),
  i.ne('ip policy *', 'policy routing is not emulated'),
  i.ne('ip pim *', 'PIM is not emulated: no hellos, no multicast forwarding'),
  i.ne('ip inspect *', 'CBAC (IOS Firewall) is not emulated: nothing is inspected or blocked'),
  i.ne('ip audit *', 'the IOS IDS is not emulated: nothing is inspected or blocked'),
  i.ne('ip accounting *', 'IP accounting is not emulated'),
  i.em('no mop enabled', 'no MOP, as in the emulator'),
  i.ne('mop *', 'MOP is not emulated'),
  i.ne('fair-queue *', QOS),
  i.em('no fair-queue', 'first in, first out'),
  i.ne('hold-queue *', QOS),
  i.cos('max-reserved-bandwidth *', 'bookkeeping for QoS, which is reported where applied'),
  i.ne('service-policy *', QOS),
  i.cos('no snmp trap link-status', 'SNMP traps; SNMP is reported'),
  i.cos('logging event *', 'console messages on link changes, which the emulator prints'),
  i.ne('no logging event link-status', 'the emulator still prints link changes'),
  i.ne('standby *', 'HSRP is not emulated: no hellos, no virtual address'),
  i.cos('carrier-delay *', 'how soon a physical carrier loss is reported; the lab link has no carrier'),
  ...TUNNEL_SUPPORT,
  ...ROUTING_INTERFACE_SUPPORT,
  i.ne('frame-relay *', 'Frame Relay signalling is not emulated: no LMI, no inverse ARP, maps are not used'),
  i.ne('no frame-relay *', 'Frame Relay signalling is not emulated: no LMI, no inverse ARP, maps are not used'),
  i.ne('ppp *', 'PPP is not emulated: no LCP/IPCP, no authentication'),
  i.ne('peer *', 'PPP is not emulated: no addresses are given to peers'),
  i.ne('dialer *', 'dial-on-demand routing is not emulated'),
  i.ne('dialer-group *', 'dial-on-demand routing is not emulated'),
];

const p = rows('isakmp-policy');
const isakmpPolicy: SupportEntry[] = [
  p.model('encryption', 'des, 3des or aes in phase 1'),
  p.model('hash', 'md5, sha or sha256 in phase 1'),
  p.model('authentication pre-share', 'pre-shared keys'),
  p.model('authentication rsa-sig', 'RSA signatures are not emulated: this policy is never proposed or accepted', 'not-emulated'),
  p.model('authentication rsa-encr', 'RSA encryption is not emulated: this policy is never proposed or accepted', 'not-emulated'),
  p.model('group', 'the Diffie-Hellman group'),
  p.model('lifetime', 'the phase 1 lifetime'),
  ...['encryption', 'hash', 'authentication', 'group', 'lifetime'].flatMap((w) => [
    p.model(`no ${w}`, 'back to the default'),
    p.model(`default ${w}`, 'back to the default'),
  ]),
  p.model('exit', 'back to global mode'),
];

const peer = rows('isakmp-peer');
const isakmpPeer: SupportEntry[] = [
  peer.model('set aggressive-mode password', 'Aggressive Mode to this peer with this key'),
  peer.model('set aggressive-mode client-endpoint', 'the identity sent in Aggressive Mode'),
  peer.model('no set aggressive-mode password', 'removes it'),
  peer.model('no set aggressive-mode client-endpoint', 'removes it'),
  peer.model('description', 'a comment', 'cosmetic'),
  peer.model('no description', 'a comment', 'cosmetic'),
  peer.model('exit', 'back to global mode'),
];

const t = rows('transform-set');
const transformSet: SupportEntry[] = [
  t.model('mode tunnel', 'tunnel mode (the default)'),
  t.model('mode transport', 'transport mode is not emulated: the router proposes and accepts tunnel mode only', 'not-emulated'),
  t.model('no mode', 'back to tunnel mode'),
  t.model('exit', 'back to global mode'),
];

const m = rows('crypto-map');
const cryptoMap: SupportEntry[] = [
  m.model('set peer', 'the peers this entry negotiates with'),
  m.model('no set peer', 'removes peers'),
  m.model('set transform-set', 'the transform sets proposed and accepted'),
  m.model('no set transform-set', 'removes them'),
  m.model('match address', 'the crypto access list'),
  m.model('no match address', 'removes it'),
  m.model('set pfs', 'PFS in Quick Mode'),
  m.model('no set pfs', 'Quick Mode without PFS'),
  m.model('set security-association lifetime', 'per-entry SA lifetimes'),
  m.model('no set security-association lifetime', 'back to the global lifetime'),
  m.model('exit', 'back to global mode'),
  m.cos('description *', 'a comment'),
  m.ne('reverse-route *', 'reverse route injection is not emulated: no route to the remote network is added'),
  m.ne('set security-association level *', 'per-host SAs are not emulated: one SA pair per access-list line'),
  m.ne('qos *', QOS),
];

const a = rows('access-list');
const accessList: SupportEntry[] = [
  a.model('SEQ', 'an entry with its sequence number'),
  a.model('permit', 'an entry'),
  a.model('deny', 'an entry'),
  a.model('remark', 'a comment in the list', 'cosmetic'),
  a.model('no', 'removes an entry'),
  a.model('exit', 'back to global mode'),
];

const rm = rows('route-map');
const NAT_READS = 'a definition; a route map NAT uses is read through its match ip address and match interface clauses';
const routeMap: SupportEntry[] = [
  rm.model('match ip address', NAT_READS, 'cosmetic'),
  rm.model('no match ip address', NAT_READS, 'cosmetic'),
  rm.model('match interface', NAT_READS, 'cosmetic'),
  rm.model('no match interface', NAT_READS, 'cosmetic'),
  rm.model('exit', 'back to global mode'),
  rm.cos('match *', 'a definition; where NAT uses the route map, this clause is reported'),
  rm.cos('no match *', 'a definition'),
  rm.cos('set *', 'a definition: set clauses serve policy routing and routing protocols, which are reported where applied; NAT ignores them'),
  rm.cos('no set *', 'a definition'),
  rm.cos('description *', 'a comment'),
  rm.cos('no description *', 'a comment'),
];

export const MODE_SUPPORT: readonly SupportEntry[] = [...iface, ...isakmpPolicy, ...isakmpPeer, ...transformSet, ...cryptoMap, ...accessList, ...routeMap];
