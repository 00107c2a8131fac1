/**
 * RFC 2409 key derivation against strongSwan 5.9.8: SKEYID, SKEYID_d/a/e, the appendix B
 * expansion of SKEYID_e (3DES and AES-256 with SHA-1 need more than SHA-1's 20 bytes), the
 * phase-1, Quick Mode and Informational IVs and CBC chains, HASH_I/HASH_R, HASH(1..3), the
 * Informational HASH, KEYMAT (with PFS for AES-256) and NAT-D. Every expected value is strongSwan's own, taken from charon's
 * log of real exchanges with a testbed router, each side initiating once
 * (tests/fixtures/vectors/ikev1-strongswan-*.json, recorded by
 * scripts/record-strongswan-vectors.ts; the charon lines are in the .log files). Each
 * step gets strongSwan's inputs, so a failure names the step that disagrees.
 */
import test, { type ExecutionContext } from 'ava';
import { CIPHERS, HASHES, type CipherAlgorithm } from '../../../../../../src/agent/crypto/algorithms.js';
import { decryptBody, encryptBody } from '../../../../../../src/agent/ike/v1/crypto/body.js';
import { prepareCbcKey } from '../../../../../../src/agent/crypto/cipher.js';
import { hashI, hashR, informationalHash, quickModeHash1, quickModeHash2, quickModeHash3 } from '../../../../../../src/agent/ike/v1/crypto/hashes.js';
import { phase1Iv, phase2Iv } from '../../../../../../src/agent/ike/v1/crypto/iv.js';
import { PROTO_IPSEC_ESP, ipsecKeys } from '../../../../../../src/agent/ike/v1/crypto/keymat.js';
import { derivePhase1Keys, phase1EncryptionKey } from '../../../../../../src/agent/ike/v1/crypto/keys.js';
import { natDetectionHash } from '../../../../../../src/agent/ike/v1/crypto/natd.js';
import { hex, loadVectors } from '../../../../vectors.js';

interface Message {
  exchange: string;
  messageId: number;
  payloads: string;
  sender: string;
  ciphertext: string;
  plaintext: string;
}
interface Exchange {
  initiator: 'router' | 'strongSwan';
  phase1: {
    psk: string;
    ckyI: string;
    ckyR: string;
    niB: string;
    nrB: string;
    gxi: string;
    gxr: string;
    gxy: string;
    saiB: string;
    idiiB: string;
    idirB: string;
    strongswan: {
      skeyid: string;
      skeyidD: string;
      skeyidA: string;
      skeyidE: string;
      encryptionKey: string;
      initialIv: string;
      hashI: string;
      hashR: string;
      nextIvs: string[];
    };
    messages: Message[];
  };
  natd: { input: string; hash: string; onWire: boolean }[];
  routerAddress: string;
  quickMode: {
    messageId: number;
    niB: string;
    nrB: string;
    afterHash1: string;
    afterHash2: string;
    spiI: string;
    spiR: string;
    pfs: { gi: string; gr: string; shared: string } | null;
    strongswan: {
      ivs: string[];
      hash1: string;
      hash2: string;
      hash3: string;
      encryptionInitiator: string;
      integrityInitiator: string;
      encryptionResponder: string;
      integrityResponder: string;
    };
    messages: Message[];
  };
  informational: (Message & { afterHash: string; strongswan: { iv: string; hash: string } })[];
}

const SUITES: { id: string; cipher: CipherAlgorithm; groupSize: number; espKey: number; pfs: boolean }[] = [
  { id: '3des-sha1', cipher: CIPHERS['3des-cbc'], groupSize: 128, espKey: 24, pfs: false },
  { id: 'aes256-sha1', cipher: CIPHERS['aes256-cbc'], groupSize: 192, espKey: 32, pfs: true },
];
const sha1 = HASHES.sha1;
const h = (b: Buffer) => b.toString('hex');

/** Runs a CBC chain over `messages` from `iv` (decrypting and re-encrypting each), returning the IVs after each. */
function chain(t: ExecutionContext, cipher: CipherAlgorithm, key: Buffer, iv: Buffer, messages: Message[]): string[] {
  const k = prepareCbcKey(cipher, key);
  const after: string[] = [];
  for (const m of messages) {
    const d = decryptBody(k, iv, hex(m.ciphertext));
    t.is(h(d.plaintext), m.plaintext, `${m.exchange} [ ${m.payloads} ] from ${m.sender} decrypts to strongSwan's plaintext`);
    t.is(h(encryptBody(k, iv, hex(m.plaintext)).ciphertext), m.ciphertext, `${m.exchange} [ ${m.payloads} ] encrypts to the ciphertext`);
    after.push(h(d.nextIv));
    iv = d.nextIv;
  }
  return after;
}

