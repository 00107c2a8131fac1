/**
 * Shared pieces of the typed IOS show parsers. The parsers are pure and
 * tolerant: they read line by line, accept any run of spaces (and the
 * seed's pasted one-line form), skip prompt echoes and IOS messages
 * ("% ... is not emulated"), and never throw on text they do not know.
 */

/** One parsed row or block of a show command: field name -> value. */
export type ShowRecord = Record<string, ShowValue>;
/** Lists of objects (the ESP SAs of an ipsec_sa record) are carried along for reports; no field compares them. */
export type ShowValue = string | number | boolean | null | string[] | number[] | Record<string, unknown>[];

export type FieldType = 'string' | 'number' | 'address' | 'prefix' | 'spi' | 'boolean' | 'list';

export interface FieldDoc {
  type: FieldType;
  doc: string;
}

export const IPV4 = String.raw`\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}`;

/** 255.255.255.0 -> 24; null when not a contiguous mask. */
export function maskBits(mask: string): number | null {
  const parts = mask.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return null;
  const value = ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
  const inv = ~value >>> 0;
  if ((inv & (inv + 1)) !== 0) return null;
  let n = 0;
  for (let bit = 31; bit >= 0 && ((value >>> bit) & 1) === 1; bit--) n++;
  return n;
}

/** "13.13.13.0/255.255.255.0" or "13.13.13.0/24" -> "13.13.13.0/24" (unchanged when neither). */
export function normalizePrefix(text: string): string {
  const m = new RegExp(`^(${IPV4})/(${IPV4}|\\d{1,2})$`).exec(text.trim());
  if (!m) return text.trim();
  const bits = m[2]!.includes('.') ? maskBits(m[2]!) : Number(m[2]);
  return bits === null || bits > 32 ? text.trim() : `${m[1]}/${bits}`;
}

/** SPI text as IOS prints it: "0xD8870500(3632727296)", "0xD8870500", "B326CBE6", "0". */
export function parseSpi(text: string): number | null {
  const t = text.trim();
  const dec = /\((\d+)\)$/.exec(t);
  if (dec) return Number(dec[1]);
  const hex = /^(?:0x)?([0-9a-f]{1,8})$/i.exec(t);
  return hex ? parseInt(hex[1]!, 16) : null;
}

export function formatSpi(spi: number): string {
  return `0x${spi.toString(16).toUpperCase().padStart(8, '0')}`;
}

/**
 * The seed pastes show output on one line; real IOS prints one item per
 * line. Both are accepted: lines are kept as they are, and a line that holds
 * several items is split before each known item start.
 */
export function splitItems(text: string, starts: RegExp): string[] {
  const out: string[] = [];
  for (const raw of text.replace(/\r/g, '').split('\n')) {
    const pieces = raw.split(starts).filter((p) => p.trim() !== '');
    out.push(...(pieces.length ? pieces : [raw]));
  }
  return out;
}
