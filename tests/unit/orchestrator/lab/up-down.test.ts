/**
 * up, down, inventory and exec against the in-memory engine: what is created
 * and with which labels, readiness awaited per kind, nothing left after a
 * failure, everything found again by its labels after a crash, firewall
 * rules added and removed.
 */
import test from 'ava';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeKeyJournalLine, KEY_JOURNAL_DIR, KEY_JOURNAL_PATH } from '../../../../src/contract/keys.js';
import { KEYS_LABEL, KIND_LABEL, LAB_LABEL, OWNER_LABEL } from '../../../../src/contract/labels.js';
import { HOST_FAILED, HOST_READY, ROUTER_READY } from '../../../../src/contract/ready.js';
import { down, DOWN_PHASES } from '../../../../src/orchestrator/lab/down.js';
import { silentProgress } from '../../../../src/orchestrator/progress.js';
import { execOnNode, restartNode } from '../../../../src/orchestrator/lab/exec.js';
import { listLabs, status } from '../../../../src/orchestrator/lab/inventory.js';
import { bridgeName, keysHostDir } from '../../../../src/orchestrator/lab/naming.js';
import { LabError } from '../../../../src/orchestrator/lab/types.js';
import { up, type UpOptions } from '../../../../src/orchestrator/lab/up.js';
import { loadTopology } from '../../../../src/orchestrator/labfile/load.js';
import { root } from '../../../root.js';
import { FakeEngine, FakeFirewall, type FakeContainer } from './fake-engine.js';

const seed = await loadTopology(`${root}topologies/daphne-fred.yaml`);
const IMAGE = 'testbed/router2600:fake';

/** Each node prints the line its kind waits for, as a booted node does. */
function boots(engine: FakeEngine): void {
  engine.onStart = (c) => setImmediate(() => engine.print(c, c.spec.labels[KIND_LABEL] === 'router2600' ? ROUTER_READY : HOST_READY));
}

async function setup(t: { teardown(fn: () => Promise<void>): void }) {
  const engine = new FakeEngine();
  const firewall = new FakeFirewall();
  const artifacts = await mkdtemp(join(tmpdir(), 'testbed-fake-'));
  t.teardown(() => rm(artifacts, { recursive: true, force: true }));
  const opts: UpOptions = { image: IMAGE, firewall, artifacts };
  return { engine, firewall, artifacts, opts };
}

const ticks = async (n = 20) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

test('up creates the labelled networks, the transit rules and the nodes, and status reads the lab back from the labels', async (t) => {
  const { engine, firewall, opts } = await setup(t);
  boots(engine);
  const info = await up(engine, seed, { ...opts, name: 'lab1' });
  t.deepEqual([...engine.networks.values()].map((n) => n.spec.name).sort(), ['tb-lab1-lan-daphne', 'tb-lab1-lan-fred', 'tb-lab1-wan']);
  t.true([...engine.networks.values()].every((n) => n.spec.labels[OWNER_LABEL] === 'testbed' && n.spec.labels[LAB_LABEL] === 'lab1'));
  t.deepEqual([...(firewall.rules.get('lab1') ?? [])].sort(), ['wan', 'lan-daphne', 'lan-fred'].map((l) => bridgeName('lab1', l)).sort());
  t.deepEqual([...engine.containers.values()].map((c) => `${c.spec.name}:${c.state}`).sort(), [
    'tb-lab1-a1:running',
    'tb-lab1-d1:running',
    'tb-lab1-daphne:running',
    'tb-lab1-fred:running',
  ]);
  // networks before the nodes that join them
  const order = engine.calls.filter((c) => /^create/.test(c));
  t.true(order.findIndex((c) => c.startsWith('createContainer')) > order.findLastIndex((c) => c.startsWith('createNetwork')));
  t.deepEqual(
    info.nodes.map((n) => `${n.name}:${n.kind}:${n.state}`),
    ['a1:host:running', 'd1:host:running', 'daphne:router2600:running', 'fred:router2600:running'],
  );
  t.deepEqual(info.nodes.find((n) => n.name === 'fred')?.interfaces, [
    { name: 'FastEthernet0/0', link: 'wan', address: '11.11.11.2/24' },
    { name: 'FastEthernet0/1', link: 'lan-fred', address: '12.12.12.12/24' },
  ]);
  t.deepEqual(
    info.links.find((l) => l.name === 'wan'),
    {
      name: 'wan',
      network: 'tb-lab1-wan',
      bridge: bridgeName('lab1', 'wan'),
      subnet: engine.networks.get([...engine.networks.keys()].find((k) => engine.networks.get(k)!.spec.name === 'tb-lab1-wan')!)!.spec.subnet,
      endpoints: ['daphne:FastEthernet0/0', 'fred:FastEthernet0/0'],
      pcap: null,
    },
  );
  t.false(info.capturing);
  t.deepEqual(await status(engine, 'lab1'), { ...info, configWarnings: [] });
  t.deepEqual(
    (await listLabs(engine)).map((l) => l.name),
    ['lab1'],
  );
  t.is(await status(engine, 'nope'), null);
});

