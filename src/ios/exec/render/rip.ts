/**
 * `show ip rip database` as IOS 12.x prints it (observed in IOS captures,
 * docs/research/ios-12.2-notes.md section 8): each prefix on a line of its
 * own, a connected one followed by `directly connected, IF`, a learned one by
 * `    [METRIC] via NEXT-HOP, AGE, IF` lines. The `auto-summary` entries IOS
 * adds for summarized major networks do not appear: summarization is not
 * emulated.
 */
import { parseIpv4 } from '../../../codecs/net/address.js';
import { formatRouteAge } from './route.js';

export interface RipDatabaseEntry {
  prefix: string;
  length: number;
  connected: { interface: string } | null;
  paths: { metric: number; nextHop: string; ageSeconds: number; interface: string }[];
}

export function renderShowIpRipDatabase(entries: readonly RipDatabaseEntry[]): string {
  const sorted = [...entries].sort((a, b) => parseIpv4(a.prefix) - parseIpv4(b.prefix) || a.length - b.length);
  const lines: string[] = [];
  for (const e of sorted) {
    const dest = `${e.prefix}/${e.length}`;
    if (e.connected) {
      lines.push(`${dest}    directly connected, ${e.connected.interface}`);
      continue;
    }
    lines.push(dest);
    for (const p of e.paths) lines.push(`    [${p.metric}] via ${p.nextHop}, ${formatRouteAge(p.ageSeconds)}, ${p.interface}`);
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}
