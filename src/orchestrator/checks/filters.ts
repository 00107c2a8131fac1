/**
 * Packet filters of capture checks, and what they match in a pcap decoded by
 * readPcap. A filter is a mapping of fields that must all hold:
 *
 *   { protocol: icmp, icmp: echo-request, src: 13.13.13.0/24, dst: 12.12.12.13 }
 *   { isakmp: ted_probe }   { protocol: esp, spi: 0xD8870500 }   { between: [13.13.13.0/24, 12.12.12.0/24] }
 *
 * or one of the names: esp, icmp, isakmp, ted_probe, ted_reply, main_mode,
 * aggressive_mode, quick_mode, informational.
 */
import type { CapturedPacket } from '../capture/pcap-reader.js';
import { formatSpi } from '../show/index.js';
import type { IsakmpKind, PacketFilter, Prefix } from './types.js';
import { describeCondition, inPrefix, parseCondition, parsePrefix, test } from './values.js';

export const PROTOCOLS: Record<string, number> = { icmp: 1, tcp: 6, udp: 17, esp: 50, ah: 51 };
const PROTOCOL_NAMES = Object.fromEntries(Object.entries(PROTOCOLS).map(([k, v]) => [v, k]));

export const ICMP_TYPES: Record<string, number> = { 'echo-reply': 0, unreachable: 3, redirect: 5, 'echo-request': 8, 'time-exceeded': 11 };
const ICMP_NAMES = Object.fromEntries(Object.entries(ICMP_TYPES).map(([k, v]) => [v, k]));

/** ISAKMP exchange types (RFC 2408 4.1, RFC 2409) and TED's private-use 240 (docs/ted.md). */
export const EXCHANGES: Record<Exclude<IsakmpKind, 'ted_probe' | 'ted_reply' | 'any'>, number> = {
  main: 2,
  aggressive: 4,
  informational: 5,
  quick: 32,
  ted: 240,
};
const EXCHANGE_NAMES: Record<number, string> = { 2: 'Main Mode', 4: 'Aggressive Mode', 5: 'Informational', 32: 'Quick Mode', 240: 'TED' };

const NAMED: Record<string, Record<string, unknown>> = {
  esp: { protocol: 'esp' },
  icmp: { protocol: 'icmp' },
  isakmp: { isakmp: 'any' },
  ted_probe: { isakmp: 'ted_probe' },
  ted_reply: { isakmp: 'ted_reply' },
  main_mode: { isakmp: 'main' },
  aggressive_mode: { isakmp: 'aggressive' },
  quick_mode: { isakmp: 'quick' },
  informational: { isakmp: 'informational' },
};

export const FILTER_KEYS = ['protocol', 'src', 'dst', 'between', 'port', 'sport', 'dport', 'isakmp', 'spi', 'icmp', 'ttl'] as const;

function port(v: unknown, key: string): number | string {
  return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535 ? (v as number) : `${key} must be a port number 0-65535`;
}

/** A filter from its YAML form; an error message when it is not one. */
export function filterFromYaml(v: unknown): PacketFilter | string {
  let raw: Record<string, unknown>;
  let text: string;
  if (typeof v === 'string') {
    const named = NAMED[v];
    if (!named) return `"${v}" is not a packet filter name (${Object.keys(NAMED).join(', ')}), nor a mapping like {protocol: icmp, src: 13.13.13.4}`;
    raw = named;
    text = v;
  } else if (v && typeof v === 'object' && !Array.isArray(v)) {
    raw = v as Record<string, unknown>;
    text = `{${Object.entries(raw)
      .map(([k, x]) => `${k}: ${Array.isArray(x) ? `[${x.join(', ')}]` : typeof x === 'number' && k === 'spi' ? formatSpi(x) : String(x)}`)
      .join(', ')}}`;
  } else return 'a packet filter is a name (esp, ted_probe, main_mode ...) or a mapping like {protocol: icmp, src: 13.13.13.4}';
  const f: PacketFilter = { text };
  for (const [key, val] of Object.entries(raw)) {
    switch (key) {
      case 'protocol': {
        const p = typeof val === 'number' ? val : PROTOCOLS[String(val)];
        if (p === undefined || !Number.isInteger(p) || p < 0 || p > 255)
          return `protocol must be one of ${Object.keys(PROTOCOLS).join(', ')} or a number 0-255`;
        f.protocol = p;
        break;
      }
      case 'src':
      case 'dst': {
        const p = parsePrefix(val);
        if (typeof p === 'string') return `${key}: ${p}`;
        f[key] = p;
        break;
      }
      case 'between': {
        const pair = prefixPair(val);
        if (typeof pair === 'string') return `between: ${pair}`;
        f.between = pair;
        break;
      }
      case 'port':
      case 'sport':
      case 'dport': {
        const p = port(val, key);
        if (typeof p === 'string') return p;
        f[key] = p;
        break;
      }
      case 'isakmp': {
        if (typeof val === 'number' && Number.isInteger(val) && val >= 0 && val <= 255) f.isakmp = val;
        else if (typeof val === 'string' && (val in EXCHANGES || ['ted_probe', 'ted_reply', 'any'].includes(val))) f.isakmp = val as IsakmpKind;
        else return `isakmp must be one of ${[...Object.keys(EXCHANGES), 'ted_probe', 'ted_reply', 'any'].join(', ')} or an exchange type number`;
        break;
      }
      case 'spi':
        if (!Number.isInteger(val) || (val as number) < 0 || (val as number) > 0xffffffff) return 'spi must be a 32-bit number (0xD8870500 or 3632727296)';
        f.spi = val as number;
        break;
      case 'icmp': {
        const t = typeof val === 'number' ? val : ICMP_TYPES[String(val)];
        if (t === undefined) return `icmp must be one of ${Object.keys(ICMP_TYPES).join(', ')} or a type number`;
        f.icmp = t;
        break;
      }
      case 'ttl': {
        const c = parseCondition(val, 'number');
        if (typeof c === 'string') return `ttl: ${c}`;
        f.ttl = c;
        break;
      }
      default:
        return `unknown packet field "${key}" (fields: ${FILTER_KEYS.join(', ')})`;
    }
  }
  return f;
}

