import test from 'ava';
import { evaluateCapture, evaluateExec, evaluateRelations, evaluateShow, representative } from '../../../../src/orchestrator/checks/evaluate.js';
import { filterFromYaml, prefixPair } from '../../../../src/orchestrator/checks/filters.js';
import { parseIpsecSa, parseIsakmpSa, type ShowRecord } from '../../../../src/orchestrator/show/index.js';
import type { CaptureExpect, PacketFilter, Prefix, RecordQuery, Relation } from '../../../../src/orchestrator/checks/types.js';
import { parseCondition } from '../../../../src/orchestrator/checks/values.js';
import { esp, icmp, isakmp, sections } from './helpers.js';

const cond = (v: unknown, type: Parameters<typeof parseCondition>[1] = 'count') => {
  const c = parseCondition(v, type);
  if (typeof c === 'string') throw new Error(c);
  return c;
};
const pat = (s: string) => ({ regex: new RegExp(s, 'm'), source: s });
const filter = (v: unknown) => {
  const f = filterFromYaml(v);
  if (typeof f === 'string') throw new Error(f);
  return f;
};
const capture = (e: Partial<CaptureExpect>): CaptureExpect => ({ present: [], absent: [], packets: [], order: [], noClearText: null, ...e });

const PING = `PING 12.12.12.13 (12.12.12.13) 56(84) bytes of data.
64 bytes from 12.12.12.13: icmp_seq=2 ttl=62 time=0.4 ms
64 bytes from 12.12.12.13: icmp_seq=3 ttl=62 time=0.3 ms

--- 12.12.12.13 ping statistics ---
3 packets transmitted, 2 received, 33% packet loss, time 2003ms
`;

test('exec expectations: exit code, match, no_match and counted lines, each failure saying what was found', (t) => {
  const ok = {
    exit: cond(0),
    match: [pat('3 packets transmitted, 2 received')],
    noMatch: [pat('icmp_seq=1 ')],
    lines: [{ pattern: pat('ttl=62'), count: cond(2) }],
  };
  t.deepEqual(evaluateExec(ok, 0, PING), []);
  const bad = { exit: cond('!= 0'), match: [pat('^3 received')], noMatch: [pat('icmp_seq=2 ')], lines: [{ pattern: pat('ttl=62'), count: cond('>= 3') }] };
  t.deepEqual(evaluateExec(bad, 0, PING), [
    { expected: 'exit code != 0', found: 'exit code 0' },
    { expected: 'output matches /^3 received/', found: 'no line matches' },
    { expected: 'output does not match /icmp_seq=2 /', found: 'it does: "64 bytes from 12.12.12.13: icmp_seq=2 ttl=62 time=0.4 ms"' },
    {
      expected: 'lines matching /ttl=62/: >= 3',
      found: '2 lines: "64 bytes from 12.12.12.13: icmp_seq=2 ttl=62 time=0.4 ms"; "64 bytes from 12.12.12.13: icmp_seq=3 ttl=62 time=0.3 ms"',
    },
  ]);
});

test('conditions: equality, comparisons, regular expressions, prefixes and lists; mistakes are messages', (t) => {
  t.deepEqual(cond('>= 9'), { op: '>=', value: 9, text: '>= 9' });
  t.deepEqual(cond('== 0xB326CBE6', 'spi'), { op: '==', value: 0xb326cbe6, text: '== 0xB326CBE6' });
  t.deepEqual(cond('13.13.13.0/255.255.255.0', 'prefix'), { op: '==', value: '13.13.13.0/24', text: '13.13.13.0/255.255.255.0' });
  t.is(parseCondition('>= 9', 'string'), '>= compares numbers; this field holds text (use ==, !=, ~ or !~)');
  t.is(parseCondition('11.11.11', 'address'), '"11.11.11" is not an IPv4 address');
  t.is(parseCondition(true, 'number'), 'true/false only fits a yes/no field');
  t.regex(parseCondition('~ (', 'string') as string, /^invalid regular expression \/\(\//);
});

const isakmpRows = parseIsakmpSa(sections('show-daphne.txt')['show crypto isakmp sa']!, ['11.11.11.1', '13.13.13.13']);
const query = (fields: Record<string, unknown>, type: Record<string, Parameters<typeof parseCondition>[1]>): RecordQuery => ({
  fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, cond(v, type[k] ?? 'string')])),
  text: Object.entries(fields)
    .map(([k, v]) => `${k} = ${String(v)}`)
    .join(', '),
});

