/**
 * ESP algorithms as nodes report them to the orchestrator: the names testbed
 * uses, and the names and key sizes of Wireshark's esp_sa table, which is
 * what the key material (keys.ts) carries. The datapath's own table
 * (src/agent/esp/algorithms.ts) takes its Wireshark names from here; a unit
 * test checks that the key sizes agree.
 */
export type EspCipherName = 'des' | '3des' | 'aes128' | 'aes192' | 'aes256' | 'null';
export type EspIntegrityName = 'hmac-md5-96' | 'hmac-sha1-96' | 'hmac-sha256-128' | 'none';

/** An ESP algorithm as a key table names it. */
export interface EspKeyAlgorithm<Name extends string> {
  readonly name: Name;
  /** Key length in bytes. */
  readonly keySize: number;
  /** Name in Wireshark's esp_sa table (packet-ipsec.c). */
  readonly wiresharkName: string;
}

export const ESP_CIPHER_NAMES: Readonly<Record<EspCipherName, EspKeyAlgorithm<EspCipherName>>> = {
  des: { name: 'des', keySize: 8, wiresharkName: 'DES-CBC [RFC2405]' },
  '3des': { name: '3des', keySize: 24, wiresharkName: 'TripleDES-CBC [RFC2451]' },
  aes128: { name: 'aes128', keySize: 16, wiresharkName: 'AES-CBC [RFC3602]' },
  aes192: { name: 'aes192', keySize: 24, wiresharkName: 'AES-CBC [RFC3602]' },
  aes256: { name: 'aes256', keySize: 32, wiresharkName: 'AES-CBC [RFC3602]' },
  null: { name: 'null', keySize: 0, wiresharkName: 'NULL' },
};

export const ESP_INTEGRITY_NAMES: Readonly<Record<EspIntegrityName, EspKeyAlgorithm<EspIntegrityName>>> = {
  'hmac-md5-96': { name: 'hmac-md5-96', keySize: 16, wiresharkName: 'HMAC-MD5-96 [RFC2403]' },
  'hmac-sha1-96': { name: 'hmac-sha1-96', keySize: 20, wiresharkName: 'HMAC-SHA-1-96 [RFC2404]' },
  'hmac-sha256-128': { name: 'hmac-sha256-128', keySize: 32, wiresharkName: 'HMAC-SHA-256-128 [RFC4868]' },
  none: { name: 'none', keySize: 0, wiresharkName: 'NULL' },
};

/** The cipher a key table line names (Wireshark name and key length; AES needs both). */
export function espCipherOf(wiresharkName: string, keyBytes: number): EspKeyAlgorithm<EspCipherName> | undefined {
  return Object.values(ESP_CIPHER_NAMES).find((c) => c.wiresharkName === wiresharkName && c.keySize === keyBytes);
}

export function espIntegrityOf(wiresharkName: string, keyBytes: number): EspKeyAlgorithm<EspIntegrityName> | undefined {
  return Object.values(ESP_INTEGRITY_NAMES).find((i) => i.wiresharkName === wiresharkName && i.keySize === keyBytes);
}
