/**
 * The notify table (src/agent/ike/v1/notify.ts): the failures of the layers
 * below answer with the notify type RFC 2408 gives them, and the names the
 * engine reports and IOS prints.
 */
import { Buffer } from 'node:buffer';
import test from 'ava';
import { NotifyType } from '../../../../../src/codecs/isakmp/constants.js';
import { IsakmpError } from '../../../../../src/codecs/isakmp/errors.js';
import { decodeHeader } from '../../../../../src/codecs/isakmp/header.js';
import { CIPHERS, hashByIkeId } from '../../../../../src/agent/crypto/algorithms.js';
import { prepareCbcKey } from '../../../../../src/agent/crypto/cipher.js';
import { dhGroupById, generateDhKeyPair } from '../../../../../src/agent/crypto/dh.js';
import { CipherUnavailableError } from '../../../../../src/agent/crypto/errors.js';
import { decryptBody } from '../../../../../src/agent/ike/v1/crypto/body.js';
import { verifyPhase1Hash, verifyPhase2Hash } from '../../../../../src/agent/ike/v1/crypto/hashes.js';
import { iosNotifyName, notifyName, notifyOf, quickModeDropLog } from '../../../../../src/agent/ike/v1/notify.js';

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

const cases: [string, () => unknown, number][] = [
  ['an unsupported hash algorithm', () => hashByIkeId(3), NotifyType.ATTRIBUTES_NOT_SUPPORTED],
  [
    'a cipher OpenSSL refuses',
    () => {
      throw new CipherUnavailableError('DES refused');
    },
    NotifyType.ATTRIBUTES_NOT_SUPPORTED,
  ],
  [
    'a body of partial blocks',
    () => decryptBody(prepareCbcKey(CIPHERS['3des-cbc'], Buffer.alloc(24, 3)), Buffer.alloc(8), Buffer.alloc(12)),
    NotifyType.PAYLOAD_MALFORMED,
  ],
  ['a DH public value of the wrong size', () => generateDhKeyPair(dhGroupById(2)).computeShared(Buffer.alloc(127, 1)), NotifyType.INVALID_KEY_INFORMATION],
  ['a Quick Mode HASH that does not verify', () => verifyPhase2Hash(Buffer.alloc(20, 1), Buffer.alloc(20, 2)), NotifyType.INVALID_HASH_INFORMATION],
  ['a HASH_I that does not verify', () => verifyPhase1Hash(Buffer.alloc(20, 1), Buffer.alloc(20, 2)), NotifyType.AUTHENTICATION_FAILED],
  ['a codec error (header too short)', () => decodeHeader(Buffer.alloc(10)), NotifyType.PAYLOAD_MALFORMED],
  [
    'an IsakmpError names its own notify',
    () => {
      throw new IsakmpError(NotifyType.INVALID_ID_INFORMATION, 'proxies');
    },
    NotifyType.INVALID_ID_INFORMATION,
  ],
  [
    'an internal error',
    () => {
      throw new TypeError('bug');
    },
    NotifyType.PAYLOAD_MALFORMED,
  ],
  [
    'a thrown string',
    () => {
      throw 'odd';
    },
    NotifyType.PAYLOAD_MALFORMED,
  ],
];

for (const [what, f, notify] of cases) {
  test(`notifyOf: ${what} answers ${notifyName(notify)}`, (t) => {
    t.is(notifyOf(thrown(f)), notify);
  });
}

test('names: the RFC name in fail actions, NONE for 0, IOS its own spelling', (t) => {
  t.is(notifyName(0), 'NONE');
  t.is(notifyName(NotifyType.NO_PROPOSAL_CHOSEN), 'NO-PROPOSAL-CHOSEN');
  t.is(notifyName(NotifyType.R_U_THERE), 'R-U-THERE');
  t.is(iosNotifyName(NotifyType.NO_PROPOSAL_CHOSEN), 'PROPOSAL_NOT_CHOSEN');
  t.is(iosNotifyName(NotifyType.INVALID_ID_INFORMATION), 'INVALID_ID_INFORMATION');
  t.is(iosNotifyName(NotifyType.INITIAL_CONTACT), 'INITIAL_CONTACT');
  t.is(iosNotifyName(NotifyType.RESPONDER_LIFETIME), 'RESPONDER_LIFETIME');
});

test('a dropped Quick Mode message logs IKMP_HASH_FAIL for a bad HASH, IKMP_BAD_MESSAGE otherwise', (t) => {
  t.is(quickModeDropLog(NotifyType.INVALID_HASH_INFORMATION, '1.2.3.4'), '%CRYPTO-4-IKMP_HASH_FAIL: IKE message from 1.2.3.4 failed its hash check');
  t.is(
    quickModeDropLog(NotifyType.PAYLOAD_MALFORMED, '1.2.3.4'),
    '%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from 1.2.3.4 failed its sanity check or is malformed',
  );
});
