/** Keys for Wireshark: ikev1_decryption_table (cookie, encryption key) and esp_sa (both directions of each pair). */
import { ESP_CIPHERS, ESP_INTEGRITY } from '../../../esp/algorithms.js';
import type { EspKeyRow, IsakmpKeyRow, KeyMaterial } from '../../../../contract/keys.js';
import type { EngineSnapshot } from '../sa/tables.js';

export type { EspKeyRow, IsakmpKeyRow, KeyMaterial };

function spiHex(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

/** Keys for Wireshark: every ISAKMP SA with keys, both directions of every IPsec pair. */
export function keyMaterial(s: EngineSnapshot): KeyMaterial {
  const isakmp: IsakmpKeyRow[] = [];
  for (const sa of s.tables.isakmp.values()) {
    if (!sa.keys) continue;
    isakmp.push({ connId: sa.connId, peer: sa.remote.ip, initiatorCookie: sa.ckyI.toString('hex'), encryptionKey: sa.keys.encryptionKey.toString('hex') });
  }
  const esp: EspKeyRow[] = [];
  for (const r of s.tables.ipsec.values()) {
    const sp = r.spec;
    const enc = ESP_CIPHERS[sp.cipher].wiresharkName;
    const auth = ESP_INTEGRITY[sp.integrity].wiresharkName;
    const udp = sp.udpEncapsulation !== null;
    esp.push({
      src: sp.remote.ip,
      dst: sp.local.ip,
      spi: spiHex(sp.inbound.spi),
      encryption: enc,
      encryptionKey: sp.inbound.encryptionKey.toString('hex'),
      authentication: auth,
      authenticationKey: sp.inbound.authenticationKey.toString('hex'),
      udpEncapsulated: udp,
    });
    esp.push({
      src: sp.local.ip,
      dst: sp.remote.ip,
      spi: spiHex(sp.outbound.spi),
      encryption: enc,
      encryptionKey: sp.outbound.encryptionKey.toString('hex'),
      authentication: auth,
      authenticationKey: sp.outbound.authenticationKey.toString('hex'),
      udpEncapsulated: udp,
    });
  }
  return { isakmp, esp };
}
