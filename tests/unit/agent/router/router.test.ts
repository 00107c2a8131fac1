/**
 * The router against a fake host: what it asks the kernel for (addresses,
 * link states, static routes, with a cut link's routes withdrawn as IOS
 * withdraws them), its console sessions (prompts, configuration mode, a line
 * that changes an address reprograms the kernel and tells the crypto side),
 * write memory, ping from a source interface, and a link that goes away and
 * comes back logged as IOS logs it.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InterfaceBinding } from '../../../../src/contract/env.js';
import { STARTUP_CONFIG_PATH } from '../../../../src/contract/paths.js';
import type { RunResult } from '../../../../src/agent/io/system.js';
import { RouterConsole } from '../../../../src/agent/router/console.js';
import type { RouterHost } from '../../../../src/agent/router/host.js';
import type { PingRequest } from '../../../../src/agent/router/ping.js';
import { Router, type ExecExtension, type Session } from '../../../../src/agent/router/router.js';
import { parseConfig, type PingReply, type RouterConfig } from '../../../../src/ios/index.js';
import { root } from '../../../root.js';

const DAPHNE = readFileSync(join(root, 'topologies', 'daphne-fred', 'daphne.cfg'), 'utf8');

/** A container as the router sees it: links by name with their index, and every request recorded. */
class FakeHost implements RouterHost {
  links = new Map<string, number>([
    ['lo', 1],
    ['eth0', 10],
    ['eth1', 11],
  ]);
  batches: string[][] = [];
  /** What iptables-restore was given, in order. */
  restores: string[] = [];
  files = new Map<string, string>();
  pings: PingRequest[] = [];
  replies: PingReply[] = [{ mark: '!', rttMs: 1 }];
  batchResult: RunResult = { code: 0, stdout: '', stderr: '' };
  onLinks: (() => void) | null = null;
  readopted: InterfaceBinding[] = [];

  /** Where the last kernel programme (applyKernel: it starts by reading the addresses) begins in batches. */
  programmeStart = 0;

  async ipJson<T>(args: string[]): Promise<T> {
    const q = args.join(' ');
    if (q === 'addr show') {
      this.programmeStart = this.batches.length;
      return [...this.links.keys()].map((ifname) => ({ ifname, addr_info: [] })) as T;
    }
    if (q === 'route show proto static') return [] as T;
    if (q !== 'link show') throw new Error(`unexpected ip -j ${q}`);
    return [...this.links].map(([ifname, ifindex]) => ({ ifname, ifindex })) as T;
  }
  async ipBatch(commands: string[]): Promise<RunResult> {
    this.batches.push(commands);
    return this.batchResult;
  }
  async iptablesRestore(text: string): Promise<RunResult> {
    this.restores.push(text);
    return this.batchResult;
  }
  async writeFile(path: string, text: string): Promise<void> {
    this.files.set(path, text);
  }
  async ping(req: PingRequest): Promise<PingReply[]> {
    this.pings.push(req);
    return Array.from({ length: req.repeat }, (_, i) => this.replies[i % this.replies.length]!);
  }
  async readoptInterfaces(): Promise<InterfaceBinding[]> {
    return this.readopted;
  }
  watchLinks(onChange: () => void): () => void {
    this.onLinks = onChange;
    return () => (this.onLinks = null);
  }
  /** The last kernel programme: the interfaces' batch and the static routes' one. */
  get last(): string[] {
    return this.batches.slice(this.programmeStart).flat();
  }
}

function daphne(text = DAPHNE): { router: Router; host: FakeHost; logged: string[]; reconfigured: RouterConfig[] } {
  const host = new FakeHost();
  const logged: string[] = [];
  const console = new RouterConsole(
    (s) => logged.push(s),
    () => new Date(Date.UTC(2026, 2, 1)),
  );
  const linux = new Map([
    ['FastEthernet0/0', 'eth0'],
    ['FastEthernet0/1', 'eth1'],
  ]);
  const router = new Router(parseConfig(text).config, text, linux, console, host);
  const reconfigured: RouterConfig[] = [];
  const ext: ExecExtension = {
    run: (cmd) => (cmd.kind === 'show-crypto-isakmp-sa' ? 'from the crypto side\n' : null),
    reconfigure: (config) => void reconfigured.push(config),
  };
  router.extensions.push(ext);
  return { router, host, logged, reconfigured };
}

async function typed(router: Router, session: Session, ...lines: string[]) {
  const results = [];
  for (const line of lines) results.push(await router.command(session, line));
  return results;
}

test('the kernel gets the configured addresses, link states and static routes', async (t) => {
  const { router, host } = daphne();
  await router.applyKernel();
  // only what differs from the kernel is changed (here: nothing is there yet)
  t.deepEqual(host.last, [
    'addr add 11.11.11.1/24 dev eth0',
    'link set dev eth0 up',
    'addr add 13.13.13.13/24 dev eth1',
    'link set dev eth1 up',
    'route replace 0.0.0.0/0 proto static metric 1 via 11.11.11.2 dev eth0',
  ]);
});

