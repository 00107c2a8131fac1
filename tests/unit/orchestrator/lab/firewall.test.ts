import test from 'ava';
import { IptablesFirewall } from '../../../../src/orchestrator/lab/firewall.js';

/**
 * Records iptables invocations against in-memory tables (chain name -> rules, first rule first; the raw
 * table's chains as "raw:CHAIN", a host without a raw table has none of them).
 */
function fakeIptables(initial: Record<string, string[]>) {
  const table = new Map(Object.entries(initial).map(([chain, rules]) => [chain, [...rules]]));
  const calls: string[][] = [];
  const ok = { exitCode: 0, stdout: '', stderr: '' };
  const run = async (args: string[]) => {
    calls.push(args);
    let a = args.filter((x) => x !== '-w');
    let prefix = '';
    if (a[0] === '-t') {
      prefix = a[1] === 'filter' ? '' : `${a[1]}:`;
      a = a.slice(2);
    }
    const words = (from: number) =>
      a
        .slice(from)
        .map((w) => (/\s/.test(w) ? `"${w}"` : w))
        .join(' ');
    if (a[0] === '-S' && a.length === 1) {
      const mine = [...table].filter(([chain]) => (prefix ? chain.startsWith(prefix) : !chain.includes(':')));
      if (prefix && mine.length === 0) return { exitCode: 3, stdout: '', stderr: `iptables v1.8.9: can't initialize iptables table \`${prefix.slice(0, -1)}'` };
      const lines = mine.flatMap(([chain, rules]) => [`-N ${chain.slice(prefix.length)}`, ...rules.map((r) => `-A ${chain.slice(prefix.length)} ${r}`)]);
      return { ...ok, stdout: [...lines, ''].join('\n') };
    }
    const chain = table.get(`${prefix}${a[1] ?? ''}`);
    if (!chain) return { exitCode: 1, stdout: '', stderr: `iptables: No chain/target/match by that name.` };
    if (a[0] === '-I') {
      const numbered = /^\d+$/.test(a[2] ?? '');
      chain.splice(numbered ? Number(a[2]) - 1 : 0, 0, words(numbered ? 3 : 2));
      return ok;
    }
    if (a[0] === '-D') {
      // iptables -S may print the comment quoted; the rule itself has no quotes
      const i = chain.findIndex((r) => r.replace(/"/g, '') === words(2));
      if (i < 0) return { exitCode: 1, stdout: '', stderr: 'iptables: Bad rule (does a matching rule exist in that chain?).' };
      chain.splice(i, 1);
      return ok;
    }
    return { exitCode: 2, stdout: '', stderr: 'unexpected' };
  };
  /** iptables-restore --noflush: every line or none (a failed line leaves the table as it was). */
  const restores: string[] = [];
  const restore = async (input: string) => {
    restores.push(input);
    const saved = new Map([...table].map(([c, r]) => [c, [...r]]));
    let current = 'filter';
    const lines = input.split('\n').flatMap((l) => (l.startsWith('*') ? ((current = l.slice(1)), []) : l.startsWith('-') ? [{ line: l, table: current }] : []));
    for (const { line, table: t } of lines) {
      const words = [...line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
      const res = await run(['-w', '-t', t, ...words]);
      calls.pop();
      if (res.exitCode !== 0) {
        for (const [c, r] of saved) table.set(c, r);
        return { exitCode: 1, stdout: '', stderr: `iptables-restore: line ${lines.findIndex((l) => l.line === line) + 2} failed` };
      }
    }
    return ok;
  };
  return { table, calls, run, restore, restores };
}

const BR = 'tb0123456789ab';
const ACCEPT = `-i ${BR} -o ${BR} -m comment --comment testbed:lab1 -j ACCEPT`;
/** What Docker 20.10 writes for an --internal network on bridge BR. */
const docker = () => ({
  FORWARD: ['-j DOCKER-USER', '-j DOCKER-ISOLATION-STAGE-1', `-i ${BR} -o ${BR} -j ACCEPT`],
  'DOCKER-ISOLATION-STAGE-1': [
    '! -s 198.18.0.16/28 -o tbffffffffffff -j DROP',
    `! -s 198.18.0.0/28 -o ${BR} -j DROP`,
    `! -d 198.18.0.0/28 -i ${BR} -j DROP`,
    '-j RETURN',
  ],
  'DOCKER-USER': ['-j RETURN'],
  'raw:PREROUTING': [],
});
const NOTRACK = `-i ${BR} -m comment --comment testbed:lab1 -j CT --notrack`;

test('the ACCEPT rule goes first in DOCKER-USER and first in the chain with Docker’s drops for the bridge, once', async (t) => {
  const ipt = fakeIptables(docker());
  const fw = new IptablesFirewall(ipt.run);
  await fw.allowBridges('lab1', [BR]);
  await fw.allowBridges('lab1', [BR]);
  t.deepEqual(ipt.table.get('DOCKER-USER'), [ACCEPT, '-j RETURN']);
  t.deepEqual(ipt.table.get('DOCKER-ISOLATION-STAGE-1'), [ACCEPT, ...docker()['DOCKER-ISOLATION-STAGE-1']]);
  t.deepEqual(ipt.table.get('FORWARD'), docker().FORWARD, 'FORWARD is left to Docker');
  t.deepEqual(ipt.table.get('raw:PREROUTING'), [NOTRACK], "the bridge's packets are not tracked by the host");
  t.is(ipt.calls.filter((c) => c.includes('-I')).length, 3, 'the second call inserts nothing');
});

test('all bridges of a lab from one look at the table', async (t) => {
  const other = 'tbffffffffffff';
  const ipt = fakeIptables(docker());
  await new IptablesFirewall(ipt.run).allowBridges('lab1', [BR, other]);
  t.is(ipt.calls.filter((c) => c.includes('-S')).length, 2, 'one look at the filter table, one at the raw table');
  const accept = (br: string) => `-i ${br} -o ${br} -m comment --comment testbed:lab1 -j ACCEPT`;
  t.deepEqual(ipt.table.get('DOCKER-USER'), [accept(other), accept(BR), '-j RETURN']);
  t.deepEqual(ipt.table.get('DOCKER-ISOLATION-STAGE-1')!.slice(0, 2), [accept(other), accept(BR)]);
});

test('while Docker re-inserts its jump to DOCKER-USER, packets of the lab bridge are still accepted first', async (t) => {
  const ipt = fakeIptables(docker());
  await new IptablesFirewall(ipt.run).allowBridges('lab1', [BR]);
  // what a packet crossing the bridge meets with FORWARD's first rule missing
  const forward = ipt.table.get('FORWARD')!.slice(1);
  t.is(forward[0], '-j DOCKER-ISOLATION-STAGE-1');
  t.is(ipt.table.get('DOCKER-ISOLATION-STAGE-1')![0], ACCEPT);
});

test('where no chain drops the bridge, DOCKER-USER alone carries the rule; a host without a raw table goes without the untracked rule', async (t) => {
  const ipt = fakeIptables({ FORWARD: ['-j DOCKER-USER'], 'DOCKER-USER': ['-j RETURN'] });
  await new IptablesFirewall(ipt.run).allowBridges('lab1', [BR]);
  t.deepEqual(ipt.table.get('DOCKER-USER'), [ACCEPT, '-j RETURN']);
  t.deepEqual(ipt.table.get('FORWARD'), ['-j DOCKER-USER']);
  t.deepEqual([...ipt.table.keys()].sort(), ['DOCKER-USER', 'FORWARD']);
});

test('an iptables failure is a FirewallError naming the chain and the bridge', async (t) => {
  const ipt = fakeIptables({ FORWARD: [] });
  const e = await t.throwsAsync(new IptablesFirewall(ipt.run).allowBridges('lab1', [BR]));
  t.is(e?.name, 'FirewallError');
  t.regex(e!.message, /cannot add the DOCKER-USER rule for bridge tb0123456789ab: iptables: No chain/);
});

test('removal takes only the lab asked for, from every chain, whether or not iptables quotes the comment', async (t) => {
  const ipt = fakeIptables({
    'DOCKER-USER': [
      '-i tbaaa -o tbaaa -m comment --comment "testbed:lab1" -j ACCEPT',
      '-i tbbbb -o tbbbb -m comment --comment testbed:lab1 -j ACCEPT',
      '-i tbccc -o tbccc -m comment --comment testbed:lab10 -j ACCEPT',
      '-i docker0 -j ACCEPT',
      '-j RETURN',
    ],
    'DOCKER-ISOLATION-STAGE-1': ['-i tbaaa -o tbaaa -m comment --comment testbed:lab1 -j ACCEPT', '! -s 198.18.0.0/28 -o tbaaa -j DROP', '-j RETURN'],
  });
  const fw = new IptablesFirewall(ipt.run);
  t.is((await fw.listRules('lab1')).length, 3);
  t.is(await fw.removeRules('lab1'), 3);
  t.deepEqual(ipt.table.get('DOCKER-USER'), ['-i tbccc -o tbccc -m comment --comment testbed:lab10 -j ACCEPT', '-i docker0 -j ACCEPT', '-j RETURN']);
  t.deepEqual(ipt.table.get('DOCKER-ISOLATION-STAGE-1'), ['! -s 198.18.0.0/28 -o tbaaa -j DROP', '-j RETURN']);
  t.is(await fw.removeRules(), 1, 'every testbed rule, and only those');
  t.deepEqual(ipt.table.get('DOCKER-USER'), ['-i docker0 -j ACCEPT', '-j RETURN']);
  t.is(await fw.removeRules('lab1'), 0, 'idempotent');
});

test('with iptables-restore, all bridges of a lab go in with one call and out with one call; the table is the same', async (t) => {
  const BR2 = 'tb0000000000cd';
  const twoBridges = () => {
    const d = docker();
    d['DOCKER-ISOLATION-STAGE-1'].unshift(`! -s 198.18.0.32/28 -o ${BR2} -j DROP`);
    return d;
  };
  const one = fakeIptables(twoBridges());
  await new IptablesFirewall(one.run).allowBridges('lab1', [BR, BR2]);
  const batched = fakeIptables(twoBridges());
  const fw = new IptablesFirewall(batched.run, batched.restore);
  await fw.allowBridges('lab1', [BR, BR2]);
  t.deepEqual([...batched.table], [...one.table], 'the same rules in the same places');
  t.is(batched.restores.length, 1);
  t.deepEqual(
    batched.calls.map((c) => c.filter((x) => x !== '-w')[0]),
    ['-S', '-t'],
    'one look at each table, no rule by rule',
  );
  t.deepEqual(batched.table.get('raw:PREROUTING'), [`-i ${BR2} -m comment --comment testbed:lab1 -j CT --notrack`, NOTRACK]);
  t.is(await fw.removeRules('lab1'), 6);
  t.is(batched.restores.length, 2);
  t.deepEqual([...batched.table], [...fakeIptables(twoBridges()).table], 'back to what Docker wrote');
});

test('when the batch fails (a rule is gone meanwhile), the rules go one by one and the rest is still removed', async (t) => {
  const ipt = fakeIptables(docker());
  const fw = new IptablesFirewall(ipt.run, ipt.restore);
  await fw.allowBridges('lab1', [BR]);
  // listRules sees both rules, then one of them disappears before the removal
  const listed = await fw.listRules('lab1');
  t.is(listed.length, 3);
  t.true(listed.includes(`-t raw -A PREROUTING ${NOTRACK}`), 'the raw rule is listed with its table');
  const realList = fw.listRules.bind(fw);
  fw.listRules = async (lab?: string) => {
    const rules = await realList(lab);
    ipt.table.get('DOCKER-USER')!.shift();
    return rules;
  };
  t.is(await fw.removeRules('lab1'), 2, 'the batch failed as a whole, the one by one removal took the rules that were left');
  t.is(ipt.restores.length, 2, 'one batch in, one (failed) batch out');
  t.deepEqual(ipt.table.get('DOCKER-ISOLATION-STAGE-1'), docker()['DOCKER-ISOLATION-STAGE-1']);
  t.deepEqual(ipt.table.get('DOCKER-USER'), ['-j RETURN']);
  t.deepEqual(ipt.table.get('raw:PREROUTING'), []);
});
