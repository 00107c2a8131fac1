/** The impairment planner and its knobs: settings in, the commands a node's helper runs out (without Docker). */
import test from 'ava';
import { checkSetting, helperScript, impairHooks, planImpairment, type ImpairEndpoint } from '../../../../src/orchestrator/impair/plan.js';
import { clearSettings, formatKnobs, mergeSetting, parseKnob, parseKnobWords, type ImpairSetting } from '../../../../src/orchestrator/impair/spec.js';

const MAC = {
  daphne: '02:42:c6:12:00:02',
  fred: '02:42:c6:12:00:03',
  d1: '02:42:c6:12:00:12',
  r1: '02:42:c6:12:00:22',
  h1: '02:42:c6:12:00:23',
  h2: '02:42:c6:12:00:24',
};
const wan: ImpairEndpoint[] = [
  { link: 'wan', node: 'daphne', interface: 'FastEthernet0/0', mac: MAC.daphne },
  { link: 'wan', node: 'fred', interface: 'FastEthernet0/0', mac: MAC.fred },
];
const lan: ImpairEndpoint[] = [
  { link: 'lan', node: 'r1', interface: 'FastEthernet0/1', mac: MAC.r1 },
  { link: 'lan', node: 'h1', interface: 'eth0', mac: MAC.h1 },
  { link: 'lan', node: 'h2', interface: 'eth0', mac: MAC.h2 },
];
const set = (link: string, endpoint: string | null, direction: ImpairSetting['direction'], words: string): ImpairSetting => ({
  link,
  endpoint,
  direction,
  knobs: parseKnobWords(words.split(' ')).knobs,
});

test('knobs: percentages, times and rates in their text forms, and clear errors', (t) => {
  t.deepEqual(parseKnob('loss', '30%'), { key: 'loss', value: 0.3 });
  t.deepEqual(parseKnob('loss', 30), { key: 'loss', value: 0.3 });
  t.deepEqual(parseKnob('duplicate', '0.5%'), { key: 'duplicate', value: 0.005 });
  t.deepEqual(parseKnob('delay', '50ms'), { key: 'delayMs', value: 50 });
  t.deepEqual(parseKnob('delay', '1.5s'), { key: 'delayMs', value: 1500 });
  t.deepEqual(parseKnob('jitter', '200us'), { key: 'jitterMs', value: 0.2 });
  t.deepEqual(parseKnob('rate', '1mbit'), { key: 'rateBps', value: 1_000_000 });
  t.deepEqual(parseKnob('rate', '512kbit'), { key: 'rateBps', value: 512_000 });
  t.regex(parseKnob('loss', '130%') as string, /not a percentage from 0% to 100%/);
  t.regex(parseKnob('rate', '1mbps') as string, /units bit, kbit, mbit, gbit/);
  t.regex(parseKnob('delay', 'soon') as string, /not a time/);
  t.regex(parseKnob('latency', '1ms') as string, /unknown impairment "latency"/);
  const words = parseKnobWords(['loss=30%', 'delay=50ms', 'jitter=5ms', 'duplicate=1%', 'reorder=5%', 'rate=1mbit']);
  t.deepEqual(words.errors, []);
  t.is(formatKnobs(words.knobs), 'loss=30% delay=50ms jitter=5ms duplicate=1% reorder=5% rate=1mbit');
  t.deepEqual(parseKnobWords(['loss']).errors, ['"loss" is not NAME=VALUE (loss, duplicate, reorder, delay, jitter, rate)']);
});

test('settings merge knob by knob at one place; 0 removes a knob; clear removes a link', (t) => {
  let s = mergeSetting([], set('wan', null, 'both', 'loss=30%'));
  s = mergeSetting(s, set('wan', null, 'both', 'delay=50ms'));
  t.is(s.length, 1);
  t.is(formatKnobs(s[0]!.knobs), 'loss=30% delay=50ms');
  s = mergeSetting(s, set('wan', 'fred', 'in', 'loss=100%'));
  s = mergeSetting(s, set('wan', null, 'both', 'loss=0'));
  t.is(formatKnobs(s.find((x) => x.endpoint === null)!.knobs), 'delay=50ms');
  t.is(mergeSetting(s, set('wan', null, 'both', 'delay=0')).length, 1);
  t.deepEqual(
    clearSettings(s, 'wan', 'fred').map((x) => x.endpoint),
    [null],
  );
  t.deepEqual(clearSettings(s, 'wan'), []);
});

