import test from 'ava';
import { parseConfig, type ConfigDiagnostic } from '../../../src/ios/index.js';

interface Case {
  title: string;
  lines: string[];
  expect: Pick<ConfigDiagnostic, 'line' | 'column' | 'severity' | 'code' | 'message'>;
}

const invalid = (line: string, column: number): string => `${line}\n${' '.repeat(column - 1)}^\n% Invalid input detected at '^' marker.`;

const CASES: Case[] = [
  {
    title: 'an octet above 255 in ip address is invalid input under the address',
    lines: ['interface FastEthernet0/0', ' ip address 300.1.1.1 255.255.255.0'],
    expect: { line: 2, column: 13, severity: 'error', code: 'invalid-input', message: invalid(' ip address 300.1.1.1 255.255.255.0', 13) },
  },
  {
    title: 'a non-contiguous netmask is refused with Bad mask 0x...',
    lines: ['interface FastEthernet0/0', ' ip address 11.11.11.1 255.255.0.255'],
    expect: { line: 2, column: 13, severity: 'error', code: 'bad-value', message: 'Bad mask 0xFFFF00FF for address 11.11.11.1' },
  },
  {
    title: 'the network address of its own subnet is refused with Bad mask /24',
    lines: ['interface FastEthernet0/0', ' ip address 11.11.11.0 255.255.255.0'],
    expect: { line: 2, column: 13, severity: 'error', code: 'bad-value', message: 'Bad mask /24 for address 11.11.11.0' },
  },
  {
    title: 'a subnet overlapping another interface is refused',
    lines: ['interface FastEthernet0/0', ' ip address 11.11.11.1 255.255.255.0', 'interface FastEthernet0/1', ' ip address 11.11.11.9 255.255.255.0'],
    expect: { line: 4, column: 13, severity: 'error', code: 'bad-value', message: '% 11.11.11.0 overlaps with FastEthernet0/0' },
  },
  {
    title: 'an extended entry without its destination is incomplete',
    lines: ['access-list 101 permit ip 13.13.13.0 0.0.0.255'],
    expect: { line: 1, column: 47, severity: 'error', code: 'incomplete', message: '% Incomplete command.' },
  },
  {
    title: 'a misspelt any gets the marker under the first wrong character',
    lines: ['access-list 101 permit ip host 1.1.1.1 anx'],
    expect: { line: 1, column: 42, severity: 'error', code: 'invalid-input', message: invalid('access-list 101 permit ip host 1.1.1.1 anx', 42) },
  },
  {
    title: 'an access-list number outside the IP ranges is invalid',
    lines: ['access-list 300 permit ip any any'],
    expect: { line: 1, column: 13, severity: 'error', code: 'invalid-input', message: invalid('access-list 300 permit ip any any', 13) },
  },
  {
    title: 'a port above 65535 is invalid',
    lines: ['access-list 101 permit tcp any any eq 70000'],
    expect: { line: 1, column: 39, severity: 'error', code: 'invalid-input', message: invalid('access-list 101 permit tcp any any eq 70000', 39) },
  },
  {
    title: 'a standard list takes no protocol',
    lines: ['access-list 10 permit ip any'],
    expect: { line: 1, column: 23, severity: 'error', code: 'invalid-input', message: invalid('access-list 10 permit ip any', 23) },
  },
  {
    title: 'a static route to a host address with a /24 mask is inconsistent',
    lines: ['ip route 10.1.1.1 255.255.255.0 1.1.1.1'],
    expect: { line: 1, column: 10, severity: 'error', code: 'bad-value', message: '%Inconsistent address and mask' },
  },
  {
    title: 'a static route without next hop is incomplete',
    lines: ['ip route 10.0.0.0 255.0.0.0'],
    expect: { line: 1, column: 28, severity: 'error', code: 'incomplete', message: '% Incomplete command.' },
  },
  {
    title: 'an unknown command is invalid input at its first character',
    lines: ['frobnicate now'],
    expect: { line: 1, column: 1, severity: 'error', code: 'invalid-input', message: invalid('frobnicate now', 1) },
  },
  {
    title: 'an unknown ISAKMP cipher is invalid input',
    lines: ['crypto isakmp policy 10', ' encryption blowfish', ' authentication pre-share'],
    expect: { line: 2, column: 13, severity: 'error', code: 'invalid-input', message: invalid(' encryption blowfish', 13) },
  },
  {
    title: 'Diffie-Hellman group 3 does not exist',
    lines: ['crypto isakmp policy 10', ' group 3', ' authentication pre-share'],
    expect: { line: 2, column: 8, severity: 'error', code: 'invalid-input', message: invalid(' group 3', 8) },
  },
  {
    title: 'a second ESP cipher in a transform set is invalid where it stops matching',
    lines: ['crypto ipsec transform-set ts esp-des esp-3des'],
    expect: {
      line: 1,
      column: 43,
      severity: 'error',
      code: 'invalid-input',
      message: invalid('crypto ipsec transform-set ts esp-des esp-3des', 43),
    },
  },
  {
    title: 'an ambiguous abbreviation quotes what was typed',
    lines: ['interface FastEthernet0/0', ' ip a 1.1.1.1 255.0.0.0'],
    expect: { line: 2, column: 5, severity: 'error', code: 'ambiguous', message: '% Ambiguous command:  "ip a"' },
  },
  {
    title: 'a hostname starting with a digit is refused',
    lines: ['hostname 1abc'],
    expect: { line: 1, column: 10, severity: 'error', code: 'bad-value', message: '% Hostname contains one or more illegal characters.' },
  },
  {
    title: 'an unknown interface type is invalid',
    lines: ['interface Bogus0'],
    expect: { line: 1, column: 11, severity: 'error', code: 'invalid-input', message: invalid('interface Bogus0', 11) },
  },
  {
    title: 'a crypto map applied to an interface but never defined is reported',
    lines: ['interface Fa0/0', ' crypto map nomap'],
    expect: {
      line: 2,
      column: 13,
      severity: 'warning',
      code: 'undefined-reference',
      message: '% crypto map nomap used by interface FastEthernet0/0 is not defined',
    },
  },
  {
    title: 'a crypto map entry naming an undefined dynamic map is reported',
    lines: ['crypto map m 10 ipsec-isakmp dynamic nodyn'],
    expect: {
      line: 1,
      column: 38,
      severity: 'warning',
      code: 'undefined-reference',
      message: '% dynamic crypto map nodyn used by crypto map m 10 is not defined',
    },
  },
  {
    title: 'an undefined transform set in a crypto map entry is reported',
    lines: [
      'crypto map tedtag 10 ipsec-isakmp',
      ' set peer 1.1.1.1',
      ' set transform-set nope',
      'access-list 101 permit ip any any',
      'crypto map tedtag 10',
      ' match address 101',
    ],
    expect: {
      line: 3,
      column: 20,
      severity: 'warning',
      code: 'undefined-reference',
      message: '% transform set nope used by crypto map tedtag 10 is not defined',
    },
  },
  {
    title: 'an undefined access list in a dynamic map is reported',
    lines: ['crypto ipsec transform-set t esp-des esp-md5-hmac', 'crypto dynamic-map d 10', ' set transform-set t', ' match address 102'],
    expect: {
      line: 4,
      column: 16,
      severity: 'warning',
      code: 'undefined-reference',
      message: '% access list 102 used by crypto dynamic-map d 10 is not defined',
    },
  },
  {
    title: 'an incomplete pre-shared key is incomplete',
    lines: ['crypto isakmp key abc123 address'],
    expect: { line: 1, column: 33, severity: 'error', code: 'incomplete', message: '% Incomplete command.' },
  },
];

