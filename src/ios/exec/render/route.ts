/**
 * `show ip route` as IOS 12.2 prints it: the codes legend, the gateway of last
 * resort, routes grouped under their classful network ("is subnetted").
 * Learned routes carry their code (`O IA`, `D EX` ...), distance and metric,
 * and how long ago they were learned (`00:00:12`, `1d02h`, `2w1d`), e.g.
 * `O IA    10.1.1.0 [110/2] via 10.0.0.2, 00:00:12, FastEthernet0/0`
 * (observed in IOS captures, docs/research/ios-12.2-notes.md section 8).
 */
import { classfulLength, formatIpv4, parseIpv4, prefixToMask } from '../../../codecs/net/address.js';
import type { Route } from '../../routing/routes.js';

export const ROUTE_CODES = [
  'Codes: C - connected, S - static, I - IGRP, R - RIP, M - mobile, B - BGP',
  '       D - EIGRP, EX - EIGRP external, O - OSPF, IA - OSPF inter area ',
  '       N1 - OSPF NSSA external type 1, N2 - OSPF NSSA external type 2',
  '       E1 - OSPF external type 1, E2 - OSPF external type 2, E - EGP',
  '       i - IS-IS, L1 - IS-IS level-1, L2 - IS-IS level-2, ia - IS-IS inter area',
  '       * - candidate default, U - per-user static route, o - ODR',
  '       P - periodic downloaded static route',
];

function isDefault(r: Route): boolean {
  return r.length === 0;
}

/** `C`, `S`, `O IA`...; a candidate default gets its `*` after the first letter (`S*`, `O*E2`). */
function code(r: Route): string {
  const base = r.code ?? (r.source === 'connected' ? 'C' : 'S');
  if (!isDefault(r)) return base.padEnd(4);
  return (base.length > 1 ? `${base[0]}*${base.slice(2)}` : `${base}*`).padEnd(4);
}

/** The age IOS prints after a learned route's next hop. */
export function formatRouteAge(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const two = (n: number) => String(n).padStart(2, '0');
  if (s < 86_400) return `${two(Math.floor(s / 3600))}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`;
  const days = Math.floor(s / 86_400);
  if (days < 7) return `${days}d${two(Math.floor((s % 86_400) / 3600))}h`;
  return `${Math.floor(days / 7)}w${days % 7}d`;
}

function routeLines(r: Route, indent: number, showLength: boolean, now: number): string[] {
  const dest = showLength ? `${r.prefix}/${r.length}` : r.prefix;
  const lead = code(r) + ' '.repeat(indent);
  const first = r.paths[0]!;
  if (r.source === 'connected' || (first.nextHop === null && first.interface !== null)) {
    return r.paths.map((p, i) => `${i === 0 ? `${lead}${dest} ` : ' '.repeat(lead.length + dest.length + 1)}is directly connected, ${p.interface}`);
  }
  const pad = ' '.repeat(lead.length + dest.length + 1);
  const age = r.learnedAt !== undefined ? `, ${formatRouteAge((now - r.learnedAt) / 1000)}` : '';
  return r.paths.map((p, i) => {
    const out = r.code !== undefined ? p.outInterface : p.interface;
    const via = `[${r.distance}/${r.metric}] via ${p.nextHop}${age}${out !== null ? `, ${out}` : ''}`;
    return i === 0 ? `${lead}${dest} ${via}` : `${pad}${via}`;
  });
}

function gatewayLine(routes: readonly Route[]): string {
  const d = routes.find(isDefault);
  if (!d) return 'Gateway of last resort is not set';
  const gw = d.paths[0]!.nextHop ?? '0.0.0.0';
  return `Gateway of last resort is ${gw} to network 0.0.0.0`;
}

interface Group {
  major: number;
  majorLength: number;
  routes: Route[];
}

export function renderShowIpRoute(routes: readonly Route[], now: number = Date.now()): string {
  const lines = [...ROUTE_CODES, '', gatewayLine(routes), ''];
  const groups = new Map<string, Group>();
  const top: Route[] = [];
  for (const r of routes) {
    if (isDefault(r)) continue;
    const prefix = parseIpv4(r.prefix);
    const cl = classfulLength(prefix);
    if (r.length < cl) {
      top.push(r);
      continue;
    }
    const major = (prefix & prefixToMask(cl)) >>> 0;
    const key = `${major}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { major, majorLength: cl, routes: [] }));
    g.routes.push(r);
  }
  type Item = { at: number; length: number; lines: string[] };
  const items: Item[] = [];
  for (const g of groups.values()) {
    g.routes.sort((a, b) => parseIpv4(a.prefix) - parseIpv4(b.prefix) || a.length - b.length);
    const only = g.routes[0]!;
    if (g.routes.length === 1 && only.length === g.majorLength) {
      items.push({ at: g.major, length: g.majorLength, lines: routeLines(only, 1, true, now) });
      continue;
    }
    const masks = new Set(g.routes.map((r) => r.length));
    const major = formatIpv4(g.major);
    const n = g.routes.length;
    const header =
      masks.size === 1
        ? `     ${major}/${only.length} is subnetted, ${n} subnets`
        : `     ${major}/${g.majorLength} is variably subnetted, ${n} subnets, ${masks.size} masks`;
    items.push({ at: g.major, length: g.majorLength, lines: [header, ...g.routes.flatMap((r) => routeLines(r, 4, masks.size > 1, now))] });
  }
  for (const r of top) items.push({ at: parseIpv4(r.prefix), length: r.length, lines: routeLines(r, 1, true, now) });
  items.sort((a, b) => a.at - b.at || a.length - b.length);
  for (const it of items) lines.push(...it.lines);
  for (const r of routes.filter(isDefault)) lines.push(...routeLines(r, 1, true, now));
  return lines.join('\n') + '\n';
}
