/** Keys for Wireshark: ikev1_decryption_table (cookie, encryption key) and esp_sa (both directions of each pair). */
import { ESP_CIPHERS, ESP_INTEGRITY } from '../../../esp/algorithms.js';
import type { EngineSnapshot } from '../sa/tables.js';

export interface IsakmpKeyRow {
  readonly connId: number;
  readonly peer: string;
  /** 16 hex digits: the ikev1_decryption_table key. */
  readonly initiatorCookie: string;
  readonly encryptionKey: string;
}

export interface EspKeyRow {
  readonly src: string;
  readonly dst: string;
  /** "0xF800D61F" as Wireshark's esp_sa wants it. */
  readonly spi: string;
  /** Wireshark names: "DES-CBC [RFC2405]", "HMAC-MD5-96 [RFC2403]". */
  readonly encryption: string;
  readonly encryptionKey: string;
  readonly authentication: string;
  readonly authenticationKey: string;
  readonly udpEncapsulated: boolean;
}

export interface KeyMaterial {
  readonly isakmp: IsakmpKeyRow[];
  readonly esp: EspKeyRow[];
}

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
    esp.push({ src: sp.remote.ip, dst: sp.local.ip, spi: spiHex(sp.inbound.spi), encryption: enc, encryptionKey: sp.inbound.encryptionKey.toString('hex'), authentication: auth, authenticationKey: sp.inbound.authenticationKey.toString('hex'), udpEncapsulated: udp });
    esp.push({ src: sp.local.ip, dst: sp.remote.ip, spi: spiHex(sp.outbound.spi), encryption: enc, encryptionKey: sp.outbound.encryptionKey.toString('hex'), authentication: auth, authenticationKey: sp.outbound.authenticationKey.toString('hex'), udpEncapsulated: udp });
  }
  return { isakmp, esp };
}
