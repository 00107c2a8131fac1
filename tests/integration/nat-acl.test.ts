/**
 * The NAT and access-group labs through the real CLI, `testbed test`, in
 * Docker: every step of each lab's `tests:` section passes; then the
 * artifacts are read again to prove with the pcaps and the keys what the
 * steps claim. nat-vpn-exemption: tshark, given the routers' keys, decrypts
 * the WAN's ESP and finds the branch LAN's own address inside, while the
 * internet traffic crossed in clear with the WAN address. interface-acl:
 * the denied flow never left the LAN, and the routers' final show output
 * counts what their access lists saw. Each lab is gone afterwards.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzePcap, readPcap, type RunSummary } from '../../src/orchestrator/index.js';
import { labName, leftovers, root } from './helpers.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  dir: string;
}

/** `testbed test FILE --name LAB --artifacts DIR --json` */
async function testbedTest(file: string, lab: string): Promise<Run> {
  const dir = await mkdtemp(join(tmpdir(), 'testbed-nat-acl-'));
  const args = [`${root}bin/testbed.js`, 'test', `${root}${file}`, '--name', lab, '--artifacts', join(dir, 'run'), '--json'];
  return new Promise((resolve) => {
    execFile('node', args, { cwd: root, maxBuffer: 64 * 1024 * 1024, timeout: 300_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr, dir });
    });
  });
}

const noLeftovers = { containers: 0, networks: 0, rules: 0 };

test.serial('nat-vpn-exemption: internet traffic translated, VPN traffic encrypted untranslated, then "NAT breaks the VPN"', async (t) => {
  const lab = labName('nat-vpn');
  const run = await testbedTest('topologies/nat-vpn-exemption.yaml', lab);
  try {
    t.is(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout) as RunSummary;
    t.deepEqual(summary.counts, { total: 20, passed: 20, failed: 0, errors: 0, skipped: 0 }, run.stderr);
    const art = join(run.dir, 'run');

    // the WAN: tshark decrypts the ESP with the routers' keys; inside are the LANs' own addresses
    const wan = await analyzePcap(join(art, 'wan.pcap'), ['ip.src', 'ip.dst', 'esp.spi', 'icmp.type'], {
      configDir: join(art, 'wireshark'),
      profile: 'testbed',
    });
    const inner = wan.packets
      .filter((p) => (p.fields['esp.spi'] ?? []).length > 0 && p.fields['icmp.type']?.[0] === '8')
      .map((p) => `${p.fields['ip.src']![1]}>${p.fields['ip.dst']![1]}`);
    t.true(inner.length >= 6, `echo requests inside the ESP: ${inner.length}`);
    t.true(
      inner.every((x) => x === '10.1.1.10>10.2.2.10'),
      inner.join(' '),
    );
    const outer = wan.packets.filter((p) => (p.fields['esp.spi'] ?? []).length > 0).map((p) => `${p.fields['ip.src']![0]}>${p.fields['ip.dst']![0]}`);
    t.true(
      outer.every((x) => x === '11.11.11.1>11.11.11.2' || x === '11.11.11.2>11.11.11.1'),
      'ESP only between the routers',
    );

    // in clear on the WAN: the internet pings with the WAN address, and after the mistake the pings to HQ, translated too
    const clear = (await readPcap(join(art, 'wan.pcap'))).filter((p) => p.icmp?.type === 8);
    t.true(clear.some((p) => p.src === '11.11.11.1' && p.dst === '11.11.11.100'));
    t.true(
      clear.some((p) => p.src === '11.11.11.1' && p.dst === '10.2.2.10'),
      'after break-the-vpn: translated and in clear',
    );
    t.false(
      clear.some((p) => p.src === '10.1.1.10'),
      'the LAN address never crossed the WAN in clear',
    );

    // HQ's LAN saw b1's own address while the exemption held, the WAN address afterwards
    const hq = (await readPcap(join(art, 'lan-hq.pcap'))).filter((p) => p.icmp?.type === 8 && p.dst === '10.2.2.10');
    const firstTranslated = hq.findIndex((p) => p.src === '11.11.11.1');
    t.true(
      firstTranslated > 0 && hq.slice(0, firstTranslated).every((p) => p.src === '10.1.1.10') && hq.slice(firstTranslated).every((p) => p.src === '11.11.11.1'),
    );

    // the branch's final show output: the translations and the statistics
    const shows = await readFile(join(art, 'nodes', 'branch.show.txt'), 'utf8');
    t.regex(shows, /^branch# show ip nat translations verbose\nPro Inside global {6}Inside local {7}Outside local {6}Outside global\n/m);
    t.regex(
      shows,
      /^icmp 11\.11\.11\.1:\d+ +10\.1\.1\.10:\d+ +10\.2\.2\.10:\d+ +10\.2\.2\.10:\d+\n {4}create \d\d:\d\d:\d\d, use \d\d:\d\d:\d\d, left 00:0\d:\d\d, flags: extended, use_count: 0$/m,
    );
    t.regex(shows, /^Dynamic mappings:\n-- Inside Source\naccess-list 1 interface FastEthernet0\/0 refcount \d+$/m);
  } finally {
    await rm(run.dir, { recursive: true, force: true });
  }
  t.deepEqual(await leftovers(lab), noLeftovers);
});

test.serial(
  'interface-acl: a permitted and a denied flow, and a crypto-map interface whose access list IOS 12.2 checks on the ESP and on what it carries',
  async (t) => {
    const lab = labName('acl');
    const run = await testbedTest('topologies/interface-acl.yaml', lab);
    try {
      t.is(run.code, 0, run.stderr);
      const summary = JSON.parse(run.stdout) as RunSummary;
      t.deepEqual(summary.counts, { total: 11, passed: 11, failed: 0, errors: 0, skipped: 0 }, run.stderr);
      const art = join(run.dir, 'run');
      const lan = await readPcap(join(art, 'lan1.pcap'));
      t.true(
        lan.some((p) => p.icmp?.type === 3 && p.icmp.code === 13 && p.src === '10.1.1.1' && p.dst === '10.1.1.10'),
        'r1 answered administratively prohibited',
      );
      const wan = await readPcap(join(art, 'wan.pcap'));
      t.false(
        wan.some((p) => p.src === '10.1.1.10' && p.dst === '11.11.11.2'),
        'the denied flow never reached the WAN',
      );
      t.true(
        wan.some((p) => p.esp !== null && p.src === '11.11.11.2'),
        'the VPN crossed',
      );
      const shows = await readFile(join(art, 'nodes', 'r1.show.txt'), 'utf8');
      t.regex(shows, /^r1# show access-lists\nExtended IP access list 110\n/m);
      const console = await readFile(join(art, 'nodes', 'r1.console.log'), 'utf8');
      t.regex(console, /%SEC-6-IPACCESSLOGP: list 150 denied udp 10\.2\.2\.10\(\d+\) -> 10\.1\.1\.10\(5000\), 1 packet/);
      t.notRegex(console, /%TESTBED-[23]-/, 'no agent error');
    } finally {
      await rm(run.dir, { recursive: true, force: true });
    }
    t.deepEqual(await leftovers(lab), noLeftovers);
  },
);
