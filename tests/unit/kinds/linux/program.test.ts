/**
 * The shell program of host and nat nodes, run by this machine's /bin/sh (dash on Debian, as in the
 * image) with `ip` and `iptables-restore` replaced by small scripts that record what they were asked
 * and answer `ip addr show to` from a table the test writes. The real thing runs in every lab of the
 * integration tests (tests/integration/nat.test.ts and test-runner.test.ts cut and restore links).
 */
import test from 'ava';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOST_READY } from '../../../../src/contract/ready.js';
import { linuxScript, shellQuote, type NatSpec } from '../../../../src/kinds/linux/program.js';

const FAKE_IP = `#!/bin/sh
case "$*" in
  *monitor*) exec cat "$FAKE/monitor" ;;
  "-o -4 addr show to "*)
    a=\${6%/32}
    while read -r ip dev; do
      [ "$ip" = "$a" ] && printf '9: %s    inet %s/28 scope global %s\\\\       valid_lft forever\\n' "$dev" "$ip" "$dev"
    done < "$FAKE/addrs"
    exit 0 ;;
  *-batch*)
    { echo "ip $*"; cat; } >> "$FAKE/log"
    case "$*" in *-force*) ;; *) if [ -f "$FAKE/fail" ]; then cat "$FAKE/fail" >&2; exit 1; fi ;; esac
    exit 0 ;;
  *) echo "ip $*" >> "$FAKE/log" ;;
esac
`;

const FAKE_IPTABLES = `#!/bin/sh
{ echo "iptables-restore $*"; cat; } >> "$FAKE/log"
`;

interface Run {
  dir: string;
  child: ChildProcess;
  lines: string[];
  /** Resolves with the first line matching, or rejects when the program exits first. */
  line(re: RegExp): Promise<string>;
  exited: Promise<number | null>;
  log(): string;
  setAddrs(table: string): void;
}

function start(script: string, addrs: string, fail?: string): Run {
  const dir = mkdtempSync(join(tmpdir(), 'linux-program-'));
  writeFileSync(join(dir, 'ip'), FAKE_IP);
  writeFileSync(join(dir, 'iptables-restore'), FAKE_IPTABLES);
  chmodSync(join(dir, 'ip'), 0o755);
  chmodSync(join(dir, 'iptables-restore'), 0o755);
  writeFileSync(join(dir, 'addrs'), addrs);
  writeFileSync(join(dir, 'log'), '');
  if (fail) writeFileSync(join(dir, 'fail'), fail);
  spawnSync('mkfifo', [join(dir, 'monitor')]);
  // a process group of its own, as in a container: stopping it stops the monitor loop's processes too
  const child = spawn('/bin/sh', ['-c', script], {
    env: { PATH: `${dir}:${process.env.PATH}`, FAKE: dir },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  const lines: string[] = [];
  const waiting: { re: RegExp; ok: (l: string) => void }[] = [];
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(l);
      for (const w of waiting.filter((x) => x.re.test(l))) {
        waiting.splice(waiting.indexOf(w), 1);
        w.ok(l);
      }
    }
  });
  // the shell's exit code, once everything it printed was read
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => child.stdout!.once('close', () => r(code))));
  return {
    dir,
    child,
    lines,
    exited,
    line: (re) =>
      new Promise((ok, no) => {
        const seen = lines.find((l) => re.test(l));
        if (seen) return ok(seen);
        waiting.push({ re, ok });
        void exited.then((code) => no(new Error(`exited ${code} before ${re}; said: ${lines.join(' | ')}`)));
      }),
    log: () => readFileSync(join(dir, 'log'), 'utf8'),
    setAddrs: (table) => writeFileSync(join(dir, 'addrs'), table),
  };
}

async function stop(run: Run): Promise<number | null> {
  // docker stop signals the container's first process; when it exits the kernel ends the rest of the container
  run.child.kill('SIGTERM');
  setTimeout(() => {
    try {
      process.kill(-run.child.pid!, 'SIGKILL');
    } catch {
      // all gone already
    }
  }, 200).unref();
  const code = await run.exited;
  rmSync(run.dir, { recursive: true, force: true });
  return code;
}

const HOST = {
  interfaces: [{ name: 'eth0', address: '13.13.13.4/24' }],
  gateway: '13.13.13.13',
  routes: [{ to: '10.9.0.0/16', via: '13.13.13.1' }],
};
const HOST_BINDING = [{ name: 'eth0', dockerIp: '198.18.0.2', mtu: 1400 }];

test('a host finds its interface by its Docker address, strips it, takes its addressing, says so and is ready; SIGTERM ends it cleanly', async (t) => {
  const run = start(linuxScript(HOST, HOST_BINDING), '198.18.0.2 eth3\n');
  await run.line(new RegExp(`^${HOST_READY}$`));
  t.deepEqual(run.lines, ['testbed-host: eth0 13.13.13.4/24', 'testbed-host: default via 13.13.13.13', HOST_READY]);
  t.is(
    run.log(),
    [
      'ip -force -batch -',
      'addr flush dev eth3',
      'link set dev eth3 mtu 1400',
      'ip route flush table main',
      'ip -batch -',
      'addr replace 13.13.13.4/24 dev eth3',
      'link set dev eth3 up',
      'route replace default via 13.13.13.13',
      'route replace 10.9.0.0/16 via 13.13.13.1',
      '',
    ].join('\n'),
  );
  t.is(await stop(run), 0, 'docker stop ends it at once (exit 0), not after its 10 s');
});

