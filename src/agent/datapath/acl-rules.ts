/**
 * Interface access groups in the kernel: the iptables rules (as
 * `iptables-restore --noflush` input) that filter what the kernel forwards
 * and delivers, and the parsing of `iptables-save -c` that gives their
 * matches back for `show access-lists`. Pure.
 *
 *   INPUT   -> TB-ACL-IN:   -i DEV -j TBA-n                         inbound group, packets for the router
 *   FORWARD -> TB-ACL-FWD:  -i DEV -j TBA-n                         inbound group, packets routed on
 *                           ! -i AGENT -o DEV -j TBA-m              outbound group; what the agent writes
 *                                                                   back is the agent's to check (acl-filter.ts)
 *   TBA-n:  one rule per line, in order: permit -> RETURN, deny -> TB-ACL-DENY,
 *           a `log` line first hands the packet to NFLOG; then the implicit deny
 *   TB-ACL-DENY:  REJECT icmp-admin-prohibited at most 2/s (IOS: one unreachable per 500 ms), else DROP
 *
 * The kernel reassembles fragments before these chains (conntrack), so the
 * rules see whole packets. Each rule carries a comment "acl N SEQ" (N: the
 * chain's number) so that its counter maps back to the line.
 */
import { formatIpv4, parseIpv4 } from '../../codecs/net/address.js';
import type { AccessList, AclAddress, AclRule, PortMatch, RouterConfig } from '../../ios/config/types.js';

export const ACL_IN_CHAIN = 'TB-ACL-IN';
export const ACL_FWD_CHAIN = 'TB-ACL-FWD';
export const ACL_DENY_CHAIN = 'TB-ACL-DENY';
export const ACL_CHAIN_PREFIX = 'TBA-';
/** The NFLOG group the agent listens on for `log` lines. */
export const ACL_NFLOG_GROUP = 7;

export interface AclRulesInput {
  config: RouterConfig;
  /** IOS name -> Linux device of the interfaces on lab links. */
  linux: ReadonlyMap<string, string>;
  /** Devices the agent writes packets into: their packets' outbound group is the agent's to check. */
  agentDevices: readonly string[];
  /** Hook the chains into INPUT and FORWARD (once, at the first apply). */
  first: boolean;
  /** Chains made before, to be emptied even when no longer used. */
  previous: readonly string[];
}

export interface AclRules {
  /** iptables-restore --noflush input. */
  text: string;
  /** Chain name -> access list name. */
  chains: Map<string, string>;
}

function address(a: AclAddress): string | null {
  switch (a.kind) {
    case 'any':
      return null;
    case 'host':
      return `${a.address}/32`;
    case 'wildcard':
      return `${a.address}/${formatIpv4(~parseIpv4(a.wildcard) >>> 0)}`;
  }
}

function ports(flag: '--sport' | '--dport', p: PortMatch | null): string[] {
  if (!p) return [];
  switch (p.op) {
    case 'eq':
      return [flag, String(p.port)];
    case 'neq':
      return ['!', flag, String(p.port)];
    case 'lt':
      return p.port === 0 ? ['!', flag, '0:65535'] : [flag, `0:${p.port - 1}`];
    case 'gt':
      return p.port === 65535 ? ['!', flag, '0:65535'] : [flag, `${p.port + 1}:65535`];
    case 'range':
      return [flag, `${p.from}:${p.to}`];
  }
}

const PROTO: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp' };

/** The match part of one access list line. */
export function matchArgs(rule: AclRule, standard: boolean): string[] {
  const args: string[] = [];
  if (!standard && rule.protocol !== 'ip') args.push('-p', PROTO[rule.protocol] ?? String(rule.protocol));
  const src = address(rule.source);
  if (src) args.push('-s', src);
  if (!standard) {
    const dst = address(rule.destination);
    if (dst) args.push('-d', dst);
    args.push(...ports('--sport', rule.sourcePort), ...ports('--dport', rule.destinationPort));
    if (rule.icmp) args.push('--icmp-type', rule.icmp.code === null ? String(rule.icmp.type) : `${rule.icmp.type}/${rule.icmp.code}`);
    if (rule.established) args.push('!', '--tcp-flags', 'ACK,RST', 'NONE');
  }
  return args;
}

