/**
 * The router's key journal (contract/keys.ts): one line appended per SA as
 * it comes up, read by the orchestrator from outside the container. Bounded:
 * when the file holds more than four times `limit` lines (twice what the two
 * tables keep), it is rewritten with the newest `limit` SAs of each table
 * (through a temporary file and a rename, so a reader sees the old file or
 * the new one).
 */
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { decodeKeyJournal, encodeKeyJournalLine, type KeyJournalEntry } from '../../contract/keys.js';

export class KeyJournal {
  private lines = 0;
  /** Why the journal stopped (said once), or null while it works. */
  private failure: string | null = null;

  constructor(
    private readonly path: string,
    /** SAs kept per table (ISAKMP, ESP) when the file is compacted. */
    private readonly limit: number,
    private readonly onError: (message: string) => void,
  ) {}

  /** Make the directory and take over what an earlier run of the agent wrote (a file that is not a journal is started again). */
  open(): void {
    this.guard(() => {
      mkdirSync(dirname(this.path), { recursive: true });
      let text = '';
      try {
        text = readFileSync(this.path, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      let entries: KeyJournalEntry[];
      try {
        entries = decodeKeyJournal(text);
      } catch (e) {
        this.onError(`${this.path} was not a key journal (${(e as Error).message}); started again`);
        entries = [];
      }
      this.rewrite(entries);
    });
  }

  add(entry: KeyJournalEntry): void {
    this.guard(() => {
      appendFileSync(this.path, encodeKeyJournalLine(entry));
      this.lines++;
      if (this.lines > 4 * this.limit) this.rewrite(decodeKeyJournal(readFileSync(this.path, 'utf8')));
    });
  }

  /** Lines in the file now (tests). */
  get size(): number {
    return this.lines;
  }

  private rewrite(entries: readonly KeyJournalEntry[]): void {
    const isakmp = entries.filter((e) => 'isakmp' in e).slice(-this.limit);
    const esp = entries.filter((e) => 'esp' in e).slice(-this.limit);
    const kept = [...isakmp, ...esp];
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, kept.map(encodeKeyJournalLine).join(''));
    renameSync(tmp, this.path);
    this.lines = kept.length;
  }

  private guard(work: () => void): void {
    if (this.failure !== null) return;
    try {
      work();
    } catch (e) {
      this.failure = (e as Error).message;
      this.onError(`key journal ${this.path} stopped: ${this.failure}`);
    }
  }
}