test('typed show expectations: has, all, none, count; a miss names the closest record and how it differs', (t) => {
  const good = {
    count: cond(1),
    has: [query({ peer: '11.11.11.2', state: 'QM_IDLE' }, { peer: 'address' })],
    all: [query({ slot: 0 }, { slot: 'number' })],
    none: [query({ state: 'MM_NO_STATE' }, {})],
  };
  t.deepEqual(evaluateShow('isakmp_sa', good, isakmpRows), []);
  const wrongPeer = {
    count: null,
    has: [query({ peer: '11.11.11.9', state: 'QM_IDLE' }, { peer: 'address' })],
    all: [],
    none: [query({ state: 'QM_IDLE' }, {})],
  };
  t.deepEqual(evaluateShow('isakmp_sa', wrongPeer, isakmpRows), [
    { expected: 'a record with peer = 11.11.11.9, state = QM_IDLE', found: 'none of 1 record; closest is #1 with peer = 11.11.11.2' },
    {
      expected: 'no record with state = QM_IDLE',
      found: '#1: dst 11.11.11.2, src 11.11.11.1, state QM_IDLE, conn_id 2, slot 0, peer 11.11.11.2, role initiator',
    },
  ]);
  t.deepEqual(evaluateShow('isakmp_sa', wrongPeer, []), [{ expected: 'a record with peer = 11.11.11.9, state = QM_IDLE', found: 'no records' }]);
});

test('relations compare fields across routers: SPIs cross, counters agree', (t) => {
  const daphne = parseIpsecSa(sections('show-daphne.txt')['show crypto ipsec sa']!)[0]!;
  // fred's view: the same SAs the other way round
  const fred = { ...daphne, inbound_spi: daphne.outbound_spi, outbound_spi: daphne.inbound_spi, encaps: daphne.decaps, decaps: daphne.encaps };
  const rel = (text: string): Relation => {
    const [l, op, r] = text.split(' ');
    const [ln, lf] = l!.split('.');
    const [rn, rf] = r!.split('.');
    return { left: { node: ln!, field: lf! }, op: op as Relation['op'], right: { node: rn!, field: rf! }, text };
  };
  const records = new Map<string, ShowRecord | null>([
    ['daphne', daphne],
    ['fred', fred],
  ]);
  t.deepEqual(evaluateRelations('ipsec_sa', [rel('daphne.outbound_spi == fred.inbound_spi'), rel('daphne.encaps == fred.decaps')], records), []);
  const [f] = evaluateRelations('ipsec_sa', [rel('daphne.outbound_spi == fred.outbound_spi')], records);
  t.deepEqual(f!.nodes, ['daphne', 'fred']);
  t.regex(f!.found, /^daphne\.outbound_spi = 0x[0-9A-F]{8}, fred\.outbound_spi = 0x[0-9A-F]{8}$/);
  t.deepEqual(
    evaluateRelations(
      'ipsec_sa',
      [rel('daphne.encaps == fred.decaps')],
      new Map<string, ShowRecord | null>([
        ['daphne', daphne],
        ['fred', null],
      ]),
    ),
    [{ nodes: ['daphne', 'fred'], expected: 'daphne.encaps == fred.decaps', found: 'fred has no ipsec_sa record to compare' }],
  );
  t.is(representative('ipsec_sa', { count: null, has: [], all: [], none: [] }, [daphne]), daphne);
});

test('"in" relations find a value among another router\'s list: two pairs of SAs after both sides initiated at once', (t) => {
  const rel = (text: string): Relation => {
    const m = /^(\w+)\.(\w+) (in|not in) (\w+)\.(\w+)$/.exec(text)!;
    return { left: { node: m[1]!, field: m[2]! }, op: m[3] as Relation['op'], right: { node: m[4]!, field: m[5]! }, text };
  };
  // the CI run's SPIs: both send on the second pair; the branch lists both pairs' inbound SAs, the first pair's first
  const hq = { outbound_spi: 0x76437ba8, inbound_spis: [0x6bb41951, 0xd3a93d00] } as ShowRecord;
  const branch = { outbound_spi: 0xd3a93d00, inbound_spi: 0xb7044a5e, inbound_spis: [0xb7044a5e, 0x76437ba8] } as ShowRecord;
  const records = new Map<string, ShowRecord | null>([
    ['hq', hq],
    ['branch', branch],
  ]);
  t.deepEqual(evaluateRelations('ipsec_sa', [rel('hq.outbound_spi in branch.inbound_spis'), rel('branch.outbound_spi in hq.inbound_spis')], records), []);
  t.deepEqual(evaluateRelations('ipsec_sa', [rel('hq.outbound_spi not in branch.inbound_spis')], records), [
    {
      nodes: ['hq', 'branch'],
      expected: 'hq.outbound_spi not in branch.inbound_spis',
      found: 'hq.outbound_spi = 0x76437BA8, branch.inbound_spis = [0xB7044A5E, 0x76437BA8]',
    },
  ]);
  const [f] = evaluateRelations('ipsec_sa', [rel('hq.outbound_spi in hq.inbound_spis')], records);
  t.is(f!.expected, 'hq.outbound_spi in hq.inbound_spis');
  t.is(f!.found, 'hq.outbound_spi = 0x76437BA8, hq.inbound_spis = [0x6BB41951, 0xD3A93D00]');
});