test("up waits for each node's own ready line: a router is not ready on a host's line", async (t) => {
  const { engine, opts } = await setup(t);
  const started: FakeContainer[] = [];
  engine.onStart = (c) => started.push(c);
  let done = false;
  const pending = up(engine, seed, { ...opts, name: 'lab2' }).then((info) => ((done = true), info));
  while (started.length < 4) await ticks(1);
  for (const name of ['d1', 'a1', 'daphne']) engine.print(`tb-lab2-${name}`, name === 'daphne' ? ROUTER_READY : HOST_READY);
  engine.print('tb-lab2-fred', HOST_READY);
  await ticks();
  t.false(done, "fred printed a host's line, not the router's");
  engine.print('tb-lab2-fred', ROUTER_READY);
  const info = await pending;
  t.is(info.nodes.length, 4);
});

test('a node that says it failed stops up with its console, and nothing of the lab is left', async (t) => {
  const { engine, firewall, opts } = await setup(t);
  engine.onStart = (c) =>
    setImmediate(() => {
      if (c.spec.hostname === 'd1') {
        engine.print(c, 'testbed-host: eth0 13.13.13.4/24');
        engine.print(c, `${HOST_FAILED}: RTNETLINK answers: File exists`);
      } else engine.print(c, c.spec.labels[KIND_LABEL] === 'router2600' ? ROUTER_READY : HOST_READY);
    });
  const err = await t.throwsAsync(up(engine, seed, { ...opts, name: 'lab3' }), { instanceOf: LabError });
  t.is(err?.message, `d1 failed to start:\ntestbed-host: eth0 13.13.13.4/24\n${HOST_FAILED}: RTNETLINK answers: File exists`);
  t.is(engine.containers.size, 0);
  t.is(engine.networks.size, 0);
  t.is(firewall.rules.size, 0);
});

test('a node that never says it is ready: up names the line it waited for and for how long, and removes everything', async (t) => {
  const { engine, firewall, opts } = await setup(t);
  engine.onStart = (c) =>
    setImmediate(() =>
      engine.print(
        c,
        c.spec.hostname === 'fred' ? 'Cisco Internetwork Operating System Software' : c.spec.labels[KIND_LABEL] === 'router2600' ? ROUTER_READY : HOST_READY,
      ),
    );
  const err = await t.throwsAsync(up(engine, seed, { ...opts, name: 'lab4', readyTimeoutMs: 50 }), { instanceOf: LabError });
  t.is(
    err?.message,
    `fred did not become ready: log line "${ROUTER_READY}" not seen after 50 ms; its console says:\nCisco Internetwork Operating System Software`,
  );
  t.deepEqual([engine.containers.size, engine.networks.size, firewall.rules.size], [0, 0, 0]);
});

test('a failure in the middle of up (Docker refuses a container) leaves nothing: down is called', async (t) => {
  const { engine, firewall, opts } = await setup(t);
  boots(engine);
  engine.failing = (call) => (call === 'createContainer tb-lab5-fred' ? new Error('no space left on device') : null);
  await t.throwsAsync(up(engine, seed, { ...opts, name: 'lab5' }), { message: 'no space left on device' });
  t.deepEqual([engine.containers.size, engine.networks.size, firewall.rules.size], [0, 0, 0]);
  t.true(engine.calls.includes('removeNetwork tb-lab5-wan'));
});

