/** The orchestrator-to-node environment: what one side encodes, the other decodes; anything else is a clear error. */
import test from 'ava';
import { ContractError, envEntry, TESTBED_CONFIG, TESTBED_HOST, TESTBED_INTERFACES, TESTBED_TRACE } from '../../../src/contract/env.js';

test('TESTBED_INTERFACES round-trips the bindings and refuses what is not a list of them', (t) => {
  const bindings = [{ name: 'FastEthernet0/0', dockerIp: '198.18.0.2', mtu: 1500 }];
  const env = envEntry(TESTBED_INTERFACES, bindings);
  t.deepEqual(Object.keys(env), ['TESTBED_INTERFACES']);
  t.deepEqual(TESTBED_INTERFACES.decode(env.TESTBED_INTERFACES), bindings);
  t.deepEqual(TESTBED_INTERFACES.decode(undefined), []);
  t.throws(() => TESTBED_INTERFACES.decode('{"name":"eth0"}'), { instanceOf: ContractError, message: 'TESTBED_INTERFACES: must be a JSON list' });
  t.throws(() => TESTBED_INTERFACES.decode('[{"name":"eth0","mtu":1500}]'), { instanceOf: ContractError, message: /entry 0 needs name, dockerIp and mtu/ });
  t.throws(() => TESTBED_INTERFACES.decode('[oops'), { instanceOf: ContractError, message: /^TESTBED_INTERFACES is not JSON/ });
});

test('TESTBED_HOST round-trips a Linux spec, and defaults to nothing', (t) => {
  const spec = { interfaces: [{ name: 'eth0', address: '10.0.0.1/24' }], gateway: '10.0.0.254', routes: [{ to: '12.0.0.0/8', via: '10.0.0.2' }] };
  t.deepEqual(TESTBED_HOST.decode(TESTBED_HOST.encode(spec)), spec);
  t.deepEqual(TESTBED_HOST.decode(undefined), { interfaces: [], gateway: null, routes: [] });
  t.throws(() => TESTBED_HOST.decode('{"interfaces":[{"name":"eth0"}],"gateway":null}'), {
    instanceOf: ContractError,
    message: /interfaces must be a list of \{name, address\}/,
  });
  t.throws(() => TESTBED_HOST.decode('{"interfaces":[],"gateway":"10.0.0.1","routes":[{"to":"12.0.0.0/8"}]}'), {
    instanceOf: ContractError,
    message: /routes must be a list of \{to, via\}/,
  });
});

test('TESTBED_CONFIG and TESTBED_TRACE', (t) => {
  t.is(TESTBED_CONFIG.decode(undefined), null);
  t.is(TESTBED_CONFIG.decode(TESTBED_CONFIG.encode('/tmp/r1.cfg')), '/tmp/r1.cfg');
  t.true(TESTBED_TRACE.decode(TESTBED_TRACE.encode(true)));
  t.false(TESTBED_TRACE.decode(TESTBED_TRACE.encode(false)));
  t.false(TESTBED_TRACE.decode(undefined));
});
