/**
 * `show ip nat translations [verbose]` and `show ip nat statistics` in IOS
 * 12.2's layout (docs/research/ios-12.2-notes.md, section 1, names the
 * captures): columns of 4 and 19 characters ("Pro Inside global      Inside
 * local ..."), `---` where a simple entry has no protocol, ports or outside
 * addresses; the statistics with "Total translations:" and the dynamic
 * mappings without the "[Id: N]" later releases print. Pure.
 */

export interface NatTranslationRow {
  /** IP protocol; null for a simple entry (address only). */
  protocol: number | null;
  insideGlobal: string;
  insideGlobalPort: number | null;
  insideLocal: string;
  insideLocalPort: number | null;
  /** null: `---` (a simple entry, a static port mapping). */
  outsideLocal: string | null;
  outsideLocalPort: number | null;
  outsideGlobal: string | null;
  outsideGlobalPort: number | null;
  createdSecondsAgo: number;
  usedSecondsAgo: number;
  /** Seconds until it times out; null: never (static). */
  leftSeconds: number | null;
  /** `static`, `extended`, `static, extended` ... */
  flags: string;
}

const PROTOCOLS: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp' };

function endpoint(address: string | null, port: number | null): string {
  if (address === null) return '---';
  return port === null ? address : `${address}:${port}`;
}

/** IOS's short durations: 00:01:05 under a day, 2d18h under a week, 3w2d beyond. */
export function natDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 86400) {
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return [h, m, s % 60].map((n) => String(n).padStart(2, '0')).join(':');
  }
  const days = Math.floor(s / 86400);
  if (days < 7) return `${days}d${String(Math.floor((s % 86400) / 3600)).padStart(2, '0')}h`;
  return `${Math.floor(days / 7)}w${days % 7}d`;
}

function row(cells: string[]): string {
  const [pro, ...rest] = cells;
  return `${pro!.padEnd(3)} ${rest
    .slice(0, 3)
    .map((c) => c.padEnd(18))
    .join(' ')} ${rest[3]}`;
}

export function renderShowIpNatTranslations(rows: readonly NatTranslationRow[], verbose = false): string {
  if (rows.length === 0) return '';
  const lines = [row(['Pro', 'Inside global', 'Inside local', 'Outside local', 'Outside global'])];
  for (const r of rows) {
    const pro = r.protocol === null ? '---' : (PROTOCOLS[r.protocol] ?? String(r.protocol));
    lines.push(
      row([
        pro,
        endpoint(r.insideGlobal, r.insideGlobalPort),
        endpoint(r.insideLocal, r.insideLocalPort),
        endpoint(r.outsideLocal, r.outsideLocalPort),
        endpoint(r.outsideGlobal, r.outsideGlobalPort),
      ]),
    );
    if (verbose) {
      const left = r.leftSeconds === null ? '' : ` left ${natDuration(r.leftSeconds)},`;
      lines.push(`    create ${natDuration(r.createdSecondsAgo)}, use ${natDuration(r.usedSecondsAgo)},${left} flags: ${r.flags}, use_count: 0`);
    }
  }
  return lines.join('\n') + '\n';
}

export interface NatPoolStatistics {
  name: string;
  netmask: string;
  start: string;
  end: string;
  total: number;
  allocated: number;
  misses: number;
}

export interface NatMappingStatistics {
  /** `access-list 1 pool net-208`, `route-map NONAT interface FastEthernet0/0`. */
  label: string;
  refcount: number;
  pool: NatPoolStatistics | null;
}

export interface NatStatistics {
  total: number;
  static: number;
  dynamic: number;
  extended: number;
  outside: readonly string[];
  inside: readonly string[];
  hits: number;
  misses: number;
  expired: number;
  mappings: readonly NatMappingStatistics[];
}

export function renderShowIpNatStatistics(s: NatStatistics): string {
  const lines = [
    `Total translations: ${s.total} (${s.static} static, ${s.dynamic} dynamic; ${s.extended} extended)`,
    `Outside interfaces: ${s.outside.join(', ')}`.trimEnd(),
    `Inside interfaces: ${s.inside.join(', ')}`.trimEnd(),
    `Hits: ${s.hits}  Misses: ${s.misses}`,
    `Expired translations: ${s.expired}`,
    'Dynamic mappings:',
  ];
  if (s.mappings.length > 0) lines.push('-- Inside Source');
  for (const m of s.mappings) {
    lines.push(`${m.label} refcount ${m.refcount}`);
    const p = m.pool;
    if (!p) continue;
    const percent = p.total === 0 ? 0 : Math.floor((p.allocated * 100) / p.total);
    lines.push(
      ` pool ${p.name}: netmask ${p.netmask}`,
      `        start ${p.start} end ${p.end}`,
      `        type generic, total addresses ${p.total}, allocated ${p.allocated} (${percent}%), misses ${p.misses}`,
    );
  }
  return lines.join('\n') + '\n';
}
