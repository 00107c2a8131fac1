/**
 * The seed flow in memory, with the seed's configurations: Daphne discovers
 * Fred with a TED probe, runs Main Mode and Quick Mode, both install
 * matching SAs, the debug output holds the seed's lines in order, and the
 * show views hold what the seed's show commands print.
 */
import test from 'ava';
import { hexSpi, signed32 } from '../../../../../src/agent/ike/v1/debug.js';
import { espKeyRows } from '../../../../../src/agent/ike/v1/views/keys.js';
import type { IkeAction } from '../../../../../src/agent/ike/types.js';
import { engineFromConfig, missingInOrder, seedConfig, Wire } from '../helpers.js';

function seedWire(): Wire {
  const wire = new Wire();
  wire.add('daphne', engineFromConfig(seedConfig('daphne'), 7), ['11.11.11.1', '13.13.13.13'], ['13.13.13.0/24']);
  wire.add('fred', engineFromConfig(seedConfig('fred'), 8), ['11.11.11.2', '12.12.12.12'], ['12.12.12.0/24']);
  return wire;
}

const TRIGGER = { packet: { source: '13.13.13.4', destination: '12.12.12.13', protocol: 1 }, interface: 'FastEthernet0/0', nextHop: '11.11.11.2' };

function run(): Wire {
  const wire = seedWire();
  wire.acquire('daphne', TRIGGER);
  wire.run(30_000);
  return wire;
}

test("the TED probe goes from the host to the target; Fred answers from its IKE address to Daphne's", (t) => {
  const wire = run();
  const probes = wire.sent.filter((p) => p.kind === 'probe');
  t.is(probes.length, 1);
  t.deepEqual(
    [probes[0]!.from, probes[0]!.to],
    [
      { ip: '13.13.13.4', port: 500 },
      { ip: '12.12.12.13', port: 500 },
    ],
  );
  const reply = wire.sent.find((p) => p.sender === 'fred')!;
  t.deepEqual(
    [reply.from, reply.to],
    [
      { ip: '11.11.11.2', port: 500 },
      { ip: '11.11.11.1', port: 500 },
    ],
  );
  t.is(reply.payload[18], 240);
});

test('six Main Mode and three Quick Mode messages between 11.11.11.1 and 11.11.11.2', (t) => {
  const wire = run();
  const ike = wire.sent.filter((p) => p.kind === 'ike' && p.payload[18] !== 240);
  const types = ike.map((p) => `${p.sender}:${p.payload[18]}`);
  t.deepEqual(types, ['daphne:2', 'fred:2', 'daphne:2', 'fred:2', 'daphne:2', 'fred:2', 'daphne:32', 'fred:32', 'daphne:32']);
  t.true(ike.every((p) => p.from.port === 500 && p.to.port === 500));
});

test('both sides install SAs for 13.13.13.0/24 <-> 12.12.12.0/24 with crossing SPIs and keys', (t) => {
  const wire = run();
  const d = wire.actions('daphne', 'install-ipsec');
  const f = wire.actions('fred', 'install-ipsec');
  t.is(d.length, 1);
  t.is(f.length, 1);
  const ds = d[0]!.sa;
  const fs = f[0]!.sa;
  t.deepEqual(ds.proxies.local, { idType: 4, address: '13.13.13.0', mask: '255.255.255.0', protocol: 0, port: 0 });
  t.deepEqual(ds.proxies.remote, { idType: 4, address: '12.12.12.0', mask: '255.255.255.0', protocol: 0, port: 0 });
  t.deepEqual(fs.proxies.local, ds.proxies.remote);
  t.deepEqual(fs.proxies.remote, ds.proxies.local);
  t.is(ds.outbound.spi, fs.inbound.spi);
  t.is(ds.inbound.spi, fs.outbound.spi);
  t.deepEqual(ds.outbound.encryptionKey, fs.inbound.encryptionKey);
  t.deepEqual(ds.outbound.authenticationKey, fs.inbound.authenticationKey);
  t.deepEqual(ds.inbound.encryptionKey, fs.outbound.encryptionKey);
  t.deepEqual(ds.inbound.authenticationKey, fs.outbound.authenticationKey);
  t.is(ds.cipher, 'des');
  t.is(ds.integrity, 'hmac-md5-96');
  t.is(ds.transform, 'esp-des esp-md5-hmac');
  t.deepEqual(ds.lifetime, { seconds: 3600, kilobytes: 4608000 });
  t.deepEqual([ds.inbound.connId, ds.outbound.connId, fs.inbound.connId, fs.outbound.connId], [2000, 2001, 2000, 2001]);
  t.deepEqual(ds.cryptoMap, { map: 'tedtag', seq: 10, dynamic: { map: 'ted-map', seq: 10 } });
  t.is(ds.peer, '11.11.11.2');
  t.is(ds.udpEncapsulation, null);
  t.deepEqual([...wire.actions('daphne', 'fail'), ...wire.actions('fred', 'fail')], []);
});

