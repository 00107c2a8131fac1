/**
 * The key-table formatters: exact lines, validation, and tshark 4.0 accepting
 * every algorithm name, the -o options and the profile directory layout.
 */
import test from 'ava';
import { Buffer } from 'node:buffer';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ESP_CIPHERS, ESP_INTEGRITY, EspOutboundSa, type EspCipherName, type EspIntegrityName } from '../../../../src/agent/esp/index.js';
import { encodeIcmpEcho, encodeIpv4, ICMP_ECHO_REQUEST, IPPROTO_ICMP, parseIpv4 } from '../../../../src/codecs/net/index.js';
import {
  analyzePcap,
  packetByNumber,
  runTshark,
  shellQuote,
  TsharkError,
  TsharkMissingError,
  tsharkReadArgs,
  tsharkVersion,
} from '../../../../src/orchestrator/capture/tshark.js';
import {
  WIRESHARK_ESP_AUTHENTICATION,
  WIRESHARK_ESP_ENCRYPTION,
  WiresharkKeyError,
  formatEspSaRecord,
  formatEspSaTable,
  formatIkev1DecryptionRecord,
  formatIkev1DecryptionTable,
  formatPreferences,
  tsharkKeyOptions,
  uatString,
  wiresharkProfileFiles,
  writeWiresharkProfile,
  type EspSaKeyEntry,
} from '../../../../src/orchestrator/capture/wireshark.js';
import { SEED_SUITE, playMainAndQuickMode } from './ike-exchange.js';
import { espPacket, frameOf, summarize, tempDir, udpPacket, writePcap } from './helpers.js';

const SEED_SA: EspSaKeyEntry = {
  source: '11.11.11.1',
  destination: '11.11.11.2',
  spi: 0x2003eff0,
  cipher: 'des',
  encryptionKey: Buffer.from('0123456789abcdef', 'hex'),
  integrity: 'hmac-md5-96',
  authenticationKey: Buffer.from('00112233445566778899aabbccddeeff', 'hex'),
};
const SEED_IKE = { initiatorCookie: Buffer.from('a1b2c3d4e5f60718', 'hex'), encryptionKey: Buffer.from('e39cbd8339973181', 'hex') };

test('esp_sa record: quoted fields, 0x-prefixed 8-digit SPI and keys, Wireshark algorithm names', (t) => {
  t.is(
    formatEspSaRecord(SEED_SA),
    '"IPv4","11.11.11.1","11.11.11.2","0x2003eff0","DES-CBC [RFC2405]","0x0123456789abcdef","HMAC-MD5-96 [RFC2403]","0x00112233445566778899aabbccddeeff"',
  );
  t.is(
    formatEspSaRecord({
      ...SEED_SA,
      source: '*',
      spi: 0x100,
      cipher: ESP_CIPHERS['3des'],
      encryptionKey: Buffer.alloc(24, 1),
      integrity: ESP_INTEGRITY['hmac-sha1-96'],
      authenticationKey: Buffer.alloc(20, 2),
    }),
    `"IPv4","*","11.11.11.2","0x00000100","TripleDES-CBC [RFC2451]","0x${'01'.repeat(24)}","HMAC-SHA-1-96 [RFC2404]","0x${'02'.repeat(20)}"`,
  );
  t.is(
    formatEspSaRecord({ ...SEED_SA, cipher: 'null', encryptionKey: Buffer.alloc(0), integrity: 'hmac-sha256-128', authenticationKey: Buffer.alloc(32, 3) }),
    `"IPv4","11.11.11.1","11.11.11.2","0x2003eff0","NULL","","HMAC-SHA-256-128 [RFC4868]","0x${'03'.repeat(32)}"`,
  );
});

test('esp_sa record: values Wireshark cannot use throw WiresharkKeyError', (t) => {
  t.throws(() => formatEspSaRecord({ ...SEED_SA, encryptionKey: Buffer.alloc(7) }), {
    instanceOf: WiresharkKeyError,
    message: /des needs a 8-byte key, got 7/,
  });
  t.throws(() => formatEspSaRecord({ ...SEED_SA, authenticationKey: Buffer.alloc(20) }), {
    instanceOf: WiresharkKeyError,
    message: /hmac-md5-96 needs a 16-byte key/,
  });
  t.throws(() => formatEspSaRecord({ ...SEED_SA, source: '11.11.11.256' }), { instanceOf: WiresharkKeyError, message: /source "11.11.11.256"/ });
  t.throws(() => formatEspSaRecord({ ...SEED_SA, destination: 'fred' }), { instanceOf: WiresharkKeyError });
  t.throws(() => formatEspSaRecord({ ...SEED_SA, spi: 2 ** 32 }), { instanceOf: WiresharkKeyError, message: /SPI/ });
  t.throws(() => formatEspSaRecord({ ...SEED_SA, cipher: 'rc4' as EspCipherName }), { instanceOf: WiresharkKeyError, message: /unknown ESP cipher rc4/ });
});

