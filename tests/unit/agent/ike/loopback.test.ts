import test from 'ava';
import { randomBytes } from 'node:crypto';
import { IkeEngine } from '../../../../src/agent/ike/v1/engine.js';
import { loopbackConfig, loopbackHandshake, loopbackSteps } from '../../../../src/agent/ike/loopback.js';
import { warmUp } from '../../../../src/agent/router/warmup.js';
import { policyFromConfig } from '../../../../src/agent/ike/policy.js';
import { parseConfig } from '../../../../src/ios/index.js';

const suites = [
  {
    p1: { priority: 10, cipher: 'des-cbc', hash: 'sha1', group: 1, authentication: 'pre-share', lifetimeSeconds: 86400 },
    transform: 'esp-des esp-md5-hmac',
    pfs: null,
  },
  {
    p1: { priority: 10, cipher: 'aes128-cbc', hash: 'sha1', group: 14, authentication: 'pre-share', lifetimeSeconds: 86400 },
    transform: 'esp-aes esp-sha-hmac',
    pfs: 14,
  },
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

test('loopbackSteps pauses after every engine call: TED, Main Mode and Quick Mode take one step per message', (t) => {
  const s = suites[0];
  const make = (self: 1 | 2) =>
    new IkeEngine({ policy: policyFromConfig(parseConfig(loopbackConfig(self, s.p1 as never, s.transform, s.pfs, true)).config), random: randomBytes });
  const steps = loopbackSteps(make(1), make(2), 1_000_000);
  let pauses = 0;
  let r = steps.next();
  while (!r.done) {
    pauses++;
    r = steps.next();
  }
  // probe, reply, six Main Mode and three Quick Mode messages: one engine call each
  t.is(pauses, 11);
  t.is(r.value?.transform, s.transform);
});

test('the warm-up steps aside while the router is busy and completes once it is not', async (t) => {
  const policy = policyFromConfig(parseConfig(loopbackConfig(1, suites[0].p1 as never, suites[0].transform, null, true)).config);
  let busy = true;
  let done = false;
  const run = warmUp(policy, { rounds: 1, busy: () => busy }).then(() => (done = true));
  await new Promise((r) => setTimeout(r, 100));
  t.false(done, 'nothing ran while busy');
  busy = false;
  await run;
  t.true(done);
});
