/**
 * Negotiations that must fail, and fail on the right side with the right
 * notify: wrong pre-shared key (Main and Aggressive Mode), no common
 * ISAKMP policy, no common transform set, proxies the responder's ACL does
 * not cover.
 */
import { Buffer } from 'node:buffer';
import test from 'ava';
import { NotifyType } from '../../../../../src/codecs/isakmp/constants.js';
import { PING_A, twoSites } from '../helpers.js';

test('Main Mode with a wrong pre-shared key: the responder fails with AUTHENTICATION-FAILED, the initiator gives up after its retransmissions', (t) => {
  const wire = twoSites(11, {}, { key: 'wrong-key' });
  wire.acquire('A', PING_A);
  wire.run(200_000);
  const bFail = wire.actions('B', 'fail');
  t.is(bFail.length, 1);
  t.like(bFail[0], { phase: 1, notify: NotifyType.AUTHENTICATION_FAILED, notifyName: 'AUTHENTICATION-FAILED', peer: '11.11.11.1' });
  t.true(wire.lines('B').includes('%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from 11.11.11.1 failed its sanity check or is malformed'));
  const aFail = wire.actions('A', 'fail');
  t.is(aFail.length, 1);
  t.like(aFail[0], { phase: 1, notify: 0, peer: '11.11.11.2' });
  t.true(wire.lines('A').some((l) => l.includes('deleting SA reason "death by retransmission P1 sa" state (I) MM_KEY_EXCH')));
  t.deepEqual([...wire.actions('A', 'install-ipsec'), ...wire.actions('B', 'install-ipsec')], []);
  t.deepEqual([...wire.node('A').engine.isakmpSas(), ...wire.node('B').engine.isakmpSas()], []);
});

test('Main Mode with a wrong pre-shared key against a peer that answers message 5 with encrypted notifies (strongSwan): the initiator fails with AUTHENTICATION-FAILED', (t) => {
  const wire = twoSites(13, {}, { key: 'wrong-key' });
  let forged = 0;
  // B stands for strongSwan: it cannot decrypt message 5 and answers, under its own (other) keys,
  // an encrypted Informational (PAYLOAD-MALFORMED) with a new message ID each time
  wire.filter = (p) => {
    const flags = p.payload[19]!;
    if (p.sender !== 'A' || p.payload[18] !== 2 || !(flags & 1)) return [{ packet: p }];
    forged++;
    const header = Buffer.from(p.payload.subarray(0, 28));
    header[16] = 8; // next payload: HASH
    header[18] = 5; // Informational
    header.writeUInt32BE(0x1000 + forged, 20);
    header.writeUInt32BE(28 + 48, 24);
    const body = Buffer.alloc(48, forged * 37 + 1);
    return [{ packet: { ...p, from: p.to, to: p.from, sender: 'B', payload: Buffer.concat([header, body]) } }];
  };
  wire.acquire('A', PING_A);
  wire.run(200_000);
  const aFail = wire.actions('A', 'fail');
  t.is(aFail.length, 1);
  t.like(aFail[0], { phase: 1, notify: NotifyType.AUTHENTICATION_FAILED, peer: '11.11.11.2' });
  t.regex(aFail[0]!.reason, /pre-shared key mismatch\?/);
  const failedAt = wire.node('A').log.find((l) => l.action.kind === 'fail')!.at;
  t.true(failedAt < 20_000, `A gave up at its second unreadable answer (${forged} forged, failed at ${failedAt} ms), not after its five retransmissions`);
  t.false(wire.lines('A').some((l) => l.includes('death by retransmission')));
  t.true(wire.lines('A').includes('%CRYPTO-6-IKMP_AUTH_FAIL: Authentication method 1 failed with host 11.11.11.2'));
  t.true(wire.lines('A').some((l) => l.includes('deleting SA reason "authentication failed" state (I) MM_KEY_EXCH')));
  t.deepEqual(wire.node('A').engine.isakmpSas(), []);
});