function qmId(wire: Wire, node: string): number {
  const line =
    wire.lines(node).find((l) => l.includes('beginning Quick Mode exchange')) ?? wire.lines('daphne').find((l) => l.includes('beginning Quick Mode exchange'))!;
  return Number(/M-ID of (-?\d+)/.exec(line)![1]);
}

test("Daphne's debug output holds the seed's lines in order", (t) => {
  const wire = run();
  const sa = wire.actions('daphne', 'install-ipsec')[0]!.sa;
  const mid = qmId(wire, 'daphne');
  const expected = [
    'IPSEC(tunnel discover request): , (key eng. msg.) INBOUND local= 13.13.13.4, remote= 12.12.12.13, local_proxy= 13.13.13.0/255.255.255.0/0/0 (type=4), remote_proxy= 11.11.11.1/255.255.255.255/0/0 (type=1), protocol= ESP, transform= esp-des esp-md5-hmac , lifedur= 3600s and 4608000kb, spi= 0x0(0), conn_id= 0, keysize= 0, flags= 0x4004 dest=FastEthernet0/0:11.11.11.2',
    'ISAKMP: received ke message (1/1)',
    'ISAKMP: GOT A PEER DISCOVERY MESSAGE FROM THE SA MANAGER!!!',
    'src = 13.13.13.4 to 12.12.12.13, protocol 3, transform 2, hmac 1',
    'proxy source is 13.13.13.0/255.255.255.0 and my address (not used now) is 11.11.11.1',
    'ISAKMP: local port 500, remote port 500',
    'ISAKMP (0:1): no idb in request',
    'ISAKMP (1): ID payload next-payload : 5 type : 1 protocol : 17 port : 500 length : 8',
    'ISAKMP (1): Total payload length: 12',
    '1st ID is 11.11.11.1',
    '2nd ID is 13.13.13.0/255.255.255.0',
    'ISAKMP (0:1): beginning peer discovery exchange',
    'ISAKMP (0:1): sending packet to 12.12.12.13 (I) PEER_DISCOVERY via FastEthernet0/0:11.11.11.2',
    'ISAKMP (0:1): received packet from 11.11.11.2 (I) PEER_DISCOVERY',
    'ISAKMP (0:1): processing vendor id payload',
    'ISAKMP (0:1): speaking to another IOS box!',
    'ISAKMP (0:1): processing ID payload. message ID = 0',
    'ISAKMP:received payload type 16',
    'ISAKMP (0:1): received response to my peer discovery probe!',
    'ISAKMP (0:1): ted negotiated proxies: 0 13.13.13.0/255.255.255.0:0, 12.12.12.0/255.255.255.0:0',
    'ISAKMP (0:1): initiating IKE to 11.11.11.2 in response to probe.',
    'ISAKMP: local port 500, remote port 500',
    'ISAKMP (0:1): created new SA after peer-discovery with 11.11.11.2',
    'ISAKMP (0:2): sending packet to 11.11.11.2 (I) MM_NO_STATE',
    'ISAKMP (0:1): peer does not do paranoid keepalives.',
    'ISAKMP (0:1): deleting SA reason "delete_me flag/throw" state (I) PEER_DISCOVERY (peer 12.12.12.13) input queue 0',
    'ISAKMP (0:2): received packet from 11.11.11.2 (I) MM_NO_STATE',
    'ISAKMP (0:2): processing SA payload. message ID = 0',
    'ISAKMP (0:2): found peer pre-shared key matching 11.11.11.2',
    'ISAKMP (0:2): Checking ISAKMP transform 1 against priority 10 policy',
    'ISAKMP: encryption DES-CBC',
    'ISAKMP: hash SHA',
    'ISAKMP: default group 1',
    'ISAKMP: auth pre-share',
    'ISAKMP: life type in seconds',
    'ISAKMP: life duration (VPI) of 0x0 0x1 0x51 0x80',
    'ISAKMP (0:2): atts are acceptable. Next payload is 0',
    'CryptoEngine0: generate alg parameter',
    'CRYPTO_ENGINE: Dh phase 1 status: 0',
    'CRYPTO_ENGINE: Dh phase 1 status: 0',
    'ISAKMP (0:2): SA is doing pre-shared key authentication using id type ID_IPV4_ADDR',
    'ISAKMP (0:2): sending packet to 11.11.11.2 (I) MM_SA_SETUP',
    'ISAKMP (0:2): received packet from 11.11.11.2 (I) MM_SA_SETUP',
    'ISAKMP (0:2): processing KE payload. message ID = 0',
    'CryptoEngine0: generate alg parameter',
    'ISAKMP (0:2): processing NONCE payload. message ID = 0',
    'ISAKMP (0:2): found peer pre-shared key matching 11.11.11.2',
    'CryptoEngine0: create ISAKMP SKEYID for conn id 2',
    'ISAKMP (0:2): SKEYID state generated',
    'ISAKMP (0:2): processing vendor id payload',
    'ISAKMP (0:2): speaking to another IOS box!',
    'ISAKMP (2): ID payload next-payload : 8 type : 1 protocol : 17 port : 500 length : 8',
    'ISAKMP (2): Total payload length: 12',
    'CryptoEngine0: generate hmac context for conn id 2',
    'ISAKMP (0:2): sending packet to 11.11.11.2 (I) MM_KEY_EXCH',
    'ISAKMP (0:2): received packet from 11.11.11.2 (I) MM_KEY_EXCH',
    'ISAKMP (0:2): processing ID payload. message ID = 0',
    'ISAKMP (0:2): processing HASH payload. message ID = 0',
    'CryptoEngine0: generate hmac context for conn id 2',
    'ISAKMP (0:2): SA has been authenticated with 11.11.11.2',
    `ISAKMP (0:2): beginning Quick Mode exchange, M-ID of ${mid}`,
    'ISAKMP (0:2): asking for 1 spis from ipsec',
    "ISAKMP (0:2): had to get SPI's from ipsec.",
    'CryptoEngine0: clear dh number for conn id 1',
    'IPSEC(key_engine): got a queue event...',
    `IPSEC(spi_response): getting spi ${sa.inbound.spi} for SA from 11.11.11.1 to 11.11.11.2 for prot 3`,
    'ISAKMP: received ke message (2/1)',
    'CryptoEngine0: generate hmac context for conn id 2',
    'ISAKMP (0:2): sending packet to 11.11.11.2 (I) QM_IDLE',
    'ISAKMP (0:2): received packet from 11.11.11.2 (I) QM_IDLE',
    'CryptoEngine0: generate hmac context for conn id 2',
    `ISAKMP (0:2): processing HASH payload. message ID = ${mid}`,
    `ISAKMP (0:2): processing SA payload. message ID = ${mid}`,
    'ISAKMP (0:2): Checking IPSec proposal 1',
    'ISAKMP: transform 1, ESP_DES',
    'ISAKMP: attributes in transform:',
    'ISAKMP: encaps is 1',
    'ISAKMP: SA life type in seconds',
    'ISAKMP: SA life duration (basic) of 3600',
    'ISAKMP: SA life type in kilobytes',
    'ISAKMP: SA life duration (VPI) of 0x0 0x46 0x50 0x0',
    'ISAKMP: authenticator is HMAC-MD5',
    'validate proposal 0',
    'ISAKMP (0:2): atts are acceptable.',
    'IPSEC(validate_proposal_request): proposal part #1, (key eng. msg.) INBOUND local= 11.11.11.1, remote= 11.11.11.2, local_proxy= 13.13.13.0/255.255.255.0/0/0 (type=4), remote_proxy= 12.12.12.0/255.255.255.0/0/0 (type=4), protocol= ESP, transform= esp-des esp-md5-hmac , lifedur= 0s and 0kb, spi= 0x0(0), conn_id= 0, keysize= 0, flags= 0x4',
    'validate proposal request 0',
    `ISAKMP (0:2): processing NONCE payload. message ID = ${mid}`,
    `ISAKMP (0:2): processing ID payload. message ID = ${mid}`,
    `ISAKMP (0:2): processing ID payload. message ID = ${mid}`,
    'CryptoEngine0: generate hmac context for conn id 2',
    'ipsec allocate flow 0',
    'ipsec allocate flow 0',
    'ISAKMP (0:2): Creating IPSec SAs',
    'inbound SA from 11.11.11.2 to 11.11.11.1 (proxy 12.12.12.0 to 13.13.13.0)',
    `has spi ${hexSpi(sa.inbound.spi)} and conn_id 2000 and flags 4`,
    'lifetime of 3600 seconds',
    'lifetime of 4608000 kilobytes',
    'outbound SA from 11.11.11.1 to 11.11.11.2 (proxy 13.13.13.0 to 12.12.12.0 )',
    `has spi ${signed32(sa.outbound.spi)} and conn_id 2001 and flags C`,
    'lifetime of 3600 seconds',
    'lifetime of 4608000 kilobytes',
    'ISAKMP (0:2): sending packet to 11.11.11.2 (I) QM_IDLE',
    `ISAKMP (0:2): deleting node ${mid} error FALSE reason ""`,
    'IPSEC(key_engine): got a queue event...',
    `IPSEC(initialize_sas): , (key eng. msg.) INBOUND local= 11.11.11.1, remote= 11.11.11.2, local_proxy= 13.13.13.0/255.255.255.0/0/0 (type=4), remote_proxy= 12.12.12.0/255.255.255.0/0/0 (type=4), protocol= ESP, transform= esp-des esp-md5-hmac , lifedur= 3600s and 4608000kb, spi= ${hexSpi(sa.inbound.spi)}(${sa.inbound.spi}), conn_id= 2000, keysize= 0, flags= 0x4`,
    `IPSEC(initialize_sas): , (key eng. msg.) OUTBOUND local= 11.11.11.1, remote= 11.11.11.2, local_proxy= 13.13.13.0/255.255.255.0/0/0 (type=4), remote_proxy= 12.12.12.0/255.255.255.0/0/0 (type=4), protocol= ESP, transform= esp-des esp-md5-hmac , lifedur= 3600s and 4608000kb, spi= ${hexSpi(sa.outbound.spi)}(${sa.outbound.spi}), conn_id= 2001, keysize= 0, flags= 0xC`,
    `IPSEC(create_sa): sa created, (sa) sa_dest= 11.11.11.1, sa_prot= 50, sa_spi= ${hexSpi(sa.inbound.spi)}(${sa.inbound.spi}), sa_trans= esp-des esp-md5-hmac , sa_conn_id= 2000`,
    `IPSEC(create_sa): sa created, (sa) sa_dest= 11.11.11.2, sa_prot= 50, sa_spi= ${hexSpi(sa.outbound.spi)}(${sa.outbound.spi}), sa_trans= esp-des esp-md5-hmac , sa_conn_id= 2001`,
  ];
  const lines = wire.lines('daphne');
  const missing = missingInOrder(lines, expected);
  t.is(missing, -1, missing >= 0 ? `missing in order: ${expected[missing]}` : '');
  // The probe SA is purged a second after its deletion (in the seed, while Main Mode ran on a slow CPU).
  t.is(
    missingInOrder(lines, [
      'ISAKMP (0:1): deleting SA reason "delete_me flag/throw" state (I) PEER_DISCOVERY (peer 12.12.12.13) input queue 0',
      'ISAKMP (0:1): purging SA., sa=82687F70, delme=82687F70',
      'CryptoEngine0: delete connection 1',
    ]),
    -1,
  );
});

