/** The strongswan.conf a strongswan node writes for charon. */
import test from 'ava';
import { strongswanConf } from '../../../../src/kinds/strongswan/config.js';

test('strongswan.conf loads kernel-libipsec (the kernel has no ESP), logs to the console and leaves noisy plugins out', (t) => {
  const conf = strongswanConf({ default: 1, ike: 4 });
  t.regex(conf, /kernel-libipsec \{\n\s+load = yes\n\s+\}/);
  t.regex(conf, /forecast \{\n\s+load = no/);
  t.regex(conf, /path = \/dev\/stdout/);
  t.regex(conf, /^\s+ike = 4$/m);
  t.regex(conf, /i_dont_care_about_security_and_use_aggressive_mode_psk = yes/);
  t.regex(conf, /^include strongswan\.d\/\*\.conf$/m);
});
