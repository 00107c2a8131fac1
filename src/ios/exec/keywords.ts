/**
 * Keywords of the IOS 12.2 exec command tree. The ones the emulator does not
 * implement are listed too, so abbreviations are ambiguous or unique exactly
 * where they are on a real 2600 (`sh c` is ambiguous, `sh cr` is crypto).
 */

export const EXEC_TOP = [
  'access-enable', 'access-profile', 'access-template', 'archive', 'bfe', 'calendar', 'cd', 'clear', 'clock',
  'configure', 'connect', 'copy', 'debug', 'delete', 'dir', 'disable', 'disconnect', 'enable', 'erase', 'exit',
  'format', 'help', 'lock', 'login', 'logout', 'mkdir', 'more', 'mrinfo', 'mstat', 'mtrace', 'name-connection',
  'no', 'pad', 'ping', 'ppp', 'pwd', 'release', 'reload', 'rename', 'renew', 'resume', 'rlogin', 'rmdir', 'rsh',
  'send', 'set', 'setup', 'show', 'slip', 'squeeze', 'start-chat', 'systat', 'tclsh', 'telnet', 'terminal',
  'test', 'traceroute', 'tunnel', 'udptn', 'undebug', 'verify', 'where', 'which-route', 'write', 'x28', 'x3',
];

export const SHOW = [
  'aaa', 'access-expression', 'access-lists', 'accounting', 'adjacency', 'aliases', 'alps', 'arap', 'arp',
  'async', 'backup', 'bridge', 'bsc', 'bstun', 'buffers', 'c2600', 'caller', 'cdapi', 'cdp', 'cef',
  'class-map', 'clns', 'clock', 'cls', 'compress', 'configuration', 'connection', 'context', 'controllers',
  'crypto', 'debugging', 'decnet', 'derived-config', 'dhcp', 'dial-peer', 'dialer', 'diag', 'dlsw', 'dnsix',
  'dspu', 'dxi', 'entry', 'environment', 'exception', 'file', 'flash:', 'frame-relay', 'fras', 'history',
  'hosts', 'html', 'idb', 'interfaces', 'ip', 'ipc', 'ipx', 'isdn', 'isis', 'key', 'keymap', 'line', 'llc2',
  'lnm', 'local-ack', 'location', 'logging', 'memory', 'modemcap', 'mpoa', 'ncia', 'netbios-cache', 'ntp',
  'pci', 'pm', 'policy-map', 'ppp', 'printers', 'privilege', 'processes', 'protocols', 'qllc', 'queue',
  'queueing', 'radius', 'registry', 'reload', 'rhosts', 'rif', 'rmon', 'route-map', 'running-config', 'sdllc',
  'sessions', 'smf', 'snapshot', 'snmp', 'source-bridge', 'spanning-tree', 'sscop', 'stacks', 'standby',
  'startup-config', 'stun', 'subscriber-policy', 'subsys', 'tacacs', 'tarp', 'tcp', 'tech-support',
  'terminal', 'time-range', 'traffic-shape', 'users', 'version', 'vines', 'vlans', 'vpdn', 'whoami', 'x25',
  'xns', 'xremote',
];

export const SHOW_IP = [
  'access-lists', 'accounting', 'aliases', 'arp', 'as-path-access-list', 'bgp', 'cache', 'cef',
  'community-list', 'dhcp', 'drp', 'dvmrp', 'eigrp', 'extcommunity-list', 'flow', 'http', 'igmp', 'interface',
  'irdp', 'local', 'masks', 'mcache', 'mds', 'mpacket', 'mroute', 'msdp', 'mtag', 'nat', 'nbar', 'nhrp', 'ospf',
  'pgm', 'pim', 'policy', 'prefix-list', 'protocols', 'redirects', 'rip', 'route', 'rpf', 'rsvp', 'rtp', 'sap',
  'sdr', 'sockets', 'ssh', 'tcp', 'traffic', 'trigger-authentication', 'urd', 'vrf', 'wccp',
];