for (const suite of SUITES) {
  const doc = loadVectors<{ exchanges: Exchange[] }>(`ikev1-strongswan-${suite.id}.json`);

  test(`${suite.id}: the fixture has one exchange each side initiated, with Main Mode 5-6, Quick Mode 1-3 and two Deletes encrypted`, (t) => {
    t.deepEqual(doc.exchanges.map((x) => x.initiator).sort(), ['router', 'strongSwan']);
    for (const x of doc.exchanges) {
      t.is(x.phase1.messages.length, 2);
      t.is(x.quickMode.messages.length, 3);
      t.is(x.phase1.gxi.length / 2, suite.groupSize);
      t.is(x.quickMode.pfs !== null, suite.pfs);
      t.true(suite.cipher.keySize > sha1.outputSize, 'the phase-1 key needs the appendix B expansion');
    }
  });

  for (const x of doc.exchanges) {
    const name = `${suite.id}, ${x.initiator} initiates`;
    const p1 = x.phase1;
    const ss = p1.strongswan;

    test(`${name}: SKEYID, SKEYID_d/a/e and the appendix B encryption key are strongSwan's`, (t) => {
      const k = derivePhase1Keys({
        hash: sha1,
        cipher: suite.cipher,
        psk: hex(p1.psk),
        niB: hex(p1.niB),
        nrB: hex(p1.nrB),
        gxy: hex(p1.gxy),
        ckyI: hex(p1.ckyI),
        ckyR: hex(p1.ckyR),
      });
      t.is(h(k.skeyid), ss.skeyid);
      t.is(h(k.skeyidD), ss.skeyidD);
      t.is(h(k.skeyidA), ss.skeyidA);
      t.is(h(k.skeyidE), ss.skeyidE);
      t.is(h(k.encryptionKey), ss.encryptionKey);
      // the expansion on its own, from strongSwan's SKEYID_e
      t.is(h(phase1EncryptionKey(sha1, suite.cipher, hex(ss.skeyidE))), ss.encryptionKey);
      t.is(ss.encryptionKey.length / 2, suite.cipher.keySize);
    });

    test(`${name}: the phase-1 IV and the CBC chain through Main Mode messages 5 and 6 are strongSwan's`, (t) => {
      t.is(h(phase1Iv(sha1, suite.cipher, hex(p1.gxi), hex(p1.gxr))), ss.initialIv);
      t.deepEqual(chain(t, suite.cipher, hex(ss.encryptionKey), hex(ss.initialIv), p1.messages), ss.nextIvs);
    });

    test(`${name}: HASH_I and HASH_R are strongSwan's`, (t) => {
      const input = { hash: sha1, skeyid: hex(ss.skeyid), gxi: hex(p1.gxi), gxr: hex(p1.gxr), ckyI: hex(p1.ckyI), ckyR: hex(p1.ckyR), saiB: hex(p1.saiB) };
      t.is(h(hashI(input, hex(p1.idiiB))), ss.hashI);
      t.is(h(hashR(input, hex(p1.idirB))), ss.hashR);
    });

    const qm = x.quickMode;
    test(`${name}: the Quick Mode IV and the CBC chain through its three messages are strongSwan's`, (t) => {
      const lastPhase1Block = hex(ss.nextIvs[ss.nextIvs.length - 1]!);
      t.is(h(phase2Iv(sha1, suite.cipher, lastPhase1Block, qm.messageId)), qm.strongswan.ivs[0]);
      t.deepEqual(chain(t, suite.cipher, hex(ss.encryptionKey), hex(qm.strongswan.ivs[0]!), qm.messages), qm.strongswan.ivs.slice(1));
    });

    test(`${name}: Quick Mode HASH(1), HASH(2) and HASH(3) are strongSwan's`, (t) => {
      const a = hex(ss.skeyidA);
      t.is(h(quickModeHash1(sha1, a, qm.messageId, hex(qm.afterHash1))), qm.strongswan.hash1);
      t.is(h(quickModeHash2(sha1, a, qm.messageId, hex(qm.niB), hex(qm.afterHash2))), qm.strongswan.hash2);
      t.is(h(quickModeHash3(sha1, a, qm.messageId, hex(qm.niB), hex(qm.nrB))), qm.strongswan.hash3);
    });

    test(`${name}: KEYMAT of both ESP SAs${suite.pfs ? ' (with PFS)' : ''} is strongSwan's`, (t) => {
      const base = {
        hash: sha1,
        skeyidD: hex(ss.skeyidD),
        protocol: PROTO_IPSEC_ESP,
        niB: hex(qm.niB),
        nrB: hex(qm.nrB),
        pfsShared: qm.pfs ? hex(qm.pfs.shared) : undefined,
      };
      // the initiator's outbound SA carries the responder's SPI, and the other way round
      const i = ipsecKeys({ ...base, spi: hex(qm.spiR) }, suite.espKey, 20);
      const r = ipsecKeys({ ...base, spi: hex(qm.spiI) }, suite.espKey, 20);
      t.is(h(i.encryptionKey), qm.strongswan.encryptionInitiator);
      t.is(h(i.authenticationKey), qm.strongswan.integrityInitiator);
      t.is(h(r.encryptionKey), qm.strongswan.encryptionResponder);
      t.is(h(r.authenticationKey), qm.strongswan.integrityResponder);
      if (qm.pfs) t.is(qm.pfs.shared.length / 2, suite.groupSize);
    });

    test(`${name}: the router's Deletes: Informational IVs, bodies and HASH are strongSwan's`, (t) => {
      t.is(x.informational.length, 2, 'one Delete for the IPsec SAs, one for the ISAKMP SA');
      const lastPhase1Block = hex(ss.nextIvs[ss.nextIvs.length - 1]!);
      for (const m of x.informational) {
        t.is(h(phase2Iv(sha1, suite.cipher, lastPhase1Block, m.messageId)), m.strongswan.iv);
        chain(t, suite.cipher, hex(ss.encryptionKey), hex(m.strongswan.iv), [m]);
        t.is(h(informationalHash(sha1, hex(ss.skeyidA), m.messageId, hex(m.afterHash))), m.strongswan.hash);
      }
    });

    test(`${name}: NAT-D hashes are strongSwan's, the router's address among them`, (t) => {
      t.true(x.natd.length >= 2);
      const router = Buffer.from(x.routerAddress.split('.').map(Number));
      t.true(x.natd.some((n) => hex(n.input).subarray(16, 20).equals(router)));
      for (const n of x.natd) {
        const input = hex(n.input);
        t.is(h(natDetectionHash(sha1, input.subarray(0, 8), input.subarray(8, 16), input.subarray(16, 20), input.readUInt16BE(20))), n.hash);
      }
    });
  }
}