for (const c of CASES) {
  test(`config error: ${c.title}; parsing goes on`, (t) => {
    const text = [...c.lines, 'hostname After', 'ip route 192.168.0.0 255.255.0.0 10.0.0.1'].join('\n');
    const { config, diagnostics } = parseConfig(text);
    t.is(diagnostics.length, 1);
    t.like(diagnostics[0], { ...c.expect, text: c.lines[c.expect.line - 1] });
    t.is(config.hostname, 'After');
    t.is(config.staticRoutes.at(-1)?.prefix, '192.168.0.0');
  });
}

test('every bad line gives one diagnostic and the good lines around them are all applied', (t) => {
  const { config, diagnostics } = parseConfig(
    [
      'hostname R1',
      'interfce FastEthernet0/0',
      'interface FastEthernet0/0',
      ' ip address 10.0.0.1 255.255.255.0',
      ' speed sideways',
      ' no such thing',
      ' crypto map vpn',
      'ip route 0.0.0.0 0.0.0.0 10.0.0.254',
      'access-list 101 permit ip 10.0.0.0 0.0.0.255',
      'access-list 101 permit ip 10.0.0.0 0.0.0.255 10.1.0.0 0.0.0.255',
      'crypto map vpn 10 ipsec-isakmp',
      ' set peer 10.0.0.254',
      ' match address 101',
    ].join('\n'),
  );
  t.deepEqual(
    diagnostics.map((d) => [d.line, d.code]),
    [
      [2, 'invalid-input'],
      [6, 'invalid-input'],
      [9, 'incomplete'],
    ],
  );
  t.is(config.hostname, 'R1');
  t.deepEqual(
    config.interfaces.map((i) => [i.name, i.address?.address, i.cryptoMap, i.extras]),
    [['FastEthernet0/0', '10.0.0.1', 'vpn', ['speed sideways']]],
  );
  t.is(config.accessLists[0]?.entries.length, 1);
  t.deepEqual(config.crypto.cryptoMaps[0]?.peers, ['10.0.0.254']);
});

