/**
 * The IOS-model adapter (policy.ts), the proxies taken from ACL entries, and
 * the retransmission schedule.
 */
import test from 'ava';
import { parseConfig } from '../../../../src/ios/index.js';
import { entryForPacket, policyFromConfig, presharedKeyFor } from '../../../../src/agent/ike/policy.js';
import { proxiesFromRule, ruleCovers } from '../../../../src/agent/ike/proxies.js';
import { IOS_TIMERS, Retransmitter } from '../../../../src/agent/ike/retransmit.js';
import type { AclRule } from '../../../../src/ios/config/types.js';
import { seedConfig } from './helpers.js';

test("Daphne's seed config: IOS defaults, the wildcard key, the dynamic map expanded with discover", (t) => {
  const p = policyFromConfig(parseConfig(seedConfig('daphne')).config);
  t.deepEqual(p.phase1, [{ priority: 10, cipher: 'des-cbc', hash: 'sha1', group: 1, authentication: 'pre-share', lifetimeSeconds: 86400 }]);
  t.is(presharedKeyFor(p, '11.11.11.2'), 'abc123');
  t.deepEqual(p.transformSets, [{ name: 'ted-transforms', cipher: 'des', integrity: 'hmac-md5-96', mode: 'tunnel', text: 'esp-des esp-md5-hmac' }]);
  t.is(p.cryptoMaps.length, 1);
  const map = p.cryptoMaps[0]!;
  t.deepEqual(map.interfaces, [{ name: 'FastEthernet0/0', address: '11.11.11.1' }]);
  t.is(map.entries.length, 1);
  t.like(map.entries[0], {
    ref: { map: 'tedtag', seq: 10, dynamic: { map: 'ted-map', seq: 10 } },
    kind: 'dynamic',
    discover: true,
    aclName: '101',
    pfsGroup: null,
    lifetime: { seconds: 3600, kilobytes: 4608000 },
    transformSetNames: ['ted-transforms'],
  });
  t.is(p.keepalive, null);
  t.true(p.natTraversal);
  t.false(p.initialContact);
  t.deepEqual(p.timers, IOS_TIMERS);
});

test('entryForPacket: the ACL entry that matched gives the proxies', (t) => {
  const p = policyFromConfig(parseConfig(seedConfig('daphne')).config);
  const hit = entryForPacket(p, 'FastEthernet0/0', { source: '13.13.13.4', destination: '12.12.12.13', protocol: 1 });
  t.truthy(hit);
  t.deepEqual(proxiesFromRule(hit!.rule), {
    local: { idType: 4, address: '13.13.13.0', mask: '255.255.255.0', protocol: 0, port: 0 },
    remote: { idType: 4, address: '12.12.12.0', mask: '255.255.255.0', protocol: 0, port: 0 },
  });
  t.is(entryForPacket(p, 'FastEthernet0/0', { source: '13.13.13.4', destination: '8.8.8.8', protocol: 1 }), null);
  t.is(entryForPacket(p, 'FastEthernet0/1', { source: '13.13.13.4', destination: '12.12.12.13', protocol: 1 }), null);
});

test('pre-shared keys: aggressive-mode password first, then the longest matching mask, the wildcard last', (t) => {
  const cfg = [
    'crypto isakmp key wild address 0.0.0.0 0.0.0.0',
    'crypto isakmp key net address 10.1.0.0 255.255.0.0',
    'crypto isakmp key host address 10.1.2.3',
    'crypto isakmp peer address 10.9.9.9',
    ' set aggressive-mode password agg',
  ].join('\n');
  const p = policyFromConfig(parseConfig(cfg).config);
  t.is(presharedKeyFor(p, '10.1.2.3'), 'host');
  t.is(presharedKeyFor(p, '10.1.7.7'), 'net');
  t.is(presharedKeyFor(p, '192.0.2.1'), 'wild');
  t.is(presharedKeyFor(p, '10.9.9.9'), 'agg');
  t.deepEqual(p.aggressivePeers, [{ address: '10.9.9.9', password: 'agg' }]);
  t.is(presharedKeyFor(policyFromConfig(parseConfig('hostname x').config), '1.2.3.4'), null);
});

test('keepalive, PFS, lifetimes, AES and AH-only transform sets', (t) => {
  const cfg = [
    'crypto isakmp policy 5',
    ' encryption aes 256',
    ' hash sha256',
    ' group 14',
    ' authentication pre-share',
    ' lifetime 3600',
    'crypto isakmp keepalive 20 3 periodic',
    'crypto ipsec transform-set strong esp-aes 256 esp-sha256-hmac',
    'crypto ipsec transform-set ahonly ah-sha-hmac',
    'crypto map m 20 ipsec-isakmp',
    ' set peer 1.1.1.1',
    ' set peer 2.2.2.2',
    ' set transform-set ahonly strong',
    ' set pfs group14',
    ' set security-association lifetime seconds 900',
    ' match address 150',
    'access-list 150 permit tcp host 10.0.0.1 eq 22 any',
  ].join('\n');
  const p = policyFromConfig(parseConfig(cfg).config, { natTraversal: false, initialContact: true, timers: { purgeDelayMs: 5 } });
  t.like(p.phase1[0], { cipher: 'aes256-cbc', hash: 'sha256', group: 14, lifetimeSeconds: 3600 });
  t.deepEqual(p.keepalive, { seconds: 20, retrySeconds: 3, periodic: true });
  const e = p.cryptoMaps[0]!.entries[0]!;
  t.deepEqual(e.peers, ['1.1.1.1', '2.2.2.2']);
  t.is(e.pfsGroup, 14);
  t.deepEqual(e.lifetime, { seconds: 900, kilobytes: 4608000 });
  t.deepEqual(
    e.transformSets.map((s) => s.text),
    ['esp-aes 256 esp-sha256-hmac'],
  );
  t.false(p.natTraversal);
  t.true(p.initialContact);
  t.is(p.timers.purgeDelayMs, 5);
  const rule = e.acl!.entries[0] as AclRule;
  const proxies = proxiesFromRule(rule);
  t.deepEqual(proxies, {
    local: { idType: 1, address: '10.0.0.1', protocol: 6, port: 22 },
    remote: { idType: 4, address: '0.0.0.0', mask: '0.0.0.0', protocol: 6, port: 0 },
  });
  t.true(ruleCovers(rule, proxies));
  t.false(ruleCovers(rule, { ...proxies, local: { ...proxies.local, port: 23 } }));
});

test('Retransmitter: constant IOS schedule, exponential when asked, exhausted after maxRetransmits', (t) => {
  const r = new Retransmitter(IOS_TIMERS.phase1, 1000, []);
  const times: number[] = [];
  while (!r.exhausted) {
    times.push(r.nextAt);
    r.fire(r.nextAt);
  }
  t.deepEqual(times, [11_000, 21_000, 31_000, 41_000, 51_000]);
  t.is(r.retransmits, 5);
  const x = new Retransmitter({ intervalMs: 1000, maxRetransmits: 4, backoff: 2, maxIntervalMs: 5000 }, 0, []);
  const xs: number[] = [];
  while (!x.exhausted) {
    xs.push(x.nextAt);
    x.fire(x.nextAt);
  }
  t.deepEqual(xs, [1000, 3000, 7000, 12000]);
});
