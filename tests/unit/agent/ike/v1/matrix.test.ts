/**
 * Main Mode + Quick Mode and Aggressive Mode + Quick Mode between two
 * engines for every combination of DES/3DES/AES-128 x MD5/SHA1/SHA256 x DH
 * groups 1/2/5/14, with and without PFS (AES-256 once per mode): both ends
 * derive the same keys (my outbound = your inbound) and the SPIs cross.
 */
import test from 'ava';
import { ESP_CIPHERS, ESP_INTEGRITY, type EspCipherName, type EspIntegrityName } from '../../../../../src/agent/esp/algorithms.js';
import { PING_A, twoSites } from '../helpers.js';

type Cipher = 'des' | '3des' | 'aes' | 'aes 256';
type Hash = 'md5' | 'sha' | 'sha256';

const ESP_CIPHER: Record<Cipher, string> = { des: 'esp-des', '3des': 'esp-3des', aes: 'esp-aes', 'aes 256': 'esp-aes 256' };
const ESP_AUTH: Record<Hash, string> = { md5: 'esp-md5-hmac', sha: 'esp-sha-hmac', sha256: 'esp-sha256-hmac' };
const ENGINE_CIPHER: Record<Cipher, EspCipherName> = { des: 'des', '3des': '3des', aes: 'aes128', 'aes 256': 'aes256' };
const ENGINE_INTEGRITY: Record<Hash, EspIntegrityName> = { md5: 'hmac-md5-96', sha: 'hmac-sha1-96', sha256: 'hmac-sha256-128' };
const P1_CIPHER: Record<Cipher, string> = { des: 'des-cbc', '3des': '3des-cbc', aes: 'aes128-cbc', 'aes 256': 'aes256-cbc' };
const P1_HASH: Record<Hash, string> = { md5: 'md5', sha: 'sha1', sha256: 'sha256' };

interface Combo {
  mode: 'main' | 'aggressive';
  cipher: Cipher;
  hash: Hash;
  group: number;
  pfs: boolean;
}

const combos: Combo[] = [];
for (const mode of ['main', 'aggressive'] as const) {
  for (const cipher of ['des', '3des', 'aes'] as const) {
    for (const hash of ['md5', 'sha', 'sha256'] as const) {
      for (const group of [1, 2, 5, 14]) {
        for (const pfs of [false, true]) combos.push({ mode, cipher, hash, group, pfs });
      }
    }
  }
  combos.push({ mode, cipher: 'aes 256', hash: 'sha256', group: 14, pfs: true });
}

let seed = 100;
for (const c of combos) {
  const title = `${c.mode} mode, ${c.cipher}/${c.hash}, group ${c.group}${c.pfs ? ', PFS' : ''}: both ends derive the same keys`;
  const s = seed++;
  test(title, (t) => {
    const isakmp = [' authentication pre-share', ` encryption ${c.cipher}`, ` hash ${c.hash}`, ` group ${c.group}`].join('\n');
    const site = {
      isakmp,
      transform: `${ESP_CIPHER[c.cipher]} ${ESP_AUTH[c.hash]}`,
      pfs: c.pfs ? `group${c.group}` : null,
    };
    const wire = twoSites(s, { ...site, aggressivePassword: c.mode === 'aggressive' ? 'abc123' : undefined }, site);
    wire.acquire('A', PING_A);
    wire.run(30_000);
    const problems = [...wire.actions('A', 'fail'), ...wire.actions('B', 'fail'), ...wire.actions('A', 'drop'), ...wire.actions('B', 'drop')];
    t.deepEqual(problems, []);

    const a = wire.actions('A', 'install-ipsec');
    const b = wire.actions('B', 'install-ipsec');
    t.is(a.length, 1);
    t.is(b.length, 1);
    const sa = a[0]!.sa;
    const sb = b[0]!.sa;
    t.is(sa.outbound.spi, sb.inbound.spi);
    t.is(sa.inbound.spi, sb.outbound.spi);
    t.not(sa.inbound.spi, sa.outbound.spi);
    t.true(sa.inbound.spi > 255 && sa.outbound.spi > 255);
    t.deepEqual(sa.outbound.encryptionKey, sb.inbound.encryptionKey);
    t.deepEqual(sa.outbound.authenticationKey, sb.inbound.authenticationKey);
    t.deepEqual(sa.inbound.encryptionKey, sb.outbound.encryptionKey);
    t.deepEqual(sa.inbound.authenticationKey, sb.outbound.authenticationKey);
    t.notDeepEqual(sa.inbound.encryptionKey, sa.outbound.encryptionKey);
    t.is(sa.cipher, ENGINE_CIPHER[c.cipher]);
    t.is(sa.integrity, ENGINE_INTEGRITY[c.hash]);
    t.is(sa.inbound.encryptionKey.length, ESP_CIPHERS[sa.cipher].keySize);
    t.is(sa.inbound.authenticationKey.length, ESP_INTEGRITY[sa.integrity].keySize);
    t.is(sa.pfsGroup, c.pfs ? c.group : null);
    t.is(sb.pfsGroup, sa.pfsGroup);

    const rows = [wire.node('A').engine.isakmpSas(), wire.node('B').engine.isakmpSas()];
    for (const r of rows) {
      t.is(r.length, 1);
      t.like(r[0], { state: 'QM_IDLE', mode: c.mode, cipher: P1_CIPHER[c.cipher], hash: P1_HASH[c.hash], group: c.group });
    }
    t.is(wire.node('A').engine.keys().isakmp[0]!.encryptionKey, wire.node('B').engine.keys().isakmp[0]!.encryptionKey);
    const ike = wire.sent.map((p) => p.payload[18]);
    t.deepEqual(ike, c.mode === 'main' ? [2, 2, 2, 2, 2, 2, 32, 32, 32] : [4, 4, 4, 32, 32, 32]);
  });
}
