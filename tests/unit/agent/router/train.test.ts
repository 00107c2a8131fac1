/**
 * The training run for the router's code cache: a config the parser takes whole, with what the training negotiates.
 * The run itself happens in every image build (images/router2600/Dockerfile), which fails when it does.
 */
import test from 'ava';
import { parseConfig } from '../../../../src/ios/index.js';
import { policyFromConfig } from '../../../../src/agent/ike/index.js';
import { TRAINING_CONFIG } from '../../../../src/agent/router/train.js';

test('the training config is one the router accepts without a diagnostic, with several suites, TED and a static entry', (t) => {
  const { config, diagnostics } = parseConfig(TRAINING_CONFIG);
  t.deepEqual(diagnostics, []);
  const policy = policyFromConfig(config);
  t.is(policy.phase1.length, 3);
  t.is(policy.transformSets.length, 3);
  t.true(policy.cryptoMaps.some((m) => m.entries.some((e) => e.pfsGroup === 2)));
});