test('Aggressive Mode with a wrong pre-shared key: the initiator refuses HASH_R with AUTHENTICATION-FAILED', (t) => {
  const wire = twoSites(12, { aggressivePassword: 'abc123' }, { key: 'wrong-key' });
  wire.acquire('A', PING_A);
  wire.run(200_000);
  const aFail = wire.actions('A', 'fail');
  t.is(aFail.length, 1);
  t.like(aFail[0], { phase: 1, notify: NotifyType.AUTHENTICATION_FAILED });
  t.true(wire.lines('A').includes('%CRYPTO-6-IKMP_AUTH_FAIL: Authentication method 1 failed with host 11.11.11.2'));
  // The responder never hears message 3 and gives up after its retransmissions.
  t.like(wire.actions('B', 'fail')[0], { phase: 1, notify: 0 });
  t.deepEqual(wire.actions('B', 'install-ipsec'), []);
});

test('no common ISAKMP policy: NO-PROPOSAL-CHOSEN on both sides', (t) => {
  const wire = twoSites(13, { isakmp: ' authentication pre-share\n encryption 3des' }, { isakmp: ' authentication pre-share\n encryption aes' });
  wire.acquire('A', PING_A);
  wire.run(200_000);
  t.like(wire.actions('B', 'fail')[0], { phase: 1, notify: NotifyType.NO_PROPOSAL_CHOSEN, notifyName: 'NO-PROPOSAL-CHOSEN' });
  t.like(wire.actions('A', 'fail')[0], { phase: 1, notify: NotifyType.NO_PROPOSAL_CHOSEN });
  const lines = wire.lines('B');
  t.true(lines.includes('ISAKMP (0:1): Encryption algorithm offered does not match policy!'));
  t.true(lines.includes('ISAKMP (0:1): Checking ISAKMP transform 1 against priority 65535 policy'));
  t.true(lines.includes('ISAKMP (0:1): no offers accepted!'));
  t.true(lines.includes('ISAKMP (0:1): phase 1 SA policy not acceptable! (local 11.11.11.2 remote 11.11.11.1)'));
  t.true(lines.includes('%CRYPTO-6-IKMP_MODE_FAILURE: Processing of Main mode failed with peer at 11.11.11.1'));
  // One NO-PROPOSAL-CHOSEN, no retransmission storm afterwards.
  t.is(wire.sent.length, 2);
});

test('the initiator offers every policy; the responder picks the one it has', (t) => {
  const isakmpA =
    ' authentication pre-share\n encryption aes 256\n hash sha256\n group 14\ncrypto isakmp policy 20\n authentication pre-share\n encryption 3des\n group 2';
  const wire = twoSites(14, { isakmp: isakmpA }, { isakmp: ' authentication pre-share\n encryption 3des\n group 2' });
  wire.acquire('A', PING_A);
  wire.run(30_000);
  t.is(wire.actions('B', 'install-ipsec').length, 1);
  t.like(wire.node('B').engine.isakmpSas()[0], { cipher: '3des-cbc', hash: 'sha1', group: 2 });
  const lines = wire.lines('B');
  t.true(lines.includes('ISAKMP (0:1): Checking ISAKMP transform 1 against priority 10 policy'));
  t.true(lines.includes('ISAKMP (0:1): atts are not acceptable. Next payload is 3'));
  t.true(lines.includes('ISAKMP (0:1): Checking ISAKMP transform 2 against priority 10 policy'));
  t.true(lines.includes('ISAKMP (0:1): atts are acceptable. Next payload is 0'));
});

