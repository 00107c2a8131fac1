import test from 'ava';
import { applyOutputFilter, parseExec, type ExecCommand } from '../../../src/ios/index.js';

const ABBREVIATIONS: [string, ExecCommand][] = [
  ['sh ip int br', { kind: 'show-ip-interface-brief' }],
  ['sho run', { kind: 'show-running-config' }],
  ['show ip ro', { kind: 'show-ip-route' }],
  ['sh ip traf', { kind: 'show-ip-traffic' }],
  ['sh access-l', { kind: 'show-access-lists', name: null }],
  ['sh access-lists 101', { kind: 'show-access-lists', name: '101' }],
  ['sh ip access-lists VPN', { kind: 'show-access-lists', name: 'VPN' }],
  ['conf t', { kind: 'configure-terminal' }],
  ['sh star', { kind: 'show-startup-config' }],
  ['sh ver', { kind: 'show-version' }],
  ['sh log', { kind: 'show-logging' }],
  ['sh clock', { kind: 'show-clock' }],
  ['show debug', { kind: 'show-debugging' }],
  ['sh int', { kind: 'show-interfaces', interface: null }],
  ['sh int fastethernet 0/1', { kind: 'show-interfaces', interface: 'FastEthernet0/1' }],
  ['sh cry isa sa', { kind: 'show-crypto-isakmp-sa' }],
  ['sh cry isa pol', { kind: 'show-crypto-isakmp-policy' }],
  ['show crypto ipsec sa', { kind: 'show-crypto-ipsec-sa', peer: null, detail: false }],
  ['sh cry ips sa peer 11.11.11.2 det', { kind: 'show-crypto-ipsec-sa', peer: '11.11.11.2', detail: true }],
  ['sh cry ips tr', { kind: 'show-crypto-ipsec-transform-set', name: null }],
  ['sh cry map', { kind: 'show-crypto-map', tag: null, interface: null }],
  ['sh cry map tag tedtag', { kind: 'show-crypto-map', tag: 'tedtag', interface: null }],
  ['sh cry dyn', { kind: 'show-crypto-dynamic-map', tag: null }],
  ['sh cry eng conn act', { kind: 'show-crypto-engine-connections-active' }],
  ['debug crypto isakmp', { kind: 'debug', facility: 'isakmp', on: true }],
  ['deb cry ips', { kind: 'debug', facility: 'ipsec', on: true }],
  ['debug crypto engine', { kind: 'debug', facility: 'engine', on: true }],
  ['undebug all', { kind: 'debug', facility: 'all', on: false }],
  ['no debug all', { kind: 'debug', facility: 'all', on: false }],
  ['undeb cry isakmp', { kind: 'debug', facility: 'isakmp', on: false }],
  ['clear crypto sa', { kind: 'clear-crypto-sa', peer: null, map: null }],
  ['clear cry sa peer 11.11.11.2', { kind: 'clear-crypto-sa', peer: '11.11.11.2', map: null }],
  ['clear crypto sa map tedtag', { kind: 'clear-crypto-sa', peer: null, map: 'tedtag' }],
  ['clear crypto isakmp', { kind: 'clear-crypto-isakmp', connId: null }],
  ['clear crypto isakmp 2', { kind: 'clear-crypto-isakmp', connId: 2 }],
  ['term len 0', { kind: 'terminal-length', lines: 0 }],
  ['terminal monitor', { kind: 'terminal-monitor', on: true }],
  ['wr', { kind: 'write-memory' }],
  ['copy run start', { kind: 'write-memory' }],
  ['traceroute 12.12.12.13', { kind: 'traceroute', target: '12.12.12.13' }],
  ['exit', { kind: 'exit' }],
  ['   ', { kind: 'empty' }],
  ['SHOW IP ROUTE', { kind: 'show-ip-route' }],
];

for (const [line, command] of ABBREVIATIONS) {
  test(`exec: "${line}" is ${command.kind}`, (t) => {
    t.deepEqual(parseExec(line), { ok: true, command, filter: null });
  });
}