test('a subnet another network took is tried again elsewhere; a lab that exists is not brought up twice', async (t) => {
  const { engine, opts } = await setup(t);
  boots(engine);
  let refused = 0;
  engine.failing = (call) => (call === 'createNetwork tb-lab6-wan' && refused++ === 0 ? new Error('Pool overlaps with other one on this address space') : null);
  await up(engine, seed, { ...opts, name: 'lab6' });
  t.is(engine.calls.filter((c) => c === 'createNetwork tb-lab6-wan').length, 2);
  t.is(engine.networks.size, 3);
  const again = await t.throwsAsync(up(engine, seed, { ...opts, name: 'lab6' }), { instanceOf: LabError });
  t.regex(again!.message, /a lab named "lab6" is already up/);
  t.is(engine.containers.size, 4, 'the lab that is up is left alone');
});

test('a network Docker refuses to remove: down removes the rest, the firewall rules too, and names it; down again removes it', async (t) => {
  const { engine, firewall, opts } = await setup(t);
  boots(engine);
  await up(engine, seed, { ...opts, name: 'lab15' });
  t.true(firewall.rules.size > 0);
  engine.failing = (call) => (call === 'removeNetwork tb-lab15-wan' ? new Error('network tb-lab15-wan has active endpoints') : null);
  const err = await t.throwsAsync(down(engine, 'lab15', { firewall }), { instanceOf: LabError });
  t.is(
    err?.message,
    'Docker did not remove 1 of the 3 networks (everything else is removed; run testbed down again, after restarting dockerd if it says "active endpoints"): tb-lab15-wan: network tb-lab15-wan has active endpoints',
  );
  t.deepEqual([engine.containers.size, [...engine.networks.values()].map((n) => n.spec.name), firewall.rules.size], [0, ['tb-lab15-wan'], 0]);
  engine.failing = () => null;
  t.like(await down(engine, 'lab15', { firewall }), { networks: 1 });
  t.is(engine.networks.size, 0);
});

test("down after a crash finds the lab by its labels alone, writes the routers' keys, and leaves other labs be", async (t) => {
  const { engine, firewall, artifacts, opts } = await setup(t);
  boots(engine);
  await up(engine, seed, { ...opts, name: 'lab7' });
  await up(engine, seed, { ...opts, name: 'other', artifacts: join(artifacts, 'other') });
  const keys = {
    isakmp: [],
    esp: [
      {
        src: '11.11.11.1',
        dst: '11.11.11.2',
        spi: '0x00001000',
        encryption: 'DES-CBC [RFC2405]',
        encryptionKey: '0102030405060708',
        authentication: 'HMAC-MD5-96 [RFC2403]',
        authenticationKey: '000102030405060708090a0b0c0d0e0f',
        udpEncapsulated: false,
      },
    ],
  };
  engine.onReadFile = (c, path) =>
    path === KEY_JOURNAL_PATH && c.spec.labels[KIND_LABEL] === 'router2600'
      ? // a second line for the same SA replaces the first; a last line without its newline was being written
        keys.esp.map((esp) => encodeKeyJournalLine({ esp: { ...esp, encryptionKey: 'ffffffffffffffff' } }) + encodeKeyJournalLine({ esp })).join('') +
        '{"esp":{"src'
      : null;
  // a new process knows nothing of the first one: down works from what Docker holds
  const updates: string[] = [];
  const progress = { step: () => ({ update: (d: string) => void updates.push(d), done() {}, fail() {} }), note() {} };
  const result = await down(engine, 'lab7', { firewall, progress });
  t.deepEqual(result, { labs: ['lab7'], containers: 4, networks: 3, firewallRules: 3 });
  t.deepEqual(updates, Object.values(DOWN_PHASES), 'down says each phase as it starts, in order');
  t.deepEqual(
    engine.calls.filter((c) => c.startsWith('readFile') || c.startsWith('exec')).sort(),
    [`readFile tb-lab7-daphne ${KEY_JOURNAL_PATH}`, `readFile tb-lab7-fred ${KEY_JOURNAL_PATH}`],
    'only the nodes whose kind holds keys are read, and no process is started in them',
  );
  const at = (call: string) => engine.calls.indexOf(call);
  for (const host of ['d1', 'a1'])
    t.true(
      at(`removeContainer tb-lab7-${host}`) < at(`readFile tb-lab7-daphne ${KEY_JOURNAL_PATH}`),
      `${host}, which holds no keys, goes while the keys are collected`,
    );
  for (const router of ['daphne', 'fred'])
    t.true(at(`removeContainer tb-lab7-${router}`) > at(`readFile tb-lab7-${router} ${KEY_JOURNAL_PATH}`), `${router} goes after its keys were read`);
  const espSa = await readFile(join(artifacts, 'esp_sa'), 'utf8');
  t.regex(espSa, /"IPv4","11\.11\.11\.1","11\.11\.11\.2","0x00001000","DES-CBC \[RFC2405\]"/);
  t.true(espSa.includes('0102030405060708') && !espSa.includes('ffffffffffffffff'), "the journal's later line for the SA is the one written");
  t.true([...engine.containers.values()].every((c) => c.spec.labels[LAB_LABEL] === 'other'));
  t.is(engine.containers.size, 4);
  t.deepEqual([...firewall.rules.keys()], ['other']);
  t.deepEqual(await down(engine, 'lab7', { firewall }), { labs: ['lab7'], containers: 0, networks: 0, firewallRules: 0 }, 'idempotent');
  t.deepEqual((await down(engine, undefined, { firewall })).labs, ['other']);
  t.deepEqual([engine.containers.size, engine.networks.size, firewall.rules.size], [0, 0, 0]);
});

