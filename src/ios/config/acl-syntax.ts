/**
 * Access-list entry syntax, shared by `access-list N ...`, the named-list
 * sub-mode and `show access-lists`.
 *
 *   extended: permit|deny PROTO SRC [PORTS] DST [PORTS] [ICMP-TYPE [CODE]] [established] [log|log-input]
 *   standard: permit|deny SRC [log]
 */
import { formatIpv4, parseIpv4 } from '../../codecs/net/address.js';
import type { Cursor } from '../cli/cursor.js';
import { ICMP, ICMP_MESSAGES, PROTOCOL_NUMBERS, TCP, UDP, icmpName, portName, portTable, protocolName } from './acl-names.js';
import type { AclAddress, AclRule, PortMatch } from './types.js';

const PROTOCOL_KEYWORDS = ['ip', ...Object.keys(PROTOCOL_NUMBERS)];

export type AclRuleBody = Omit<AclRule, 'seq' | 'type'>;

function normalizeAddress(address: string, wildcard: string): AclAddress {
  const w = parseIpv4(wildcard);
  if (w === 0) return { kind: 'host', address };
  if (w === 0xffffffff) return { kind: 'any' };
  return { kind: 'wildcard', address: formatIpv4(parseIpv4(address) & ~w), wildcard };
}

function readAddress(cursor: Cursor, wildcardOptional: boolean): AclAddress {
  const k = cursor.optKeyword(['any', 'host']);
  if (k === 'any') return { kind: 'any' };
  if (k === 'host') return { kind: 'host', address: cursor.ipv4() };
  const address = cursor.ipv4();
  if (wildcardOptional) {
    const wildcard = cursor.optIpv4();
    return wildcard === undefined ? { kind: 'host', address } : normalizeAddress(address, wildcard);
  }
  return normalizeAddress(address, cursor.ipv4());
}

function readPort(cursor: Cursor, protocol: number): number {
  const names = portTable(protocol);
  const name = cursor.optKeyword(Object.keys(names));
  if (name !== undefined) return names[name]!;
  return cursor.integer(0, 65535);
}

function readPorts(cursor: Cursor, protocol: number): PortMatch | null {
  if (protocol !== TCP && protocol !== UDP) return null;
  const op = cursor.optKeyword(['eq', 'neq', 'lt', 'gt', 'range']);
  if (op === undefined) return null;
  if (op === 'range') {
    const from = readPort(cursor, protocol);
    return { op, from, to: readPort(cursor, protocol) };
  }
  return { op: op as 'eq' | 'neq' | 'lt' | 'gt', port: readPort(cursor, protocol) };
}

function readIcmp(cursor: Cursor): AclRule['icmp'] {
  const name = cursor.optKeyword(Object.keys(ICMP_MESSAGES));
  if (name !== undefined) return { ...ICMP_MESSAGES[name]! };
  const type = cursor.optInteger(0, 255);
  if (type === undefined) return null;
  const code = cursor.optInteger(0, 255);
  return { type, code: code ?? null };
}

function readTrailer(cursor: Cursor, protocol: 'ip' | number): Pick<AclRule, 'established' | 'log'> {
  let established = false;
  let log: AclRule['log'] = null;
  for (;;) {
    const options = [...(protocol === TCP && !established ? ['established'] : []), ...(log ? [] : ['log', 'log-input'])];
    const k = options.length ? cursor.optKeyword(options) : undefined;
    if (k === undefined) break;
    if (k === 'established') established = true;
    else log = k as 'log' | 'log-input';
  }
  return { established, log };
}

export function readAction(cursor: Cursor): 'permit' | 'deny' {
  return cursor.keyword(['permit', 'deny']) as 'permit' | 'deny';
}

export function readExtendedBody(cursor: Cursor, action: 'permit' | 'deny'): AclRuleBody {
  const protoKw = cursor.optKeyword(PROTOCOL_KEYWORDS);
  const protocol: 'ip' | number = protoKw === undefined ? cursor.integer(0, 255) : protoKw === 'ip' ? 'ip' : PROTOCOL_NUMBERS[protoKw]!;
  const source = readAddress(cursor, false);
  const sourcePort = typeof protocol === 'number' ? readPorts(cursor, protocol) : null;
  const destination = readAddress(cursor, false);
  const destinationPort = typeof protocol === 'number' ? readPorts(cursor, protocol) : null;
  const icmp = protocol === ICMP ? readIcmp(cursor) : null;
  return { action, protocol, source, sourcePort, destination, destinationPort, icmp, ...readTrailer(cursor, protocol) };
}

export function readStandardBody(cursor: Cursor, action: 'permit' | 'deny'): AclRuleBody {
  const source = readAddress(cursor, true);
  const log = cursor.optKeyword(['log']) ? ('log' as const) : null;
  return {
    action,
    protocol: 'ip',
    source,
    sourcePort: null,
    destination: { kind: 'any' },
    destinationPort: null,
    icmp: null,
    established: false,
    log,
  };
}

// ------------------------------------------------------------------ rendering

function addressText(a: AclAddress): string {
  switch (a.kind) {
    case 'any':
      return 'any';
    case 'host':
      return `host ${a.address}`;
    case 'wildcard':
      return `${a.address} ${a.wildcard}`;
  }
}

function portText(protocol: 'ip' | number, p: PortMatch | null): string {
  if (!p || protocol === 'ip') return '';
  if (p.op === 'range') return ` range ${portName(protocol, p.from)} ${portName(protocol, p.to)}`;
  return ` ${p.op} ${portName(protocol, p.port)}`;
}

function trailerText(rule: AclRuleBody): string {
  const icmp = rule.icmp ? ` ${icmpName(rule.icmp.type, rule.icmp.code)}` : '';
  return `${icmp}${rule.established ? ' established' : ''}${rule.log ? ` ${rule.log}` : ''}`;
}

/** `permit ip 13.13.13.0 0.0.0.255 12.12.12.0 0.0.0.255` as in the running-config. */
export function extendedRuleText(rule: AclRuleBody): string {
  return (
    `${rule.action} ${protocolName(rule.protocol)} ${addressText(rule.source)}${portText(rule.protocol, rule.sourcePort)}` +
    ` ${addressText(rule.destination)}${portText(rule.protocol, rule.destinationPort)}${trailerText(rule)}`
  );
}

/** Standard entries in the running-config: `permit 10.1.1.1`, `deny 10.0.0.0 0.255.255.255`. */
export function standardRuleText(rule: AclRuleBody): string {
  const s = rule.source;
  const src = s.kind === 'any' ? 'any' : s.kind === 'host' ? s.address : `${s.address} ${s.wildcard}`;
  return `${rule.action} ${src}${rule.log ? ' log' : ''}`;
}

/** Standard entries as `show access-lists` prints them: `deny   10.0.0.0, wildcard bits 0.255.255.255`. */
export function standardRuleShowText(rule: AclRuleBody): string {
  const s = rule.source;
  const src = s.kind === 'any' ? 'any' : s.kind === 'host' ? s.address : `${s.address}, wildcard bits ${s.wildcard}`;
  return `${rule.action.padEnd(6)} ${src}${rule.log ? ' log' : ''}`;
}
