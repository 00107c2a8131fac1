/**
 * Interface access groups as iptables rules: one chain per access list
 * (permit RETURN, deny to the REJECT chain, log lines to NFLOG first, the
 * implicit deny last), hooked per interface into INPUT and FORWARD, the
 * outbound groups not applied to what the agent writes back; and the
 * counters of `iptables-save -c` mapped back to the lines.
 */
import test from 'ava';
import { aclRules, matchArgs, parseAclCounters } from '../../../../src/agent/datapath/acl-rules.js';
import { parseConfig } from '../../../../src/ios/index.js';

const CONFIG = `interface FastEthernet0/0
 ip address 11.11.11.1 255.255.255.0
 ip access-group 120 in
 ip access-group 5 out
interface FastEthernet0/1
 ip address 10.1.1.1 255.255.255.0
 ip access-group 120 out
interface FastEthernet1/0
 ip access-group 77 in
access-list 5 permit 10.1.1.0 0.0.0.255
access-list 120 permit esp any any
access-list 120 permit udp host 11.11.11.2 eq isakmp host 11.11.11.1 eq isakmp
access-list 120 permit tcp any gt 1023 10.0.0.0 0.255.0.255 range 20 21 established
access-list 120 deny icmp any any echo log
access-list 120 deny udp any lt 1024 any neq 53
`;

const linux = new Map([
  ['FastEthernet0/0', 'eth0'],
  ['FastEthernet0/1', 'eth1'],
  ['FastEthernet1/0', 'eth2'],
]);

test('one chain per list in use, its lines in order, the implicit deny last; hooks per interface and direction', (t) => {
  const { config } = parseConfig(CONFIG);
  const { text, chains } = aclRules({ config, linux, agentDevices: ['ipsec0', 'ipnat0'], first: true, previous: [] });
  t.deepEqual(
    [...chains],
    [
      ['TBA-0', '120'],
      ['TBA-1', '5'],
    ],
  );
  t.deepEqual(text.split('\n'), [
    '*filter',
    ':TB-ACL-IN - [0:0]',
    ':TB-ACL-FWD - [0:0]',
    ':TB-ACL-DENY - [0:0]',
    ':TBA-0 - [0:0]',
    ':TBA-1 - [0:0]',
    '-A INPUT -j TB-ACL-IN',
    '-A FORWARD -j TB-ACL-FWD',
    '-A TB-ACL-DENY -m limit --limit 2/sec --limit-burst 1 -j REJECT --reject-with icmp-admin-prohibited',
    '-A TB-ACL-DENY -j DROP',
    '-A TBA-0 -p 50 -m comment --comment "acl 0 10" -j RETURN',
    '-A TBA-0 -p udp -s 11.11.11.2/32 -d 11.11.11.1/32 --sport 500 --dport 500 -m comment --comment "acl 0 20" -j RETURN',
    '-A TBA-0 -p tcp -d 10.0.0.0/255.0.255.0 --sport 1024:65535 --dport 20:21 ! --tcp-flags ACK,RST NONE -m comment --comment "acl 0 30" -j RETURN',
    '-A TBA-0 -p icmp --icmp-type 8 -j NFLOG --nflog-group 7 --nflog-prefix "acl 0 40"',
    '-A TBA-0 -p icmp --icmp-type 8 -m comment --comment "acl 0 40" -j TB-ACL-DENY',
    '-A TBA-0 -p udp --sport 0:1023 ! --dport 53 -m comment --comment "acl 0 50" -j TB-ACL-DENY',
    '-A TBA-0 -m comment --comment "acl 0 implicit" -j TB-ACL-DENY',
    '-A TBA-1 -s 10.1.1.0/255.255.255.0 -m comment --comment "acl 1 10" -j RETURN',
    '-A TBA-1 -m comment --comment "acl 1 implicit" -j TB-ACL-DENY',
    '-A TB-ACL-IN -i eth0 -j TBA-0',
    '-A TB-ACL-FWD -i eth0 -j TBA-0',
    '-A TB-ACL-FWD ! -i ipsec0 ! -i ipnat0 -o eth0 -j TBA-1',
    '-A TB-ACL-FWD ! -i ipsec0 ! -i ipnat0 -o eth1 -j TBA-0',
    'COMMIT',
    '',
  ]);
});

test('a later apply empties the chains made before and does not hook INPUT and FORWARD again', (t) => {
  const { config } = parseConfig('interface FastEthernet0/0\n ip address 11.11.11.1 255.255.255.0\n');
  const { text, chains } = aclRules({ config, linux, agentDevices: ['ipsec0'], first: false, previous: ['TBA-0', 'TBA-1'] });
  t.is(chains.size, 0);
  t.true(text.includes(':TBA-0 - [0:0]\n:TBA-1 - [0:0]\n'));
  t.false(text.includes('-A INPUT') || text.includes('-A FORWARD'));
});

test('standard lines match the source only; wildcards become masks, non-contiguous ones too', (t) => {
  const { config } = parseConfig('access-list 7 permit 10.0.5.0 0.255.0.255\nip access-list extended X\n permit ip 10.0.0.0 0.255.255.255 host 1.2.3.4\n');
  const rule = (name: string) => config.accessLists.find((a) => a.name === name)!.entries[0]! as Parameters<typeof matchArgs>[0];
  t.deepEqual(matchArgs(rule('7'), true), ['-s', '10.0.5.0/255.0.255.0']);
  t.deepEqual(matchArgs(rule('X'), false), ['-s', '10.0.0.0/255.0.0.0', '-d', '1.2.3.4/32']);
});

test('counters from iptables-save -c, per list and line, NFLOG rules left out', (t) => {
  const save = [
    '*filter',
    '[7:588] -A TBA-0 -p esp -m comment --comment "acl 0 10" -j RETURN',
    '[3:252] -A TBA-0 -p icmp -m icmp --icmp-type 8 -j NFLOG --nflog-prefix "acl 0 40" --nflog-group 7',
    '[3:252] -A TBA-0 -p icmp -m icmp --icmp-type 8 -m comment --comment "acl 0 40" -j TB-ACL-DENY',
    '[2:120] -A TBA-0 -m comment --comment "acl 0 implicit" -j TB-ACL-DENY',
    '[4:100] -A TBA-9 -m comment --comment "acl 9 10" -j RETURN',
    'COMMIT',
  ].join('\n');
  const counts = parseAclCounters(save, new Map([['TBA-0', '120']]));
  t.deepEqual(
    [...counts.get('120')!],
    [
      [10, 7],
      [40, 3],
    ],
  );
  t.is(counts.size, 1);
});
