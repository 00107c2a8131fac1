/** Known byte strings written by hand from the RFC layouts, decoded to the expected fields. */
import test from 'ava';
import { Buffer } from 'node:buffer';
import { attributeNumber, describeAttributeValue } from '../../../../src/codecs/isakmp/attributes.js';
import { decodePayloadChain, decodePayloads, findPayload, payloadBody } from '../../../../src/codecs/isakmp/chain.js';
import {
  AuthAlgorithm,
  AuthMethod,
  EncapsulationMode,
  EncryptionAlgorithm,
  EspTransformId,
  ExchangeType,
  GroupDescription,
  HashAlgorithm,
  IpsecAttr,
  LifeType,
  NotifyType,
  PayloadType,
  Phase1Attr,
  ProtocolId,
} from '../../../../src/codecs/isakmp/constants.js';
import { stringifyHeader } from '../../../../src/codecs/isakmp/header.js';
import { decodeMessage, describeMessage, encodeMessage } from '../../../../src/codecs/isakmp/message.js';
import { stringifyAuthMethod, stringifyEncryption, stringifyGroup, stringifyHash, stringifyLifeType } from '../../../../src/codecs/isakmp/names.js';
import { CISCO_UNITY, SEED_ICKY, SEED_MM1, hex, stripRaw } from './fixtures.js';

test('Main Mode message 1 with the seed policy decodes to DES, SHA, group 1, pre-share, 86400 s', (t) => {
  const { header, payloads } = decodeMessage(SEED_MM1);
  t.true(header.initiatorCookie.equals(SEED_ICKY));
  t.true(header.responderCookie.equals(Buffer.alloc(8)));
  t.is(header.nextPayload, PayloadType.SA);
  t.is(header.version, 0x10);
  t.is(header.exchangeType, ExchangeType.IDENTITY_PROTECTION);
  t.is(header.flags, 0);
  t.is(header.messageId, 0);
  t.is(header.length, 104);
  t.deepEqual(
    payloads.map((p) => p.type),
    [PayloadType.SA, PayloadType.VENDOR_ID],
  );

  const sa = findPayload(payloads, PayloadType.SA)!;
  t.is(sa.doi, 1);
  t.is(sa.situation, 1);
  t.is(sa.proposals.length, 1);
  const [proposal] = sa.proposals;
  t.is(proposal!.number, 1);
  t.is(proposal!.protocol, ProtocolId.ISAKMP);
  t.is(proposal!.spi.length, 0);
  const [transform] = proposal!.transforms;
  t.is(transform!.id, 1);
  t.deepEqual(transform!.attributes, [
    { type: Phase1Attr.ENCRYPTION, value: EncryptionAlgorithm.DES_CBC },
    { type: Phase1Attr.HASH, value: HashAlgorithm.SHA },
    { type: Phase1Attr.GROUP_DESCRIPTION, value: GroupDescription.MODP_768 },
    { type: Phase1Attr.AUTH_METHOD, value: AuthMethod.PRE_SHARED_KEY },
    { type: Phase1Attr.LIFE_TYPE, value: LifeType.SECONDS },
    { type: Phase1Attr.LIFE_DURATION, value: 86400 },
  ]);
  t.true(findPayload(payloads, PayloadType.VENDOR_ID)!.data.equals(CISCO_UNITY));
});

test('the seed policy reads back the way IOS logs it', (t) => {
  const sa = findPayload(decodeMessage(SEED_MM1).payloads, PayloadType.SA)!;
  const attrs = sa.proposals[0]!.transforms[0]!.attributes;
  t.is(stringifyEncryption(attributeNumber(attrs[0]!)), 'DES-CBC');
  t.is(stringifyHash(attributeNumber(attrs[1]!)), 'SHA');
  t.is(stringifyGroup(attributeNumber(attrs[2]!)), 'group 1 (768-bit MODP)');
  t.is(stringifyAuthMethod(attributeNumber(attrs[3]!)), 'pre-share');
  t.is(stringifyLifeType(attributeNumber(attrs[4]!)), 'seconds');
  t.is(describeAttributeValue(attrs[5]!), '(VPI) of 0x0 0x1 0x51 0x80');
});

test('encoding the seed policy from fields gives the hand-written bytes', (t) => {
  const bytes = encodeMessage(
    { initiatorCookie: SEED_ICKY, responderCookie: Buffer.alloc(8), exchangeType: ExchangeType.IDENTITY_PROTECTION },
    stripRaw(decodeMessage(SEED_MM1).payloads) as never,
  );
  t.is(bytes.toString('hex'), SEED_MM1.toString('hex'));
});

test('the SA body ("SAi_b") is the bytes after the SA generic header', (t) => {
  const { payloads } = decodeMessage(SEED_MM1);
  t.true(payloadBody(payloads[0]!).equals(SEED_MM1.subarray(32, 84)));
  t.true(payloadBody(payloads[1]!).equals(SEED_MM1.subarray(88, 104)));
});