test('no common transform set: NO-PROPOSAL-CHOSEN in an encrypted notify, Quick Mode fails on both sides', (t) => {
  const wire = twoSites(15, { transform: 'esp-des esp-md5-hmac' }, { transform: 'esp-3des esp-sha-hmac' });
  wire.acquire('A', PING_A);
  wire.run(200_000);
  t.like(wire.actions('B', 'fail')[0], { phase: 2, notify: NotifyType.NO_PROPOSAL_CHOSEN });
  t.like(wire.actions('A', 'fail')[0], { phase: 2, notify: NotifyType.NO_PROPOSAL_CHOSEN });
  t.true(wire.lines('B').includes('IPSEC(validate_transform_proposal): transform proposal (prot 3, trans 2, hmac_alg 1) not supported'));
  t.true(wire.lines('A').includes('ISAKMP (0:1): processing NOTIFY PROPOSAL_NOT_CHOSEN protocol 3'));
  // Phase 1 stays up.
  t.like(wire.node('A').engine.isakmpSas()[0], { state: 'QM_IDLE' });
  t.deepEqual([...wire.actions('A', 'install-ipsec'), ...wire.actions('B', 'install-ipsec')], []);
  // The notify went encrypted (exchange 5 with the E flag).
  const notify = wire.sent.find((p) => p.sender === 'B' && p.payload[18] === 5)!;
  t.is(notify.payload[19]! & 1, 1);
});

test('proxies outside the responder ACL: INVALID-ID-INFORMATION ("proxy identities not supported")', (t) => {
  const wire = twoSites(16, {}, { localNet: '12.12.12.0', remoteNet: '14.14.14.0' });
  wire.acquire('A', PING_A);
  wire.run(200_000);
  t.like(wire.actions('B', 'fail')[0], { phase: 2, notify: NotifyType.INVALID_ID_INFORMATION, notifyName: 'INVALID-ID-INFORMATION' });
  t.like(wire.actions('A', 'fail')[0], { phase: 2, notify: NotifyType.INVALID_ID_INFORMATION });
  t.true(wire.lines('B').includes('IPSEC(validate_transform_proposal): proxy identities not supported'));
  t.true(wire.lines('B').includes('ISAKMP (0:1): IPSec policy invalidated proposal'));
});

test('a static crypto map answers only its `set peer`', (t) => {
  const wire = twoSites(17, {}, { peer: '11.11.11.99' });
  wire.acquire('A', PING_A);
  wire.run(200_000);
  t.like(wire.actions('B', 'fail')[0], { phase: 2, notify: NotifyType.INVALID_ID_INFORMATION });
});

test('a responder with a dynamic map accepts any peer and shows the instance', (t) => {
  const wire = twoSites(18, {}, { dynamic: true });
  wire.acquire('A', PING_A);
  wire.run(30_000);
  t.is(wire.actions('B', 'install-ipsec').length, 1);
  const entries = wire.node('B').engine.cryptoMaps()[0]!.entries;
  t.like(entries[0], { kind: 'template', seq: 10, dynamicMap: 'dmap', discover: false });
  t.like(entries[1], {
    kind: 'instance',
    seq: 11,
    peer: '11.11.11.1',
    origin: 'negotiated',
    aclLines: ['access-list permit ip 12.12.12.0 0.0.0.255 13.13.13.0 0.0.0.255'],
  });
});

test('a responder with a shorter lifetime answers RESPONDER-LIFETIME and both use it', (t) => {
  const wire = twoSites(19, {}, { mapExtra: ' set security-association lifetime seconds 1200\n' });
  wire.acquire('A', PING_A);
  wire.run(30_000);
  const a = wire.actions('A', 'install-ipsec')[0]!.sa;
  const b = wire.actions('B', 'install-ipsec')[0]!.sa;
  t.deepEqual(a.lifetime, { seconds: 1200, kilobytes: 4608000 });
  t.deepEqual(b.lifetime, a.lifetime);
  t.true(wire.lines('A').includes('ISAKMP (0:1): processing NOTIFY RESPONDER_LIFETIME protocol 3'));
});

test('aggressive mode refused by `crypto isakmp aggressive-mode disable`', (t) => {
  const wire = twoSites(20, { aggressivePassword: 'abc123' }, { extra: 'crypto isakmp aggressive-mode disable' });
  wire.acquire('A', PING_A);
  wire.run(200_000);
  t.like(wire.actions('B', 'fail')[0], { phase: 1, notify: NotifyType.NO_PROPOSAL_CHOSEN });
  t.like(wire.actions('A', 'fail')[0], { phase: 1, notify: NotifyType.NO_PROPOSAL_CHOSEN });
});