test('ikev1_decryption_table record: unquoted hex cookie and key; cookie must be 8 bytes', (t) => {
  t.is(formatIkev1DecryptionRecord(SEED_IKE), 'a1b2c3d4e5f60718,e39cbd8339973181');
  t.throws(() => formatIkev1DecryptionRecord({ ...SEED_IKE, initiatorCookie: Buffer.alloc(7) }), { instanceOf: WiresharkKeyError, message: /needs 8/ });
  t.throws(() => formatIkev1DecryptionRecord({ ...SEED_IKE, encryptionKey: Buffer.alloc(0) }), { instanceOf: WiresharkKeyError });
});

test('uatString escapes quotes, backslashes and non-printable bytes as \\xNN', (t) => {
  t.is(uatString('AES-CBC [RFC3602]'), '"AES-CBC [RFC3602]"');
  t.is(uatString('a"b\\c\n'), '"a\\x22b\\x5cc\\x0a"');
  t.is(uatString('é'), '"\\xc3\\xa9"');
});

test('files and tshark options: exact content', (t) => {
  t.is(
    formatEspSaTable([SEED_SA]),
    '# testbed: ESP SAs (Wireshark esp_sa table)\n' +
      '"IPv4","11.11.11.1","11.11.11.2","0x2003eff0","DES-CBC [RFC2405]","0x0123456789abcdef","HMAC-MD5-96 [RFC2403]","0x00112233445566778899aabbccddeeff"\n',
  );
  t.is(formatIkev1DecryptionTable([SEED_IKE]), '# testbed: IKEv1 SAs (Wireshark ikev1_decryption_table)\na1b2c3d4e5f60718,e39cbd8339973181\n');
  t.is(
    formatPreferences({ 'esp.enable_encryption_decode': 'TRUE' }),
    '# testbed: Wireshark preferences for decrypting lab captures\nesp.enable_encryption_decode: TRUE\n',
  );
  t.deepEqual(Object.keys(wiresharkProfileFiles({})).sort(), ['esp_sa', 'ikev1_decryption_table', 'preferences']);
  t.is(
    wiresharkProfileFiles({}).preferences,
    '# testbed: Wireshark preferences for decrypting lab captures\nesp.enable_encryption_decode: TRUE\nesp.enable_authentication_check: TRUE\n',
  );
  t.deepEqual(tsharkKeyOptions({ esp: [SEED_SA], ikev1: [SEED_IKE] }), [
    '-o',
    'esp.enable_encryption_decode:TRUE',
    '-o',
    'esp.enable_authentication_check:TRUE',
    '-o',
    'uat:esp_sa:"IPv4","11.11.11.1","11.11.11.2","0x2003eff0","DES-CBC [RFC2405]","0x0123456789abcdef","HMAC-MD5-96 [RFC2403]","0x00112233445566778899aabbccddeeff"',
    '-o',
    'uat:ikev1_decryption_table:a1b2c3d4e5f60718,e39cbd8339973181',
  ]);
  t.is(
    shellQuote(['tshark', ...tsharkKeyOptions({ ikev1: [SEED_IKE] }).slice(4), '-r', 'lab.pcap']),
    'tshark -o uat:ikev1_decryption_table:a1b2c3d4e5f60718,e39cbd8339973181 -r lab.pcap',
  );
  t.is(shellQuote(["it's"]), `'it'\\''s'`);
});

/** A one-echo capture per (cipher, integrity) pair with every name in the tables. */
function allNamesCapture(): { sas: EspSaKeyEntry[]; frames: Buffer[] } {
  const sas: EspSaKeyEntry[] = [];
  const frames: Buffer[] = [];
  const inner = encodeIpv4(
    { protocol: IPPROTO_ICMP, source: parseIpv4('13.13.13.4'), destination: parseIpv4('12.12.12.13') },
    encodeIcmpEcho({ type: ICMP_ECHO_REQUEST, identifier: 1, sequence: 1, data: Buffer.from('names') }),
  );
  for (const cipher of Object.keys(WIRESHARK_ESP_ENCRYPTION) as EspCipherName[]) {
    for (const integrity of Object.keys(WIRESHARK_ESP_AUTHENTICATION) as EspIntegrityName[]) {
      if (cipher === 'null' && integrity === 'none') continue;
      const sa: EspSaKeyEntry = {
        source: '11.11.11.1',
        destination: '11.11.11.2',
        spi: 0x7000_0000 + sas.length,
        cipher,
        integrity,
        encryptionKey: Buffer.alloc(ESP_CIPHERS[cipher].keySize, 0x3c),
        authenticationKey: Buffer.alloc(ESP_INTEGRITY[integrity].keySize, 0x5a),
      };
      const e = new EspOutboundSa({
        ...sa,
        cipher,
        integrity,
        encryptionKey: Buffer.from(sa.encryptionKey),
        authenticationKey: Buffer.from(sa.authenticationKey),
      }).encapsulate(inner, (n) => Buffer.alloc(n, 9));
      if (!e.ok) throw new Error('encapsulation failed');
      sas.push(sa);
      frames.push(frameOf(espPacket(sa.source, sa.destination, e.packet)));
    }
  }
  return { sas, frames };
}