test('ping takes its options in any order, with IOS defaults', (t) => {
  t.deepEqual(parseExec('ping 12.12.12.13'), {
    ok: true,
    filter: null,
    command: { kind: 'ping', target: '12.12.12.13', repeat: 5, size: 100, timeoutSeconds: 2, source: null, dfBit: false },
  });
  t.deepEqual(parseExec('ping ip 12.12.12.13 source fa0/1 rep 100 size 1400 time 1 df'), {
    ok: true,
    filter: null,
    command: {
      kind: 'ping',
      target: '12.12.12.13',
      repeat: 100,
      size: 1400,
      timeoutSeconds: 1,
      source: { kind: 'interface', name: 'FastEthernet0/1' },
      dfBit: true,
    },
  });
  t.like(parseExec('ping 12.12.12.13 source 13.13.13.13'), { ok: true, command: { source: { kind: 'address', address: '13.13.13.13' } } });
});

const ERRORS: [string, string][] = [
  ['sh c', '% Ambiguous command:  "sh c"\n'],
  ['c', '% Ambiguous command:  "c"\n'],
  ['show ip interface brief x', `${' '.repeat(7 + 24)}^\n% Invalid input detected at '^' marker.\n\n`],
  ['sh foo', `${' '.repeat(7 + 4)}^\n% Invalid input detected at '^' marker.\n\n`],
  ['sh ip intr br', `${' '.repeat(7 + 9)}^\n% Invalid input detected at '^' marker.\n\n`],
  ['shoe run', `${' '.repeat(7 + 3)}^\n% Invalid input detected at '^' marker.\n\n`],
  ['sh ip', '% Incomplete command.\n\n'],
  ['sh crypto isakmp', '% Incomplete command.\n\n'],
  ['show', '% Type "show ?" for a list of subcommands\n'],
  ['ping 12.12.12.13 repeat 0', `${' '.repeat(7 + 24)}^\n% Invalid input detected at '^' marker.\n\n`],
  ['ping fred', '% Unrecognized host or address, or protocol not running.\n\n'],
  ['sh arp', '% "sh arp" is not emulated by the testbed\n'],
];

for (const [line, output] of ERRORS) {
  test(`exec: "${line}" prints IOS's error, the marker shifted by the prompt "Daphne#"`, (t) => {
    t.deepEqual(parseExec(line, { promptLength: 'Daphne#'.length }), { ok: false, output });
  });
}

test('the marker is under the exact character when shown after the prompt', (t) => {
  const line = 'show ip interfaces brief';
  const result = parseExec(line, { promptLength: 7 });
  t.false(result.ok);
  const caretLine = result.ok ? '' : result.output.split('\n')[0]!;
  t.is(`Daphne#${line}`[caretLine.indexOf('^')], 's'); // "interface" matched, the plural s did not
});

test('show commands accept an output modifier', (t) => {
  const r = parseExec('sh run | inc crypto');
  t.deepEqual(r, { ok: true, command: { kind: 'show-running-config' }, filter: { kind: 'include', pattern: 'crypto' } });
  t.deepEqual(parseExec('show ip route | begin Gateway'), {
    ok: true,
    command: { kind: 'show-ip-route' },
    filter: { kind: 'begin', pattern: 'Gateway' },
  });
  t.false(parseExec('conf t | include x').ok);
});

test('output modifiers filter like IOS', (t) => {
  const text = 'interface FastEthernet0/0\n ip address 1.1.1.1 255.0.0.0\n crypto map tedtag\n!\ninterface FastEthernet0/1\n duplex auto\n';
  t.is(applyOutputFilter(text, { kind: 'include', pattern: 'crypto' }), ' crypto map tedtag\n');
  t.is(applyOutputFilter(text, { kind: 'exclude', pattern: '^ ' }), 'interface FastEthernet0/0\n!\ninterface FastEthernet0/1\n');
  t.is(applyOutputFilter(text, { kind: 'begin', pattern: '0/1' }), 'interface FastEthernet0/1\n duplex auto\n');
  t.is(
    applyOutputFilter(text, { kind: 'section', pattern: 'FastEthernet0/0' }),
    'interface FastEthernet0/0\n ip address 1.1.1.1 255.0.0.0\n crypto map tedtag\n',
  );
  t.is(applyOutputFilter(text, null), text);
});
