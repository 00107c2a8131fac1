/**
 * Wireshark's decryption tables, so that a lab's pcaps open decrypted:
 *
 *   esp_sa                  one line per ESP SA (direction):
 *     "IPv4","11.11.11.1","11.11.11.2","0x2003eff0","DES-CBC [RFC2405]","0x<key>","HMAC-MD5-96 [RFC2403]","0x<key>"
 *   ikev1_decryption_table  one line per IKE SA: <initiator cookie, 16 hex>,<phase-1 encryption key, hex>
 *   preferences             esp.enable_encryption_decode: TRUE, esp.enable_authentication_check: TRUE
 *
 * The same records go to tshark as `-o uat:esp_sa:<line>` (repeat -o for
 * several records), `-o uat:ikev1_decryption_table:<line>` and
 * `-o esp.enable_encryption_decode:TRUE` (see tsharkKeyOptions), or are
 * written as a profile directory (writeWiresharkProfile) that Wireshark
 * uses with `-C NAME` when it sits in <config dir>/profiles/NAME.
 *
 * The algorithm names are the strings of Wireshark's esp_sa UAT enums,
 * checked against tshark 4.0 (tests/unit/orchestrator/capture): an unknown name makes
 * tshark refuse the whole option ("esp_sa:1: invalid value"). Note the case
 * of "TripleDES-CBC [RFC2451]": "TripleDes-CBC" (strongSwan's spelling) is
 * refused.
 *
 * Formatting is pure; only writeWiresharkProfile touches the file system.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ESP_CIPHER_NAMES, ESP_INTEGRITY_NAMES, type EspCipherName, type EspIntegrityName, type EspKeyAlgorithm } from '../../contract/esp.js';

type EspCipher = EspKeyAlgorithm<EspCipherName>;
type EspIntegrity = EspKeyAlgorithm<EspIntegrityName>;

/** Encryption algorithm names of Wireshark's esp_sa table (packet-ipsec.c, esp_encryption_type_vals), from the contract's ESP names. */
export const WIRESHARK_ESP_ENCRYPTION: Readonly<Record<EspCipherName, string>> = Object.fromEntries(
  Object.entries(ESP_CIPHER_NAMES).map(([name, c]) => [name, c.wiresharkName]),
) as Record<EspCipherName, string>;

/** Authentication algorithm names of Wireshark's esp_sa table (esp_authentication_type_vals), from the ESP algorithm table. */
export const WIRESHARK_ESP_AUTHENTICATION: Readonly<Record<EspIntegrityName, string>> = Object.fromEntries(
  Object.entries(ESP_INTEGRITY_NAMES).map(([name, i]) => [name, i.wiresharkName]),
) as Record<EspIntegrityName, string>;

/** The preferences that make Wireshark use the esp_sa table (ISAKMP needs none). */
export const WIRESHARK_ESP_PREFERENCES: Readonly<Record<string, string>> = {
  'esp.enable_encryption_decode': 'TRUE',
  'esp.enable_authentication_check': 'TRUE',
};

/** File names inside a Wireshark profile directory. */
export const WiresharkFile = {
  PREFERENCES: 'preferences',
  ESP_SA: 'esp_sa',
  IKEV1_DECRYPTION_TABLE: 'ikev1_decryption_table',
} as const;
export type WiresharkFile = (typeof WiresharkFile)[keyof typeof WiresharkFile];

/** One ESP SA (one direction), as a lab knows it after Quick Mode. */
export interface EspSaKeyEntry {
  /** Outer source address of the ESP packets, or "*" for any. */
  readonly source: string;
  /** Outer destination address, or "*". */
  readonly destination: string;
  /** The SPI on the wire (chosen by the destination). */
  readonly spi: number;
  readonly cipher: EspCipherName | EspCipher;
  readonly encryptionKey: Uint8Array;
  readonly integrity: EspIntegrityName | EspIntegrity;
  readonly authenticationKey: Uint8Array;
}

/** One IKEv1 SA: Wireshark finds it by the initiator cookie and recomputes the IVs from the KE payloads. */
export interface Ikev1KeyEntry {
  /** CKY-I, 8 bytes. */
  readonly initiatorCookie: Uint8Array;
  /** The phase-1 encryption key (SKEYID_e, truncated or expanded to the cipher's key size). */
  readonly encryptionKey: Uint8Array;
}

/** Everything a capture needs to be read decrypted. */
export interface WiresharkKeys {
  readonly esp?: readonly EspSaKeyEntry[];
  readonly ikev1?: readonly Ikev1KeyEntry[];
}

/** A key table entry Wireshark could not use (bad address, SPI, key size). */
export class WiresharkKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WiresharkKeyError';
  }
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function address(value: string, what: string): string {
  if (value !== '*' && !IPV4.test(value)) throw new WiresharkKeyError(`esp_sa: ${what} "${value}" is neither a dotted IPv4 address nor "*"`);
  return value;
}

/** A UAT string field: double-quoted, with `"`, `\` and non-printable bytes as \xNN (Wireshark's uat_esc). */
export function uatString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\' || code < 0x20 || code > 0x7e) {
      for (const byte of Buffer.from(ch, 'utf8')) out += `\\x${byte.toString(16).padStart(2, '0')}`;
    } else {
      out += ch;
    }
  }
  return `${out}"`;
}

function resolveCipher(c: EspCipherName | EspCipher): EspCipher {
  const cipher = typeof c === 'string' ? ESP_CIPHER_NAMES[c] : c;
  if (!cipher) throw new WiresharkKeyError(`esp_sa: unknown ESP cipher ${String(c)}`);
  return cipher;
}

