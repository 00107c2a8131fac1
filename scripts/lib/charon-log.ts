/**
 * Reads charon's file log (strongSwan 5.9, `time_format = %b %e %T`, `ike_name = yes`) as a
 * list of entries: one per log message, with the IKE_SA it belongs to and, for the messages
 * that print a chunk with %B ("SKEYID => 20 bytes @ 0x...", then "   0: EB 86 ..." lines), the
 * bytes. Used by scripts/record-strongswan-vectors.ts to take strongSwan's own key derivation
 * out of a lab (levels ike 4, enc 3, chd 4).
 */

export interface CharonEntry {
  /** 1-based line number of the message's first line in the log. */
  readonly line: number;
  readonly thread: number;
  /** Subsystem: IKE, ENC, CHD, NET ... */
  readonly group: string;
  /** Unique ID of the IKE_SA ("<daphne|3>" or "<3>" -> 3), or undefined outside of one. */
  readonly ikeSa: number | undefined;
  /** The message text; for a chunk dump, the text before " => N bytes". */
  readonly text: string;
  readonly bytes?: Buffer;
  /** The message's lines as they were in the log. */
  readonly raw: string[];
}

const LINE = /^\w{3}\s+\d+ \d\d:\d\d:\d\d (\d+)\[(\w+)\] (?:<(?:[^|>]*\|)?(\d+)> )?(.*)$/;
const DUMP = /^(.*) => (\d+) bytes @ (?:0x[0-9a-f]+|\(nil\))$/;
const ROW = /^ *(\d+): ((?:[0-9A-F]{2} ?){1,16})/;

/** All log messages of `log` (other lines, e.g. the node's own, are skipped). */
export function parseCharonLog(log: string): CharonEntry[] {
  const lines = log.split('\n');
  const out: CharonEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = LINE.exec(lines[i]!);
    if (!m) continue;
    const [, thread, group, sa, text] = m;
    const dump = DUMP.exec(text!);
    if (!dump) {
      out.push({ line: i + 1, thread: Number(thread), group: group!, ikeSa: sa === undefined ? undefined : Number(sa), text: text!, raw: [lines[i]!] });
      continue;
    }
    const start = i + 1;
    const length = Number(dump[2]);
    const bytes: number[] = [];
    const raw = [lines[i]!];
    while (bytes.length < length) {
      const next = LINE.exec(lines[i + 1] ?? '');
      const row = next && next[1] === thread ? ROW.exec(next[4]!) : null;
      if (!row || Number(row[1]) !== bytes.length) throw new Error(`charon log line ${i + 2}: expected the dump of "${dump[1]}" at offset ${bytes.length}`);
      const want = Math.min(16, length - bytes.length);
      const values = row[2]!.trim().split(' ').slice(0, want);
      if (values.length !== want) throw new Error(`charon log line ${i + 2}: ${values.length} bytes, expected ${want}`);
      bytes.push(...values.map((v) => parseInt(v, 16)));
      raw.push(lines[++i]!);
    }
    out.push({
      line: start,
      thread: Number(thread),
      group: group!,
      ikeSa: sa === undefined ? undefined : Number(sa),
      text: dump[1]!,
      bytes: Buffer.from(bytes),
      raw,
    });
  }
  return out;
}
