/**
 * Global settings stored as kept lines (config.extras) that the agent acts on:
 * `ip domain-name`, `crypto ipsec df-bit` and `no crypto ipsec nat-transparency
 * udp-encapsulation`. Kept lines already print back in `show running-config`
 * where IOS prints them; this reads their values. Pure.
 */
import type { RouterConfig } from './types.js';

/** `crypto ipsec df-bit`: the outer header's DF bit of tunnel-mode ESP (copy is the default). */
export type DfBitMode = 'copy' | 'set' | 'clear';

export interface KeptSettings {
  /** `ip domain-name NAME` (or `ip domain name NAME`), the last one written; null when none. */
  domainName: string | null;
  /** `crypto ipsec df-bit clear|set|copy`; copy unless configured. */
  dfBit: DfBitMode;
  /** False after `no crypto ipsec nat-transparency udp-encapsulation`. */
  natTransparency: boolean;
}

/** Kept lines that hold one value: a new one replaces the old, `no` + the prefix removes it (extras.ts). */
export const SINGLE_VALUED_PREFIXES: readonly string[] = ['ip domain-name ', 'ip domain name ', 'crypto ipsec df-bit '];

export function keptSettings(config: RouterConfig): KeptSettings {
  const out: KeptSettings = { domainName: null, dfBit: 'copy', natTransparency: true };
  for (const block of config.extras) {
    if (block.lines.length !== 1) continue;
    const words = block.lines[0]!.split(' ');
    const line = words.join(' ');
    if (line.startsWith('ip domain-name ') || line.startsWith('ip domain name ')) out.domainName = words[words.length - 1]!;
    else if (line.startsWith('crypto ipsec df-bit ')) out.dfBit = words[3] as DfBitMode;
    else if (line === 'no crypto ipsec nat-transparency udp-encapsulation') out.natTransparency = false;
    else if (line === 'crypto ipsec nat-transparency udp-encapsulation') out.natTransparency = true;
  }
  return out;
}
