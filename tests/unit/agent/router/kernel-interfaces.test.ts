/** Loopbacks on lo and the IP MTU as route attributes (kernel-interfaces.ts): the ip -batch lines. */
import test from 'ava';
import { connectedMtuCommands, loopbackCommands, routeMtu } from '../../../../src/agent/router/kernel-interfaces.js';
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
