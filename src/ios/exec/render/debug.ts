/** `show debugging` and the lines `debug`/`undebug` print. */
import type { DebugFacility } from '../commands.js';

export interface DebugFlags {
  isakmp: boolean;
  ipsec: boolean;
  engine: boolean;
  'ospf-adj': boolean;
  nat: boolean;
}

const NAMES: Record<DebugFacility, string> = {
  isakmp: 'Crypto ISAKMP',
  engine: 'Crypto Engine',
  ipsec: 'Crypto IPSEC',
  'ospf-adj': 'OSPF adjacency events',
  nat: 'IP NAT',
};
/** The order the seed's `show debug` lists them in. */
const ORDER: readonly DebugFacility[] = ['isakmp', 'engine', 'ipsec'];

export function renderShowDebug(flags: DebugFlags): string {
  const lines: string[] = [];
  if (flags.nat) lines.push('Generic IP:', `  ${NAMES.nat} debugging is on`);
  const on = ORDER.filter((f) => flags[f]);
  if (flags['ospf-adj']) lines.push('OSPF:', `  ${NAMES['ospf-adj']} debugging is on`);
  if (on.length > 0) lines.push('Cryptographic Subsystem:', ...on.map((f) => `  ${NAMES[f]} debugging is on`));
  return lines.length ? lines.join('\n') + '\n' : '';
}

/** What IOS answers to `debug crypto isakmp`, `undebug all`, ... */
export function renderDebugChange(facility: DebugFacility | 'all', on: boolean): string {
  if (facility === 'all') return `All possible debugging has been turned ${on ? 'on' : 'off'}\n`;
  return `${NAMES[facility]} debugging is ${on ? 'on' : 'off'}\n`;
}