export const SHOW_INTERFACES_OPTIONS = [
  'accounting', 'counters', 'crb', 'description', 'irb', 'mac-accounting', 'precedence', 'rate-limit', 'stats',
  'summary', 'switching',
];

export const SHOW_CRYPTO = ['ca', 'dynamic-map', 'engine', 'ipsec', 'isakmp', 'key', 'map'];
export const SHOW_CRYPTO_ISAKMP = ['key', 'policy', 'sa'];
export const SHOW_CRYPTO_IPSEC = ['sa', 'security-association', 'transform-set'];
export const SHOW_CRYPTO_ENGINE = ['accelerator', 'brief', 'configuration', 'connections'];
export const SHOW_CRYPTO_ENGINE_CONNECTIONS = ['active', 'dropped-packet', 'flow'];

export const DEBUG = [
  'aaa', 'all', 'arp', 'cdp', 'condition', 'crypto', 'custom-queue', 'dhcp', 'dialer', 'domain', 'eigrp',
  'ethernet-interface', 'frame-relay', 'interface', 'ip', 'ipx', 'isdn', 'list', 'modem', 'ntp', 'packet',
  'ppp', 'priority', 'radius', 'serial', 'snmp', 'spanning-tree', 'standby', 'tacacs', 'tcp', 'telnet',
  'tftp', 'tunnel', 'x25',
];
export const DEBUG_CRYPTO = ['engine', 'ipsec', 'isakmp', 'key-exchange', 'pki'];

export const CLEAR = [
  'access-list', 'access-template', 'arp-cache', 'bridge', 'cdp', 'counters', 'crypto', 'dialer', 'frame-relay',
  'host', 'interface', 'ip', 'line', 'logging', 'ntp', 'tcp', 'vpdn', 'x25',
];
export const CLEAR_CRYPTO = ['isakmp', 'sa'];

export const CONFIGURE = ['confirm', 'memory', 'network', 'overwrite-network', 'replace', 'terminal'];
export const TERMINAL = ['length', 'monitor', 'no', 'width', 'editing', 'history', 'ip', 'exec'];
export const PING_PROTOCOLS = ['appletalk', 'clns', 'decnet', 'ip', 'ipx', 'srb', 'tag', 'vines', 'xns'];
export const PING_OPTIONS = ['data', 'df-bit', 'repeat', 'size', 'source', 'timeout', 'validate', 'verbose'];
export const OUTPUT_MODIFIERS = ['append', 'begin', 'exclude', 'include', 'redirect', 'section', 'tee'];

export const SHOW_IP_OSPF = [
  'border-routers', 'database', 'flood-list', 'interface', 'mpls', 'neighbor', 'request-list', 'retransmission-list',
  'statistics', 'summary-address', 'virtual-links',
];
export const SHOW_IP_EIGRP = ['interfaces', 'neighbors', 'topology', 'traffic'];
export const SHOW_IP_RIP = ['database'];
export const DEBUG_IP = ['bgp', 'cache', 'cef', 'dhcp', 'eigrp', 'error', 'flow', 'ftp', 'http', 'icmp', 'igmp', 'mpacket', 'nat', 'ospf', 'packet', 'peer', 'pim', 'policy', 'rip', 'routing', 'rsvp', 'rtp', 'tcp', 'udp', 'wccp'];
export const DEBUG_IP_OSPF = ['adj', 'database-timer', 'events', 'flood', 'hello', 'lsa-generation', 'monitor', 'packet', 'retransmission', 'spf', 'tree'];
export const CLEAR_IP = ['accounting', 'bgp', 'cache', 'cef', 'dhcp', 'eigrp', 'flow', 'igmp', 'mroute', 'nat', 'ospf', 'pim', 'prefix-list', 'redirect', 'route', 'rtp', 'sdr', 'tcp'];
export const CLEAR_IP_OSPF = ['counters', 'process', 'redistribution'];