const p = (text: string): Prefix => (prefixPair([text, text]) instanceof Array ? (prefixPair([text, text]) as [Prefix, Prefix])[0] : (null as never));

test('capture expectations: present, absent, counts, order and clear text, with the packets as evidence', (t) => {
  const wire = [
    isakmp('13.13.13.4', '12.12.12.13', 240), // TED probe: host to host, in clear by design
    isakmp('11.11.11.2', '11.11.11.1', 240, '0f1e2d3c4b5a6978'), // TED reply
    isakmp('11.11.11.1', '11.11.11.2', 2),
    isakmp('11.11.11.2', '11.11.11.1', 2, '0f1e2d3c4b5a6978'),
    isakmp('11.11.11.1', '11.11.11.2', 32, '0f1e2d3c4b5a6978'),
    esp('11.11.11.1', '11.11.11.2', 0xd8870500),
    esp('11.11.11.2', '11.11.11.1', 0xb326cbe6),
  ];
  const sealed = capture({
    present: [filter('ted_reply'), filter({ protocol: 'esp', spi: 0xd8870500 })],
    absent: [filter({ protocol: 'icmp' })],
    packets: [{ filter: filter('main_mode'), count: cond(2) }],
    order: [filter({ isakmp: 'ted_probe', src: '13.13.13.4' }), filter('main_mode'), filter('quick_mode'), filter('esp')],
    noClearText: [p('13.13.13.0/24'), p('12.12.12.0/24')],
  });
  t.deepEqual(evaluateCapture(sealed, wire, 'wan'), []);

  const leaky = [...wire, icmp('13.13.13.4', '12.12.12.13'), icmp('12.12.12.13', '13.13.13.4', 0)];
  const out = evaluateCapture(
    capture({ absent: [filter({ protocol: 'icmp', between: ['13.13.13.0/24', '12.12.12.0/24'] })], noClearText: sealed.noClearText }),
    leaky,
    'wan',
  );
  t.is(out.length, 2, JSON.stringify(out));
  t.is(out[1]!.expected, 'no clear text between 13.13.13.0/24 and 12.12.12.0/24');
  t.regex(
    out[1]!.found,
    /^2 clear-text packets on wan:\nframe \d+ {2}13\.13\.13\.4 -> 12\.12\.12\.13 {2}ICMP echo-request seq 1 {2}ttl 63\nframe \d+ {2}12\.12\.12\.13 -> 13\.13\.13\.4 {2}ICMP echo-reply/,
  );

  const early = [esp('11.11.11.1', '11.11.11.2', 1), ...wire].map((x, i) => ({ ...x, frame: i + 1 }));
  const [order] = evaluateCapture(capture({ order: sealed.order }), early, 'wan');
  t.is(order!.expected, '{isakmp: ted_probe, src: 13.13.13.4} before main_mode before quick_mode before esp');
  t.regex(order!.found, /^the first esp came before the first quick_mode:\nframe \d+ {2}11\.11\.11\.1 -> 11\.11\.11\.2 {2}ESP spi 0x00000001/);

  const [missing] = evaluateCapture(capture({ present: [filter('ted_probe')] }), [icmp('13.13.13.4', '12.12.12.13')], 'wan since "cut"');
  t.deepEqual(missing, { expected: 'a packet ted_probe', found: 'no such packet among 1 on wan since "cut" (1 ICMP)' });
});

test('packet filter mistakes are messages', (t) => {
  t.is(
    filterFromYaml('ted'),
    '"ted" is not a packet filter name (esp, icmp, isakmp, ted_probe, ted_reply, main_mode, aggressive_mode, quick_mode, informational), nor a mapping like {protocol: icmp, src: 13.13.13.4}',
  );
  t.is(filterFromYaml({ src: '13.13.13.0/33' }), 'src: "13.13.13.0/33" is not an address or prefix like 13.13.13.0/24');
  t.is(filterFromYaml({ colour: 'red' }), 'unknown packet field "colour" (fields: protocol, src, dst, between, port, sport, dport, isakmp, spi, icmp, ttl)');
  t.is((filterFromYaml({ isakmp: 'ted_probe', ttl: '>= 60' }) as PacketFilter).isakmp, 'ted_probe');
});
