/**
 * npm run bench:interop
 *
 * iperf3 TCP throughput host to host through two gateways, side by side in
 * one run:
 *   (a) two emulated routers: our agents' userspace ESP on both ends;
 *   (b) two strongSwan 5.9.8 gateways with kernel-libipsec: strongSwan's
 *       userspace ESP in C (always in UDP 4500), the anchor;
 *   (c) clear text through the same containers (crypto map removed from the
 *       routers' WAN interfaces; strongSwan before its tunnel is started).
 * Suites: AES-128/SHA-1 (esp-aes esp-sha-hmac, aes128-sha1) and DES/MD5
 * (esp-des esp-md5-hmac, des-md5) for (a) and (b). Both labs are up at once
 * and measured in turn (a, b, a, b ...); the median of the runs is reported
 * with the ratios (a)/(b) (target: at least 1.5) and each one against clear
 * text. Labs: scripts/bench-interop/.
 *
 *   node --openssl-legacy-provider dist/scripts/bench-interop.js [--runs N] [--seconds S] [--json]
 */
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Lab } from '../src/orchestrator/index.js';
import { iperfMbps, labBenchArgs } from './lib/lab-bench.js';
import { median } from './lib/bench.js';

const { runs: RUNS, seconds: SECONDS, json: asJson } = labBenchArgs(process.argv.slice(2), { runs: 3, seconds: 10 });
const dir = fileURLToPath(new URL('../../scripts/bench-interop/', import.meta.url));
const log = (s: string) => process.stderr.write(`${s}\n`);

const routersBoth = (lab: Lab, ...lines: string[]) => Promise.all(['daphne', 'fred'].map((r) => lab.ios(r, ...lines)));

/** Routers: (re)build the tunnel with a transform set, and check the traffic went through it. */
async function routerTunnel(lab: Lab, transform: string): Promise<void> {
  await routersBoth(lab, 'configure terminal', `crypto ipsec transform-set bench-ts ${transform}`, 'end', 'clear crypto sa', 'clear crypto isakmp');
  await lab.exec('d1', 'ping -c 2 -W 2 12.12.12.13');
  const sa = await lab.ios('daphne', 'show crypto ipsec sa');
  if (!sa.includes(`transform: ${transform} ,`)) throw new Error(`the routers did not build an ${transform} tunnel:\n${sa}`);
}

