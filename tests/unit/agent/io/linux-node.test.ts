/** The pure part of the Linux nodes' runtime: a NAT's iptables rules. */
import test from 'ava';
import { natRules } from '../../../../src/agent/io/linux-node.js';

test('a nat node masquerades what leaves by outside and lets only answers back in', (t) => {
  const rules = natRules(
    { inside: ['eth0'], outside: 'eth1' },
    new Map([
      ['eth0', 'eth3'],
      ['eth1', 'eth2'],
    ]),
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
    new Map([
      ['eth0', 'eth3'],
      ['eth1', 'eth5'],
    ]),
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