test('down names a router whose key journal could not be read and still removes everything; the keys it read are written', async (t) => {
  const { engine, firewall, artifacts, opts } = await setup(t);
  boots(engine);
  await up(engine, seed, { ...opts, name: 'lab9' });
  const row = { connId: 1, peer: '11.11.11.2', initiatorCookie: '0011223344556677', encryptionKey: '0102030405060708' };
  engine.onReadFile = (c) =>
    c.spec.name === 'tb-lab9-daphne' ? encodeKeyJournalLine({ isakmp: row }) : c.spec.name === 'tb-lab9-fred' ? '{"esp":{}}\n' : null;
  const notes: string[] = [];
  const result = await down(engine, 'lab9', { firewall, progress: { ...silentProgress, note: (line: string) => void notes.push(line) } });
  t.like(result, { containers: 4, networks: 3 });
  t.deepEqual(notes, ['note: keys not read from tb-lab9-fred: key journal line 1: an ESP key row lacks an address, the SPI, an algorithm or a key']);
  t.regex(await readFile(join(artifacts, 'ikev1_decryption_table'), 'utf8'), /0011223344556677/);
  t.is(engine.containers.size, 0);
});

test("exec asks the node's kind: IOS lines on a router (one session), a shell command line on a host; restart waits for the ready line again", async (t) => {
  const { engine, opts } = await setup(t);
  boots(engine);
  await up(engine, seed, { ...opts, name: 'lab8' });
  engine.onExec = () => ({ exitCode: 0, stdout: 'ok\n', stderr: '' });
  t.like(await execOnNode(engine, 'lab8', 'daphne', 'configure terminal\nip route 9.9.9.0 255.255.255.0 11.11.11.2\n\nend'), {
    node: 'daphne',
    kind: 'router2600',
    exitCode: 0,
    stdout: 'ok\n',
  });
  t.like(await execOnNode(engine, 'lab8', 'd1', ['ip route', 'ip -4 addr']), { kind: 'host' });
  t.deepEqual(
    engine.calls.filter((c) => c.startsWith('exec')),
    [
      'exec tb-lab8-daphne ["ios","configure terminal","ip route 9.9.9.0 255.255.255.0 11.11.11.2","end"]',
      'exec tb-lab8-d1 ["sh","-c","ip route\\nip -4 addr"]',
    ],
  );
  await t.throwsAsync(execOnNode(engine, 'lab8', 'barney', 'true'), {
    instanceOf: LabError,
    message: 'lab lab8 has no node "barney" (nodes: a1, d1, daphne, fred)',
  });

  // the ready line of the first boot does not count after a restart
  let restarted = false;
  const fred = engine.byName('tb-lab8-fred');
  engine.onStart = () => undefined;
  const pending = restartNode(engine, 'lab8', 'fred').then(() => (restarted = true));
  await ticks();
  t.false(restarted);
  engine.print(fred, ROUTER_READY);
  await pending;
  t.true(engine.calls.includes('restartContainer tb-lab8-fred'));
});