test('settings are checked against the lab: link, endpoint, direction', (t) => {
  const links = new Map([['wan', ['daphne', 'fred']]]);
  t.is(checkSetting(set('wan', null, 'both', 'loss=1%'), links), null);
  t.regex(checkSetting(set('lan', null, 'both', 'loss=1%'), links)!, /no link named "lan"/);
  t.regex(checkSetting(set('wan', 'd1', 'in', 'loss=1%'), links)!, /d1 is not on link wan/);
  t.regex(checkSetting(set('wan', null, 'in', 'loss=1%'), links)!, /needs an endpoint/);
});

test('a whole link is impaired where each endpoint sends, so a packet meets it once', (t) => {
  const hooks = impairHooks([set('wan', null, 'both', 'loss=30% delay=50ms')], wan);
  t.deepEqual(
    hooks.map((h) => `${h.node}/${h.direction}/${formatKnobs(h.knobs)}`),
    ['daphne/out/loss=30% delay=50ms', 'fred/out/loss=30% delay=50ms'],
  );
});

test('an endpoint setting overrides the link knob by knob, and in/out/both pick the hooks', (t) => {
  const hooks = impairHooks(
    [set('wan', null, 'both', 'loss=5% delay=10ms'), set('wan', 'fred', 'out', 'loss=50%'), set('wan', 'fred', 'in', 'rate=1mbit')],
    wan,
  );
  t.deepEqual(
    hooks.map((h) => `${h.node}/${h.direction}/${formatKnobs(h.knobs)}`),
    ['daphne/out/loss=5% delay=10ms', 'fred/out/loss=50% delay=10ms', 'fred/in/rate=1mbit'],
  );
  t.deepEqual(
    impairHooks([set('wan', 'fred', 'both', 'loss=1%')], wan).map((h) => `${h.node}/${h.direction}`),
    ['fred/out', 'fred/in'],
  );
  // a cut endpoint (no device) gets nothing
  t.deepEqual(
    impairHooks([set('wan', null, 'both', 'loss=1%')], wan.slice(0, 1)).map((h) => h.node),
    ['daphne'],
  );
});

test('out: loss by iptables statistic, delay/jitter/reorder through NFQUEUE to tb-impair, rate by tbf, duplicate by tb-impair on the device', (t) => {
  const [p] = planImpairment([set('wan', 'fred', 'out', 'loss=30% delay=50ms jitter=5ms reorder=5% duplicate=1% rate=1mbit')], wan);
  t.is(p!.node, 'fred');
  t.deepEqual(p!.macs, [MAC.fred]);
  t.deepEqual(p!.netfilter, [
    'iptables -w -t mangle -N TB-IMPAIR-OUT',
    'iptables -w -t mangle -A POSTROUTING -j TB-IMPAIR-OUT',
    'iptables -w -t mangle -A TB-IMPAIR-OUT -o $D0 -m statistic --mode random --probability 0.30000000 -j DROP',
    'iptables -w -t mangle -A TB-IMPAIR-OUT -o $D0 -j NFQUEUE --queue-num 7100 --queue-bypass',
    'tc qdisc replace dev $D0 root tbf rate 1000000bit burst 1600 limit 12500',
    'ethtool -K $D0 tso off gso off >/dev/null 2>&1 || true',
  ]);
  t.deepEqual(p!.helperArgs, ['-q', '7100:50000:5000:50000', '-d', '$D0:10000']);
  t.deepEqual(p!.netem, ['tc qdisc replace dev $D0 root netem delay 50000us 5000us loss 30.0000% duplicate 1.0000% reorder 5.0000% rate 1000000bit']);
});

