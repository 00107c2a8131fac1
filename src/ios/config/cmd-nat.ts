/**
 * Global NAT commands: `ip nat pool`, `ip nat inside source list|route-map|static`,
 * `ip nat translation <timeout>`, and their `no` forms. The interface side
 * (`ip nat inside|outside`) is in cmd-interface.ts; route maps in cmd-route-map.ts.
 */
import { formatIpv4, isContiguousMask, maskToPrefix, parseIpv4, prefixToMask } from '../../codecs/net/address.js';
import { type Cursor, ParseFail } from '../cli/cursor.js';
import type { Effect, EngineState, Grammar, PendingReference } from './grammar.js';
import { interfaceEmulated, readInterfaceName } from './interface-names.js';
import {
  NAT_TIMEOUT_DEFAULTS,
  NAT_TIMEOUT_KEYWORDS,
  type NatConfig,
  type NatDynamicRule,
  type NatMatch,
  type NatPool,
  type NatRule,
  type NatStaticRule,
  type NatTarget,
  type NatTimeoutName,
} from './nat-types.js';

const TIMEOUT_BY_KEYWORD = new Map(Object.entries(NAT_TIMEOUT_KEYWORDS).map(([k, v]) => [v, k as NatTimeoutName]));

function reference(st: EngineState, kind: PendingReference['kind'], name: string, column: number, from: string): void {
  st.references.push({ kind, name, from, line: st.lineNo, column, text: st.text });
}

/** `ip nat pool NAME START END (netmask M | prefix-length L) [type rotary]`. */
function readPool(cursor: Cursor): NatPool {
  const name = cursor.word();
  const startToken = cursor.peek();
  const start = cursor.ipv4();
  const end = cursor.ipv4();
  const how = cursor.keyword(['netmask', 'prefix-length']);
  let netmask: string;
  let prefixLength: number | null = null;
  if (how === 'netmask') {
    const maskToken = cursor.peek();
    netmask = cursor.ipv4();
    if (!isContiguousMask(parseIpv4(netmask))) throw new ParseFail('value', maskToken?.start ?? 0, `%Bad netmask ${netmask}`);
  } else {
    prefixLength = cursor.integer(1, 32);
    netmask = formatIpv4(prefixToMask(prefixLength));
  }
  let rotary = false;
  if (cursor.optKeyword(['type']) !== undefined) {
    cursor.keyword(['rotary']);
    rotary = true;
  }
  const s = parseIpv4(start);
  const e = parseIpv4(end);
  const m = parseIpv4(netmask);
  if (e < s) throw new ParseFail('value', startToken?.start ?? 0, '%End address less than starting address');
  if ((s & m) >>> 0 !== (e & m) >>> 0) throw new ParseFail('value', startToken?.start ?? 0, '%Start and end addresses on different subnets');
  return { name, start, end, netmask, prefixLength, rotary };
}

function readMatch(cursor: Cursor): { match: NatMatch; column: number } {
  const how = cursor.keyword(['list', 'route-map']);
  const column = cursor.peek()?.start ?? 0;
  const name = cursor.word();
  return { match: how === 'list' ? { kind: 'list', acl: name } : { kind: 'route-map', name }, column };
}

function readTarget(cursor: Cursor): { target: NatTarget; column: number } {
  const how = cursor.keyword(['pool', 'interface']);
  const column = cursor.peek()?.start ?? 0;
  if (how === 'pool') return { target: { kind: 'pool', pool: cursor.word() }, column };
  return { target: { kind: 'interface', name: readInterfaceName(cursor) }, column };
}

function readPort(cursor: Cursor): number {
  return cursor.integer(1, 65535);
}