test('an interface whose link is gone is left alone, and a static route through it is withdrawn (as IOS does with the interface down)', async (t) => {
  const { router, host } = daphne();
  host.links.delete('eth0');
  await router.applyKernel();
  t.false(host.last.some((c) => c.includes('eth0')));
  t.false(host.last.some((c) => c.startsWith('route replace')));
  t.true(router.linkUp('Loopback0'), 'a loopback has no link to lose');
});

test('equal static routes through two next hops become one multipath route; shutdown brings the link down', async (t) => {
  const text = DAPHNE.replace('ip route 0.0.0.0 0.0.0.0 11.11.11.2', 'ip route 0.0.0.0 0.0.0.0 11.11.11.2\nip route 0.0.0.0 0.0.0.0 13.13.13.1').replace(
    'interface FastEthernet0/1\n',
    'interface FastEthernet0/1\n mtu 1400\n',
  );
  const { router, host } = daphne(text);
  await router.applyKernel();
  t.true(host.last.includes('route replace 0.0.0.0/0 proto static metric 1 nexthop via 11.11.11.2 dev eth0 nexthop via 13.13.13.1 dev eth1'));
  t.true(host.last.includes('link set dev eth1 mtu 1400'));
  const session: Session = { config: null };
  await typed(router, session, 'configure terminal', 'interface FastEthernet0/0', 'shutdown', 'end');
  t.true(host.last.includes('link set dev eth0 down'));
});

test('ip tcp adjust-mss: no rules until an interface has it; then the chain is hooked once, rewritten on change, emptied by the no form', async (t) => {
  const { router, host } = daphne();
  await router.applyKernel();
  t.deepEqual(host.restores, [], 'a router without adjust-mss leaves the mangle table alone');
  const session: Session = { config: null };
  const [, , set] = await typed(router, session, 'configure terminal', 'interface FastEthernet0/1', 'ip tcp adjust-mss 1300');
  t.false(set!.error);
  const rule = (dir: string) =>
    `-A TB-MSS ${dir} eth1 -p tcp --tcp-flags SYN,RST SYN -m tcpmss --mss 1301:65535 -m comment --comment "FastEthernet0/1 adjust-mss" -j TCPMSS --set-mss 1300`;
  t.deepEqual(host.restores, [['*mangle', ':TB-MSS - [0:0]', '-A FORWARD -j TB-MSS', rule('-i'), rule('-o'), 'COMMIT', ''].join('\n')]);
  await router.applyKernel();
  t.is(host.restores.length, 1, 'unchanged rules are not written again');
  await typed(router, session, 'ip tcp adjust-mss 1400');
  t.is(host.restores.length, 2);
  t.false(host.restores[1]!.includes('-A FORWARD'), 'FORWARD is hooked once');
  t.true(host.restores[1]!.includes('--mss 1401:65535') && host.restores[1]!.includes('--set-mss 1400'));
  await typed(router, session, 'no ip tcp adjust-mss');
  t.is(host.restores.at(-1), '*mangle\n:TB-MSS - [0:0]\nCOMMIT\n', 'the no form empties the chain');
  await typed(router, session, 'ip tcp adjust-mss 1300', 'shutdown');
  t.is(host.restores.at(-1), '*mangle\n:TB-MSS - [0:0]\nCOMMIT\n', 'a shut-down interface has no rules');
  await typed(router, session, 'no shutdown');
  t.true(host.restores.at(-1)!.includes(rule('-i')));
});

test('ip tcp adjust-mss: an iptables-restore refusal is logged and tried again at the next programme', async (t) => {
  const text = DAPHNE.replace('interface FastEthernet0/1\n', 'interface FastEthernet0/1\n ip tcp adjust-mss 1300\n');
  const { router, host, logged } = daphne(text);
  host.batchResult = { code: 2, stdout: '', stderr: "iptables-restore: unable to initialize table 'mangle'\n" };
  await router.applyKernel();
  t.true(logged.some((l) => l.includes("%TESTBED-3-KERNEL: ip tcp adjust-mss: iptables-restore: iptables-restore: unable to initialize table 'mangle'")));
  host.batchResult = { code: 0, stdout: '', stderr: '' };
  await router.applyKernel();
  t.is(host.restores.length, 2);
  t.true(host.restores[1]!.includes('-A FORWARD -j TB-MSS'), 'the hook is still to be made');
});

test('a kernel refusal is logged, not thrown', async (t) => {
  const { router, host, logged } = daphne();
  host.batchResult = { code: 1, stdout: '', stderr: 'RTNETLINK answers: File exists\nCommand failed -:3\n' };
  await router.applyKernel();
  t.true(logged.some((l) => l.includes('%TESTBED-3-KERNEL: RTNETLINK answers: File exists; Command failed -:3')));
});

