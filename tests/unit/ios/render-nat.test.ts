/**
 * The NAT exec commands: how they are typed (abbreviations, what is not
 * emulated), and `show ip nat translations [verbose]` and `show ip nat
 * statistics` in IOS 12.2's layout.
 */
import test from 'ava';
import {
  natDuration,
  parseExec,
  renderDebugChange,
  renderShowDebug,
  renderShowIpNatStatistics,
  renderShowIpNatTranslations,
  type NatTranslationRow,
} from '../../../src/ios/index.js';

test('the NAT and access list exec commands, abbreviated as IOS allows', (t) => {
  const cases: [string, unknown][] = [
    ['sh ip nat tr', { kind: 'show-ip-nat-translations', verbose: false }],
    ['show ip nat translations verbose', { kind: 'show-ip-nat-translations', verbose: true }],
    ['sh ip nat stat', { kind: 'show-ip-nat-statistics' }],
    ['clear ip nat translation *', { kind: 'clear-ip-nat-translation' }],
    ['clear ip nat statistics', { kind: 'clear-ip-nat-statistics' }],
    ['clear access-list counters', { kind: 'clear-access-list-counters', name: null }],
    ['clear access-list counters 101', { kind: 'clear-access-list-counters', name: '101' }],
    ['debug ip nat', { kind: 'debug', facility: 'nat', on: true }],
    ['undebug ip nat', { kind: 'debug', facility: 'nat', on: false }],
    ['no debug ip nat', { kind: 'debug', facility: 'nat', on: false }],
  ];
  for (const [line, command] of cases) t.deepEqual(parseExec(line), { ok: true, command, filter: null }, line);
  for (const line of ['clear ip nat translation inside 10.1.1.1 11.11.11.1', 'debug ip nat detailed', 'clear ip route *', 'show ip nat translations tcp']) {
    const r = parseExec(line);
    t.false(r.ok, line);
    if (!r.ok) t.regex(r.output, /is not emulated by the testbed/, line);
  }
  t.deepEqual(parseExec('clear ip nat translation'), { ok: false, output: '% Incomplete command.\n\n' });
});

const row = (over: Partial<NatTranslationRow>): NatTranslationRow => ({
  protocol: null,
  insideGlobal: '11.11.11.5',
  insideGlobalPort: null,
  insideLocal: '10.1.1.5',
  insideLocalPort: null,
  outsideLocal: null,
  outsideLocalPort: null,
  outsideGlobal: null,
  outsideGlobalPort: null,
  createdSecondsAgo: 0,
  usedSecondsAgo: 0,
  leftSeconds: null,
  flags: 'static',
  ...over,
});

test('show ip nat translations: columns of 19 characters, --- for what a simple entry has not; nothing at all when the table is empty', (t) => {
  t.is(renderShowIpNatTranslations([]), '');
  const text = renderShowIpNatTranslations([
    row({}),
    row({
      protocol: 6,
      insideGlobal: '11.11.11.1',
      insideGlobalPort: 40000,
      insideLocalPort: 40000,
      outsideLocal: '198.51.100.7',
      outsideLocalPort: 80,
      outsideGlobal: '198.51.100.7',
      outsideGlobalPort: 80,
      flags: 'extended',
    }),
    row({
      protocol: 1,
      insideGlobal: '11.11.11.1',
      insideGlobalPort: 1,
      insideLocalPort: 9,
      outsideLocal: '198.51.100.7',
      outsideLocalPort: 9,
      outsideGlobal: '198.51.100.7',
      outsideGlobalPort: 1,
      flags: 'extended',
    }),
  ]);
  t.is(
    text,
    [
      'Pro Inside global      Inside local       Outside local      Outside global',
      '--- 11.11.11.5         10.1.1.5           ---                ---',
      'tcp 11.11.11.1:40000   10.1.1.5:40000     198.51.100.7:80    198.51.100.7:80',
      'icmp 11.11.11.1:1       10.1.1.5:9         198.51.100.7:9     198.51.100.7:1',
      '',
    ].join('\n'),
  );
});

test('show ip nat translations verbose: create, use and left as IOS counts them, and the flags', (t) => {
  const text = renderShowIpNatTranslations(
    [
      row({ createdSecondsAgo: 2 * 86400 + 18 * 3600, usedSecondsAgo: 2 * 86400 + 18 * 3600 }),
      row({
        protocol: 17,
        insideGlobalPort: 5000,
        insideLocalPort: 5000,
        outsideLocal: '198.51.100.7',
        outsideLocalPort: 53,
        outsideGlobal: '198.51.100.7',
        outsideGlobalPort: 53,
        createdSecondsAgo: 65,
        usedSecondsAgo: 5,
        leftSeconds: 295,
        flags: 'extended',
      }),
    ],
    true,
  );
  t.deepEqual(
    text.split('\n').filter((l) => l.startsWith('    ')),
    ['    create 2d18h, use 2d18h, flags: static, use_count: 0', '    create 00:01:05, use 00:00:05, left 00:04:55, flags: extended, use_count: 0'],
  );
  t.deepEqual([natDuration(59), natDuration(86399), natDuration(86400), natDuration(9 * 86400 + 5)], ['00:00:59', '23:59:59', '1d00h', '1w2d']);
});

test('show ip nat statistics: totals, interfaces, hits and misses, each dynamic mapping with its pool', (t) => {
  const text = renderShowIpNatStatistics({
    total: 3,
    static: 1,
    dynamic: 2,
    extended: 1,
    outside: ['FastEthernet0/0'],
    inside: ['FastEthernet0/1', 'Ethernet1/0'],
    hits: 135,
    misses: 5,
    expired: 2,
    mappings: [
      { label: 'route-map NONAT interface FastEthernet0/0', refcount: 1, pool: null },
      {
        label: 'access-list 1 pool net-208',
        refcount: 1,
        pool: { name: 'net-208', netmask: '255.255.255.240', start: '172.16.233.208', end: '172.16.233.221', total: 14, allocated: 1, misses: 0 },
      },
    ],
  });
  t.is(
    text,
    [
      'Total translations: 3 (1 static, 2 dynamic; 1 extended)',
      'Outside interfaces: FastEthernet0/0',
      'Inside interfaces: FastEthernet0/1, Ethernet1/0',
      'Hits: 135  Misses: 5',
      'Expired translations: 2',
      'Dynamic mappings:',
      '-- Inside Source',
      'route-map NONAT interface FastEthernet0/0 refcount 1',
      'access-list 1 pool net-208 refcount 1',
      ' pool net-208: netmask 255.255.255.240',
      '        start 172.16.233.208 end 172.16.233.221',
      '        type generic, total addresses 14, allocated 1 (7%), misses 0',
      '',
    ].join('\n'),
  );
});

test('debug ip nat at the console and in show debugging', (t) => {
  t.is(renderDebugChange('nat', true), 'IP NAT debugging is on\n');
  t.is(
    renderShowDebug({ isakmp: true, ipsec: false, engine: false, 'ospf-adj': false, nat: true }),
    'Generic IP:\n  IP NAT debugging is on\nCryptographic Subsystem:\n  Crypto ISAKMP debugging is on\n',
  );
});
