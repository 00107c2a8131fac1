import test from 'ava';
import { readFileSync } from 'node:fs';
import { parseCryptoMap, parseEngineConnections, parseIpsecSa, parseIsakmpSa } from '../../../../src/orchestrator/show/index.js';
import { fixture, sections } from '../checks/helpers.js';

// The seed prints Daphne's four show commands pasted on one line; the router
// prints them as IOS does, one item per line (show-daphne.txt is the agent's
// own output in the seed lab). Both must parse to the same facts.
const seedLine = readFileSync(fixture('seed-show-daphne.txt'), 'utf8');
const seedPart = (from: string, to?: string) => seedLine.slice(seedLine.indexOf(from), to ? seedLine.indexOf(to) : undefined);
const lab = sections('show-daphne.txt');

test('show crypto isakmp sa: the seed row, with peer and role from the router addresses', (t) => {
  for (const text of [seedPart('Daphne#show crypto isakmp sa', 'Daphne#show crypto ipsec sa'), lab['show crypto isakmp sa']!]) {
    t.deepEqual(parseIsakmpSa(text, ['11.11.11.1', '13.13.13.13']), [
      { dst: '11.11.11.2', src: '11.11.11.1', state: 'QM_IDLE', conn_id: 2, slot: 0, status: null, peer: '11.11.11.2', role: 'initiator' },
    ]);
  }
  // fred's view of the same SA: it is the responder
  t.like(
    parseIsakmpSa('dst             src             state          conn-id slot\n11.11.11.2      11.11.11.1      QM_IDLE              2    0\n', [
      '11.11.11.2',
    ])[0],
    { peer: '11.11.11.1', role: 'responder' },
  );
});

test('show crypto isakmp sa: header only, IOS messages and later versions with a status column', (t) => {
  t.deepEqual(parseIsakmpSa('dst             src             state          conn-id slot\n\n'), []);
  t.deepEqual(parseIsakmpSa('% "show crypto isakmp sa" is not emulated by the testbed\n'), []);
  const rows = parseIsakmpSa(
    'dst             src             state          conn-id slot status\n10.0.0.2        10.0.0.1        QM_IDLE           1001    0 ACTIVE\n10.0.0.3        10.0.0.1        MM_KEY_EXCH       1002    0 ACTIVE\n',
  );
  t.deepEqual(
    rows.map((r) => [r.dst, r.state, r.conn_id, r.status, r.peer]),
    [
      ['10.0.0.2', 'QM_IDLE', 1001, 'ACTIVE', null],
      ['10.0.0.3', 'MM_KEY_EXCH', 1002, 'ACTIVE', null],
    ],
  );
});

test('show crypto ipsec sa: the seed one-liner gives the seed facts', (t) => {
  const [r, ...rest] = parseIpsecSa(seedPart('Daphne#show crypto ipsec sa', 'Daphne#show crypto map'));
  t.is(rest.length, 0);
  t.like(r, {
    interface: 'FastEthernet0/0',
    map: 'tedtag',
    local_addr: '11.11.11.1',
    local_ident: '13.13.13.0/24',
    remote_ident: '12.12.12.0/24',
    peer: '11.11.11.2',
    encaps: 9,
    encrypt: 9,
    digest: 9,
    decaps: 9,
    decrypt: 9,
    verify: 9,
    send_errors: 0,
    recv_errors: 0,
    local_endpoint: '11.11.11.1',
    remote_endpoint: '11.11.11.2',
    path_mtu: 1500,
    media_mtu: 1500,
    outbound_spi: 0xb326cbe6,
    inbound_spi: 0xd8870500,
    transform: 'esp-des esp-md5-hmac',
    mode: 'Tunnel',
    inbound_conn_id: 2000,
    outbound_conn_id: 2001,
    remaining_kb: 4414715,
    remaining_sec: 2524,
    iv_size: 8,
    replay_detection: true,
  });
  t.deepEqual(r!.inbound_spis, [3632727296]);
  t.deepEqual(r!.outbound_spis, [3005664230]);
});

test("show crypto ipsec sa: the router's multi-line output", (t) => {
  const [r] = parseIpsecSa(lab['show crypto ipsec sa']!);
  t.like(r, {
    interface: 'FastEthernet0/0',
    map: 'tedtag',
    local_ident: '13.13.13.0/24',
    remote_ident: '12.12.12.0/24',
    peer: '11.11.11.2',
    encaps: 7,
    decaps: 7,
    mode: 'Tunnel',
    transform: 'esp-des esp-md5-hmac',
  });
  t.is(r!.outbound_spi, (r!.outbound_spis as number[])[0]);
  t.is(typeof r!.inbound_spi, 'number');
  t.is(r!.sas.length, 2);
});

