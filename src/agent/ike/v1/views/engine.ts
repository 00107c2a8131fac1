/** `show crypto engine connections active`: the ISAKMP connection and both IPsec connections of each pair. */
import type { EngineSnapshot } from '../sa/tables.js';

export interface EngineConnectionRow {
  readonly id: number;
  /** "<none>" for ISAKMP connections. */
  readonly interface: string;
  readonly ipAddress: string;
  readonly state: 'set';
  /** "HMAC_SHA+DES_56_CB", "HMAC_MD5+DES_56_CB". */
  readonly algorithm: string;
  readonly kind: 'isakmp' | 'ipsec';
  /** For IPsec rows: the SPI whose datapath counters give Encrypt (outbound) / Decrypt (inbound). */
  readonly spi: number | null;
  readonly direction: 'inbound' | 'outbound' | null;
}

const IOS_CIPHER: Record<string, string> = {
  'des-cbc': 'DES_56_CB',
  '3des-cbc': '3DES_56_C',
  'aes128-cbc': 'AES_128_CB',
  'aes192-cbc': 'AES_192_CB',
  'aes256-cbc': 'AES_256_CB',
  des: 'DES_56_CB',
  '3des': '3DES_56_C',
  aes128: 'AES_128_CB',
  aes192: 'AES_192_CB',
  aes256: 'AES_256_CB',
  null: 'NULL',
};
const IOS_HMAC: Record<string, string> = {
  md5: 'HMAC_MD5',
  sha1: 'HMAC_SHA',
  sha256: 'HMAC_SHA256',
  sha384: 'HMAC_SHA384',
  sha512: 'HMAC_SHA512',
  'hmac-md5-96': 'HMAC_MD5',
  'hmac-sha1-96': 'HMAC_SHA',
  'hmac-sha256-128': 'HMAC_SHA256',
  none: '',
};

/** "HMAC_MD5+DES_56_CB" (IOS prints 3DES as "3DES_56_C"; the AES names are this project's guess). */
export function engineAlgorithm(cipher: string, hash: string): string {
  const h = IOS_HMAC[hash] ?? hash.toUpperCase();
  const c = IOS_CIPHER[cipher] ?? cipher.toUpperCase();
  return h ? `${h}+${c}` : c;
}

/** ISAKMP connections ("<none>" interface) and the inbound and outbound connection of each IPsec pair. */
export function engineConnectionRows(s: EngineSnapshot): EngineConnectionRow[] {
  const rows: EngineConnectionRow[] = [];
  for (const sa of s.tables.isakmp.values()) {
    if (sa.deleted || !sa.suite) continue;
    rows.push({
      id: sa.connId,
      interface: '<none>',
      ipAddress: '<none>',
      state: 'set',
      algorithm: engineAlgorithm(sa.suite.cipher.name, sa.suite.hash.name),
      kind: 'isakmp',
      spi: null,
      direction: null,
    });
  }
  for (const r of s.tables.ipsec.values()) {
    const sp = r.spec;
    const algorithm = engineAlgorithm(sp.cipher, sp.integrity);
    rows.push({
      id: sp.inbound.connId,
      interface: sp.interface,
      ipAddress: sp.local.ip,
      state: 'set',
      algorithm,
      kind: 'ipsec',
      spi: sp.inbound.spi,
      direction: 'inbound',
    });
    rows.push({
      id: sp.outbound.connId,
      interface: sp.interface,
      ipAddress: sp.local.ip,
      state: 'set',
      algorithm,
      kind: 'ipsec',
      spi: sp.outbound.spi,
      direction: 'outbound',
    });
  }
  return rows.sort((a, b) => a.id - b.id);
}

// ------------------------------------------------------------- key tables