test('a restored link (a new device with the Docker address again) is taken over again, with the gateway and routes', async (t) => {
  const run = start(linuxScript(HOST, HOST_BINDING), '198.18.0.2 eth3\n');
  await run.line(new RegExp(`^${HOST_READY}$`));
  // docker network connect: the link comes back as eth7; ip monitor link prints a line
  run.setAddrs('198.18.0.2 eth7\n');
  const before = run.log();
  writeFileSync(join(run.dir, 'monitor'), '12: eth7@if13: <BROADCAST,MULTICAST> mtu 1500\n');
  t.is(await run.line(/restored/), 'testbed-host: eth0 restored');
  t.is(
    run.log().slice(before.length),
    [
      'ip -force -batch -',
      'addr flush dev eth7',
      'link set dev eth7 mtu 1400',
      'addr replace 13.13.13.4/24 dev eth7',
      'link set dev eth7 up',
      'route replace default via 13.13.13.13',
      'route replace 10.9.0.0/16 via 13.13.13.1',
      '',
    ].join('\n'),
  );
  // a link event with nothing carrying a Docker address (the device now has the lab's): nothing to do
  run.setAddrs('13.13.13.4 eth7\n');
  const after = run.log();
  writeFileSync(join(run.dir, 'monitor'), '12: eth7@if13: <UP> mtu 1400\n');
  await new Promise((r) => setTimeout(r, 300));
  t.is(run.log(), after);
  t.is(run.lines.filter((l) => /restored/.test(l)).length, 1);
  t.is(await stop(run), 0);
});

test('a host that cannot find its interface, or whose addressing ip refuses, says why on the failure line and exits 1', async (t) => {
  const missing = start(linuxScript(HOST, HOST_BINDING), '198.18.0.99 eth3\n');
  t.is(await missing.exited, 1);
  t.regex(missing.lines.join('\n'), /^testbed-host: error: no interface carries 198\.18\.0\.2 for eth0; interfaces: .*\blo\b/);
  t.false(missing.lines.includes(HOST_READY));
  await stop(missing);

  const refused = start(linuxScript(HOST, HOST_BINDING), '198.18.0.2 eth3\n', 'Error: Nexthop has invalid gateway.\nCommand failed -:3\n');
  t.is(await refused.exited, 1);
  t.deepEqual(refused.lines, ['testbed-host: error: Error: Nexthop has invalid gateway.', 'Command failed -:3']);
  await stop(refused);
});

test('a NAT loads its rules by the devices it found, and loads them again without the hooks after a restored link', async (t) => {
  const spec = {
    interfaces: [
      { name: 'eth0', address: '10.1.1.1/24' },
      { name: 'eth1', address: '11.11.11.9/24' },
    ],
    gateway: '11.11.11.1',
    routes: [],
  };
  const nat: NatSpec = { inside: ['eth0'], outside: 'eth1' };
  const bindings = [
    { name: 'eth1', dockerIp: '198.18.0.18', mtu: 1500 },
    { name: 'eth0', dockerIp: '198.18.0.2', mtu: 1500 },
  ];
  const run = start(linuxScript(spec, bindings, nat), '198.18.0.2 eth5\n198.18.0.18 eth2\n');
  await run.line(new RegExp(`^${HOST_READY}$`));
  t.true(run.lines.includes('testbed-host: masquerading eth0 behind eth1'));
  const boot = run.log();
  t.true(boot.includes('iptables-restore --noflush\n*nat\n:TESTBED-NAT - [0:0]\n-A POSTROUTING -j TESTBED-NAT\n-A TESTBED-NAT -o eth2 -j MASQUERADE\n'));
  t.true(boot.includes('-A TESTBED-FWD -i eth5 -o eth2 -j ACCEPT\n'));
  // the outside link cut and restored as eth8; eth0 is found by its lab address
  run.setAddrs('10.1.1.1 eth5\n198.18.0.18 eth8\n');
  writeFileSync(join(run.dir, 'monitor'), '14: eth8@if15: <BROADCAST,MULTICAST> mtu 1500\n');
  t.is(await run.line(/restored/), 'testbed-host: eth1 restored');
  const again = run.log().slice(boot.length);
  t.true(
    again.includes(
      'addr flush dev eth8\nlink set dev eth8 mtu 1500\naddr replace 11.11.11.9/24 dev eth8\nlink set dev eth8 up\nroute replace default via 11.11.11.1\n',
    ),
  );
  t.true(again.includes('-A TESTBED-NAT -o eth8 -j MASQUERADE\n'), 'masquerades by the new device');
  t.true(again.includes('-A TESTBED-FWD -i eth5 -o eth8 -j ACCEPT\n'), 'the inside device kept, found by its address');
  t.false(/-A (POSTROUTING|FORWARD) /.test(again), 'not hooked twice');
  t.is(await stop(run), 0);
});

test('shell quoting, and lines the script would expand are refused rather than written', (t) => {
  t.is(shellQuote("it's"), `'it'\\''s'`);
  t.is(spawnSync('/bin/sh', ['-c', `printf %s ${shellQuote('a\'b $(x) \\ "c"')}`]).stdout.toString(), 'a\'b $(x) \\ "c"');
  t.throws(() => linuxScript({ ...HOST, gateway: '$(reboot)' }, HOST_BINDING), {
    message: /not safe in a shell here-document: route replace default via \$\(reboot\)/,
  });
});
