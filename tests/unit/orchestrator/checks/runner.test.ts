import test from 'ava';
import type { CapturedPacket } from '../../../../src/orchestrator/capture/pcap-reader.js';
import type { Clock, LabDriver } from '../../../../src/orchestrator/checks/driver.js';
import { Runner, selectSteps, SelectionError } from '../../../../src/orchestrator/checks/runner.js';
import type { ExecOutput } from '../../../../src/orchestrator/lab/types.js';
import { labShape } from '../../../../src/orchestrator/checks/shape.js';
import { loadLabFile } from '../../../../src/orchestrator/labfile/load.js';
import type { Step } from '../../../../src/orchestrator/checks/types.js';
import { fixture, root } from './helpers.js';
import { formatKnobs, type Knobs } from '../../../../src/orchestrator/impair/spec.js';

/** Time that moves only when the runner sleeps. */
class FakeClock implements Clock {
  t = 1_000_000;
  slept: number[] = [];
  now() {
    return this.t;
  }
  async sleep(ms: number) {
    this.slept.push(ms);
    this.t += ms;
  }
}

/** A lab whose answers a test scripts: exec(node, command) -> output, per call. */
class ScriptedLab implements LabDriver {
  calls: string[] = [];
  constructor(private readonly answer: (node: string, command: string, call: number) => Partial<ExecOutput>) {}
  async exec(node: string, command: string[] | string): Promise<ExecOutput> {
    const text = Array.isArray(command) ? command.join('\n') : command;
    this.calls.push(`${node}: ${text}`);
    const n = this.calls.filter((c) => c === `${node}: ${text}`).length;
    return { node, kind: 'x', exitCode: 0, stdout: '', stderr: '', ...this.answer(node, text, n) };
  }
  async packets(): Promise<CapturedPacket[]> {
    return [];
  }
  async restart(node: string) {
    this.calls.push(`restart ${node}`);
  }
  async cut(link: string): Promise<string> {
    throw new Error(`docker refused to cut ${link}`);
  }
  async restore(link: string) {
    return `restored ${link}`;
  }
  async impair(link: string, endpoint: string | null, direction: string, knobs: Knobs | null) {
    this.calls.push(`impair ${link} ${endpoint ?? '*'} ${direction} ${knobs ? formatKnobs(knobs) : 'clear'}`);
    return `impaired ${link}`;
  }
}

const seed = await loadLabFile(`${root}topologies/daphne-fred.yaml`);
const shape = labShape(seed.topology);
const step = (name: string): Step => seed.tests.find((s) => s.name === name)!;

const ISAKMP_HEADER = 'dst             src             state          conn-id slot\n';

test('wait retries only the nodes that failed, until they pass', async (t) => {
  const clock = new FakeClock();
  // daphne is QM_IDLE at once; fred gets there on its third answer
  const lab = new ScriptedLab((node, _cmd, call) => ({
    stdout:
      ISAKMP_HEADER +
      (node === 'daphne'
        ? '11.11.11.2      11.11.11.1      QM_IDLE              2    0\n'
        : call < 3
          ? '11.11.11.2      11.11.11.1      MM_KEY_EXCH          2    0\n'
          : '11.11.11.2      11.11.11.1      QM_IDLE              2    0\n'),
  }));
  const both: Step = {
    ...(step('fred-isakmp-sa') as Extract<Step, { kind: 'show' }>),
    nodes: ['daphne', 'fred'],
    expect: { count: null, has: [], all: [{ fields: { state: { op: '==', value: 'QM_IDLE', text: 'QM_IDLE' } }, text: 'state = QM_IDLE' }], none: [] },
  };
  const retries: number[] = [];
  const [r] = await new Runner(lab, { shape, clock, listener: { retry: (_s, attempt) => retries.push(attempt) } }).run([both]);
  t.is(r!.status, 'passed');
  t.is(r!.attempts, 3);
  t.deepEqual(retries, [1, 2]);
  t.deepEqual(lab.calls, ['daphne: show crypto isakmp sa', 'fred: show crypto isakmp sa', 'fred: show crypto isakmp sa', 'fred: show crypto isakmp sa']);
  t.deepEqual(clock.slept, [1000, 1000]);
});