const usable = (acl: AccessList | undefined): acl is AccessList => acl !== undefined && acl.entries.some((e) => e.type === 'rule');

export function aclRules(input: AclRulesInput): AclRules {
  const { config } = input;
  const byName = new Map(config.accessLists.map((a) => [a.name, a]));
  const used = [
    ...new Set(config.interfaces.flatMap((i) => [i.accessGroupIn, i.accessGroupOut]).filter((n): n is string => n !== null && usable(byName.get(n)))),
  ].sort();
  const chainOf = new Map(used.map((name, n) => [name, `${ACL_CHAIN_PREFIX}${n}`]));
  const chains = new Map([...chainOf].map(([name, chain]) => [chain, name]));
  const declared = [...new Set([ACL_IN_CHAIN, ACL_FWD_CHAIN, ACL_DENY_CHAIN, ...input.previous, ...chains.keys()])];
  const lines = ['*filter', ...declared.map((c) => `:${c} - [0:0]`)];
  if (input.first) lines.push(`-A INPUT -j ${ACL_IN_CHAIN}`, `-A FORWARD -j ${ACL_FWD_CHAIN}`);
  lines.push(`-A ${ACL_DENY_CHAIN} -m limit --limit 2/sec --limit-burst 1 -j REJECT --reject-with icmp-admin-prohibited`, `-A ${ACL_DENY_CHAIN} -j DROP`);
  for (const [name, chain] of chainOf) {
    const acl = byName.get(name)!;
    const n = chain.slice(ACL_CHAIN_PREFIX.length);
    for (const e of acl.entries) {
      if (e.type !== 'rule') continue;
      const m = matchArgs(e, acl.kind === 'standard').join(' ');
      const sel = m ? `${m} ` : '';
      if (e.log) lines.push(`-A ${chain} ${sel}-j NFLOG --nflog-group ${ACL_NFLOG_GROUP} --nflog-prefix "acl ${n} ${e.seq}"`);
      lines.push(`-A ${chain} ${sel}-m comment --comment "acl ${n} ${e.seq}" -j ${e.action === 'permit' ? 'RETURN' : ACL_DENY_CHAIN}`);
    }
    lines.push(`-A ${chain} -m comment --comment "acl ${n} implicit" -j ${ACL_DENY_CHAIN}`);
  }
  const notAgent = input.agentDevices.map((d) => `! -i ${d} `).join('');
  for (const i of config.interfaces) {
    const dev = input.linux.get(i.name);
    if (!dev) continue;
    const inChain = i.accessGroupIn ? chainOf.get(i.accessGroupIn) : undefined;
    const outChain = i.accessGroupOut ? chainOf.get(i.accessGroupOut) : undefined;
    if (inChain) lines.push(`-A ${ACL_IN_CHAIN} -i ${dev} -j ${inChain}`, `-A ${ACL_FWD_CHAIN} -i ${dev} -j ${inChain}`);
    if (outChain) lines.push(`-A ${ACL_FWD_CHAIN} ${notAgent}-o ${dev} -j ${outChain}`);
  }
  lines.push('COMMIT', '');
  return { text: lines.join('\n'), chains };
}

/** Matches per access list and line from `iptables-save -c -t filter` (the action rules, not the NFLOG ones). */
export function parseAclCounters(save: string, chains: ReadonlyMap<string, string>): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>();
  const re = /^\[(\d+):\d+\] -A (TBA-\d+) .*--comment "?acl \d+ (\d+)"? -j (RETURN|TB-ACL-DENY)\s*$/;
  for (const line of save.split('\n')) {
    const m = re.exec(line.trim());
    if (!m) continue;
    const name = chains.get(m[2]!);
    if (name === undefined) continue;
    let lines = out.get(name);
    if (!lines) out.set(name, (lines = new Map()));
    const seq = Number(m[3]);
    lines.set(seq, (lines.get(seq) ?? 0) + Number(m[1]));
  }
  return out;
}