async function routerEncaps(lab: Lab): Promise<number> {
  return Number(/#pkts encaps: (\d+)/.exec(await lab.ios('daphne', 'show crypto ipsec sa'))?.[1] ?? 0);
}

/** strongSwan: (re)load with an ESP proposal on both ends and start the tunnel from sun. */
async function swanTunnel(lab: Lab, esp: string): Promise<void> {
  for (const n of ['sun', 'moon']) {
    await lab.sh(n, `sed -i 's/esp_proposals = .*/esp_proposals = ${esp}/' /etc/swanctl/swanctl.conf && swanctl --load-all --noprompt >/dev/null`);
    await lab.sh(n, 'for id in $(swanctl --list-sas --raw | grep -o "uniqueid=[0-9]*" | cut -d= -f2); do swanctl --terminate --ike-id $id --force >/dev/null; done; true');
  }
  await lab.sh('sun', 'swanctl --initiate --child lan --timeout 30 >/dev/null');
  const sas = await lab.sh('sun', 'swanctl --list-sas');
  if (!/INSTALLED, TUNNEL-in-UDP/.test(sas)) throw new Error(`strongSwan did not install its tunnel:\n${sas}`);
}

async function swanBytes(lab: Lab): Promise<number> {
  return Number(/out +\w+, +(\d+) bytes/.exec(await lab.sh('sun', 'swanctl --list-sas'))?.[1] ?? 0);
}

interface Row {
  name: string;
  mbps: number[];
}

async function main(): Promise<void> {
  log(`bench:interop  ${cpus()[0]?.model ?? ''} x${cpus().length}, Node ${process.version}; ${RUNS} runs of iperf3 TCP ${SECONDS} s each`);
  await using routers = await Lab.up(`${dir}router-pair.yaml`, { name: `bench-rt-${process.pid.toString(36)}` });
  await using swans = await Lab.up(`${dir}strongswan-pair.yaml`, { name: `bench-ss-${process.pid.toString(36)}` });
  const rows: Row[] = [];
  const row = (name: string) => {
    const r = { name, mbps: [] as number[] };
    rows.push(r);
    return r;
  };

  // (c) clear text first: strongSwan's tunnel is not up yet; the routers lose their crypto map for a moment
  const clearSwan = row('(c) clear text, strongSwan containers');
  const clearRouters = row('(c) clear text, router containers');
  await routers.ios('daphne', 'configure terminal', 'interface FastEthernet0/0', 'no crypto map fred-map', 'end');
  await routers.ios('fred', 'configure terminal', 'interface FastEthernet0/0', 'no crypto map daphne-map', 'end');
  for (let i = 0; i < RUNS; i++) {
    clearSwan.mbps.push(await iperfMbps(swans, SECONDS));
    clearRouters.mbps.push(await iperfMbps(routers, SECONDS));
    log(`  clear: strongSwan ${clearSwan.mbps.at(-1)!.toFixed(0)}, routers ${clearRouters.mbps.at(-1)!.toFixed(0)} Mbit/s`);
  }
  await routers.ios('daphne', 'configure terminal', 'interface FastEthernet0/0', 'crypto map fred-map', 'end');
  await routers.ios('fred', 'configure terminal', 'interface FastEthernet0/0', 'crypto map daphne-map', 'end');

  for (const suite of [
    { name: 'AES-128/SHA-1', transform: 'esp-aes esp-sha-hmac', esp: 'aes128-sha1' },
    { name: 'DES/MD5', transform: 'esp-des esp-md5-hmac', esp: 'des-md5' },
  ]) {
    await routerTunnel(routers, suite.transform);
    await swanTunnel(swans, suite.esp);
    const a = row(`(a) routers (our agents), ${suite.name}`);
    const b = row(`(b) strongSwan kernel-libipsec, ${suite.name}`);
    for (let i = 0; i < RUNS; i++) {
      const e0 = await routerEncaps(routers);
      a.mbps.push(await iperfMbps(routers, SECONDS));
      if ((await routerEncaps(routers)) - e0 < 1000) throw new Error('the routers\u2019 iperf3 run did not go through the tunnel');
      const s0 = await swanBytes(swans);
      b.mbps.push(await iperfMbps(swans, SECONDS));
      if ((await swanBytes(swans)) - s0 < 1e6) throw new Error('strongSwan\u2019s iperf3 run did not go through the tunnel');
      log(`  ${suite.name}: routers ${a.mbps.at(-1)!.toFixed(0)}, strongSwan ${b.mbps.at(-1)!.toFixed(0)} Mbit/s`);
    }
  }

  const med = (name: string) => median(rows.find((r) => r.name.startsWith(name))!.mbps);
  const clear = med('(c) clear text, strongSwan');
  const ratios = ['AES-128/SHA-1', 'DES/MD5'].map((s) => ({
    suite: s,
    ours: med(`(a) routers (our agents), ${s}`),
    strongswan: med(`(b) strongSwan kernel-libipsec, ${s}`),
  }));
  if (asJson) {
    process.stdout.write(`${JSON.stringify({ runs: RUNS, seconds: SECONDS, rows: rows.map((r) => ({ ...r, median: median(r.mbps) })), ratios: ratios.map((r) => ({ ...r, oursOverStrongswan: r.ours / r.strongswan })) }, null, 2)}\n`);
    return;
  }
  const f = (x: number) => x.toFixed(0).padStart(7);
  console.log('\niperf3 TCP host to host, Mbit/s (median; every run in brackets)');
  for (const r of rows) console.log(`${r.name.padEnd(48)} ${f(median(r.mbps))}   [${r.mbps.map((x) => x.toFixed(0)).join(', ')}]   ${(median(r.mbps) / clear).toFixed(3)} of clear`);
  console.log('\nratio (a)/(b), our datapath over strongSwan\u2019s libipsec (target >= 1.5)');
  for (const r of ratios) console.log(`${r.suite.padEnd(16)} ${(r.ours / r.strongswan).toFixed(2)}  (${r.ours.toFixed(0)} / ${r.strongswan.toFixed(0)} Mbit/s)`);
}

main().catch((e: unknown) => {
  console.error(`bench:interop: ${(e as Error).message}`);
  process.exitCode = 1;
});