/** `static [tcp|udp] LOCAL [PORT] (GLOBAL | interface IF) [PORT] [extendable]`. */
function readStatic(cursor: Cursor): NatStaticRule {
  const protocol = (cursor.optKeyword(['tcp', 'udp']) as 'tcp' | 'udp' | undefined) ?? null;
  const local = cursor.ipv4();
  const localPort = protocol ? readPort(cursor) : null;
  let global: NatStaticRule['global'];
  if (cursor.optKeyword(['interface']) !== undefined) global = { kind: 'interface', name: readInterfaceName(cursor) };
  else global = { kind: 'address', address: cursor.ipv4() };
  const globalPort = protocol ? readPort(cursor) : null;
  if (!protocol && global.kind === 'interface') throw cursor.incomplete();
  const extendable = cursor.optKeyword(['extendable']) !== undefined;
  return { kind: 'static', protocol, local, localPort, global, globalPort, extendable };
}

function sameMatch(a: NatMatch, b: NatMatch): boolean {
  return a.kind === b.kind && (a.kind === 'list' ? a.acl === (b as typeof a).acl : a.name === (b as typeof a).name);
}

function globalText(r: NatStaticRule): string {
  return r.global.kind === 'address' ? r.global.address : `interface ${r.global.name}`;
}

function sameStatic(a: NatStaticRule, b: NatStaticRule): boolean {
  return a.protocol === b.protocol && a.local === b.local && a.localPort === b.localPort && globalText(a) === globalText(b) && a.globalPort === b.globalPort;
}

function addStatic(st: EngineState, rule: NatStaticRule, column: number): void {
  const rules = st.config.nat.rules;
  const statics = rules.filter((r): r is NatStaticRule => r.kind === 'static');
  const same = statics.find((r) => sameStatic(r, rule));
  if (same) {
    same.extendable = rule.extendable;
    return;
  }
  const local = statics.find((r) => r.protocol === rule.protocol && r.local === rule.local && r.localPort === rule.localPort);
  if (local && !rule.extendable) {
    throw new ParseFail('value', column, `% ${rule.local} already mapped (${rule.local} -> ${globalText(local)})`);
  }
  const global = statics.find((r) => r.protocol === rule.protocol && globalText(r) === globalText(rule) && r.globalPort === rule.globalPort);
  if (global && !rule.extendable) {
    throw new ParseFail('value', column, `% similar static entry (${global.local} -> ${globalText(global)}) already exists`);
  }
  rules.push(rule);
}

function addDynamic(st: EngineState, rule: NatDynamicRule): void {
  const rules = st.config.nat.rules;
  const at = rules.findIndex((r) => r.kind === 'dynamic' && sameMatch(r.match, rule.match));
  if (at >= 0) rules[at] = rule;
  else rules.push(rule);
}