test('a wait that runs out fails with the last answer as evidence', async (t) => {
  const clock = new FakeClock();
  const lab = new ScriptedLab(() => ({ stdout: ISAKMP_HEADER }));
  const [r] = await new Runner(lab, { shape, clock }).run([step('daphne-isakmp-sa')]);
  t.is(r!.status, 'failed');
  t.is(r!.timedOutAfterMs, 10000);
  t.is(r!.attempts, 11);
  t.deepEqual(r!.failures, [
    { node: 'daphne', expected: 'number of records = 1', found: '0 records' },
    { node: 'daphne', expected: 'a record with dst = 11.11.11.2, src = 11.11.11.1, peer = 11.11.11.2, role = initiator, state = QM_IDLE', found: 'no records' },
  ]);
  t.deepEqual(r!.evidence, [{ node: 'daphne', command: 'show crypto isakmp sa', exitCode: 0, output: ISAKMP_HEADER }]);
});

test('a failed relation runs both of its nodes again', async (t) => {
  const clock = new FakeClock();
  const ipsec = (out: string, inn: string) =>
    `interface: FastEthernet0/0\n    Crypto map tag: tedtag, local addr. 11.11.11.1\n   local  ident (addr/mask/prot/port): (13.13.13.0/255.255.255.0/0/0)\n   remote ident (addr/mask/prot/port): (12.12.12.0/255.255.255.0/0/0)\n     current outbound spi: ${out}\n     inbound esp sas:\n      spi: 0x${inn}(${parseInt(inn, 16)})\n`;
  // fred still shows an old inbound SPI on its first answer (a rekey in between)
  const lab = new ScriptedLab((node, _c, call) => ({
    stdout: node === 'daphne' ? ipsec('AAAA0001', 'BBBB0001') : ipsec('BBBB0001', call === 1 ? 'AAAA0000' : 'AAAA0001'),
  }));
  const spis = { ...(step('spis-cross') as Extract<Step, { kind: 'show' }>), wait: { timeoutMs: 5000, intervalMs: 500 } };
  const [r] = await new Runner(lab, { shape, clock }).run([spis]);
  t.is(r!.status, 'passed');
  t.is(r!.attempts, 2);
  t.is(lab.calls.length, 4);
});

test('stop_on_error skips the rest; an action that throws is an error with the reason', async (t) => {
  const topo = await loadLabFile(fixture('fail-timeout.yaml'));
  const clock = new FakeClock();
  const lab = new ScriptedLab((_n, cmd) => ({ stdout: cmd.startsWith('ping') ? '1 packets transmitted, 1 received' : 'Gateway of last resort is 11.11.11.2' }));
  const results = await new Runner(lab, { shape, clock }).run(topo.tests);
  t.deepEqual(
    results.map((r) => [r.name, r.status, r.attempts]),
    [
      ['ping-two-hops', 'passed', 1],
      ['route-never-comes', 'failed', 7],
      ['never-runs', 'skipped', 0],
    ],
  );
  t.is(results[2]!.skipped, '"route-never-comes" failed and has stop_on_error');
  // 3 s in steps of 0.5 s: the first try and six more, both routers each time
  t.is(lab.calls.filter((c) => c.endsWith('show ip route')).length, 14);

  const cut = seed.tests.length; // any index: a hand-made cut step
  const [err] = await new Runner(lab, { shape, clock }).run([
    { kind: 'cut', name: `cut-${cut}`, link: 'wan', nodes: null, description: null, stopOnError: false, pos: { file: 'x.yaml', line: 1, column: 1 } },
  ]);
  t.is(err!.status, 'error');
  t.is(err!.error, 'docker refused to cut wan');
});

