/** The pure parts of the Linux node kinds: a NAT's iptables rules, strongSwan's strongswan.conf. */
import test from 'ava';
import { natRules } from '../../../src/agent/io/linux-node.js';
import { strongswanConf } from '../../../src/agent/strongswan/config.js';

test('a nat node masquerades what leaves by outside and lets only answers back in', (t) => {
  const rules = natRules({ inside: ['eth0'], outside: 'eth1' }, new Map([['eth0', 'eth3'], ['eth1', 'eth2']]));
  const lines = rules.split('\n');
  t.true(lines.includes('-A POSTROUTING -o eth2 -j MASQUERADE'), 'by the device Docker named');
  t.true(lines.includes(':FORWARD DROP [0:0]'));
  t.true(lines.includes('-A FORWARD -i eth3 -o eth2 -j ACCEPT'));
  t.true(lines.includes('-A FORWARD -i eth2 -o eth3 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT'));
  t.is(lines.filter((l) => l === 'COMMIT').length, 2);
  t.false(lines.some((l) => /-i eth2 -o eth3 -j ACCEPT/.test(l)), 'nothing new comes in from outside');
});

test("strongswan.conf loads kernel-libipsec (the kernel has no ESP), logs to the console and leaves noisy plugins out", (t) => {
  const conf = strongswanConf({ default: 1, ike: 4 });
  t.regex(conf, /kernel-libipsec \{\n\s+load = yes\n\s+\}/);
  t.regex(conf, /forecast \{\n\s+load = no/);
  t.regex(conf, /path = \/dev\/stdout/);
  t.regex(conf, /^\s+ike = 4$/m);
  t.regex(conf, /i_dont_care_about_security_and_use_aggressive_mode_psk = yes/);
  t.regex(conf, /^include strongswan\.d\/\*\.conf$/m);
});
