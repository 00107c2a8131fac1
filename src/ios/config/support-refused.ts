/**
 * Commands of IOS releases after 12.2 mainline (12.2T, 12.3, 12.4) that a 2600
 * running 12.2(27) refuses, so the emulator refuses them too with IOS's own
 * "% Invalid input detected at '^' marker.". `basis` says how sure the release
 * is (docs/research/ios-12.2-notes.md, section 9, cites the sources).
 */
import type { SupportMode } from './support-types.js';

export interface LaterCommand {
  mode: SupportMode;
  /** Keywords as typed. */
  command: string;
  /** The release that introduced it, as far as known. */
  release: string;
  /** documented: a source names the release; inferred: reasoned from sources; open: unknown, refused as before. */
  basis: 'documented' | 'inferred' | 'open';
}

export const LATER_COMMANDS: readonly LaterCommand[] = [
  { mode: 'global', command: 'zone security', release: '12.4(6)T (zone-based policy firewall)', basis: 'documented' },
  { mode: 'global', command: 'zone-pair security', release: '12.4(6)T (zone-based policy firewall)', basis: 'documented' },
  { mode: 'global', command: 'class-map type inspect', release: '12.4(6)T (zone-based policy firewall)', basis: 'documented' },
  { mode: 'global', command: 'policy-map type inspect', release: '12.4(6)T (zone-based policy firewall)', basis: 'documented' },
  { mode: 'global', command: 'parameter-map type', release: '12.4(6)T (zone-based policy firewall)', basis: 'documented' },
  { mode: 'interface', command: 'zone-member security', release: '12.4(6)T (zone-based policy firewall)', basis: 'documented' },
  { mode: 'global', command: 'ip nat translation max-entries', release: '12.3(4)T (Rate Limiting NAT Translation)', basis: 'documented' },
  { mode: 'global', command: 'crypto isakmp profile', release: '12.2(15)T (VRF-aware IPsec)', basis: 'inferred' },
  { mode: 'global', command: 'crypto keyring', release: '12.2(15)T (VRF-aware IPsec); present in 12.3(2)T', basis: 'inferred' },
  { mode: 'crypto-map', command: 'set isakmp-profile', release: '12.2(15)T (VRF-aware IPsec)', basis: 'inferred' },
  { mode: 'global', command: 'crypto ipsec profile', release: '12.2(13)T (DMVPN)', basis: 'inferred' },
  { mode: 'interface', command: 'tunnel protection', release: '12.2(13)T (DMVPN)', basis: 'inferred' },
  { mode: 'interface', command: 'tunnel mode ipsec', release: '12.3(14)T (static virtual tunnel interfaces)', basis: 'inferred' },
  { mode: 'global', command: 'crypto isakmp client', release: '12.2(8)T (Easy VPN server)', basis: 'inferred' },
  { mode: 'global', command: 'crypto isakmp invalid-spi-recovery', release: '12.3(2)T (Invalid SPI Recovery)', basis: 'inferred' },
  { mode: 'global', command: 'crypto pki', release: '12.3(7)T (crypto ca renamed crypto pki)', basis: 'inferred' },
  { mode: 'global', command: 'crypto ipsec fragmentation', release: '12.2(13)T (Pre-Fragmentation for IPsec VPNs; 12.1(11b)E before)', basis: 'documented' },
  { mode: 'global', command: 'crypto ipsec security-association idle-time', release: '12.2(15)T (IPsec SA idle timers)', basis: 'inferred' },
  { mode: 'global', command: 'crypto ipsec security-association replay', release: '12.3(14)T (anti-replay window size)', basis: 'inferred' },
  { mode: 'crypto-map', command: 'set security-association idle-time', release: '12.2(15)T (IPsec SA idle timers)', basis: 'inferred' },
  { mode: 'crypto-map', command: 'set security-association replay', release: '12.3(14)T (anti-replay window size)', basis: 'inferred' },
  { mode: 'crypto-map', command: 'set nat', release: '12.3(11)T (IPsec NAT demux)', basis: 'inferred' },
  { mode: 'global', command: 'ip http secure-server', release: '12.2(15)T (HTTPS server)', basis: 'inferred' },
  { mode: 'global', command: 'no ip http secure-server', release: '12.2(15)T (HTTPS server)', basis: 'inferred' },
  { mode: 'global', command: 'ip sla', release: '12.4(4)T (IP SLAs; `ip sla monitor` 12.3(14)T)', basis: 'inferred' },
  { mode: 'global', command: 'ip ips', release: '12.3(8)T (IOS IPS)', basis: 'inferred' },
  { mode: 'global', command: 'ip options', release: '12.3(4)T (IP options selective drop)', basis: 'inferred' },
  { mode: 'interface', command: 'ip virtual-reassembly', release: '12.3(8)T (virtual fragment reassembly)', basis: 'inferred' },
  // `ip tcp adjust-mss` (12.2(8)T) is emulated (cmd-tunnel.ts); its 12.2(4)T name was replaced by it in 12.2(8)T
  { mode: 'interface', command: 'ip adjust-mss', release: '12.2(4)T (TCP MSS adjustment), renamed ip tcp adjust-mss in 12.2(8)T', basis: 'documented' },
  { mode: 'global', command: 'control-plane', release: '12.3(4)T (control plane policing)', basis: 'inferred' },
  { mode: 'global', command: 'archive', release: '12.3(4)T (configuration archive and change logging)', basis: 'inferred' },
  { mode: 'global', command: 'login block-for', release: '12.3(4)T (login enhancements)', basis: 'inferred' },
  { mode: 'global', command: 'security passwords', release: '12.3(1) (security passwords min-length)', basis: 'inferred' },
  { mode: 'global', command: 'security authentication', release: '12.3(1)', basis: 'inferred' },
  { mode: 'global', command: 'bba-group', release: '12.2(15)T (broadband aggregation groups)', basis: 'inferred' },
  { mode: 'global', command: 'ipv6', release: '12.2(2)T (IPv6)', basis: 'inferred' },
  { mode: 'global', command: 'boot-start-marker', release: 'unknown (printed by 12.3 and 12.4)', basis: 'open' },
  { mode: 'global', command: 'boot-end-marker', release: 'unknown (printed by 12.3 and 12.4)', basis: 'open' },
  { mode: 'global', command: 'resource policy', release: 'unknown (printed by 12.4)', basis: 'open' },
  { mode: 'global', command: 'multilink bundle-name', release: 'unknown (printed by 12.4)', basis: 'open' },
  { mode: 'global', command: 'memory statistics', release: 'unknown', basis: 'open' },
  { mode: 'interface', command: 'serial restart-delay', release: 'unknown (printed by 12.3 and 12.4)', basis: 'open' },
];

/** Marks the later commands of a grammar's mode refused (after everything else is registered). */
export function laterCommands(mode: SupportMode): string[] {
  return LATER_COMMANDS.filter((c) => c.mode === mode).map((c) => c.command);
}