function resolveIntegrity(i: EspIntegrityName | EspIntegrity): EspIntegrity {
  const integrity = typeof i === 'string' ? ESP_INTEGRITY_NAMES[i] : i;
  if (!integrity) throw new WiresharkKeyError(`esp_sa: unknown ESP integrity algorithm ${String(i)}`);
  return integrity;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** `"0x" + hex`, or "" for an empty (NULL) key. */
function keyField(key: Uint8Array): string {
  return key.length === 0 ? '' : `0x${hex(key)}`;
}

/** One esp_sa line (no newline). Throws WiresharkKeyError for values Wireshark cannot use. */
export function formatEspSaRecord(entry: EspSaKeyEntry): string {
  const cipher = resolveCipher(entry.cipher);
  const integrity = resolveIntegrity(entry.integrity);
  if (!Number.isInteger(entry.spi) || entry.spi < 0 || entry.spi > 0xffffffff) throw new WiresharkKeyError(`esp_sa: SPI ${entry.spi} is not a 32-bit number`);
  if (entry.encryptionKey.length !== cipher.keySize) {
    throw new WiresharkKeyError(`esp_sa: ${cipher.name} needs a ${cipher.keySize}-byte key, got ${entry.encryptionKey.length}`);
  }
  if (entry.authenticationKey.length !== integrity.keySize) {
    throw new WiresharkKeyError(`esp_sa: ${integrity.name} needs a ${integrity.keySize}-byte key, got ${entry.authenticationKey.length}`);
  }
  return [
    'IPv4',
    address(entry.source, 'source'),
    address(entry.destination, 'destination'),
    `0x${entry.spi.toString(16).padStart(8, '0')}`,
    WIRESHARK_ESP_ENCRYPTION[cipher.name],
    keyField(entry.encryptionKey),
    WIRESHARK_ESP_AUTHENTICATION[integrity.name],
    keyField(entry.authenticationKey),
  ]
    .map(uatString)
    .join(',');
}

/** One ikev1_decryption_table line (two unquoted hex fields, no newline). */
export function formatIkev1DecryptionRecord(entry: Ikev1KeyEntry): string {
  if (entry.initiatorCookie.length !== 8)
    throw new WiresharkKeyError(`ikev1_decryption_table: the initiator cookie has ${entry.initiatorCookie.length} bytes, needs 8`);
  if (entry.encryptionKey.length === 0) throw new WiresharkKeyError('ikev1_decryption_table: empty encryption key');
  return `${hex(entry.initiatorCookie)},${hex(entry.encryptionKey)}`;
}

function table(comment: string, lines: readonly string[]): string {
  return [`# ${comment}`, ...lines].join('\n') + '\n';
}

/** The esp_sa file: a comment line, then one record per line. */
export function formatEspSaTable(entries: readonly EspSaKeyEntry[]): string {
  return table('testbed: ESP SAs (Wireshark esp_sa table)', entries.map(formatEspSaRecord));
}

/** The ikev1_decryption_table file. */
export function formatIkev1DecryptionTable(entries: readonly Ikev1KeyEntry[]): string {
  return table('testbed: IKEv1 SAs (Wireshark ikev1_decryption_table)', entries.map(formatIkev1DecryptionRecord));
}

/** A Wireshark preferences file ("name: value" lines). */
export function formatPreferences(prefs: Readonly<Record<string, string>>): string {
  return table(
    'testbed: Wireshark preferences for decrypting lab captures',
    Object.entries(prefs).map(([k, v]) => `${k}: ${v}`),
  );
}

/** The files of a decryption profile, by file name (pure; see writeWiresharkProfile). */
export function wiresharkProfileFiles(keys: WiresharkKeys): Record<WiresharkFile, string> {
  return {
    [WiresharkFile.PREFERENCES]: formatPreferences(WIRESHARK_ESP_PREFERENCES),
    [WiresharkFile.ESP_SA]: formatEspSaTable(keys.esp ?? []),
    [WiresharkFile.IKEV1_DECRYPTION_TABLE]: formatIkev1DecryptionTable(keys.ikev1 ?? []),
  };
}

/**
 * The tshark arguments that load `keys` without touching any profile:
 * ["-o", "esp.enable_encryption_decode:TRUE", "-o", "esp.enable_authentication_check:TRUE",
 *  "-o", 'uat:esp_sa:"IPv4","11.11.11.1",...', "-o", "uat:ikev1_decryption_table:<cky>,<key>"].
 * Each record is its own -o (tshark appends them). Pass them as separate
 * argv entries (execFile); in a shell, single-quote each value.
 */
export function tsharkKeyOptions(keys: WiresharkKeys): string[] {
  const args: string[] = [];
  for (const [name, value] of Object.entries(WIRESHARK_ESP_PREFERENCES)) args.push('-o', `${name}:${value}`);
  for (const e of keys.esp ?? []) args.push('-o', `uat:esp_sa:${formatEspSaRecord(e)}`);
  for (const e of keys.ikev1 ?? []) args.push('-o', `uat:ikev1_decryption_table:${formatIkev1DecryptionRecord(e)}`);
  return args;
}

/**
 * Writes the profile files into `dir` (created if needed) and returns their
 * paths. Wireshark uses it as profile NAME when `dir` is
 * <config dir>/profiles/NAME (`wireshark -C NAME`, `tshark -C NAME`).
 */
export async function writeWiresharkProfile(dir: string, keys: WiresharkKeys): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const [name, content] of Object.entries(wiresharkProfileFiles(keys))) {
    const path = join(dir, name);
    await writeFile(path, content, { mode: 0o600 });
    paths.push(path);
  }
  return paths;
}