test('in: PREROUTING for loss and delay, an ifb device for rate, and duplication done by the other endpoints for frames to its MAC', (t) => {
  const plans = planImpairment([set('lan', 'h1', 'in', 'loss=10% delay=20ms rate=2mbit duplicate=100%')], lan);
  t.deepEqual(
    plans.map((p) => p.node),
    ['h1', 'h2', 'r1'],
  );
  const h1 = plans[0]!;
  t.deepEqual(h1.netfilter, [
    'iptables -w -t mangle -N TB-IMPAIR-IN',
    'iptables -w -t mangle -A PREROUTING -j TB-IMPAIR-IN',
    'iptables -w -t mangle -A TB-IMPAIR-IN -i $D0 -m statistic --mode random --probability 0.10000000 -j DROP',
    'iptables -w -t mangle -A TB-IMPAIR-IN -i $D0 -j NFQUEUE --queue-num 7100 --queue-bypass',
    'ip link add tbifb0 type ifb',
    'ip link set tbifb0 up',
    'tc qdisc add dev $D0 handle ffff: ingress',
    'tc filter add dev $D0 parent ffff: protocol all prio 1 u32 match u32 0 0 action mirred egress redirect dev tbifb0',
    'tc qdisc replace dev tbifb0 root tbf rate 2000000bit burst 2500 limit 25000',
  ]);
  t.deepEqual(h1.helperArgs, ['-q', '7100:20000:0:0']);
  // netem does all of it on the ifb device, duplication included: the others have nothing to do there
  t.deepEqual(h1.netem.at(-1), 'tc qdisc replace dev tbifb0 root netem delay 20000us loss 10.0000% duplicate 100.0000% rate 2000000bit');
  for (const other of plans.slice(1)) {
    t.deepEqual(other.helperArgs, ['-d', `$D0:1000000:${MAC.h1}`]);
    t.deepEqual(other.netem, []);
  }
});

test('the helper script finds devices by MAC, cleans up first, probes netem, runs tb-impair only when needed, removes everything on SIGTERM', (t) => {
  const [p] = planImpairment([set('wan', 'daphne', 'out', 'delay=50ms')], wan);
  const script = helperScript(p!);
  t.regex(script, new RegExp(`^D0=\\$\\(dev ${MAC.daphne}\\) \\|\\| exit 1$`, 'm'));
  t.true(script.indexOf('\nteardown\n') < script.indexOf('tc qdisc add dev lo root netem'));
  t.regex(script, /^ {2}tb-impair "-q" "7100:50000:0:0" &$/m);
  t.regex(script, /trap stop TERM INT/);
  // ethtool may not be able to change a device's offloads: that alone must not stop the helper
  const [dup] = planImpairment([set('wan', 'daphne', 'out', 'duplicate=1%')], wan);
  t.regex(helperScript(dup!), /^ {2}ethtool -K \$D0 tso off gso off >\/dev\/null 2>&1 \|\| true$/m);
  t.regex(script, /echo "impair-ready \$path"/);
  const [lossOnly] = planImpairment([set('wan', 'daphne', 'out', 'loss=1%')], wan);
  t.notRegex(helperScript(lossOnly!), /tb-impair "/);
});

test('several interfaces of one node each get their own queue', (t) => {
  const eps: ImpairEndpoint[] = [
    ...wan,
    { link: 'lan', node: 'daphne', interface: 'FastEthernet0/1', mac: MAC.d1 },
    { link: 'lan', node: 'h1', interface: 'eth0', mac: MAC.h1 },
  ];
  const [daphne] = planImpairment([set('wan', 'daphne', 'both', 'delay=5ms'), set('lan', 'daphne', 'out', 'reorder=10%')], eps);
  t.deepEqual(daphne!.helperArgs, ['-q', '7100:5000:0:0', '-q', '7101:5000:0:0', '-q', '7102:0:0:100000']);
  t.deepEqual(daphne!.macs, [MAC.daphne, MAC.d1]);
  t.true(daphne!.netfilter.includes('iptables -w -t mangle -A TB-IMPAIR-OUT -o $D1 -j NFQUEUE --queue-num 7102 --queue-bypass'));
});
