/**
 * What an ESP SA must be to be installed, asked in one place: the SA
 * constructors (sa.ts) refuse anything else with EspConfigError, and the
 * IKE engine asks the same question before it agrees to a pair, so the
 * engine never lists an SA the datapath refused to install.
 */
import { ESP_CIPHERS, ESP_INTEGRITY, type EspCipher, type EspCipherName, type EspIntegrity, type EspIntegrityName } from './algorithms.js';

/** RFC 4303 section 2.1: SPIs 1..255 are reserved by IANA, 0 is for local use and never sent. */
export const MIN_SPI = 256;
export const MAX_SPI = 0xffffffff;

export interface EspSaParams {
  readonly spi: number;
  readonly cipher: EspCipherName | EspCipher;
  readonly integrity: EspIntegrityName | EspIntegrity;
  /** Checked when given (the engine asks before the keys exist). */
  readonly encryptionKey?: Buffer;
  readonly authenticationKey?: Buffer;
}

/** Whether an SPI may name an SA on the wire. */
export function validSpi(spi: number): boolean {
  return Number.isInteger(spi) && spi >= MIN_SPI && spi <= MAX_SPI;
}

/** Why these parameters make no ESP SA, or null when they do. */
export function espSaProblem(p: EspSaParams): string | null {
  if (!validSpi(p.spi)) return `bad SPI ${p.spi} (RFC 4303 section 2.1: 0-255 are reserved)`;
  const cipher = typeof p.cipher === 'string' ? ESP_CIPHERS[p.cipher] : p.cipher;
  const integrity = typeof p.integrity === 'string' ? ESP_INTEGRITY[p.integrity] : p.integrity;
  if (!cipher || !integrity) return `unknown ESP transform ${String(p.cipher)}/${String(p.integrity)}`;
  if (!cipher.cbc && integrity.icvSize === 0) return 'ESP with NULL encryption and no integrity is not allowed (RFC 4303 section 3.2)';
  if (p.encryptionKey && p.encryptionKey.length !== cipher.keySize) return `${cipher.name} needs a ${cipher.keySize}-byte key, got ${p.encryptionKey.length}`;
  if (p.authenticationKey && p.authenticationKey.length !== integrity.keySize) {
    return `${integrity.name} needs a ${integrity.keySize}-byte key, got ${p.authenticationKey.length}`;
  }
  if (cipher.cbc && cipher.cbc.ivSize !== cipher.cbc.blockSize) return `${cipher.name}: CBC needs an IV of one block`;
  return null;
}