test('describeMessage and stringifyHeader name the exchange, cookies and payloads', (t) => {
  const message = decodeMessage(SEED_MM1);
  t.is(
    stringifyHeader(message.header),
    'ICKY 5f2e1c0b9a3d4781 RCKY 0000000000000000 Identity Protection (Main Mode) flags - msgid 0 next Security Association len 104',
  );
  t.regex(describeMessage(message), /: SA\(1 proposal\), VID\(Cisco Unity\)$/);
});

/** The seed's Quick Mode proposal as IOS logs it: ESP_DES, encaps 1, 3600 s basic, 4608000 KB TLV, HMAC-MD5. */
const SEED_QM_SA = hex(`
  0000 003c               # SA, last payload, length 60
  00000001 00000001       # IPsec DOI, SIT_IDENTITY_ONLY
  0000 0030               # proposal, last, length 48
  01 03 04 01             # proposal 1, PROTO_IPSEC_ESP, SPI size 4, 1 transform
  f800d61f                # SPI
  0000 0024               # transform, last, length 36
  01 02 0000              # transform 1, ESP_DES
  8004 0001               # encaps is 1 (tunnel)
  8001 0001               # SA life type in seconds
  8002 0e10               # SA life duration (basic) of 3600
  8001 0002               # SA life type in kilobytes
  0002 0004 00465000      # SA life duration (VPI) of 0x0 0x46 0x50 0x0
  8005 0001               # authenticator is HMAC-MD5
`);

test('the seed Quick Mode SA decodes to ESP_DES tunnel 3600 s / 4608000 KB HMAC-MD5', (t) => {
  const [sa] = decodePayloads(PayloadType.SA, SEED_QM_SA);
  t.is(sa!.type, PayloadType.SA);
  if (sa!.type !== PayloadType.SA) return;
  const proposal = sa.proposals[0]!;
  t.is(proposal.protocol, ProtocolId.ESP);
  t.is(proposal.spi.readUInt32BE(0), 4160804383);
  t.is(proposal.transforms[0]!.id, EspTransformId.ESP_DES);
  const attrs = proposal.transforms[0]!.attributes;
  t.deepEqual(attrs, [
    { type: IpsecAttr.ENCAPSULATION_MODE, value: EncapsulationMode.TUNNEL },
    { type: IpsecAttr.LIFE_TYPE, value: LifeType.SECONDS },
    { type: IpsecAttr.LIFE_DURATION, value: 3600 },
    { type: IpsecAttr.LIFE_TYPE, value: LifeType.KILOBYTES },
    { type: IpsecAttr.LIFE_DURATION, value: 4608000 },
    { type: IpsecAttr.AUTH_ALGORITHM, value: AuthAlgorithm.HMAC_MD5 },
  ]);
  t.is(describeAttributeValue(attrs[2]!), '(basic) of 3600');
  t.is(describeAttributeValue(attrs[4]!), '(VPI) of 0x0 0x46 0x50 0x0');
});

/** An Informational body after decryption: HASH, N(INITIAL-CONTACT), D(ESP) and zero padding. */
const DECRYPTED_INFO = hex(`
  0b00 0018 ${'11'.repeat(20)}          # HASH, next Notify
  0c00 001c 00000001 01 10 6002 ${'ab'.repeat(16)}   # N: DOI 1, ISAKMP, SPI size 16, INITIAL-CONTACT
  0000 0010 00000001 03 04 0001 a4790fa0 # D: DOI 1, ESP, SPI size 4, 1 SPI
  000000000000                           # padding
`);

test('a decrypted body with zero padding decodes and reports where the padding starts', (t) => {
  const chain = decodePayloadChain(PayloadType.HASH, DECRYPTED_INFO);
  t.deepEqual(
    chain.payloads.map((p) => p.type),
    [PayloadType.HASH, PayloadType.NOTIFY, PayloadType.DELETE],
  );
  t.deepEqual(chain.offsets, [0, 24, 52]);
  t.is(chain.end, DECRYPTED_INFO.length - 6);
  const notify = findPayload(chain.payloads, PayloadType.NOTIFY)!;
  t.is(notify.notifyType, NotifyType.INITIAL_CONTACT);
  t.is(notify.spi.length, 16);
  const del = findPayload(chain.payloads, PayloadType.DELETE)!;
  t.is(del.spis[0]!.readUInt32BE(0), 0xa4790fa0);
});

test('RFC 2409 padding whose last byte is the pad count is tolerated too', (t) => {
  const body = Buffer.concat([DECRYPTED_INFO.subarray(0, DECRYPTED_INFO.length - 6), hex('0000000000 05')]);
  t.is(decodePayloads(PayloadType.HASH, body).length, 3);
});
