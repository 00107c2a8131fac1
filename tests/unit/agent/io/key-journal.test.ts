/**
 * The router's key journal on a real file: appended per SA, taken over after
 * a restart, compacted to the newest SAs of each table, and never a crash
 * when the file cannot be written.
 */
import test from 'ava';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyJournal } from '../../../../src/agent/io/key-journal.js';
import { decodeKeyJournal, type EspKeyRow, type IsakmpKeyRow } from '../../../../src/contract/keys.js';

const esp = (spi: number): EspKeyRow => ({
  src: '11.11.11.1',
  dst: '11.11.11.2',
  spi: `0x${spi.toString(16).padStart(8, '0')}`,
  encryption: 'DES-CBC [RFC2405]',
  encryptionKey: '0102030405060708',
  authentication: 'HMAC-MD5-96 [RFC2403]',
  authenticationKey: '000102030405060708090a0b0c0d0e0f',
  udpEncapsulated: false,
});
const isakmp = (n: number): IsakmpKeyRow => ({
  connId: n,
  peer: '11.11.11.2',
  initiatorCookie: n.toString(16).padStart(16, '0'),
  encryptionKey: '0102030405060708',
});

async function dir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'testbed-journal-'));
  t.teardown(() => rm(d, { recursive: true, force: true }));
  return d;
}

test('each SA is a line as it comes; a second agent on the same file keeps what the first wrote', async (t) => {
  const path = join(await dir(t), 'var', 'lib', 'keys.jsonl');
  const errors: string[] = [];
  const first = new KeyJournal(path, 10, (m) => void errors.push(m));
  first.open();
  t.is(await readFile(path, 'utf8'), '', 'the directory and an empty journal exist after open');
  first.add({ isakmp: isakmp(1) });
  first.add({ esp: esp(0x1000) });
  first.add({ esp: esp(0x1001) });
  t.deepEqual(decodeKeyJournal(await readFile(path, 'utf8')), [{ isakmp: isakmp(1) }, { esp: esp(0x1000) }, { esp: esp(0x1001) }]);
  // the agent restarted (a router restarted in its container): the pcaps still hold those SAs' packets
  const second = new KeyJournal(path, 10, (m) => void errors.push(m));
  second.open();
  second.add({ esp: esp(0x2000) });
  t.deepEqual(
    decodeKeyJournal(await readFile(path, 'utf8')).map((e) => ('esp' in e ? e.esp.spi : e.isakmp.initiatorCookie)),
    ['0000000000000001', '0x00001000', '0x00001001', '0x00002000'],
  );
  t.deepEqual(errors, []);
});

test('bounded: past four times the limit in lines, the file keeps the newest SAs of each table', async (t) => {
  const path = join(await dir(t), 'keys.jsonl');
  const journal = new KeyJournal(path, 3, () => undefined);
  journal.open();
  for (let i = 0; i < 12; i++) journal.add({ esp: esp(i) });
  t.is(journal.size, 12, 'no compaction at four times the limit');
  journal.add({ isakmp: isakmp(1) });
  const entries = decodeKeyJournal(await readFile(path, 'utf8'));
  t.deepEqual(entries, [{ isakmp: isakmp(1) }, { esp: esp(9) }, { esp: esp(10) }, { esp: esp(11) }]);
  t.is(journal.size, 4);
  for (let i = 0; i < 1000; i++) journal.add({ esp: esp(100 + i) });
  t.true(journal.size <= 12, `the file stays bounded (${journal.size} lines)`);
  const last = decodeKeyJournal(await readFile(path, 'utf8'));
  t.deepEqual(last.at(-1), { esp: esp(1099) }, 'the newest SA is always there');
  t.true(
    last.some((e) => 'isakmp' in e),
    'the ISAKMP table is not crowded out by the ESP one',
  );
});

test('a file that is not a journal is started again, said once; a journal that cannot be written is said once and the agent goes on', async (t) => {
  const d = await dir(t);
  const path = join(d, 'keys.jsonl');
  await writeFile(path, 'garbage\n');
  const errors: string[] = [];
  const journal = new KeyJournal(path, 10, (m) => void errors.push(m));
  journal.open();
  t.deepEqual(errors, [`${path} was not a key journal (key journal line 1 is not JSON: Unexpected token 'g', "garbage" is not valid JSON); started again`]);
  journal.add({ esp: esp(1) });
  t.deepEqual(decodeKeyJournal(await readFile(path, 'utf8')), [{ esp: esp(1) }]);

  // a directory in place of the file: every write fails (as root too, unlike a read-only mode)
  const blocked = join(d, 'blocked');
  await mkdir(blocked);
  const failing: string[] = [];
  const broken = new KeyJournal(blocked, 10, (m) => void failing.push(m));
  broken.open();
  t.notThrows(() => {
    broken.add({ esp: esp(1) });
    broken.add({ esp: esp(2) });
  });
  t.is(failing.length, 1, 'said once');
  t.regex(failing[0]!, /^key journal .*blocked stopped: .*EISDIR/);
});