test('tshark accepts every algorithm name of the tables and decrypts with each (NULL included)', async (t) => {
  const { sas, frames } = allNamesCapture();
  t.is(sas.length, 23);
  await using dir = await tempDir();
  const pcap = await writePcap(dir, 'names.pcap', frames);
  const a = await analyzePcap(pcap, ['ip.src', 'esp.icv_good'], { keys: { esp: sas } });
  sas.forEach((sa, i) => {
    const p = packetByNumber(a, i + 1);
    t.deepEqual(p.fields['ip.src'], ['11.11.11.1', '13.13.13.4'], `${String(sa.cipher)} ${String(sa.integrity)}: ${summarize([p])}`);
    // With no integrity there is no ICV to call good.
    if (sa.integrity !== 'none') t.deepEqual(p.fields['esp.icv_good'], ['1'], `${String(sa.cipher)} ${String(sa.integrity)}`);
  });
});

test('tshark 4.0 refuses an unknown esp_sa name (strongSwan\'s "TripleDes-CBC" spelling) with a TsharkError', async (t) => {
  await using dir = await tempDir();
  const pcap = await writePcap(dir, 'empty.pcap', []);
  const line = formatEspSaRecord({ ...SEED_SA, cipher: '3des', encryptionKey: Buffer.alloc(24, 1) }).replace('TripleDES', 'TripleDes');
  const err = await t.throwsAsync(runTshark([...tsharkReadArgs(pcap, { options: ['-o', `uat:esp_sa:${line}`] })]), { instanceOf: TsharkError });
  t.regex(err?.message ?? '', /esp_sa:1: invalid value: TripleDes-CBC \[RFC2451\]/);
});

test('a missing tshark binary gives TsharkMissingError with install advice', async (t) => {
  const err = await t.throwsAsync(tsharkVersion({ tshark: '/nonexistent/tshark' }), { instanceOf: TsharkMissingError });
  t.regex(err?.message ?? '', /apt-get install tshark/);
});

test('a profile directory written by writeWiresharkProfile decrypts IKE and ESP with tshark -C', async (t) => {
  const x = playMainAndQuickMode({ suite: SEED_SUITE, seed: 7 });
  const frames = x.messages.map((m) =>
    frameOf(m.from === 'initiator' ? udpPacket(x.initiatorAddress, x.responderAddress, m.wire) : udpPacket(x.responderAddress, x.initiatorAddress, m.wire)),
  );
  const inner = encodeIpv4(
    { protocol: IPPROTO_ICMP, source: parseIpv4('13.13.13.4'), destination: parseIpv4('12.12.12.13') },
    encodeIcmpEcho({ type: ICMP_ECHO_REQUEST, identifier: 9, sequence: 1, data: Buffer.from('profile') }),
  );
  const e = new EspOutboundSa(x.initiatorToResponder).encapsulate(inner, (n) => Buffer.alloc(n, 1));
  if (!e.ok) return t.fail();
  frames.push(frameOf(espPacket(x.initiatorAddress, x.responderAddress, e.packet)));

  await using dir = await tempDir();
  const pcap = await writePcap(dir, 'profile.pcap', frames);
  const configDir = dir.file('config');
  const profileDir = join(configDir, 'profiles', 'testbed');
  const written = await writeWiresharkProfile(profileDir, {
    ikev1: [{ initiatorCookie: x.initiatorCookie, encryptionKey: x.keys.encryptionKey }],
    esp: [x.initiatorToResponder, x.responderToInitiator],
  });
  t.deepEqual((await readdir(profileDir)).sort(), ['esp_sa', 'ikev1_decryption_table', 'preferences']);
  t.is(written.length, 3);
  t.regex(
    await readFile(join(profileDir, 'ikev1_decryption_table'), 'utf8'),
    new RegExp(`^${x.initiatorCookie.toString('hex')},${x.keys.encryptionKey.toString('hex')}$`, 'm'),
  );

  const fields = ['isakmp.id.data.ipv4_addr', 'esp.contained_data', 'esp.icv_good'];
  const a = await analyzePcap(pcap, fields, { configDir, profile: 'testbed' });
  t.deepEqual(a.expert, []);
  t.deepEqual(packetByNumber(a, 5).fields['isakmp.id.data.ipv4_addr'], ['11.11.11.1']);
  t.deepEqual(packetByNumber(a, 7).fields['isakmp.id.data.ipv4_addr'], ['13.13.13.0', '12.12.12.0']);
  t.deepEqual(packetByNumber(a, 10).fields['esp.contained_data'], [inner.toString('hex')]);
  t.deepEqual(packetByNumber(a, 10).fields['esp.icv_good'], ['1']);
  // Control: the same config directory without -C uses the (empty) default profile.
  const plain = await analyzePcap(pcap, fields, { configDir });
  t.deepEqual(packetByNumber(plain, 5).fields['isakmp.id.data.ipv4_addr'] ?? [], []);
  t.deepEqual(packetByNumber(plain, 10).fields['esp.contained_data'] ?? [], []);
});