test('--only and --node select steps; unknown names are errors', async (t) => {
  const names = (steps: Step[]) => steps.map((s) => s.name);
  t.deepEqual(names(selectSteps(seed.tests, { only: ['spis-cross', 'debug-on'] }, shape)), ['debug-on', 'spis-cross']);
  const fred = selectSteps(seed.tests, { node: 'fred' }, shape);
  t.deepEqual(names(fred), [
    'debug-on',
    'fred-isakmp-sa',
    'ipsec-sas',
    'spis-cross',
    'encaps-equal-decaps',
    'wan-sequence',
    'wan-no-clear-text',
    'lan-clear-text',
  ]);
  const debug = fred[0] as Extract<Step, { kind: 'exec' }>;
  t.deepEqual(debug.nodes, ['fred']);
  t.throws(() => selectSteps(seed.tests, { only: ['nope'] }, shape), {
    instanceOf: SelectionError,
    message: /^--only: no step named "nope" \(steps: debug-on, /,
  });
  t.throws(() => selectSteps(seed.tests, { node: 'barney' }, shape), {
    instanceOf: SelectionError,
    message: '--node: no node named "barney" (nodes: daphne, fred, d1, a1)',
  });
});

test('configure sends configure terminal, the lines and end as one session, and fails when IOS refuses a line', async (t) => {
  const topo = await loadLabFile(fixture('passing.yaml'));
  const add = topo.tests.find((s) => s.name === 'add-route')!;
  const ok = new ScriptedLab(() => ({}));
  const [r1] = await new Runner(ok, { shape, clock: new FakeClock() }).run([add]);
  t.is(r1!.status, 'passed');
  t.deepEqual(ok.calls, ['daphne: configure terminal\nip route 9.9.9.0 255.255.255.0 11.11.11.2\nend']);
  const refused = new ScriptedLab(() => ({
    exitCode: 1,
    stdout: "Daphne(config)#ip route 9.9.9.0 255.255.255.0 11.11.11.2\n% Invalid input detected at '^' marker.\n",
  }));
  const [r2] = await new Runner(refused, { shape, clock: new FakeClock() }).run([add]);
  t.is(r2!.status, 'failed');
  t.deepEqual(r2!.failures, [
    {
      node: 'daphne',
      expected: 'IOS to accept every line',
      found: "exit code 1: Daphne(config)#ip route 9.9.9.0 255.255.255.0 11.11.11.2 / % Invalid input detected at '^' marker.",
    },
  ]);
});

test('capture checks look at the packets since the run started, or since their step', async (t) => {
  const clock = new FakeClock();
  const at = (s: number, src: string) => ({
    time: s,
    frame: s,
    ip: null,
    ethertype: 0x800,
    src,
    dst: '12.12.12.13',
    protocol: 1,
    ttl: 63,
    sport: null,
    dport: null,
    payload: null,
    icmp: { type: 8, code: 0, id: 1, seq: 1 },
    esp: null,
    isakmp: null,
  });
  const lab = new (class extends ScriptedLab {
    override async packets() {
      // one packet before the run, one during the first step, one after it
      return [at(999, '13.13.13.1'), at(1000.5, '13.13.13.2'), at(1002, '13.13.13.3')];
    }
  })(() => ({}));
  const base = { description: null, stopOnError: false, pos: { file: 'x.yaml', line: 1, column: 1 }, wait: null, link: 'wan' };
  const count = (n: number) => ({
    present: [],
    absent: [],
    order: [],
    noClearText: null,
    packets: [{ filter: { protocol: 1, text: 'icmp' }, count: { op: '==' as const, value: n, text: String(n) } }],
  });
  const first: Step = {
    ...base,
    kind: 'exec',
    name: 'first',
    nodes: ['d1'],
    command: ['true'],
    timeoutMs: 1000,
    expect: { exit: { op: '==', value: 0, text: '0' }, match: [], noMatch: [], lines: [] },
  };
  const runner = new Runner(lab, { shape, clock, captureFrom: 1_000_000 });
  clock.t = 1_001_000; // the first step ends at 1001 s
  const results = await runner.run([
    first,
    { ...base, kind: 'capture', name: 'all-of-run', since: null, expect: count(2) },
    { ...base, kind: 'capture', name: 'after-first', since: 'first', expect: count(1) },
    { ...base, kind: 'capture', name: 'left-out', since: 'not-selected', expect: count(2) },
  ]);
  t.deepEqual(
    results.map((r) => [r.name, r.status]),
    [
      ['first', 'passed'],
      ['all-of-run', 'passed'],
      ['after-first', 'passed'],
      ['left-out', 'passed'],
    ],
  );
  t.is(results[2]!.evidence[0]!.output, '1 of 3 packets on wan considered');
});

test('an impair step hands its link, endpoint, direction and knobs (or clear) to the lab', async (t) => {
  const lab = new ScriptedLab(() => ({}));
  const pos = { file: 'x.yaml', line: 1, column: 1 };
  const results = await new Runner(lab, { shape, clock: new FakeClock() }).run([
    {
      kind: 'impair',
      name: 'lossy',
      link: 'wan',
      endpoint: 'fred',
      direction: 'in',
      knobs: { loss: 0.3, delayMs: 50 },
      description: null,
      stopOnError: false,
      pos,
    },
    { kind: 'impair', name: 'clean', link: 'wan', endpoint: null, direction: 'both', knobs: null, description: null, stopOnError: false, pos },
  ]);
  t.deepEqual(
    results.map((r) => [r.status, r.detail]),
    [
      ['passed', 'impaired wan'],
      ['passed', 'impaired wan'],
    ],
  );
  t.deepEqual(lab.calls, ['impair wan fred in loss=30% delay=50ms', 'impair wan * both clear']);
});
