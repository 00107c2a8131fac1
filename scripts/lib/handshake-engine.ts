/**
 * A whole Main Mode + Quick Mode handshake through the router's IKE engine,
 * both sides in memory: ISAKMP encoding and decoding, the state machines,
 * the debug lines, the crypto. The peers' policies are built once per suite
 * (from IOS config text, as a router would), the engines once per handshake.
 */
import { randomBytes } from 'node:crypto';
import { IkeEngine } from '../../src/agent/ike/v1/engine.js';
import { loopbackConfig, loopbackHandshake } from '../../src/agent/ike/loopback.js';
import { policyFromConfig, type IkePolicy } from '../../src/agent/ike/policy.js';
import { parseConfig } from '../../src/ios/index.js';
import type { HandshakeSuite } from './handshake-crypto.js';

const policies = new Map<string, [IkePolicy, IkePolicy]>();

function policiesFor(suite: HandshakeSuite): [IkePolicy, IkePolicy] {
  let pair = policies.get(suite.name);
  if (!pair) {
    const p1 = {
      priority: 10,
      cipher: suite.cipher.name,
      hash: suite.hash.name,
      group: suite.group.id,
      authentication: 'pre-share',
      lifetimeSeconds: 86400,
    } as IkePolicy['phase1'][number];
    const make = (self: 1 | 2) => policyFromConfig(parseConfig(loopbackConfig(self, p1, 'esp-des esp-md5-hmac', null, false)).config, { natTraversal: true });
    pair = [make(1), make(2)];
    policies.set(suite.name, pair);
  }
  return pair;
}

/** One handshake; throws if it did not end with an installed IPsec SA pair. */
export function engineHandshake(suite: HandshakeSuite): void {
  const [pa, pb] = policiesFor(suite);
  const a = new IkeEngine({ policy: pa, random: randomBytes });
  const b = new IkeEngine({ policy: pb, random: randomBytes });
  if (!loopbackHandshake(a, b, Date.now())) throw new Error(`engine handshake for ${suite.name} did not complete`);
}