test("Fred's debug output holds the seed's lines in order", (t) => {
  const wire = run();
  const sa = wire.actions('fred', 'install-ipsec')[0]!.sa;
  const mid = qmId(wire, 'daphne');
  const expected = [
    'ISAKMP (0:0): received packet from 13.13.13.4 (N) NEW SA',
    'ISAKMP: local port 500, remote port 500',
    'ISAKMP (0:1): processing vendor id payload',
    'ISAKMP (0:1): speaking to another IOS box!',
    'ISAKMP (0:1): processing ID payload. message ID = 0',
    'ISAKMP (1): ID_IPV4_ADDR_SUBNET src 13.13.13.0 /255.255.255.0 prot 0 port 0',
    'ISAKMP (0:1): processing vendor id payload',
    'ISAKMP (0:1): responding to peer discovery probe!',
    "peer's address is 11.11.11.1",
    'src (him) 4, 13.13.13.0/255.255.255.0 to dst (me) 0, 0.0.0.0/0.0.0.0',
    'ISAKMP (0:1): peer can handle TED V3: changing source to 11.11.11.1 and dest to 11.11.11.2',
    'ISAKMP (1): ID payload next-payload : 239 type : 1 protocol : 17 port : 500 length : 8',
    'ISAKMP (1): Total payload length: 12',
    'ISAKMP (0:1): sending packet to 11.11.11.1 (R) PEER_DISCOVERY',
    'ISAKMP (0:1): peer does not do paranoid keepalives.',
    'ISAKMP (0:1): deleting SA reason "delete_me flag/throw" state (R) PEER_DISCOVERY (peer 11.11.11.1) input queue 0',
    'ISAKMP (0:1): deleting node 0 error TRUE reason "delete_me flag/throw"',
    'ISAKMP (0:0): received packet from 11.11.11.1 (N) NEW SA',
    'ISAKMP: local port 500, remote port 500',
    'ISAKMP (0:2): processing SA payload. message ID = 0',
    'ISAKMP (0:2): found peer pre-shared key matching 11.11.11.1',
    'ISAKMP (0:2): Checking ISAKMP transform 1 against priority 10 policy',
    'ISAKMP: encryption DES-CBC',
    'ISAKMP: hash SHA',
    'ISAKMP: default group 1',
    'ISAKMP: auth pre-share',
    'ISAKMP: life type in seconds',
    'ISAKMP: life duration (VPI) of 0x0 0x1 0x51 0x80',
    'ISAKMP (0:2): atts are acceptable. Next payload is 0',
    'CryptoEngine0: generate alg parameter',
    'CRYPTO_ENGINE: Dh phase 1 status: 0',
    'CRYPTO_ENGINE: Dh phase 1 status: 0',
    'ISAKMP (0:2): SA is doing pre-shared key authentication using id type ID_IPV4_ADDR',
    'ISAKMP (0:2): sending packet to 11.11.11.1 (R) MM_SA_SETUP',
    'ISAKMP (0:2): received packet from 11.11.11.1 (R) MM_SA_SETUP',
    'ISAKMP (0:2): processing KE payload. message ID = 0',
    'CryptoEngine0: generate alg parameter',
    'ISAKMP (0:2): processing NONCE payload. message ID = 0',
    'ISAKMP (0:2): found peer pre-shared key matching 11.11.11.1',
    'CryptoEngine0: create ISAKMP SKEYID for conn id 2',
    'ISAKMP (0:2): SKEYID state generated',
    'ISAKMP (0:2): processing vendor id payload',
    'ISAKMP (0:2): speaking to another IOS box!',
    'ISAKMP (0:2): sending packet to 11.11.11.1 (R) MM_KEY_EXCH',
    'ISAKMP (0:2): received packet from 11.11.11.1 (R) MM_KEY_EXCH',
    'ISAKMP (0:2): processing ID payload. message ID = 0',
    'ISAKMP (0:2): processing HASH payload. message ID = 0',
    'CryptoEngine0: generate hmac context for conn id 2',
    'ISAKMP (0:2): SA has been authenticated with 11.11.11.1',
    'ISAKMP (2): ID payload next-payload : 8 type : 1 protocol : 17 port : 500 length : 8',
    'ISAKMP (2): Total payload length: 12',
    'CryptoEngine0: generate hmac context for conn id 2',
    'CryptoEngine0: clear dh number for conn id 1',
    'ISAKMP (0:2): sending packet to 11.11.11.1 (R) QM_IDLE',
    'ISAKMP (0:2): received packet from 11.11.11.1 (R) QM_IDLE',
    'CryptoEngine0: generate hmac context for conn id 2',
    `ISAKMP (0:2): processing HASH payload. message ID = ${mid}`,
    `ISAKMP (0:2): processing SA payload. message ID = ${mid}`,
    'ISAKMP (0:2): Checking IPSec proposal 1',
    'ISAKMP: transform 1, ESP_DES',
    'ISAKMP: attributes in transform:',
    'ISAKMP: encaps is 1',
    'ISAKMP: SA life type in seconds',
    'ISAKMP: SA life duration (basic) of 3600',
    'ISAKMP: SA life type in kilobytes',
    'ISAKMP: SA life duration (VPI) of 0x0 0x46 0x50 0x0',
    'ISAKMP: authenticator is HMAC-MD5',
    'validate proposal 0',
    'ISAKMP (0:2): atts are acceptable.',
    'IPSEC(validate_proposal_request): proposal part #1, (key eng. msg.) INBOUND local= 11.11.11.2, remote= 11.11.11.1, local_proxy= 12.12.12.0/255.255.255.0/0/0 (type=4), remote_proxy= 13.13.13.0/255.255.255.0/0/0 (type=4), protocol= ESP, transform= esp-des esp-md5-hmac , lifedur= 0s and 0kb, spi= 0x0(0), conn_id= 0, keysize= 0, flags= 0x4',
    'validate proposal request 0',
    `ISAKMP (0:2): processing NONCE payload. message ID = ${mid}`,
    `ISAKMP (0:2): processing ID payload. message ID = ${mid}`,
    `ISAKMP (0:2): processing ID payload. message ID = ${mid}`,
    'ISAKMP (0:2): asking for 1 spis from ipsec',
    'IPSEC(key_engine): got a queue event...',
    `IPSEC(spi_response): getting spi ${sa.inbound.spi} for SA from 11.11.11.2 to 11.11.11.1 for prot 3`,
    'ISAKMP: received ke message (2/1)',
    'CryptoEngine0: generate hmac context for conn id 2',
    'ISAKMP (0:2): sending packet to 11.11.11.1 (R) QM_IDLE',
    'ISAKMP (0:2): received packet from 11.11.11.1 (R) QM_IDLE',
    'CryptoEngine0: generate hmac context for conn id 2',
    'ipsec allocate flow 0',
    'ipsec allocate flow 0',
    'ISAKMP (0:2): Creating IPSec SAs',
    'inbound SA from 11.11.11.1 to 11.11.11.2 (proxy 13.13.13.0 to 12.12.12.0)',
    `has spi ${hexSpi(sa.inbound.spi)} and conn_id 2000 and flags 4`,
    'lifetime of 3600 seconds',
    'lifetime of 4608000 kilobytes',
    'outbound SA from 11.11.11.2 to 11.11.11.1 (proxy 12.12.12.0 to 13.13.13.0 )',
    `has spi ${signed32(sa.outbound.spi)} and conn_id 2001 and flags C`,
    'lifetime of 3600 seconds',
    'lifetime of 4608000 kilobytes',
    `ISAKMP (0:2): deleting node ${mid} error FALSE reason "quick mode done (await()"`,
    'IPSEC(key_engine): got a queue event...',
    `IPSEC(create_sa): sa created, (sa) sa_dest= 11.11.11.2, sa_prot= 50, sa_spi= ${hexSpi(sa.inbound.spi)}(${sa.inbound.spi}), sa_trans= esp-des esp-md5-hmac , sa_conn_id= 2000`,
    `IPSEC(create_sa): sa created, (sa) sa_dest= 11.11.11.1, sa_prot= 50, sa_spi= ${hexSpi(sa.outbound.spi)}(${sa.outbound.spi}), sa_trans= esp-des esp-md5-hmac , sa_conn_id= 2001`,
  ];
  const lines = wire.lines('fred');
  const missing = missingInOrder(lines, expected);
  t.is(missing, -1, missing >= 0 ? `missing in order: ${expected[missing]}` : '');
  t.true(lines.some((l) => l === 'ISAKMP (0:1): purging node 0'));
});

