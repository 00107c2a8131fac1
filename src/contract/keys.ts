/**
 * The key material a router reports (`ios --keys` prints it as one JSON
 * line): every ISAKMP SA and both directions of every IPsec SA it has had,
 * for Wireshark's decryption tables, by hand. The router's IKE views produce
 * it. The orchestrator (src/orchestrator/lab/keys.ts) reads the same rows
 * from the key journal below, not from this command.
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

const strings = (x: unknown, keys: string[]) => typeof x === 'object' && x !== null && keys.every((k) => typeof (x as Record<string, unknown>)[k] === 'string');
const isIsakmpRow = (r: unknown): r is IsakmpKeyRow => strings(r, ['initiatorCookie', 'encryptionKey']);
const isEspRow = (r: unknown): r is EspKeyRow => strings(r, ['src', 'dst', 'spi', 'encryption', 'encryptionKey', 'authentication', 'authenticationKey']);
const ISAKMP_ROW_ERROR = 'an ISAKMP key row lacks initiatorCookie or encryptionKey';
const ESP_ROW_ERROR = 'an ESP key row lacks an address, the SPI, an algorithm or a key';

/**
 * The router's key journal: a file in its container to which it appends one
 * line per SA as the SA comes up (`{"isakmp":{...}}` or `{"esp":{...}}`).
 * On a lab whose engine shares this machine's files, the journal's
 * directory is bound to `artifacts/LAB/keys/NODE/` (plan.ts), so the
 * orchestrator reads it as a file of its own: no request to Docker, and
 * the keys outlive the container. Elsewhere (a swarm, a remote engine) it
 * reads it with one archive request per router (a hundred of them cost a
 * 2-core machine 9 s of CPU, in Docker's tar processes). Either way no
 * process is started in the router (`down` of a 100-router lab once paid a
 * hundred `ios --keys`). The journal outlives a restart of the agent, so
 * the keys of SAs from before the restart, still in the pcaps, stay
 * readable.
 */
export const KEY_JOURNAL_DIR = '/var/lib/testbed/keys';
export const KEY_JOURNAL_PATH = `${KEY_JOURNAL_DIR}/keys.jsonl`;

export type KeyJournalEntry = { readonly isakmp: IsakmpKeyRow } | { readonly esp: EspKeyRow };

/** One line of the journal, with its newline. */
export function encodeKeyJournalLine(entry: KeyJournalEntry): string {
  return `${JSON.stringify(entry)}\n`;
}

/** The key of a row in its table: an ISAKMP SA by initiator cookie, an ESP SA by destination and SPI. */
export function keyRowId(entry: KeyJournalEntry): string {
  return 'isakmp' in entry ? `isakmp:${entry.isakmp.initiatorCookie}` : `esp:${entry.esp.dst}/${entry.esp.spi}`;
}

/**
 * The entries of a journal, one per SA (a later line for the same SA
 * replaces the earlier one), in the order they were first written. A last
 * line without its newline is one being written while the file was read and
 * is left out; any other line that is not an entry is a ContractError naming
 * its line number.
 */
export function decodeKeyJournal(text: string): KeyJournalEntry[] {
  const lines = text.split('\n');
  // the part after the last newline: empty, or a line still being written
  lines.pop();
  const entries = new Map<string, KeyJournalEntry>();
  lines.forEach((line, i) => {
    if (line === '') return;
    const where = `key journal line ${i + 1}`;
    let v: unknown;
    try {
      v = JSON.parse(line) as unknown;
    } catch (e) {
      throw new ContractError(`${where} is not JSON: ${(e as Error).message}`);
    }
    const o = v as Record<string, unknown> | null;
    let entry: KeyJournalEntry;
    if (o && typeof o === 'object' && 'isakmp' in o && !('esp' in o)) {
      if (!isIsakmpRow(o.isakmp)) throw new ContractError(`${where}: ${ISAKMP_ROW_ERROR}`);
      entry = { isakmp: o.isakmp };
    } else if (o && typeof o === 'object' && 'esp' in o && !('isakmp' in o)) {
      if (!isEspRow(o.esp)) throw new ContractError(`${where}: ${ESP_ROW_ERROR}`);
      entry = { esp: o.esp };
    } else throw new ContractError(`${where} needs one "isakmp" or "esp" row`);
    entries.set(keyRowId(entry), entry);
  });
  return [...entries.values()];
}

/** A journal's entries as the key material `ios --keys` prints. */
export function keyMaterialOf(entries: readonly KeyJournalEntry[]): KeyMaterial {
  return {
    isakmp: entries.flatMap((e) => ('isakmp' in e ? [e.isakmp] : [])),
    esp: entries.flatMap((e) => ('esp' in e ? [e.esp] : [])),
  };
}