export function prefixPair(v: unknown): [Prefix, Prefix] | string {
  if (!Array.isArray(v) || v.length !== 2) return 'must be two prefixes, like [13.13.13.0/24, 12.12.12.0/24]';
  const a = parsePrefix(v[0]);
  const b = parsePrefix(v[1]);
  if (typeof a === 'string') return a;
  if (typeof b === 'string') return b;
  return [a, b];
}

function isakmpMatches(p: CapturedPacket, want: IsakmpKind | number): boolean {
  const x = p.isakmp;
  if (!x) return false;
  if (typeof want === 'number') return x.exchangeType === want;
  switch (want) {
    case 'any':
      return true;
    case 'ted_probe':
      return x.exchangeType === EXCHANGES.ted && /^0+$/.test(x.responderCookie);
    case 'ted_reply':
      return x.exchangeType === EXCHANGES.ted && !/^0+$/.test(x.responderCookie);
    default:
      return x.exchangeType === EXCHANGES[want];
  }
}

export function matches(f: PacketFilter, p: CapturedPacket): boolean {
  if (f.protocol !== undefined && p.protocol !== f.protocol && !(f.protocol === 50 && p.esp)) return false;
  if (f.src && !inPrefix(p.src, f.src)) return false;
  if (f.dst && !inPrefix(p.dst, f.dst)) return false;
  if (f.between) {
    const [a, b] = f.between;
    if (!((inPrefix(p.src, a) && inPrefix(p.dst, b)) || (inPrefix(p.src, b) && inPrefix(p.dst, a)))) return false;
  }
  if (f.port !== undefined && p.sport !== f.port && p.dport !== f.port) return false;
  if (f.sport !== undefined && p.sport !== f.sport) return false;
  if (f.dport !== undefined && p.dport !== f.dport) return false;
  if (f.isakmp !== undefined && !isakmpMatches(p, f.isakmp)) return false;
  if (f.spi !== undefined && p.esp?.spi !== f.spi) return false;
  if (f.icmp !== undefined && p.icmp?.type !== f.icmp) return false;
  if (f.ttl && (p.ttl === null || !test(f.ttl, p.ttl))) return false;
  return true;
}

/** One line per packet for reports: "frame 7  13.13.13.4 -> 12.12.12.13  ICMP echo-request ttl 63". */
export function describePacket(p: CapturedPacket): string {
  if (p.src === null) return `frame ${p.frame}  non-IPv4 (ethertype 0x${(p.ethertype ?? 0).toString(16).padStart(4, '0')})`;
  let what: string;
  if (p.isakmp) {
    const name =
      p.isakmp.exchangeType === 240
        ? /^0+$/.test(p.isakmp.responderCookie)
          ? 'TED probe'
          : 'TED reply'
        : (EXCHANGE_NAMES[p.isakmp.exchangeType] ?? `exchange ${p.isakmp.exchangeType}`);
    what = `ISAKMP ${name} ${p.sport}->${p.dport}`;
  } else if (p.esp) what = `ESP spi ${formatSpi(p.esp.spi)} seq ${p.esp.seq}`;
  else if (p.icmp) what = `ICMP ${ICMP_NAMES[p.icmp.type] ?? `type ${p.icmp.type}`} seq ${p.icmp.seq}`;
  else what = `${(PROTOCOL_NAMES[p.protocol ?? -1] ?? `proto ${p.protocol}`).toUpperCase()}${p.sport !== null ? ` ${p.sport}->${p.dport}` : ''}`;
  return `frame ${p.frame}  ${p.src} -> ${p.dst}  ${what}  ttl ${p.ttl}`;
}

/** "12 ICMP, 4 ISAKMP, 9 ESP": what a capture holds, for "not found" messages. */
export function summarisePackets(packets: CapturedPacket[]): string {
  const counts = new Map<string, number>();
  for (const p of packets) {
    const k = p.isakmp ? 'ISAKMP' : p.esp ? 'ESP' : p.src === null ? 'non-IPv4' : (PROTOCOL_NAMES[p.protocol ?? -1] ?? `proto ${p.protocol}`).toUpperCase();
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts.size ? [...counts].map(([k, n]) => `${n} ${k}`).join(', ') : 'nothing';
}

export { describeCondition };
