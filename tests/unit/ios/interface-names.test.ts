import test from 'ava';
import { normalizeInterfaceName } from '../../../src/ios/index.js';

const NAMES: [string, string | null][] = [
  ['FastEthernet0/0', 'FastEthernet0/0'],
  ['Fa0/0', 'FastEthernet0/0'],
  ['f0/1', 'FastEthernet0/1'],
  ['fastethernet 0/1', 'FastEthernet0/1'],
  ['FASTETHERNET0/1.100', 'FastEthernet0/1.100'],
  ['e0', 'Ethernet0'],
  ['Ethernet1/0', 'Ethernet1/0'],
  ['gi0/0', 'GigabitEthernet0/0'],
  ['s0/0', 'Serial0/0'],
  ['Serial0/0/1', 'Serial0/0/1'],
  ['lo0', 'Loopback0'],
  ['Loopback 12', 'Loopback12'],
  ['tu1', 'Tunnel1'],
  ['Null0', 'Null0'],
  ['Loopback0.1', null],
  ['Fa', null],
  ['Fa0/x', null],
  ['Bogus0', null],
  ['Fa0/0 extra', null],
  ['', null],
];

for (const [input, expected] of NAMES) {
  test(`interface name "${input}" is ${expected ?? 'invalid'}`, (t) => {
    t.is(normalizeInterfaceName(input), expected);
  });
}
