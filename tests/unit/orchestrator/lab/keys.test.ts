/** Merging the routers' key reports into Wireshark's tables; finding a router's journal on this machine. */
import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEYS_LABEL, KIND_LABEL } from '../../../../src/contract/labels.js';
import type { KeyMaterial } from '../../../../src/contract/keys.js';
import type { ContainerInfo } from '../../../../src/orchestrator/docker/engine.js';
import { hasHostJournal, hostJournal, mergeKeys } from '../../../../src/orchestrator/lab/keys.js';

const sa = (src: string, dst: string, spi: string) => ({
  src,
  dst,
  spi,
  encryption: 'DES-CBC [RFC2405]',
  encryptionKey: '0102030405060708',
  authentication: 'HMAC-MD5-96 [RFC2403]',
  authenticationKey: '000102030405060708090a0b0c0d0e0f',
  udpEncapsulated: true,
});

test("one SA reported by both ends is one entry; behind a NAT each end's view (inside and outside source) stays", (t) => {
  const plain: KeyMaterial[] = [
    { isakmp: [], esp: [sa('11.11.11.1', '11.11.11.2', '0x00001000')] },
    { isakmp: [], esp: [sa('11.11.11.1', '11.11.11.2', '0x00001000')] },
  ];
  t.is(mergeKeys(plain).esp?.length, 1);
  // Daphne (inside, 10.10.10.1) and fred (outside, sees the NAT's 11.11.11.1) report the same SPI
  const natted: KeyMaterial[] = [
    { isakmp: [], esp: [sa('10.10.10.1', '11.11.11.2', '0x00001000')] },
    { isakmp: [], esp: [sa('11.11.11.1', '11.11.11.2', '0x00001000')] },
  ];
  t.deepEqual((mergeKeys(natted).esp ?? []).map((e) => `${e.source}>${e.destination}/${e.spi}`).sort(), [
    '10.10.10.1>11.11.11.2/4096',
    '11.11.11.1>11.11.11.2/4096',
  ]);
});

test("a router's journal on this machine: found (and read) only in the directory bound to it, with the kind's file name", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'testbed-keys-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const node = (kind: string, keysDir?: string): ContainerInfo => ({
    id: kind,
    name: kind,
    state: 'running',
    image: 'testbed/node',
    labels: { [KIND_LABEL]: kind, ...(keysDir ? { [KEYS_LABEL]: keysDir } : {}) },
  });
  const router = node('router2600', dir);

  t.false(await hasHostJournal(router), 'the directory is bound but the router wrote nothing yet');
  t.is(await hostJournal(router), null);
  await writeFile(join(dir, 'keys.jsonl'), '{"x":1}\n');
  t.true(await hasHostJournal(router));
  t.is(await hostJournal(router), '{"x":1}\n');

  t.false(await hasHostJournal(node('router2600')), 'no bound directory (a swarm): the journal is only inside the router');
  t.is(await hostJournal(node('router2600')), null);
  t.false(await hasHostJournal(node('host', dir)), 'a kind that keeps no journal');
  t.is(await hostJournal(node('host', dir)), null);
});
