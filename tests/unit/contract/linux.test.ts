/** The commands Linux nodes run: a NAT's iptables rules, the addressing after a restored link. */
import test from 'ava';
import { addressCommands, natRules, stripCommands } from '../../../src/contract/linux.js';

const byMap = (m: Map<string, string>) => (name: string) => m.get(name)!;

test('a nat node masquerades what leaves by outside and lets only answers back in', (t) => {
  const rules = natRules(
    { inside: ['eth0'], outside: 'eth1' },
    byMap(
      new Map([
        ['eth0', 'eth3'],
        ['eth1', 'eth2'],
      ]),
    ),
  );
  const lines = rules.split('\n');
  t.true(lines.includes('-A TESTBED-NAT -o eth2 -j MASQUERADE'), 'by the device Docker named');
  t.true(lines.includes(':FORWARD DROP [0:0]'));
  t.true(lines.includes('-A TESTBED-FWD -i eth3 -o eth2 -j ACCEPT'));
  t.true(lines.includes('-A TESTBED-FWD -i eth2 -o eth3 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT'));
  t.true(lines.includes('-A POSTROUTING -j TESTBED-NAT') && lines.includes('-A FORWARD -j TESTBED-FWD'), 'hooked in at boot');
  t.is(lines.filter((l) => l === 'COMMIT').length, 2);
  t.false(
    lines.some((l) => /-i eth2 -o eth3 -j ACCEPT/.test(l)),
    'nothing new comes in from outside',
  );
});

test('after a restored link the NAT rules are written again under the new device names, in the same chains, not hooked twice', (t) => {
  const lines = natRules(
    { inside: ['eth0'], outside: 'eth1' },
    byMap(
      new Map([
        ['eth0', 'eth3'],
        ['eth1', 'eth5'],
      ]),
    ),
    false,
  ).split('\n');
  // declaring a chain in iptables-restore --noflush input empties it first: the old device names go
  t.true(lines.includes(':TESTBED-NAT - [0:0]') && lines.includes(':TESTBED-FWD - [0:0]'));
  t.true(lines.includes('-A TESTBED-NAT -o eth5 -j MASQUERADE'));
  t.false(
    lines.some((l) => l.startsWith('-A POSTROUTING') || l.startsWith('-A FORWARD ')),
    'the jumps from boot stay as they are',
  );
});

test('a Linux node takes its addresses by device; after a restored link only that link, with the gateway and routes again', (t) => {
  const spec = {
    interfaces: [
      { name: 'eth0', address: '10.1.1.10/24' },
      { name: 'eth1', address: '10.2.2.10/24' },
    ],
    gateway: '10.1.1.1',
    routes: [{ to: '10.9.0.0/16', via: '10.2.2.1' }],
  };
  const dev = byMap(
    new Map([
      ['eth0', 'eth4'],
      ['eth1', 'eth2'],
    ]),
  );
  t.deepEqual(addressCommands(spec, dev), [
    'addr replace 10.1.1.10/24 dev eth4',
    'link set dev eth4 up',
    'addr replace 10.2.2.10/24 dev eth2',
    'link set dev eth2 up',
    'route replace default via 10.1.1.1',
    'route replace 10.9.0.0/16 via 10.2.2.1',
  ]);
  t.deepEqual(addressCommands(spec, dev, new Set(['eth1'])), [
    'addr replace 10.2.2.10/24 dev eth2',
    'link set dev eth2 up',
    'route replace default via 10.1.1.1',
    'route replace 10.9.0.0/16 via 10.2.2.1',
  ]);
  t.deepEqual(
    stripCommands(
      [
        { name: 'eth0', dockerIp: '198.18.0.2', mtu: 1400 },
        { name: 'eth1', dockerIp: '198.18.0.18', mtu: 1500 },
      ],
      (name) => (name === 'eth0' ? 'eth4' : undefined),
    ),
    ['addr flush dev eth4', 'link set dev eth4 mtu 1400'],
    'an interface not found is left alone',
  );
});