test("on an engine that shares this machine's files the routers' journals are bound here: down removes every node at once, asks Docker for no file, and writes the keys", async (t) => {
  const { engine, firewall, artifacts, opts } = await setup(t);
  engine.sharesHostFiles = true;
  boots(engine);
  await up(engine, seed, { ...opts, name: 'lab16' });
  const spec = (node: string) => [...engine.containers.values()].find((c) => c.spec.name === `tb-lab16-${node}`)!;
  for (const router of ['daphne', 'fred']) {
    t.deepEqual(spec(router).spec.binds, { [keysHostDir(artifacts, router)]: KEY_JOURNAL_DIR }, `${router}'s journal directory is bound`);
    t.is(spec(router).spec.labels[KEYS_LABEL], keysHostDir(artifacts, router));
  }
  for (const host of ['d1', 'a1']) t.is(spec(host).spec.binds, undefined, `${host} keeps no keys and binds nothing`);
  // what the agents wrote through the binds; fred had stopped (its file is read all the same)
  const row = (spi: string, key: string) => ({
    src: '11.11.11.1',
    dst: '11.11.11.2',
    spi,
    encryption: 'DES-CBC [RFC2405]',
    encryptionKey: key,
    authentication: 'HMAC-MD5-96 [RFC2403]',
    authenticationKey: '000102030405060708090a0b0c0d0e0f',
    udpEncapsulated: false,
  });
  await writeFile(join(keysHostDir(artifacts, 'daphne'), 'keys.jsonl'), encodeKeyJournalLine({ esp: row('0x00001000', '0102030405060708') }));
  await writeFile(join(keysHostDir(artifacts, 'fred'), 'keys.jsonl'), encodeKeyJournalLine({ esp: row('0x00002000', '1112131415161718') }));
  spec('fred').state = 'exited';
  const updates: string[] = [];
  const progress = { step: () => ({ update: (d: string) => void updates.push(d), done() {}, fail() {} }), note() {} };
  t.like(await down(engine, 'lab16', { firewall, progress }), { containers: 4, networks: 3 });
  t.deepEqual(updates, Object.values(DOWN_PHASES));
  t.deepEqual(
    engine.calls.filter((c) => c.startsWith('readFile')),
    [],
    'no archive request',
  );
  // every node goes in the first phase, before the captures stop
  const removed = engine.calls.filter((c) => c.startsWith('removeContainer'));
  t.deepEqual(
    removed.slice(0, 4).sort(),
    ['a1', 'd1', 'daphne', 'fred'].map((n) => `removeContainer tb-lab16-${n}`),
  );
  const espSa = await readFile(join(artifacts, 'esp_sa'), 'utf8');
  t.true(espSa.includes('0x00001000') && espSa.includes('0x00002000'), "both routers' SAs are in the table");

  // up again: the earlier journal is kept under its time, the agent starts a new one
  await up(engine, seed, { ...opts, name: 'lab16' });
  const files = await readdir(keysHostDir(artifacts, 'daphne'));
  t.is(files.length, 1);
  t.regex(files[0]!, /^keys\.\d{4}-\d{2}-\d{2}T\d{6}\.jsonl$/);
  // a journal that is not here (the engine's machine holds the bound directory) is read from the router, first
  await rm(join(artifacts, 'keys'), { recursive: true });
  engine.onReadFile = (c, path) =>
    path === KEY_JOURNAL_PATH && c.spec.name === 'tb-lab16-daphne' ? encodeKeyJournalLine({ esp: row('0x00003000', '2122232425262728') }) : null;
  engine.calls.length = 0;
  const notes: string[] = [];
  await down(engine, 'lab16', { firewall, progress: { ...silentProgress, note: (line: string) => void notes.push(line) } });
  const at = (call: string) => engine.calls.indexOf(call);
  t.true(at(`readFile tb-lab16-daphne ${KEY_JOURNAL_PATH}`) >= 0 && at(`readFile tb-lab16-daphne ${KEY_JOURNAL_PATH}`) < at('removeContainer tb-lab16-daphne'));
  t.true((await readFile(join(artifacts, 'esp_sa'), 'utf8')).includes('0x00003000'));
  t.deepEqual(notes, [`note: keys not read from tb-lab16-fred: Could not find the file ${KEY_JOURNAL_PATH} in container tb-lab16-fred`]);
});
