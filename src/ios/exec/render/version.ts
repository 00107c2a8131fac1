/** `show version` of a Cisco 2621 running IOS 12.2(27) (C2600-JK9S-M, the seed's image). */
import { interfaceType, isSubinterface } from '../../config/interface-names.js';
import type { RouterConfig } from '../../config/types.js';

const UNITS: readonly [string, number][] = [
  ['year', 365 * 86400],
  ['week', 7 * 86400],
  ['day', 86400],
  ['hour', 3600],
  ['minute', 60],
];

/** `2 weeks, 4 days, 16 hours, 4 minutes`: from the largest non-zero unit down to minutes. */
export function formatUptime(seconds: number): string {
  let rest = Math.max(0, Math.floor(seconds));
  const parts: string[] = [];
  for (const [name, size] of UNITS) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || parts.length > 0 || name === 'minute') parts.push(`${n} ${name}${n === 1 ? '' : 's'}`);
  }
  return parts.join(', ');
}

const DRAM_KB = 65536;

/** `memory-size iomem N` splits the 64 MB of DRAM between processor and packet memory. */
function memoryLine(config: RouterConfig): string {
  const iomem = config.extras.map((e) => /^memory-size iomem (\d+)/.exec(e.lines[0]!)).find((m) => m)?.[1];
  const io = iomem ? Math.floor((DRAM_KB * Number(iomem)) / 100 / 1024) * 1024 : 5120;
  return `cisco 2621 (MPC860) processor (revision 0x102) with ${DRAM_KB - io}K/${io}K bytes of memory.`;
}

function imageFile(config: RouterConfig): string {
  const boot = config.extras.map((e) => /^boot system flash (\S+)/.exec(e.lines[0]!)).find((m) => m)?.[1];
  return `flash:${boot ?? 'c2600-jk9s-mz.122-27.bin'}`;
}

function interfaceCounts(config: RouterConfig): string[] {
  const count = (type: string): number => config.interfaces.filter((i) => !isSubinterface(i.name) && interfaceType(i.name)?.name === type).length;
  const lines: string[] = [];
  const fe = count('FastEthernet');
  const e = count('Ethernet');
  const s = count('Serial');
  if (e) lines.push(`${e} Ethernet/IEEE 802.3 interface(s)`);
  if (fe) lines.push(`${fe} FastEthernet/IEEE 802.3 interface(s)`);
  if (s) lines.push(`${s} Serial network interface(s)`);
  return lines;
}

export interface ShowVersionInput {
  config: RouterConfig;
  uptimeSeconds: number;
}

export function renderShowVersion({ config, uptimeSeconds }: ShowVersionInput): string {
  return (
    [
      'Cisco Internetwork Operating System Software ',
      'IOS (tm) C2600 Software (C2600-JK9S-M), Version 12.2(27), RELEASE SOFTWARE (fc1)',
      'Copyright (c) 1986-2004 by cisco Systems, Inc.',
      'Compiled Thu 09-Dec-04 13:07 by kellythw',
      'Image text-base: 0x8000808C, data-base: 0x81A3DB54',
      '',
      'ROM: System Bootstrap, Version 11.3(2)XA4, RELEASE SOFTWARE (fc1)',
      '',
      `${config.hostname} uptime is ${formatUptime(uptimeSeconds)}`,
      'System returned to ROM by power-on',
      `System image file is "${imageFile(config)}"`,
      '',
      memoryLine(config),
      'Processor board ID JAD04360GH7 (4114700570)',
      'M860 processor: part number 0, mask 49',
      'Bridging software.',
      'X.25 software, Version 3.0.0.',
      ...interfaceCounts(config),
      '32K bytes of non-volatile configuration memory.',
      '16384K bytes of processor board System flash (Read/Write)',
      '',
      'Configuration register is 0x2102',
    ].join('\n') + '\n'
  );
}
