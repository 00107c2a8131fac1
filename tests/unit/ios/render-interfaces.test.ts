/**
 * show interfaces for Tunnel, Loopback and Ethernet interfaces, and the
 * tunnel's row of show ip interface brief, in IOS 12.2's layout
 * (research notes, section 3).
 */
import test from 'ava';
import { formatAge, interfaceViewDefaults, renderShowInterfaces, renderShowIpInterfaceBrief, type InterfaceView } from '../../../src/ios/index.js';

const tunnel: InterfaceView = {
  name: 'Tunnel0',
  status: 'up',
  protocol: 'up',
  ...interfaceViewDefaults('Tunnel0'),
  description: null,
  address: '172.16.0.1/30',
  tunnel: {
    source: '10.0.0.1',
    sourceInterface: 'Loopback0',
    destination: '10.0.0.2',
    mode: 'gre ip',
    key: null,
    checksum: false,
    keepalive: { period: 10, retries: 3 },
  },
  counters: { inPackets: 5, inBytes: 420, outPackets: 6, outBytes: 444, inErrors: 0, crc: 0, lastInput: 1000, lastOutput: 25_000 },
};

test('a GRE tunnel as 12.2 shows it: BW 9 Kbit, DLY 500000 usec, source with its interface, GRE/IP, the counters kept', (t) => {
  t.is(
    renderShowInterfaces([tunnel]),
    [
      'Tunnel0 is up, line protocol is up',
      '  Hardware is Tunnel',
      '  Internet address is 172.16.0.1/30',
      '  MTU 1514 bytes, BW 9 Kbit, DLY 500000 usec,',
      '  Encapsulation TUNNEL, loopback not set',
      '  Keepalive set (10 sec), retries 3',
      '  Tunnel source 10.0.0.1 (Loopback0), destination 10.0.0.2',
      '  Tunnel protocol/transport GRE/IP, key disabled, sequencing disabled',
      '  Checksumming of packets disabled,  fast tunneling enabled',
      '  Last input 00:00:01, output 00:00:25, output hang never',
      '  Last clearing of "show interface" counters never',
      '     5 packets input, 420 bytes, 0 no buffer',
      '     0 input errors, 0 CRC, 0 frame, 0 overrun, 0 ignored, 0 abort',
      '     6 packets output, 444 bytes, 0 underruns',
      '',
    ].join('\n'),
  );
});

test('a tunnel with nothing configured: source and destination 0.0.0.0, keepalive not set; a key in hex; checksumming enabled', (t) => {
  const bare = renderShowInterfaces([
    {
      ...tunnel,
      protocol: 'down',
      address: null,
      tunnel: { source: null, sourceInterface: null, destination: null, mode: 'gre ip', key: 1000, checksum: true, keepalive: null },
    },
  ]);
  t.regex(bare, /^Tunnel0 is up, line protocol is down\n/);
  t.regex(
    bare,
    /\n {2}Keepalive not set\n {2}Tunnel source 0\.0\.0\.0, destination 0\.0\.0\.0\n {2}Tunnel protocol\/transport GRE\/IP, key 0x3E8, sequencing disabled\n {2}Checksumming of packets enabled, {2}fast tunneling enabled\n/,
  );
});

test('loopback and Ethernet defaults, bandwidth and delay as configured', (t) => {
  t.deepEqual(interfaceViewDefaults('Loopback0'), { mtu: 1514, bandwidth: 8000000, delay: 5000, hardware: 'Loopback', encapsulation: 'LOOPBACK' });
  const lo: InterfaceView = {
    name: 'Loopback0',
    status: 'up',
    protocol: 'up',
    ...interfaceViewDefaults('Loopback0'),
    description: null,
    address: '10.0.0.1/32',
  };
  t.is(
    renderShowInterfaces([lo]),
    'Loopback0 is up, line protocol is up\n  Hardware is Loopback\n  Internet address is 10.0.0.1/32\n  MTU 1514 bytes, BW 8000000 Kbit, DLY 5000 usec,\n  Encapsulation LOOPBACK, loopback not set\n',
  );
  const fe: InterfaceView = {
    name: 'FastEthernet0/0',
    status: 'up',
    protocol: 'up',
    ...interfaceViewDefaults('FastEthernet0/0'),
    bandwidth: 512,
    delay: 10000,
    description: 'wan',
    address: null,
  };
  t.regex(
    renderShowInterfaces([fe]),
    /Hardware is AmdFE\n {2}Description: wan\n {2}MTU 1500 bytes, BW 512 Kbit, DLY 10000 usec,\n {2}Encapsulation ARPA, loopback not set\n$/,
  );
});

test('ages as IOS prints them', (t) => {
  t.deepEqual(
    [formatAge(null), formatAge(0), formatAge(3_723_000), formatAge(86_400_000 + 3_600_000 * 21), formatAge(86_400_000 * 17)],
    ['never', '00:00:00', '01:02:03', '1d21h', '2w3d'],
  );
});

test('show ip interface brief: a tunnel up with its line protocol down', (t) => {
  const text = renderShowIpInterfaceBrief([{ interface: 'Tunnel0', address: '172.16.0.1', ok: true, method: 'NVRAM', status: 'up', protocol: 'down' }]);
  t.is(text.split('\n')[1], 'Tunnel0                    172.16.0.1      YES NVRAM  up                    down    ');
});
