/**
 * Which packets the kernel hands to the agent: Linux policy routing rules
 * that send them into the agent's tun devices, derived from the crypto maps.
 * The rules are a superset filter (a non-contiguous ACL wildcard becomes the
 * covering prefix; deny lines are not expressed): the agent checks every
 * packet it receives against the ACLs exactly and forwards what is not its
 * business unchanged. Pure: returns `ip -batch` lines.
 *
 *   pref 100/101  iif TUN: local, then main     what the agent writes back is routed normally
 *   pref 110      iif IF ipproto esp            ESP (for us) -> agent
 *   pref 111/112  iif IF udp dport 500 / 4500   IKE for us, and TED probes crossing us -> agent
 *   pref 200+     from LOCAL to REMOTE          traffic a crypto ACL may protect -> agent
 *   pref 300+     iif CRYPTO-IF from REMOTE to LOCAL   clear text that should have been ESP -> drop tun
 *   pref 32000    lookup local                  (moved down from pref 0 so the rules above come first)
 */
import { entryPrefixes } from '../../ios/acl/match.js';
import type { AclRule } from '../../ios/config/types.js';
import type { IkePolicy } from '../ike/policy.js';

export const TUN_TABLE = 200;
export const DROP_TABLE = 201;
export const LOCAL_PREF = 32000;

export interface SteeringInterfaces {
  /** IOS name -> Linux name of the interfaces attached to lab links. */
  linux: ReadonlyMap<string, string>;
  tun: string;
  dropTun: string;
}

interface Filter {
  from: string;
  to: string;
  protocol: number | null;
}

function filterOf(rule: AclRule): Filter {
  const { source, destination } = entryPrefixes(rule);
  return { from: `${source.prefix}/${source.length}`, to: `${destination.prefix}/${destination.length}`, protocol: rule.protocol === 'ip' ? null : rule.protocol };
}

function key(f: Filter): string {
  return `${f.from} ${f.to} ${f.protocol ?? ''}`;
}

/** The permit lines of every crypto ACL on an interface, deduplicated, as (local -> remote) filters. */
export function protectedFilters(policy: IkePolicy): { outbound: Filter[]; inbound: { iface: string; filter: Filter }[] } {
  const outbound = new Map<string, Filter>();
  const inbound = new Map<string, { iface: string; filter: Filter }>();
  for (const map of policy.cryptoMaps) {
    // a map on no interface protects nothing
    if (map.interfaces.length === 0) continue;
    for (const entry of map.entries) {
      for (const e of entry.acl?.entries ?? []) {
        if (e.type !== 'rule' || e.action !== 'permit') continue;
        const f = filterOf(e);
        outbound.set(key(f), f);
        for (const iface of map.interfaces) {
          const m = { from: f.to, to: f.from, protocol: f.protocol };
          inbound.set(`${iface.name} ${key(m)}`, { iface: iface.name, filter: m });
        }
      }
    }
  }
  return { outbound: [...outbound.values()], inbound: [...inbound.values()] };
}

function match(f: Filter): string {
  return `from ${f.from} to ${f.to}${f.protocol === null ? '' : ` ipproto ${f.protocol}`}`;
}

/** Whether a rule preference belongs to this module (so a new set can replace the old one). */
export function isSteeringPref(pref: number): boolean {
  return pref >= 100 && pref < 400;
}

/** All rules and routes (the caller deletes the previous set first, see isSteeringPref). */
export function steeringCommands(policy: IkePolicy, ifs: SteeringInterfaces): string[] {
  const cmds: string[] = [];
  cmds.push(`route replace default dev ${ifs.tun} table ${TUN_TABLE}`);
  cmds.push(`route replace default dev ${ifs.dropTun} table ${DROP_TABLE}`);
  cmds.push(`rule add pref 100 iif ${ifs.tun} lookup local`);
  cmds.push(`rule add pref 101 iif ${ifs.tun} lookup main`);
  for (const dev of ifs.linux.values()) {
    cmds.push(`rule add pref 110 iif ${dev} ipproto 50 lookup ${TUN_TABLE}`);
    cmds.push(`rule add pref 111 iif ${dev} ipproto udp dport 500 lookup ${TUN_TABLE}`);
    cmds.push(`rule add pref 112 iif ${dev} ipproto udp dport 4500 lookup ${TUN_TABLE}`);
  }
  const { outbound, inbound } = protectedFilters(policy);
  outbound.forEach((f, i) => cmds.push(`rule add pref ${200 + Math.min(i, 99)} ${match(f)} lookup ${TUN_TABLE}`));
  inbound.forEach(({ iface, filter }, i) => {
    const dev = ifs.linux.get(iface);
    if (dev) cmds.push(`rule add pref ${300 + Math.min(i, 99)} iif ${dev} ${match(filter)} lookup ${DROP_TABLE}`);
  });
  return cmds;
}

/** Move the local table below our rules (add the new rule before removing pref 0, so local delivery never stops). */
export const MOVE_LOCAL_TABLE = [`rule add pref ${LOCAL_PREF} lookup local`, 'rule del pref 0 lookup local'];
