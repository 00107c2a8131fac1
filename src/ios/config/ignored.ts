/**
 * Commands the emulator accepts without emulating them. They never produce a
 * diagnostic; their lines are kept so `show running-config` shows them back.
 * A trailing `*` accepts any arguments; `[line]`, `[router]` and `[any]` open a
 * sub-mode whose lines are kept with the block.
 */
import type { ExtraSection } from './types.js';

export const IGNORED_GLOBAL: Readonly<Record<ExtraSection, readonly string[]>> = {
  service: ['service *', 'no service *'],
  global: [
    'boot *', 'no boot *', 'enable *', 'no enable *', 'memory-size *', 'config-register *',
    'ip subnet-zero', 'no ip subnet-zero', 'ip domain-lookup *', 'no ip domain-lookup *',
    'ip domain-name *', 'ip domain *', 'no ip domain *', 'ip name-server *', 'ip host *',
    'ip cef *', 'no ip cef *', 'ip source-route', 'no ip source-route', 'ip finger', 'no ip finger',
    'ip bootp server', 'no ip bootp server', 'ip tcp *', 'ip ssh *', 'ip options *', 'ip icmp *',
    'no ip icmp *', 'ip multicast-routing *', 'ip routing', 'ip audit *', 'ip gratuitous-arps',
    'no ip gratuitous-arps', 'ip rcmd *', 'no ip rcmd *', 'ip forward-protocol *', 'no ip forward-protocol *',
    'ip default-gateway *', 'ip ftp *', 'ip telnet *', 'ip identd', 'ip dhcp * [any]', 'no ip dhcp *',
    'logging *', 'no logging *', 'username *', 'aaa *', 'no aaa *', 'clock *', 'cdp *', 'no cdp *',
    'exception *', 'privilege *', 'call *', 'no call *', 'mgcp *', 'no mgcp *', 'isdn *', 'vpdn *',
    'no vpdn *', 'key * [any]', 'crypto ca * [any]', 'crypto pki * [any]', 'crypto key * [any]',
    'crypto isakmp invalid-spi-recovery', 'crypto ipsec security-association replay *',
    'crypto ipsec security-association idle-time *', 'crypto ipsec df-bit *',
    'crypto ipsec nat-transparency *', 'no crypto ipsec nat-transparency *',
  ],
  routing: ['ip classless', 'no ip classless', 'router * [router]', 'ip default-network *'],
  http: ['ip http *', 'no ip http *'],
  tail: [
    'snmp-server *', 'no snmp-server *', 'ntp *', 'line * [line]', 'control-plane [any]',
    'dial-peer * [any]', 'voice-port * [any]', 'gatekeeper [any]', 'alias *', 'scheduler *',
    'tftp-server *', 'rtr *', 'ip sla *',
  ],
};

export const IGNORED_INTERFACE: readonly string[] = [
  'duplex *', 'speed *', 'half-duplex', 'full-duplex', 'media-type *', 'negotiation *',
  'no ip directed-broadcast', 'ip directed-broadcast *', 'ip route-cache *', 'no ip route-cache *',
  'ip mroute-cache', 'no ip mroute-cache', 'keepalive *', 'no keepalive', 'bandwidth *', 'no bandwidth',
  'delay *', 'encapsulation *', 'clock rate *', 'cdp enable', 'no cdp enable', 'ip redirects',
  'no ip redirects', 'ip unreachables', 'no ip unreachables', 'ip proxy-arp', 'no ip proxy-arp',
  'load-interval *', 'ip mtu *', 'ip tcp *', 'ip virtual-reassembly *', 'no ip virtual-reassembly',
  'ip ospf *', 'ip helper-address *', 'ip policy *', 'ip pim *', 'no mop enabled', 'fair-queue *',
  'no fair-queue', 'no snmp trap link-status', 'tunnel *', 'standby *', 'ip split-horizon *',
  'no ip split-horizon *', 'ip summary-address *', 'logging event *', 'no logging event *',
  'service-policy *', 'ip accounting *', 'ip unnumbered *', 'no dce-terminal-timing-enable',
];

export const IGNORED_LINE: readonly string[] = [
  'login *', 'no login', 'password *', 'no password', 'exec-timeout *', 'no exec-timeout',
  'transport *', 'logging *', 'no logging *', 'privilege *', 'exec', 'no exec', 'session-timeout *',
  'speed *', 'stopbits *', 'flowcontrol *', 'history *', 'length *', 'width *', 'access-class *',
  'autocommand *', 'modem *', 'escape-character *', 'absolute-timeout *', 'location *',
  'motd-banner', 'no motd-banner', 'exec-banner', 'no exec-banner', 'databits *', 'parity *',
  'rotary *', 'activation-character *', 'no activation-character', 'vacant-message *',
  'no vacant-message', 'terminal-type *', 'timeout *',
];

export const IGNORED_ROUTER: readonly string[] = [
  'network *', 'neighbor *', 'no neighbor *', 'passive-interface *', 'no passive-interface *',
  'redistribute *', 'no redistribute *', 'version *', 'auto-summary', 'no auto-summary',
  'default-information *', 'router-id *', 'area *', 'log-adjacency-changes *', 'no log-adjacency-changes',
  'timers *', 'distance *', 'maximum-paths *', 'default-metric *', 'distribute-list *', 'bgp *',
  'no bgp *', 'synchronization', 'no synchronization', 'address-family * [router]', 'exit-address-family',
  'eigrp *', 'metric *', 'variance *', 'offset-list *', 'summary-address *',
];

/** Accepted in crypto map and dynamic map entries, not emulated and not shown. */
export const IGNORED_CRYPTO_MAP: readonly string[] = [
  'description *', 'reverse-route *', 'set isakmp-profile *', 'set security-association level *',
  'set security-association idle-time *', 'set security-association replay *', 'qos *', 'set nat *',
];

export interface IgnoredPath {
  /** Keywords only (without `*` or the block marker). */
  path: string;
  rest: boolean;
  block: 'line' | 'router' | 'any-indented' | null;
}

export function parseIgnoredPath(spec: string): IgnoredPath {
  const words = spec.split(' ');
  let block: IgnoredPath['block'] = null;
  const last = words[words.length - 1]!;
  if (last.startsWith('[')) {
    words.pop();
    block = last === '[line]' ? 'line' : last === '[router]' ? 'router' : 'any-indented';
  }
  const rest = words[words.length - 1] === '*';
  if (rest) words.pop();
  return { path: words.join(' '), rest, block };
}
