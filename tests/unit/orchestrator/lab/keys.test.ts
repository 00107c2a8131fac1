/** Merging the routers' key reports into Wireshark's tables. */
import test from 'ava';
import type { KeyMaterial } from '../../../../src/contract/keys.js';
import { mergeKeys } from '../../../../src/orchestrator/lab/keys.js';

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
