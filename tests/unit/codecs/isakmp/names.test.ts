/** Constants and their names: RFC numbers, IOS spellings, vendor IDs that are what their definitions say. */
import test from 'ava';
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { stringifyPayloadType } from '../../../../src/codecs/isakmp/chain.js';
import { ExchangeType, NotifyType, PayloadType, VendorIdHex } from '../../../../src/codecs/isakmp/constants.js';
import { IsakmpError, PayloadMalformedError } from '../../../../src/codecs/isakmp/errors.js';
import {
  stringifyAuthAlgorithm,
  stringifyEncapsulation,
  stringifyExchangeType,
  stringifyFlags,
  stringifyIdType,
  stringifyNotifyType,
  stringifyTransformId,
  stringifyVendorId,
} from '../../../../src/codecs/isakmp/names.js';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

test('the NAT-T vendor IDs are the MD5 of their names', (t) => {
  t.is<string, string>(VendorIdHex.NAT_T_RFC3947, md5('RFC 3947'));
  t.is<string, string>(VendorIdHex.NAT_T_DRAFT_02N, md5('draft-ietf-ipsec-nat-t-ike-02\n'));
});

test('the Cisco Unity vendor ID is MD5("CISCO-UNITY") with the last two bytes 01 00', (t) => {
  t.is<string, string>(VendorIdHex.CISCO_UNITY, `${md5('CISCO-UNITY').slice(0, 28)}0100`);
  t.is(stringifyVendorId(Buffer.from(VendorIdHex.CISCO_UNITY, 'hex')), 'Cisco Unity');
  t.is(stringifyVendorId(Buffer.from('0102', 'hex')), '0102');
});

test('RFC 2408 error notify types 1-30 all have names, with the numbers the RFC gives', (t) => {
  for (let n = 1; n <= 30; n++) t.notRegex(stringifyNotifyType(n), /^RESERVED/, `notify ${n}`);
  t.is(stringifyNotifyType(NotifyType.PAYLOAD_MALFORMED), 'PAYLOAD-MALFORMED');
  t.is(NotifyType.PAYLOAD_MALFORMED, 16);
  t.is(NotifyType.INVALID_HASH_INFORMATION, 23);
  t.is(NotifyType.AUTHENTICATION_FAILED, 24);
  t.is(NotifyType.NO_PROPOSAL_CHOSEN, 14);
  t.is(NotifyType.INVALID_ID_INFORMATION, 18);
  t.is(NotifyType.INVALID_SPI, 11);
  t.is(stringifyNotifyType(24578), 'INITIAL-CONTACT');
  t.is(stringifyNotifyType(36136), 'R-U-THERE');
  t.is(stringifyNotifyType(36137), 'R-U-THERE-ACK');
  t.is(stringifyNotifyType(31), 'RESERVED-ERROR-31');
});

test('payload and exchange types print their RFC names and ranges', (t) => {
  t.is(stringifyPayloadType(PayloadType.NONCE), 'Nonce');
  t.is(stringifyPayloadType(PayloadType.NAT_D_DRAFT), 'NAT-D (draft)');
  t.is(stringifyPayloadType(239), 'Private Use 239');
  t.is(stringifyPayloadType(14), 'Reserved 14');
  t.is(stringifyExchangeType(ExchangeType.IDENTITY_PROTECTION), 'Identity Protection (Main Mode)');
  t.is(stringifyExchangeType(32), 'Quick Mode');
  t.is(stringifyExchangeType(240), 'Private Use 240');
  t.is(stringifyExchangeType(100), 'DOI Specific 100');
  t.is(stringifyFlags(0), '-');
  t.is(stringifyFlags(0x03), 'E|C');
  t.is(stringifyFlags(0x81), 'E|0x80');
});

test('IPsec names are spelled the way IOS prints them', (t) => {
  t.is(stringifyTransformId(3, 2), 'ESP_DES');
  t.is(stringifyTransformId(3, 12), 'ESP_AES');
  t.is(stringifyTransformId(1, 1), 'KEY_IKE');
  t.is(stringifyAuthAlgorithm(1), 'HMAC-MD5');
  t.is(stringifyEncapsulation(61443), 'UDP-Encapsulated-Tunnel (draft)');
  t.is(stringifyIdType(4), 'ID_IPV4_ADDR_SUBNET');
});

test('IsakmpError carries notify, offset and a readable name; subclasses fix the notify', (t) => {
  const err = new IsakmpError(NotifyType.INVALID_HASH_INFORMATION, 'HASH_R does not match', { offset: 7 });
  t.is(err.notify, 23);
  t.is(err.notifyName, 'INVALID-HASH-INFORMATION');
  t.is(err.offset, 7);
  t.is(err.name, 'IsakmpError');
  const sub = new PayloadMalformedError('x');
  t.true(sub instanceof IsakmpError);
  t.is(sub.notify, NotifyType.PAYLOAD_MALFORMED);
  t.is(sub.name, 'PayloadMalformedError');
  t.is(sub.offset, undefined);
});
