import test from 'ava';
import { IptablesFirewall } from '../../../src/orchestrator/lab/firewall.js';

/** Records iptables invocations against an in-memory DOCKER-USER chain. */
function fakeIptables(initial: string[]) {
  const chain = [...initial];
  const calls: string[][] = [];
  const run = async (args: string[]) => {
    calls.push(args);
    const a = args.filter((x) => x !== '-w');
    const rule = (from: number) => a.slice(from).map((w) => (/\s/.test(w) ? `"${w}"` : w)).join(' ');
    if (a[0] === '-S') return { exitCode: 0, stdout: ['-N DOCKER-USER', ...chain.map((r) => `-A DOCKER-USER ${r}`), ''].join('\n'), stderr: '' };
    if (a[0] === '-C') return { exitCode: chain.includes(rule(2)) ? 0 : 1, stdout: '', stderr: '' };
    if (a[0] === '-I') {
      chain.unshift(rule(2));
      return { exitCode: 0, stdout: '', stderr: '' };
    }
    if (a[0] === '-D') {
      // iptables -S may print the comment quoted; the rule itself has no quotes
      const i = chain.findIndex((r) => r.replace(/"/g, '') === rule(2));
      if (i < 0) return { exitCode: 1, stdout: '', stderr: 'iptables: Bad rule (does a matching rule exist in that chain?).' };
      chain.splice(i, 1);
      return { exitCode: 0, stdout: '', stderr: '' };
    }
    return { exitCode: 2, stdout: '', stderr: 'unexpected' };
  };
  return { chain, calls, run };
}

test('one ACCEPT rule per bridge, tagged with the lab, added once', async (t) => {
  const ipt = fakeIptables(['-j RETURN']);
  const fw = new IptablesFirewall(ipt.run);
  await fw.allowBridge('lab1', 'tb0123456789ab');
  await fw.allowBridge('lab1', 'tb0123456789ab');
  t.deepEqual(ipt.chain, ['-i tb0123456789ab -o tb0123456789ab -m comment --comment testbed:lab1 -j ACCEPT', '-j RETURN']);
});

test('removal takes only the lab asked for, whether or not iptables quotes the comment', async (t) => {
  const ipt = fakeIptables([
    '-i tbaaa -o tbaaa -m comment --comment "testbed:lab1" -j ACCEPT',
    '-i tbbbb -o tbbbb -m comment --comment testbed:lab1 -j ACCEPT',
    '-i tbccc -o tbccc -m comment --comment testbed:lab10 -j ACCEPT',
    '-i docker0 -j ACCEPT',
    '-j RETURN',
  ]);
  const fw = new IptablesFirewall(ipt.run);
  t.is(await fw.removeRules('lab1'), 2);
  t.deepEqual(ipt.chain, ['-i tbccc -o tbccc -m comment --comment testbed:lab10 -j ACCEPT', '-i docker0 -j ACCEPT', '-j RETURN']);
  t.is(await fw.removeRules(), 1, 'every testbed rule, and only those');
  t.deepEqual(ipt.chain, ['-i docker0 -j ACCEPT', '-j RETURN']);
  t.is(await fw.removeRules('lab1'), 0, 'idempotent');
});
