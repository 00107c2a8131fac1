/**
 * ESP transforms: ciphers (RFC 2405, 2451, 3602, 2410) and integrity
 * algorithms (RFC 2403, 2404, 4868), with their IPsec DOI numbers, IOS
 * transform-set keywords and Wireshark esp_sa names.
 */
import { CIPHERS, type CipherAlgorithm } from '../crypto/algorithms.js';
import { ESP_CIPHER_NAMES, ESP_INTEGRITY_NAMES, type EspCipherName, type EspIntegrityName } from '../../contract/esp.js';
import { EspConfigError } from './errors.js';

export type { EspCipherName, EspIntegrityName } from '../../contract/esp.js';

export interface EspCipher {
  readonly name: EspCipherName;
  /** IPsec DOI ESP transform ID (RFC 2407 section 4.4.4): 2 DES, 3 3DES, 11 NULL, 12 AES-CBC. */
  readonly transformId: number;
  /** IPsec DOI attribute 6 (key length, bits), for AES only. */
  readonly keyLengthBits?: number;
  /** The CBC cipher; undefined for NULL. */
  readonly cbc?: CipherAlgorithm;
  readonly keySize: number;
  readonly ivSize: number;
  /** Alignment of payload | padding | pad length | next header: the block size, at least 4. */
  readonly padBlock: number;
  /** IOS transform-set keyword(s). */
  readonly iosName: string;
  /** Name in Wireshark's esp_sa table. */
  readonly wiresharkName: string;
}

function cbcCipher(name: EspCipherName, cbc: CipherAlgorithm, transformId: number, iosName: string, keyLengthBits?: number): EspCipher {
  const wiresharkName = ESP_CIPHER_NAMES[name].wiresharkName;
  return { name, transformId, keyLengthBits, cbc, keySize: cbc.keySize, ivSize: cbc.ivSize, padBlock: Math.max(4, cbc.blockSize), iosName, wiresharkName };
}

export const ESP_CIPHERS: Readonly<Record<EspCipherName, EspCipher>> = {
  des: cbcCipher('des', CIPHERS['des-cbc'], 2, 'esp-des'),
  '3des': cbcCipher('3des', CIPHERS['3des-cbc'], 3, 'esp-3des'),
  aes128: cbcCipher('aes128', CIPHERS['aes128-cbc'], 12, 'esp-aes', 128),
  aes192: cbcCipher('aes192', CIPHERS['aes192-cbc'], 12, 'esp-aes 192', 192),
  aes256: cbcCipher('aes256', CIPHERS['aes256-cbc'], 12, 'esp-aes 256', 256),
  null: { name: 'null', transformId: 11, keySize: 0, ivSize: 0, padBlock: 4, iosName: 'esp-null', wiresharkName: ESP_CIPHER_NAMES.null.wiresharkName },
};

/** Resolve an ESP transform ID (and key length attribute, bits) from a Quick Mode proposal. */
export function espCipherByTransformId(transformId: number, keyLengthBits?: number): EspCipher {
  if (transformId === 12) {
    // RFC 3602 section 5.3: the key length attribute MUST be present for AES.
    const c = Object.values(ESP_CIPHERS).find((x) => x.transformId === 12 && x.keyLengthBits === keyLengthBits);
    if (c) return c;
    throw new EspConfigError(`unsupported AES key length ${keyLengthBits ?? '(missing)'}`);
  }
  const c = Object.values(ESP_CIPHERS).find((x) => x.transformId === transformId);
  if (!c || keyLengthBits !== undefined) {
    throw new EspConfigError(`unsupported ESP transform ${transformId}${keyLengthBits !== undefined ? ` with key length ${keyLengthBits}` : ''}`);
  }
  return c;
}

export interface EspIntegrity {
  readonly name: EspIntegrityName;
  /** IPsec DOI attribute 5 (authentication algorithm): 1 HMAC-MD5, 2 HMAC-SHA, 5 HMAC-SHA2-256; 0 for none. */
  readonly authAttribute: number;
  /** node:crypto hash name; empty for none. */
  readonly nodeName: string;
  readonly keySize: number;
  /** Truncated ICV length in bytes. */
  readonly icvSize: number;
  readonly iosName: string;
  readonly wiresharkName: string;
}

export const ESP_INTEGRITY: Readonly<Record<EspIntegrityName, EspIntegrity>> = {
  'hmac-md5-96': {
    name: 'hmac-md5-96',
    authAttribute: 1,
    nodeName: 'md5',
    keySize: 16,
    icvSize: 12,
    iosName: 'esp-md5-hmac',
    wiresharkName: ESP_INTEGRITY_NAMES['hmac-md5-96'].wiresharkName,
  },
  'hmac-sha1-96': {
    name: 'hmac-sha1-96',
    authAttribute: 2,
    nodeName: 'sha1',
    keySize: 20,
    icvSize: 12,
    iosName: 'esp-sha-hmac',
    wiresharkName: ESP_INTEGRITY_NAMES['hmac-sha1-96'].wiresharkName,
  },
  'hmac-sha256-128': {
    name: 'hmac-sha256-128',
    authAttribute: 5,
    nodeName: 'sha256',
    keySize: 32,
    icvSize: 16,
    iosName: 'esp-sha256-hmac',
    wiresharkName: ESP_INTEGRITY_NAMES['hmac-sha256-128'].wiresharkName,
  },
  none: { name: 'none', authAttribute: 0, nodeName: '', keySize: 0, icvSize: 0, iosName: '', wiresharkName: ESP_INTEGRITY_NAMES.none.wiresharkName },
};

/** Resolve IPsec DOI attribute 5; `undefined` (attribute absent) means no integrity. */
export function espIntegrityByAuthAttribute(value: number | undefined): EspIntegrity {
  if (value === undefined) return ESP_INTEGRITY.none;
  const i = Object.values(ESP_INTEGRITY).find((x) => x.authAttribute === value && x.name !== 'none');
  if (!i) throw new EspConfigError(`unsupported ESP authentication algorithm ${value}`);
  return i;
}
