/**
 * The steering plan (plan.ts) as `ip -batch` lines: Linux policy rules that
 * hand packets to the agent's tun devices, and the routes of the agent's
 * tables. Pure.
 */
import { formatIpv4 } from '../../codecs/net/address.js';
import { DROP_TABLE, EGRESS_TABLE, NAT_EGRESS_TABLE, NAT_TABLE, OWN_TABLE, TUN_IIF, TUN_TABLE, type PlanRule, type Prefix, type SteeringPlan } from './plan.js';

export { DROP_TABLE, EGRESS_TABLE, NAT_EGRESS_TABLE, NAT_TABLE, OWN_TABLE, TUN_TABLE } from './plan.js';

/** Where the local table goes (from pref 0, so the ESP and IKE rules come first). */
export const LOCAL_PREF = 32000;

export interface SteeringInterfaces {
  /** IOS name -> Linux name of the interfaces attached to lab links. */
  linux: ReadonlyMap<string, string>;
  tun: string;
  dropTun: string;
  /** The NAT tun device, when the router has one (nat-order.ts). */
  natTun?: string;
}

const cidr = (p: Prefix) => `${formatIpv4(p.address)}/${p.length}`;

function ruleText(r: PlanRule, ifs: SteeringInterfaces): string | null {
  const words = [`rule add pref ${r.pref}`];
  if (r.iif !== undefined) {
    const dev = r.iif === TUN_IIF ? ifs.tun : ifs.linux.get(r.iif);
    if (dev === undefined) return null;
    words.push(`iif ${dev}`);
  }
  if (r.from) words.push(`from ${cidr(r.from)}`);
  if (r.to) words.push(`to ${cidr(r.to)}`);
  if (r.protocol !== undefined) words.push(`ipproto ${r.protocol}`);
  if (r.dport !== undefined) words.push(`dport ${r.dport}`);
  words.push(`lookup ${r.table}`);
  return words.join(' ');
}

/** Whether a rule preference belongs to the plan (so a new set can replace the old one). */
export function isSteeringPref(pref: number): boolean {
  return pref >= 100 && pref < 400;
}

/** All rules and routes (the caller deletes the previous rules first, see isSteeringPref). */
export function steeringCommands(plan: SteeringPlan, ifs: SteeringInterfaces): string[] {
  const cmds = [
    `route replace default dev ${ifs.tun} table ${TUN_TABLE}`,
    `route replace default dev ${ifs.dropTun} table ${DROP_TABLE}`,
    `route flush table ${OWN_TABLE}`,
    ...plan.own.map((a) => `route replace ${formatIpv4(a)}/32 dev ${ifs.tun} table ${OWN_TABLE}`),
    `route flush table ${EGRESS_TABLE}`,
    ...plan.egress.map((r) =>
      r.target === 'tun'
        ? `route replace ${cidr(r.prefix)} dev ${ifs.tun} table ${EGRESS_TABLE}`
        : `route replace throw ${cidr(r.prefix)} table ${EGRESS_TABLE}`,
    ),
  ];
  const natTun = ifs.natTun;
  if (natTun) {
    cmds.push(`route flush table ${NAT_EGRESS_TABLE}`, `route replace default dev ${natTun} table ${NAT_TABLE}`);
    for (const r of plan.natEgress)
      cmds.push(
        r.target === 'tun'
          ? `route replace ${cidr(r.prefix)} dev ${natTun} table ${NAT_EGRESS_TABLE}`
          : `route replace throw ${cidr(r.prefix)} table ${NAT_EGRESS_TABLE}`,
      );
  }
  for (const r of plan.rules) {
    if ((r.table === NAT_TABLE || r.table === NAT_EGRESS_TABLE) && !natTun) continue;
    const text = ruleText(r, ifs);
    if (text) cmds.push(text);
  }
  return cmds;
}

/** Move the local table below our rules (add the new rule before removing pref 0, so local delivery never stops). */
export const MOVE_LOCAL_TABLE = [`rule add pref ${LOCAL_PREF} lookup local`, 'rule del pref 0 lookup local'];