test('show crypto ipsec sa: later IOS spellings, several flows, a flow without SAs', (t) => {
  const text = `interface: Tunnel0
    Crypto map tag: CMAP, local addr 192.168.1.1

   protected vrf: (none)
   local  ident (addr/mask/prot/port): (192.168.1.0/255.255.255.0/0/0)
   remote ident (addr/mask/prot/port): (10.0.0.0/255.255.255.0/0/0)
   current_peer 203.0.113.5 port 500
     PERMIT, flags={origin_is_acl,}
    #pkts encaps: 1500, #pkts encrypt: 1500, #pkts digest: 1500
    #pkts decaps: 1200, #pkts decrypt: 1200, #pkts verify: 1200
    #send errors 0, #recv errors 2
     local crypto endpt.: 192.168.1.1, remote crypto endpt.: 203.0.113.5
     plaintext mtu 1400, path mtu 1500, ip mtu 1500, ip mtu idb GigabitEthernet0/0
     current outbound spi: 0xABCD1234(2882401844)
     inbound esp sas:
      spi: 0x5678EF01(1450745345)
        transform: esp-aes 256 esp-sha-hmac ,
        in use settings ={Tunnel, }
        conn id: 2001, flow_id: SW:1, sibling_flags 80000040, crypto map: CMAP
        sa timing: remaining key lifetime (k/sec): (4500000/2879)
        IV size: 16 bytes
        replay detection support: Y
        Status: ACTIVE
     outbound esp sas:
      spi: 0xABCD1234(2882401844)
        transform: esp-aes 256 esp-sha-hmac ,

   protected vrf: (none)
   local  ident (addr/mask/prot/port): (192.168.2.0/255.255.255.0/6/80)
   remote ident (addr/mask/prot/port): (10.0.1.0/255.255.255.0/6/0)
   current_peer 203.0.113.5 port 500
    #pkts encaps: 0, #pkts encrypt: 0, #pkts digest: 0
    #pkts decaps: 0, #pkts decrypt: 0, #pkts verify: 0
     current outbound spi: 0x0(0)
     inbound esp sas:
     outbound esp sas:
`;
  const rs = parseIpsecSa(text);
  t.is(rs.length, 2);
  t.like(rs[0], {
    interface: 'Tunnel0',
    map: 'CMAP',
    local_addr: '192.168.1.1',
    peer: '203.0.113.5',
    encaps: 1500,
    decaps: 1200,
    digest: 1500,
    recv_errors: 2,
    path_mtu: 1500,
    outbound_spi: 2882401844,
    inbound_spi: 1450745345,
    transform: 'esp-aes 256 esp-sha-hmac',
    iv_size: 16,
  });
  t.is(rs[0]!.sas[0]!.status, 'ACTIVE');
  t.is(rs[0]!.sas[0]!.flowId, 'SW:1');
  t.like(rs[1], { local_ident: '192.168.2.0/24', local_ident_proto: 6, remote_ident_proto: 6, encaps: 0, outbound_spi: 0, inbound_spi: null, transform: null });
  t.deepEqual(parseIpsecSa('% "show crypto ipsec sa" is not emulated by the testbed\n'), []);
});

test('show crypto map: the static template entry and the entry TED created, one-liner and multi-line alike', (t) => {
  for (const text of [seedPart('Daphne#show crypto map', 'Daphne#show crypto engine'), lab['show crypto map']!]) {
    const [ten, eleven, ...rest] = parseCryptoMap(text);
    t.is(rest.length, 0);
    t.like(ten, { tag: 'tedtag', seq: 10, type: 'ipsec-isakmp', dynamic_template: 'ted-map', discover: true, peer: null, dynamic_from: null });
    t.deepEqual(ten!.interfaces, ['FastEthernet0/0']);
    t.like(eleven, {
      tag: 'tedtag',
      seq: 11,
      peer: '11.11.11.2',
      dynamic_from: 'ted-map/10',
      current_peer: '11.11.11.2',
      lifetime_kb: 4608000,
      lifetime_sec: 3600,
      pfs: false,
      discover: false,
    });
    t.deepEqual(eleven!.acl_lines, ['permit ip 13.13.13.0 0.0.0.255 12.12.12.0 0.0.0.255']);
    t.deepEqual(eleven!.transform_sets, ['ted-transforms']);
    t.deepEqual(eleven!.interfaces, ['FastEthernet0/0']);
  }
});

test('show crypto engine connections active: one ISAKMP and two IPsec connections', (t) => {
  const seed = parseEngineConnections(seedPart('Daphne#show crypto engine connections active'));
  t.deepEqual(seed, [
    { id: 2, interface: null, ip_address: null, state: 'set', algorithm: 'HMAC_SHA+DES_56_CB', encrypt: 0, decrypt: 0 },
    { id: 2000, interface: 'FastEthernet0/0', ip_address: '11.11.11.1', state: 'set', algorithm: 'HMAC_MD5+DES_56_CB', encrypt: 0, decrypt: 9 },
    { id: 2001, interface: 'FastEthernet0/0', ip_address: '11.11.11.1', state: 'set', algorithm: 'HMAC_MD5+DES_56_CB', encrypt: 9, decrypt: 0 },
  ]);
  const multi = parseEngineConnections(lab['show crypto engine connections active']!);
  t.deepEqual(
    multi.map((r) => [r.id, r.algorithm, r.encrypt, r.decrypt]),
    [
      [2, 'HMAC_SHA+DES_56_CB', 0, 0],
      [2000, 'HMAC_MD5+DES_56_CB', 0, 7],
      [2001, 'HMAC_MD5+DES_56_CB', 7, 0],
    ],
  );
  t.deepEqual(parseEngineConnections('  ID Interface            IP-Address      State  Algorithm           Encrypt  Decrypt\n'), []);
});
