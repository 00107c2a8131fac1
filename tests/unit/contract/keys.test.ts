/** The key material a router prints and the ESP names it uses: both sides read the same thing. */
import test from 'ava';
import { ESP_CIPHERS, ESP_INTEGRITY } from '../../../src/agent/esp/index.js';
import { ContractError } from '../../../src/contract/env.js';
import { ESP_CIPHER_NAMES, ESP_INTEGRITY_NAMES, espCipherOf } from '../../../src/contract/esp.js';
import { decodeKeyJournal, encodeKeyJournalLine, encodeKeyMaterial, keyMaterialOf, keyRowId, type KeyMaterial } from '../../../src/contract/keys.js';

const material: KeyMaterial = {
  isakmp: [{ connId: 1, peer: '11.11.11.2', initiatorCookie: '0011223344556677', encryptionKey: '0102030405060708' }],
  esp: [
    {
      src: '11.11.11.1',
      dst: '11.11.11.2',
      spi: '0x00001000',
      encryption: 'DES-CBC [RFC2405]',
      encryptionKey: '0102030405060708',
      authentication: 'HMAC-MD5-96 [RFC2403]',
      authenticationKey: '000102030405060708090a0b0c0d0e0f',
      udpEncapsulated: false,
    },
  ],
};

test('ios --keys prints the key material as one line of JSON', (t) => {
  const text = encodeKeyMaterial(material);
  t.false(text.includes('\n'));
  t.deepEqual(JSON.parse(text), material);
});

test("the contract's ESP names agree with the datapath's algorithms (names, key sizes, Wireshark names)", (t) => {
  for (const c of Object.values(ESP_CIPHERS)) t.deepEqual(ESP_CIPHER_NAMES[c.name], { name: c.name, keySize: c.keySize, wiresharkName: c.wiresharkName });
  for (const i of Object.values(ESP_INTEGRITY)) t.deepEqual(ESP_INTEGRITY_NAMES[i.name], { name: i.name, keySize: i.keySize, wiresharkName: i.wiresharkName });
  t.deepEqual(Object.keys(ESP_CIPHER_NAMES).sort(), Object.keys(ESP_CIPHERS).sort());
  t.deepEqual(Object.keys(ESP_INTEGRITY_NAMES).sort(), Object.keys(ESP_INTEGRITY).sort());
  // AES shares one Wireshark name: the key length tells them apart
  t.is(espCipherOf('AES-CBC [RFC3602]', 32)?.name, 'aes256');
  t.is(espCipherOf('AES-CBC [RFC3602]', 12), undefined);
});

test('the key journal: one entry per SA (a later line replaces an earlier one), a line being written is left out, a bad line is named', (t) => {
  const esp = material.esp[0]!;
  const isakmp = material.isakmp[0]!;
  const text =
    encodeKeyJournalLine({ esp: { ...esp, encryptionKey: 'ffffffffffffffff' } }) +
    encodeKeyJournalLine({ isakmp }) +
    encodeKeyJournalLine({ esp: { ...esp, spi: '0x00001001' } }) +
    encodeKeyJournalLine({ esp }) +
    '\n' +
    '{"esp":{"src":"11.1';
  const entries = decodeKeyJournal(text);
  t.deepEqual(entries, [{ esp }, { isakmp }, { esp: { ...esp, spi: '0x00001001' } }], 'in the order first written, the last line for an SA kept');
  t.deepEqual(keyMaterialOf(entries), { isakmp: [isakmp], esp: [esp, { ...esp, spi: '0x00001001' }] });
  t.is(keyRowId({ esp }), 'esp:11.11.11.2/0x00001000');
  t.is(keyRowId({ isakmp }), 'isakmp:0011223344556677');
  t.deepEqual(decodeKeyJournal(''), []);
  t.throws(() => decodeKeyJournal(`${encodeKeyJournalLine({ isakmp })}% Invalid input\n`), {
    instanceOf: ContractError,
    message: /^key journal line 2 is not JSON/,
  });
  t.throws(() => decodeKeyJournal('{"esp":{"src":"1.2.3.4"}}\n'), {
    instanceOf: ContractError,
    message: 'key journal line 1: an ESP key row lacks an address, the SPI, an algorithm or a key',
  });
  t.throws(() => decodeKeyJournal('{"isakmp":{"initiatorCookie":"00"}}\n'), { instanceOf: ContractError, message: /line 1: an ISAKMP key row lacks/ });
  t.throws(() => decodeKeyJournal('{"esp":{},"isakmp":{}}\n'), { instanceOf: ContractError, message: 'key journal line 1 needs one "isakmp" or "esp" row' });
  t.throws(() => decodeKeyJournal('[]\n'), { instanceOf: ContractError, message: /needs one "isakmp" or "esp" row/ });
});
