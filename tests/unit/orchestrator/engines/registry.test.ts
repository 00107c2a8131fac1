/** TESTBED_REGISTRY: reading it, the lab image's name in it, and the plan of which engine pulls, loads or has the image. */
import test from 'ava';
import { parseRegistry, planCopy, registryName, RegistryError, splitImageName } from '../../../../src/orchestrator/engines/registry.js';
import { engineFromEnv } from '../../../../src/orchestrator/engines/index.js';

test('a registry is HOST[:PORT][/PATH]: IPv4, names, localhost, IPv6 in brackets, a path under it', (t) => {
  t.deepEqual(parseRegistry('127.0.0.1:5000'), { host: '127.0.0.1:5000', path: '' });
  t.deepEqual(parseRegistry('registry.example.com'), { host: 'registry.example.com', path: '' });
  t.deepEqual(parseRegistry('localhost'), { host: 'localhost', path: '' });
  t.deepEqual(parseRegistry('reg-1:443/lab/team_a'), { host: 'reg-1:443', path: 'lab/team_a' });
  t.deepEqual(parseRegistry('[fd00::1]:5000'), { host: '[fd00::1]:5000', path: '' });
  t.deepEqual(parseRegistry('[fd00::1]'), { host: '[fd00::1]', path: '' });
});

test('a bad registry is refused, saying where and why, with the form it takes', (t) => {
  const refused = (text: string, why: RegExp) => t.throws(() => parseRegistry(text), { instanceOf: RegistryError, message: why }, text);
  refused('', /^TESTBED_REGISTRY="": empty; expected HOST\[:PORT\]\[\/PATH\], e\.g\. 127\.0\.0\.1:5000/);
  refused(' 127.0.0.1:5000', /leading or trailing spaces/);
  refused('http://127.0.0.1:5000', /="http:\/\/127\.0\.0\.1:5000": no scheme/);
  refused('user:pw@host:5000', /no credentials or digest/);
  refused('127.0.0.1:5000/', /no trailing slash/);
  refused('127.0.0.1:99999', /"99999" is not a port \(1-65535\)/);
  refused('127.0.0.1:0', /"0" is not a port/);
  refused('127.0.0.1:', /"" is not a port/);
  refused(':5000', /no host/);
  refused('reg_1:5000', /"reg_1" is not a host name or IPv4 address/);
  refused('-reg:5000', /"-reg" is not a host name/);
  refused('a..b', /"a\.\.b" is not a host name/);
  refused('myregistry', /Docker would take "myregistry" for a repository on Docker Hub, not a registry/);
  refused('myregistry/lab', /Docker would take "myregistry" for a repository on Docker Hub/);
  refused('host:5000/Lab', /"Lab" is not a repository path component/);
  refused('host:5000/a//b', /"" is not a repository path component/);
  t.throws(() => parseRegistry('x', 'the engines file'), { message: /^the engines file="x": / });
});

test('an image name splits as Docker splits it: a first component with a dot, a colon or localhost is a registry', (t) => {
  t.deepEqual(splitImageName('testbed/router2600:4465cddfd437'), { registry: null, repository: 'testbed/router2600', tag: '4465cddfd437' });
  t.deepEqual(splitImageName('debian'), { registry: null, repository: 'debian', tag: 'latest' });
  t.deepEqual(splitImageName('localhost:5000/x/y'), { registry: 'localhost:5000', repository: 'x/y', tag: 'latest' });
  t.deepEqual(splitImageName('docker.io/library/debian:12'), { registry: 'docker.io', repository: 'library/debian', tag: '12' });
  t.throws(() => splitImageName('debian@sha256:' + 'a'.repeat(64)), { instanceOf: RegistryError, message: /by digest cannot be pushed/ });
  t.throws(() => splitImageName('Testbed/x:1'), { instanceOf: RegistryError, message: /"Testbed\/x:1" is not an image name/ });
  t.throws(() => splitImageName('testbed/x:'), { instanceOf: RegistryError, message: /"" is not a tag/ });
});

test("the lab image's name in a registry: the registry, its path, the image's repository (its own registry dropped) and tag", (t) => {
  t.deepEqual(registryName(parseRegistry('127.0.0.1:5000'), 'testbed/router2600:4465cddfd437'), {
    repository: '127.0.0.1:5000/testbed/router2600',
    tag: '4465cddfd437',
    name: '127.0.0.1:5000/testbed/router2600:4465cddfd437',
  });
  t.is(registryName(parseRegistry('reg.example.com/lab'), 'testbed/router2600:abc').name, 'reg.example.com/lab/testbed/router2600:abc');
  t.is(registryName(parseRegistry('reg.example.com'), 'other.example.com:5000/testbed/router2600:abc').name, 'reg.example.com/testbed/router2600:abc');
});

test('the plan: members with the tag are left alone; the others pull when a registry is named, else load', (t) => {
  const members = [
    { name: 'e1', has: false },
    { name: 'e2', has: true },
    { name: 'e3', has: false },
  ];
  t.deepEqual(planCopy(members, parseRegistry('127.0.0.1:5000')), { present: ['e2'], pull: ['e1', 'e3'], load: [] });
  t.deepEqual(planCopy(members, null), { present: ['e2'], pull: [], load: ['e1', 'e3'] });
  t.deepEqual(planCopy([{ name: 'e1', has: true }], parseRegistry('127.0.0.1:5000')), { present: ['e1'], pull: [], load: [] });
});

test('TESTBED_REGISTRY is checked before any engine is asked, also without a swarm', async (t) => {
  await t.throwsAsync(() => engineFromEnv({ TESTBED_REGISTRY: 'http://reg:5000' }), { instanceOf: RegistryError, message: /no scheme/ });
  await t.throwsAsync(() => engineFromEnv({ TESTBED_REGISTRY: 'reg', TESTBED_SWARM: 'unix:///run/testbed-no-such-engine/docker.sock' }), {
    instanceOf: RegistryError,
  });
});
