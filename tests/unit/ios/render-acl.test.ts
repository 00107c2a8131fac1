/** `show access-lists` as 12.2 prints it: numbered lists by number, then named ones; no sequence numbers; match counts. */
import test from 'ava';
import { parseConfig, renderShowAccessLists } from '../../../src/ios/index.js';

test('numbered lists by number first, then named lists as configured; counts by line', (t) => {
  const { config } = parseConfig(
    'ip access-list extended LAN-IN\n deny icmp any any\n permit ip any any\naccess-list 150 permit esp any any\naccess-list 2 permit any\naccess-list 110 deny ip any any\n',
  );
  t.is(
    renderShowAccessLists(config.accessLists, { 'LAN-IN': { 20: 12 }, 150: { 10: 1 } }),
    [
      'Standard IP access list 2',
      '    permit any',
      'Extended IP access list 110',
      '    deny ip any any',
      'Extended IP access list 150',
      '    permit esp any any (1 match)',
      'Extended IP access list LAN-IN',
      '    deny icmp any any',
      '    permit ip any any (12 matches)',
      '',
    ].join('\n'),
  );
});