test('the misspelt keyword gets the marker under its first wrong character', (t) => {
  const [d] = parseConfig('interfce FastEthernet0/0').diagnostics;
  t.is(d?.column, 7); // "interf" matches interface, "c" does not
  t.is(d?.message, "interfce FastEthernet0/0\n      ^\n% Invalid input detected at '^' marker.");
});

test('a multi-line banner is accepted whatever its text contains', (t) => {
  const { config, diagnostics } = parseConfig(
    ['banner motd ^C', 'Authorized access only!', '  interface Fa0/0', 'no ip route anything', '^C', 'hostname B'].join('\n'),
  );
  t.deepEqual(diagnostics, []);
  t.is(config.hostname, 'B');
  t.deepEqual(config.interfaces, []);
  t.deepEqual(config.extras, [{ section: 'tail', lines: ['banner motd ^C', 'Authorized access only!', '  interface Fa0/0', 'no ip route anything', '^C'] }]);
});

test('a one-line banner with its own delimiter closes on the same line', (t) => {
  const { config, diagnostics } = parseConfig('banner login #Go away#\nhostname C');
  t.deepEqual(diagnostics, []);
  t.is(config.hostname, 'C');
  t.deepEqual(config.extras[0]?.lines, ['banner login #Go away#']);
});

test('line and router blocks keep their sub-mode lines; a router block is one warning, with its line count', (t) => {
  const { config, diagnostics, lines } = parseConfig(
    [
      'router bgp 65000',
      ' network 10.0.0.0 mask 255.0.0.0',
      ' neighbor 10.0.0.2 remote-as 65001',
      'line vty 0 4',
      ' exec-timeout 0 0',
      ' password cisco',
      ' login',
      'line con 0',
      ' logging synchronous',
    ].join('\n'),
  );
  t.deepEqual(
    diagnostics.map((d) => [d.line, d.code, d.blockLines]),
    [[1, 'not-emulated', 2]],
  );
  t.is(diagnostics[0]?.message, 'accepted, not emulated: router bgp 65000 and the 2 lines of its block (BGP is not emulated: no sessions, no routes learned)');
  t.deepEqual(lines, ['not-emulated', 'not-emulated', 'not-emulated', 'cosmetic', 'cosmetic', 'cosmetic', 'cosmetic', 'cosmetic', 'cosmetic']);
  t.deepEqual(
    config.extras.map((e) => e.lines),
    [
      ['router bgp 65000', ' network 10.0.0.0 mask 255.0.0.0', ' neighbor 10.0.0.2 remote-as 65001'],
      ['line vty 0 4', ' exec-timeout 0 0', ' password cisco', ' login'],
      ['line con 0', ' logging synchronous'],
    ],
  );
});

test('a line a router block does not know is refused, as IOS refuses it', (t) => {
  const { diagnostics, lines } = parseConfig(['router bgp 65000', ' some-future-command 42', ' network 10.0.0.0 mask 255.0.0.0'].join('\n'));
  t.deepEqual(
    diagnostics.map((d) => [d.line, d.code, d.blockLines]),
    [
      [1, 'not-emulated', 1],
      [2, 'invalid-input', undefined],
    ],
  );
  t.deepEqual(lines, ['not-emulated', 'refused', 'not-emulated']);
});

test('emulated and cosmetic lines produce no diagnostic, a not-emulated one a warning', (t) => {
  const text = [
    'service timestamps debug datetime msec',
    'no service pad',
    'boot system flash c2600.bin',
    'enable secret 5 $1$abc$def',
    'enable password cisco',
    'memory-size iomem 10',
    'ip subnet-zero',
    'ip classless',
    'no ip domain-lookup',
    'no ip http server',
    'ip cef',
    'logging buffered 4096 debugging',
    'username admin password x',
    'no cdp run',
    'interface FastEthernet0/0',
    ' description WAN link (to fred)',
    ' no ip directed-broadcast',
    ' duplex auto',
    ' speed 100',
    ' no shutdown',
    ' load-interval 30',
    'end',
  ].join('\n');
  const r = parseConfig(text);
  t.deepEqual(
    r.diagnostics.map((d) => d.text),
    [' load-interval 30'],
  );
  t.false(r.lines.includes('refused'));
});

test('lines after end are not configuration', (t) => {
  const { config, diagnostics } = parseConfig('hostname A\nend\nhostname B\ngarbage here\n');
  t.deepEqual(diagnostics, []);
  t.is(config.hostname, 'A');
});
