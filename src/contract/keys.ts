/**
 * The key material a router reports (`ios --keys` prints it as one JSON
 * line): every ISAKMP SA and both directions of every IPsec SA it has had,
 * for Wireshark's decryption tables. The router's IKE views produce it, the
 * orchestrator (src/orchestrator/lab/keys.ts) reads it.
 */
import { ContractError } from './env.js';

/** The argument of the router's `ios` command that prints the key material. */
export const KEYS_FLAG = '--keys';

export interface IsakmpKeyRow {
  readonly connId: number;
  readonly peer: string;
  /** 16 hex digits: the ikev1_decryption_table key. */
  readonly initiatorCookie: string;
  /** Hex. */
  readonly encryptionKey: string;
}

export interface EspKeyRow {
  readonly src: string;
  readonly dst: string;
  /** "0xF800D61F" as Wireshark's esp_sa wants it. */
  readonly spi: string;
  /** Wireshark names (contract/esp.ts): "DES-CBC [RFC2405]", "HMAC-MD5-96 [RFC2403]". */
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

export function encodeKeyMaterial(k: KeyMaterial): string {
  return JSON.stringify(k);
}

/** The key material a router printed; ContractError when it is not that. */
export function decodeKeyMaterial(text: string): KeyMaterial {
  let v: unknown;
  try {
    v = JSON.parse(text) as unknown;
  } catch (e) {
    throw new ContractError(`key material is not JSON: ${(e as Error).message}`);
  }
  const o = v as Record<string, unknown> | null;
  if (!o || typeof o !== 'object' || !Array.isArray(o.isakmp) || !Array.isArray(o.esp)) throw new ContractError('key material needs "isakmp" and "esp" lists');
  const strings = (x: unknown, keys: string[]) =>
    typeof x === 'object' && x !== null && keys.every((k) => typeof (x as Record<string, unknown>)[k] === 'string');
  if (!o.isakmp.every((r) => strings(r, ['initiatorCookie', 'encryptionKey'])))
    throw new ContractError('an ISAKMP key row lacks initiatorCookie or encryptionKey');
  if (!o.esp.every((r) => strings(r, ['src', 'dst', 'spi', 'encryption', 'encryptionKey', 'authentication', 'authenticationKey'])))
    throw new ContractError('an ESP key row lacks an address, the SPI, an algorithm or a key');
  return o as unknown as KeyMaterial;
}
