import test from 'ava';
import { randomBytes } from 'node:crypto';
import { IkeEngine } from '../../../src/agent/ike/engine.js';
import { loopbackConfig, loopbackHandshake } from '../../../src/agent/ike/loopback.js';
import { policyFromConfig } from '../../../src/agent/ike/policy.js';
import { parseConfig } from '../../../src/agent/ios/index.js';

const suites = [
  { p1: { priority: 10, cipher: 'des-cbc', hash: 'sha1', group: 1, authentication: 'pre-share', lifetimeSeconds: 86400 }, transform: 'esp-des esp-md5-hmac', pfs: null },
  { p1: { priority: 10, cipher: 'aes128-cbc', hash: 'sha1', group: 14, authentication: 'pre-share', lifetimeSeconds: 86400 }, transform: 'esp-aes esp-sha-hmac', pfs: 14 },
] as const;

for (const s of suites) {
  for (const ted of [false, true]) {
    test(`two engines in memory complete a handshake: ${s.p1.cipher}/group ${s.p1.group}, ${s.transform}${s.pfs ? ', PFS' : ''}, ${ted ? 'TED' : 'static peer'}`, (t) => {
      const make = (self: 1 | 2) => {
        const { config, diagnostics } = parseConfig(loopbackConfig(self, s.p1 as never, s.transform, s.pfs, ted));
        t.deepEqual(diagnostics, [], 'the generated config is valid IOS');
        return new IkeEngine({ policy: policyFromConfig(config), random: randomBytes });
      };
      const sa = loopbackHandshake(make(1), make(2), 1_000_000);
      t.truthy(sa);
      t.is(sa?.transform, s.transform);
      t.is(sa?.pfsGroup, s.pfs);
    });
  }
}
