/** Keys for Wireshark: ikev1_decryption_table (cookie, encryption key) and esp_sa (both directions of each pair). */
import { ESP_CIPHERS, ESP_INTEGRITY } from '../../../esp/algorithms.js';
import type { EspKeyRow, IsakmpKeyRow, KeyMaterial } from '../../../../contract/keys.js';
import type { EngineSnapshot } from '../sa/tables.js';
import type { IsakmpSa } from '../sa/isakmp-sa.js';
import type { IpsecSaSpec } from '../../types.js';

export type { EspKeyRow, IsakmpKeyRow, KeyMaterial };

function spiHex(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

/** The row of one ISAKMP SA, once it has keys. */
export function isakmpKeyRow(sa: IsakmpSa): IsakmpKeyRow | null {
  if (!sa.keys) return null;
  return { connId: sa.connId, peer: sa.remote.ip, initiatorCookie: sa.ckyI.toString('hex'), encryptionKey: sa.keys.encryptionKey.toString('hex') };
}

/** The two rows of one IPsec pair: inbound (the peer to us) and outbound. */
export function espKeyRows(sp: IpsecSaSpec): EspKeyRow[] {
  const encryption = ESP_CIPHERS[sp.cipher].wiresharkName;
  const authentication = ESP_INTEGRITY[sp.integrity].wiresharkName;
  const udpEncapsulated = sp.udpEncapsulation !== null;
  const row = (src: string, dst: string, d: IpsecSaSpec['inbound']): EspKeyRow => ({
    src,
    dst,
    spi: spiHex(d.spi),
    encryption,
    encryptionKey: d.encryptionKey.toString('hex'),
    authentication,
    authenticationKey: d.authenticationKey.toString('hex'),
    udpEncapsulated,
  });
  return [row(sp.remote.ip, sp.local.ip, sp.inbound), row(sp.local.ip, sp.remote.ip, sp.outbound)];
}

/** Keys for Wireshark: every ISAKMP SA with keys, both directions of every IPsec pair. */
export function keyMaterial(s: EngineSnapshot): KeyMaterial {
  const isakmp: IsakmpKeyRow[] = [];
  for (const sa of s.tables.isakmp.values()) {
    const row = isakmpKeyRow(sa);
    if (row) isakmp.push(row);
  }
  const esp: EspKeyRow[] = [];
  for (const r of s.tables.ipsec.values()) esp.push(...espKeyRows(r.spec));
  return { isakmp, esp };
}
