/** The names IOS accepts and prints for protocols, ports and ICMP messages in access lists. */

export const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = {
  icmp: 1,
  igmp: 2,
  ipinip: 4,
  tcp: 6,
  igrp: 9,
  udp: 17,
  gre: 47,
  esp: 50,
  ahp: 51,
  eigrp: 88,
  ospf: 89,
  nos: 94,
  pim: 103,
  pcp: 108,
};

export const TCP_PORTS: Readonly<Record<string, number>> = {
  bgp: 179,
  chargen: 19,
  cmd: 514,
  daytime: 13,
  discard: 9,
  domain: 53,
  echo: 7,
  exec: 512,
  finger: 79,
  ftp: 21,
  'ftp-data': 20,
  gopher: 70,
  hostname: 101,
  ident: 113,
  irc: 194,
  klogin: 543,
  kshell: 544,
  login: 513,
  lpd: 515,
  nntp: 119,
  'pim-auto-rp': 496,
  pop2: 109,
  pop3: 110,
  smtp: 25,
  sunrpc: 111,
  tacacs: 49,
  talk: 517,
  telnet: 23,
  time: 37,
  uucp: 540,
  whois: 43,
  www: 80,
};

export const UDP_PORTS: Readonly<Record<string, number>> = {
  biff: 512,
  bootpc: 68,
  bootps: 67,
  discard: 9,
  dnsix: 195,
  domain: 53,
  echo: 7,
  isakmp: 500,
  'mobile-ip': 434,
  nameserver: 42,
  'netbios-dgm': 138,
  'netbios-ns': 137,
  'netbios-ss': 139,
  'non500-isakmp': 4500,
  ntp: 123,
  'pim-auto-rp': 496,
  rip: 520,
  snmp: 161,
  snmptrap: 162,
  sunrpc: 111,
  syslog: 514,
  tacacs: 49,
  talk: 517,
  tftp: 69,
  time: 37,
  who: 513,
  xdmcp: 177,
};

/** ICMP message names: type, and code when the name implies one. */
export const ICMP_MESSAGES: Readonly<Record<string, { type: number; code: number | null }>> = {
  'echo-reply': { type: 0, code: null },
  unreachable: { type: 3, code: null },
  'net-unreachable': { type: 3, code: 0 },
  'host-unreachable': { type: 3, code: 1 },
  'protocol-unreachable': { type: 3, code: 2 },
  'port-unreachable': { type: 3, code: 3 },
  'packet-too-big': { type: 3, code: 4 },
  'source-route-failed': { type: 3, code: 5 },
  'administratively-prohibited': { type: 3, code: 13 },
  'source-quench': { type: 4, code: null },
  redirect: { type: 5, code: null },
  'alternate-address': { type: 6, code: null },
  echo: { type: 8, code: null },
  'router-advertisement': { type: 9, code: null },
  'router-solicitation': { type: 10, code: null },
  'time-exceeded': { type: 11, code: null },
  'ttl-exceeded': { type: 11, code: 0 },
  'reassembly-timeout': { type: 11, code: 1 },
  'parameter-problem': { type: 12, code: null },
  'timestamp-request': { type: 13, code: null },
  'timestamp-reply': { type: 14, code: null },
  'information-request': { type: 15, code: null },
  'information-reply': { type: 16, code: null },
  'mask-request': { type: 17, code: null },
  'mask-reply': { type: 18, code: null },
  traceroute: { type: 30, code: null },
  'conversion-error': { type: 31, code: null },
  'mobile-redirect': { type: 32, code: null },
};

export const TCP = 6;
export const UDP = 17;
export const ICMP = 1;

function invert(table: Readonly<Record<string, number>>): Map<number, string> {
  const m = new Map<number, string>();
  for (const [name, n] of Object.entries(table)) if (!m.has(n)) m.set(n, name);
  return m;
}

const PROTOCOL_BY_NUMBER = invert(PROTOCOL_NUMBERS);
const TCP_BY_NUMBER = invert(TCP_PORTS);
const UDP_BY_NUMBER = invert(UDP_PORTS);

export function portTable(protocol: number): Readonly<Record<string, number>> {
  return protocol === TCP ? TCP_PORTS : UDP_PORTS;
}

export function protocolName(protocol: 'ip' | number): string {
  if (protocol === 'ip') return 'ip';
  return PROTOCOL_BY_NUMBER.get(protocol) ?? String(protocol);
}

export function portName(protocol: number, port: number): string {
  const table = protocol === TCP ? TCP_BY_NUMBER : protocol === UDP ? UDP_BY_NUMBER : undefined;
  return table?.get(port) ?? String(port);
}

export function icmpName(type: number, code: number | null): string {
  for (const [name, m] of Object.entries(ICMP_MESSAGES)) {
    if (m.type === type && m.code === code) return name;
  }
  return code === null ? String(type) : `${type} ${code}`;
}
