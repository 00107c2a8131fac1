/** Loopbacks on lo, the IP MTU as route attributes and ip tcp adjust-mss as TCPMSS rules (kernel-interfaces.ts). */
import test from 'ava';
import { connectedMtuCommands, loopbackCommands, mssRules, routeMtu } from '../../../../src/agent/router/kernel-interfaces.js';
import { parseConfig } from '../../../../src/ios/index.js';

const config = (lines: string[]) => parseConfig(lines.join('\n')).config;

test('loopback addresses go on lo as /32s, the rest of their subnet is a blackhole', (t) => {
  const c = config([
    'interface Loopback0',
    ' ip address 10.0.0.1 255.255.255.255',
    'interface Loopback1',
    ' ip address 1.1.1.1 255.255.255.0',
    ' ip address 1.1.2.1 255.255.255.0 secondary',
  ]);
  const { commands, now } = loopbackCommands(c, new Set());
  t.deepEqual(commands, [
    'addr replace 10.0.0.1/32 dev lo',
    'addr replace 1.1.1.1/32 dev lo',
    'addr replace 1.1.2.1/32 dev lo',
    'route replace blackhole 1.1.1.0/24 proto static',
    'route replace blackhole 1.1.2.0/24 proto static',
  ]);
  t.deepEqual([...now], ['10.0.0.1/32', '1.1.1.1/32', '1.1.2.1/32']);
});

test('only what the agent added is taken away: a loopback shut down or removed loses its address, 127.0.0.1 is never named', (t) => {
  const before = new Set(['10.0.0.1/32', '1.1.1.1/32']);
  const c = config(['interface Loopback0', ' ip address 10.0.0.1 255.255.255.255', 'interface Loopback1', ' ip address 1.1.1.1 255.255.255.0', ' shutdown']);
  const { commands } = loopbackCommands(c, before);
  t.deepEqual(commands, ['addr del 1.1.1.1/32 dev lo', 'addr replace 10.0.0.1/32 dev lo']);
  t.false(commands.some((x) => x.includes('127.')));
});

test('ip mtu: the connected routes get the MTU attribute (locked), other interfaces nothing', (t) => {
  const c = config([
    'interface FastEthernet0/0',
    ' ip address 203.0.113.1 255.255.255.252',
    ' ip mtu 1400',
    'interface FastEthernet0/1',
    ' ip address 10.1.1.1 255.255.255.0',
  ]);
  t.deepEqual(connectedMtuCommands(c.interfaces[0]!, 'eth0'), ['route replace 203.0.113.0/30 dev eth0 proto kernel scope link src 203.0.113.1 mtu lock 1400']);
  t.deepEqual(connectedMtuCommands(c.interfaces[1]!, 'eth1'), []);
  t.is(routeMtu(c.interfaces[0]), ' mtu lock 1400');
  t.is(routeMtu(c.interfaces[1]), '');
});

const MSS_CONFIG = [
  'interface FastEthernet0/0',
  ' ip address 203.0.113.1 255.255.255.252',
  ' ip tcp adjust-mss 1300',
  'interface FastEthernet0/1',
  ' ip address 10.1.1.1 255.255.255.0',
  'interface FastEthernet1/0',
  ' ip address 10.9.9.1 255.255.255.0',
  ' ip tcp adjust-mss 1452',
  ' shutdown',
  'interface Tunnel0',
  ' ip address 172.16.0.1 255.255.255.252',
  ' ip tcp adjust-mss 1360',
];
const MSS_LINUX = new Map([
  ['FastEthernet0/0', 'eth0'],
  ['FastEthernet0/1', 'eth1'],
  ['FastEthernet1/0', 'eth2'],
  ['Tunnel0', 'Tunnel0'],
]);

test('ip tcp adjust-mss: SYNs in and out of the device with an MSS above the value are set to it, in mangle FORWARD only', (t) => {
  const text = mssRules(config(MSS_CONFIG), MSS_LINUX, true);
  t.deepEqual(text.split('\n'), [
    '*mangle',
    ':TB-MSS - [0:0]',
    '-A FORWARD -j TB-MSS',
    '-A TB-MSS -i eth0 -p tcp --tcp-flags SYN,RST SYN -m tcpmss --mss 1301:65535 -m comment --comment "FastEthernet0/0 adjust-mss" -j TCPMSS --set-mss 1300',
    '-A TB-MSS -o eth0 -p tcp --tcp-flags SYN,RST SYN -m tcpmss --mss 1301:65535 -m comment --comment "FastEthernet0/0 adjust-mss" -j TCPMSS --set-mss 1300',
    'COMMIT',
    '',
  ]);
  // the shut-down interface has none, the tunnel is the agent's (datapath/mss.ts)
  t.false(text.includes('eth2') || text.includes('Tunnel0'));
  t.false(text.includes('OUTPUT') || text.includes('PREROUTING') || text.includes('POSTROUTING'), "the router's own SYNs are not adjusted");
});

test('ip tcp adjust-mss: a later programme only empties and refills the chain; without the line it stays empty', (t) => {
  const again = mssRules(config(MSS_CONFIG), MSS_LINUX, false);
  t.false(again.includes('-A FORWARD'));
  t.true(again.startsWith('*mangle\n:TB-MSS - [0:0]\n-A TB-MSS -i eth0 '));
  const none = mssRules(config(MSS_CONFIG.filter((l) => !l.includes('adjust-mss'))), MSS_LINUX, false);
  t.is(none, '*mangle\n:TB-MSS - [0:0]\nCOMMIT\n');
});