export function addNatCommands(g: Grammar): void {
  g.on('ip nat pool', (cursor) => {
    const pool = readPool(cursor);
    const effect: Effect = (st) => {
      const pools = st.config.nat.pools;
      const at = pools.findIndex((p) => p.name === pool.name);
      if (at >= 0) pools[at] = pool;
      else pools.push(pool);
    };
    if (pool.rotary) effect.variant = 'rotary';
    return effect;
  });
  g.on('no ip nat pool', (cursor) => {
    const name = cursor.word();
    cursor.rest();
    return (st) => {
      st.config.nat.pools = st.config.nat.pools.filter((p) => p.name !== name);
    };
  });
  g.on('ip nat inside source', (cursor) => {
    if (cursor.optKeyword(['static']) !== undefined) {
      const column = cursor.peek()?.start ?? 0;
      const rule = readStatic(cursor);
      const effect: Effect = (st) => addStatic(st, rule, column);
      if (rule.global.kind === 'interface' && interfaceEmulated(rule.global.name) !== 'emulated') effect.variant = 'unemulated-interface';
      return effect;
    }
    const { match, column: matchColumn } = readMatch(cursor);
    const { target, column: targetColumn } = readTarget(cursor);
    const overload = cursor.optKeyword(['overload']) !== undefined;
    const rule: NatDynamicRule = { kind: 'dynamic', match, target, overload };
    const effect: Effect = (st) => {
      const from = 'ip nat inside source';
      if (match.kind === 'list') reference(st, 'access-list', match.acl, matchColumn, from);
      else reference(st, 'route-map', match.name, matchColumn, from);
      if (target.kind === 'pool') reference(st, 'nat-pool', target.pool, targetColumn, from);
      addDynamic(st, rule);
    };
    if (target.kind === 'interface' && interfaceEmulated(target.name) !== 'emulated') effect.variant = 'unemulated-interface';
    return effect;
  });
  g.on('no ip nat inside source', (cursor) => {
    if (cursor.optKeyword(['static']) !== undefined) {
      const rule = readStatic(cursor);
      return (st) => {
        st.config.nat.rules = st.config.nat.rules.filter((r) => !(r.kind === 'static' && sameStatic(r, rule)));
      };
    }
    const { match } = readMatch(cursor);
    cursor.rest();
    return (st) => {
      st.config.nat.rules = st.config.nat.rules.filter((r) => !(r.kind === 'dynamic' && sameMatch(r.match, match)));
    };
  });
  g.on('ip nat translation', (cursor) => {
    const which = TIMEOUT_BY_KEYWORD.get(cursor.keyword([...TIMEOUT_BY_KEYWORD.keys()]))!;
    const seconds = cursor.optKeyword(['never']) !== undefined ? null : cursor.integer(0, 2147483);
    const effect: Effect = (st) => {
      st.config.nat.timeouts[which] = seconds;
    };
    if (which === 'pptp') effect.variant = 'pptp';
    return effect;
  });
  g.on('no ip nat translation', (cursor) => {
    const which = TIMEOUT_BY_KEYWORD.get(cursor.keyword([...TIMEOUT_BY_KEYWORD.keys()]))!;
    cursor.rest();
    return (st) => {
      st.config.nat.timeouts[which] = NAT_TIMEOUT_DEFAULTS[which];
    };
  });
}

// ------------------------------------------------------------------ rendering

function ruleText(r: NatRule): string {
  if (r.kind === 'static') {
    const proto = r.protocol ? `${r.protocol} ` : '';
    const lp = r.localPort !== null ? ` ${r.localPort}` : '';
    const gp = r.globalPort !== null ? ` ${r.globalPort}` : '';
    return `ip nat inside source static ${proto}${r.local}${lp} ${globalText(r)}${gp}${r.extendable ? ' extendable' : ''}`;
  }
  const match = r.match.kind === 'list' ? `list ${r.match.acl}` : `route-map ${r.match.name}`;
  const target = r.target.kind === 'pool' ? `pool ${r.target.pool}` : `interface ${r.target.name}`;
  return `ip nat inside source ${match} ${target}${r.overload ? ' overload' : ''}`;
}

function poolText(p: NatPool): string {
  const mask = p.prefixLength !== null ? `prefix-length ${p.prefixLength}` : `netmask ${p.netmask}`;
  return `ip nat pool ${p.name} ${p.start} ${p.end} ${mask}${p.rotary ? ' type rotary' : ''}`;
}

/** The NAT lines of the running-config, in IOS's order: timeouts, pools, dynamic then static rules. */
export function natLines(nat: NatConfig): string[] {
  const out: string[] = [];
  for (const [name, keyword] of Object.entries(NAT_TIMEOUT_KEYWORDS) as [NatTimeoutName, string][]) {
    const v = nat.timeouts[name];
    if (v !== NAT_TIMEOUT_DEFAULTS[name]) out.push(`ip nat translation ${keyword} ${v === null ? 'never' : v}`);
  }
  out.push(...nat.pools.map(poolText));
  out.push(...nat.rules.filter((r) => r.kind === 'dynamic').map(ruleText));
  out.push(...nat.rules.filter((r) => r.kind === 'static').map(ruleText));
  return out;
}

/** The prefix length of a pool's netmask (for address checks). */
export function poolPrefix(p: NatPool): number {
  return p.prefixLength ?? maskToPrefix(parseIpv4(p.netmask));
}