test('configuration mode: prompts follow the mode, an address change reprograms the kernel and the crypto side, end logs CONFIG_I', async (t) => {
  const { router, host, logged, reconfigured } = daphne();
  const session: Session = { config: null };
  const [conf, iface, addr, end] = await typed(
    router,
    session,
    'configure terminal',
    'interface FastEthernet0/1',
    'ip address 13.13.13.14 255.255.255.0',
    'end',
  );
  t.is(conf!.prompt, 'Daphne#');
  t.is(conf!.output, 'Enter configuration commands, one per line.  End with CNTL/Z.\n');
  t.is(iface!.prompt, 'Daphne(config)#');
  t.is(addr!.prompt, 'Daphne(config-if)#');
  t.false(addr!.error);
  t.is(end!.prompt, 'Daphne(config-if)#');
  t.is(router.prompt(session), 'Daphne#');
  t.true(host.last.includes('addr add 13.13.13.14/24 dev eth1'));
  t.is(reconfigured.at(-1)?.interfaces.find((i) => i.name === 'FastEthernet0/1')?.address?.address, '13.13.13.14');
  t.true(logged.some((l) => l.endsWith('%SYS-5-CONFIG_I: Configured from console by console\n')));
  const brief = await router.command(session, 'show ip interface brief');
  t.regex(brief.output, /FastEthernet0\/1 +13\.13\.13\.14 +YES manual up +up/);
  t.regex(brief.output, /FastEthernet0\/0 +11\.11\.11\.1 +YES NVRAM +up +up/);
});

test('a refused configuration line is an error with IOS marker and changes nothing', async (t) => {
  const { router, host } = daphne();
  const session: Session = { config: null };
  await typed(router, session, 'configure terminal');
  const before = host.batches.length;
  const [ambiguous, bad] = await typed(router, session, 'ip rout 1.2.3.0 255.255.255.0 11.11.11.3', 'ip route 1.2.3.0 255.255.255.0 11.11.11.3 bogus');
  t.true(ambiguous!.error);
  t.is(ambiguous!.output, '% Ambiguous command:  "ip rout"\n');
  t.true(bad!.error);
  t.regex(bad!.output, /% Invalid input detected at '\^' marker\./);
  t.is(host.batches.length, before, 'the kernel was not touched');
});

test('exec: extensions answer first, a typo is refused, output filters apply', async (t) => {
  const { router } = daphne();
  const session: Session = { config: null };
  const [crypto, typo, filtered] = await typed(router, session, 'show crypto isakmp sa', 'show ip rooute', 'show running-config | include hostname');
  t.is(crypto!.output, 'from the crypto side\n');
  t.true(typo!.error);
  t.is(filtered!.output, 'hostname Daphne\n');
});

test('write memory saves the running configuration as the startup configuration', async (t) => {
  const { router, host } = daphne();
  const session: Session = { config: null };
  const [wr] = await typed(router, session, 'write memory');
  t.is(wr!.output, 'Building configuration...\n[OK]\n');
  const saved = host.files.get(STARTUP_CONFIG_PATH);
  t.truthy(saved);
  t.false(saved!.startsWith('Building configuration'));
  t.regex(saved!, /^hostname Daphne$/m);
  const start = await router.command(session, 'show startup-config');
  t.regex(start.output, /^Using \d+ out of 29688 bytes\n/);
});

test('ping from a source interface uses that interface address and prints IOS marks', async (t) => {
  const { router, host } = daphne();
  host.replies = [{ mark: '.' }, { mark: '!', rttMs: 4 }];
  const session: Session = { config: null };
  const [out] = await typed(router, session, 'ping 12.12.12.12 source FastEthernet0/1 repeat 4');
  t.deepEqual(host.pings, [{ target: '12.12.12.12', repeat: 4, size: 100, timeoutSeconds: 2, source: '13.13.13.13', dfBit: false }]);
  t.regex(out!.output, /\.!\.!/);
  t.regex(out!.output, /Success rate is 50 percent \(2\/4\)/);
});

test('a link cut and restored between two looks is logged down then up, and the crypto side hears of it', async (t) => {
  const { router, host, logged, reconfigured } = daphne();
  await router.applyKernel();
  const stop = router.watch([]);
  host.links.set('eth0', 42); // a new device: the link was cut and restored
  host.onLinks!();
  await new Promise((r) => setTimeout(r, 300));
  stop();
  const updown = logged.filter((l) => l.includes('UPDOWN')).map((l) => l.replace(/^\*\S+ +\d+ [\d:.]+: /, '').trim());
  t.deepEqual(updown, [
    '%LINK-3-UPDOWN: Interface FastEthernet0/0, changed state to down',
    '%LINEPROTO-5-UPDOWN: Line protocol on Interface FastEthernet0/0, changed state to down',
    '%LINK-3-UPDOWN: Interface FastEthernet0/0, changed state to up',
    '%LINEPROTO-5-UPDOWN: Line protocol on Interface FastEthernet0/0, changed state to up',
  ]);
  t.is(reconfigured.length, 1);
});