test('show views: QM_IDLE conn-id 2, the TED-created tedtag 11, ipsec SA data and engine connections', (t) => {
  const wire = run();
  const daphne = wire.node('daphne').engine;
  t.deepEqual(
    daphne.isakmpSas().map((r) => [r.dst, r.src, r.state, r.connId, r.slot]),
    [['11.11.11.2', '11.11.11.1', 'QM_IDLE', 2, 0]],
  );
  const fred = wire.node('fred').engine;
  t.deepEqual(
    fred.isakmpSas().map((r) => [r.dst, r.src, r.state, r.connId, r.slot]),
    [['11.11.11.2', '11.11.11.1', 'QM_IDLE', 2, 0]],
  );

  const maps = daphne.cryptoMaps();
  t.is(maps.length, 1);
  t.is(maps[0]!.name, 'tedtag');
  t.deepEqual(maps[0]!.interfaces, ['FastEthernet0/0']);
  const [tmpl, inst] = maps[0]!.entries;
  t.deepEqual(tmpl, { kind: 'template', seq: 10, dynamicMap: 'ted-map', discover: true });
  t.like(inst, {
    kind: 'instance',
    seq: 11,
    peer: '11.11.11.2',
    currentPeer: '11.11.11.2',
    aclLines: ['access-list permit ip 13.13.13.0 0.0.0.255 12.12.12.0 0.0.0.255'],
    createdFrom: { map: 'ted-map', seq: 10 },
    lifetime: { seconds: 3600, kilobytes: 4608000 },
    pfsGroup: null,
    transformSets: ['ted-transforms'],
    origin: 'ted',
  });
  t.like(fred.cryptoMaps()[0]!.entries[1], { kind: 'instance', seq: 11, peer: '11.11.11.1' });

  const now = wire.now;
  const sa = wire.actions('daphne', 'install-ipsec')[0]!.sa;
  const view = daphne.ipsecSas(now);
  t.is(view.length, 1);
  t.like(view[0], { interface: 'FastEthernet0/0', cryptoMap: 'tedtag', localAddress: '11.11.11.1' });
  const flow = view[0]!.flows[0]!;
  t.deepEqual(flow.localIdent, { addr: '13.13.13.0', mask: '255.255.255.0', prot: 0, port: 0, range: false });
  t.deepEqual(flow.remoteIdent, { addr: '12.12.12.0', mask: '255.255.255.0', prot: 0, port: 0, range: false });
  t.is(flow.currentPeer, '11.11.11.2');
  t.deepEqual([flow.localEndpoint.ip, flow.remoteEndpoint.ip], ['11.11.11.1', '11.11.11.2']);
  t.is(flow.currentOutboundSpi, sa.outbound.spi);
  t.like(flow.inbound[0], {
    spi: sa.inbound.spi,
    transform: 'esp-des esp-md5-hmac',
    inUseSettings: 'Tunnel',
    connId: 2000,
    flowId: 1,
    cryptoMap: 'tedtag',
    ivSize: 8,
    replayDetection: true,
  });
  t.like(flow.outbound[0], { spi: sa.outbound.spi, connId: 2001, flowId: 2 });
  t.is(flow.inbound[0]!.remaining.kilobytes, 4608000);
  t.is(flow.inbound[0]!.remaining.seconds, Math.floor((flow.inbound[0]!.expiresAt - now) / 1000));
  t.true(flow.inbound[0]!.remaining.seconds > 3500 && flow.inbound[0]!.remaining.seconds <= 3600);

  t.deepEqual(
    daphne.engineConnections().map((r) => [r.id, r.interface, r.ipAddress, r.state, r.algorithm]),
    [
      [2, '<none>', '<none>', 'set', 'HMAC_SHA+DES_56_CB'],
      [2000, 'FastEthernet0/0', '11.11.11.1', 'set', 'HMAC_MD5+DES_56_CB'],
      [2001, 'FastEthernet0/0', '11.11.11.1', 'set', 'HMAC_MD5+DES_56_CB'],
    ],
  );
  const keys = daphne.keys();
  t.is(keys.isakmp.length, 1);
  t.is(keys.isakmp[0]!.initiatorCookie.length, 16);
  t.is(keys.isakmp[0]!.encryptionKey.length, 16);
  t.deepEqual(
    keys.esp.map((k) => [k.src, k.dst, k.encryption, k.authentication]),
    [
      ['11.11.11.2', '11.11.11.1', 'DES-CBC [RFC2405]', 'HMAC-MD5-96 [RFC2403]'],
      ['11.11.11.1', '11.11.11.2', 'DES-CBC [RFC2405]', 'HMAC-MD5-96 [RFC2403]'],
    ],
  );
  // Both routers' key tables describe the same two SAs.
  const fredKeys = fred.keys();
  t.deepEqual(keys.esp.map((k) => JSON.stringify(k)).sort(), fredKeys.esp.map((k) => JSON.stringify(k)).sort());
  t.is(keys.isakmp[0]!.encryptionKey, fredKeys.isakmp[0]!.encryptionKey);
  // the rows the router records one event at a time (phase1-up, install-ipsec) are the same as the whole table's
  t.deepEqual(
    {
      isakmp: wire.actions('daphne', 'phase1-up').map((a) => daphne.isakmpKeys(a.connId)),
      esp: wire.actions('daphne', 'install-ipsec').flatMap((a) => espKeyRows(a.sa)),
    },
    keys,
  );
  t.is(daphne.isakmpKeys(99_999), null, 'no such ISAKMP SA');
});

test('a second packet of the flow while discovery runs starts nothing new', (t) => {
  const wire = seedWire();
  wire.acquire('daphne', TRIGGER);
  wire.acquire('daphne', TRIGGER);
  wire.acquire('daphne', { ...TRIGGER, packet: { ...TRIGGER.packet, source: '13.13.13.5' } });
  wire.run(30_000);
  t.is(wire.sent.filter((p) => p.kind === 'probe').length, 1);
  t.is(wire.actions('daphne', 'install-ipsec').length, 1);
  // Once the SA exists, acquire is a no-op too.
  const after = wire.node('daphne').engine.acquire(TRIGGER, wire.now);
  t.deepEqual(
    after.filter((a: IkeAction) => a.kind === 'send' || a.kind === 'send-probe'),
    [],
  );
});
