/**
 * `ip tcp adjust-mss` on real labs. A TCP handshake from a host behind one
 * router to a host behind the other is watched with tcpdump on both hosts:
 * the MSS of the SYN as the server receives it and of the SYN-ACK as the
 * client receives it. Each handshake completes, so the rewritten checksums
 * are right. The labs are torn down.
 *
 * gre-ipsec (h1 - hq - GRE over IPsec - branch - h2): without the line both
 * carry the hosts' 1460; with `ip tcp adjust-mss 1300` on hq's LAN interface
 * (the kernel's TCPMSS rule) both arrive with 1300; after `no ip tcp
 * adjust-mss` there and `ip tcp adjust-mss 1320` on hq's Tunnel0 (the
 * agent's clamping: the tunnel is userspace) both arrive with 1320.
 *
 * daphne-fred (d1 - Daphne - TED/ESP - fred - a1): `ip tcp adjust-mss 1340`
 * on Daphne's WAN interface, which carries the crypto map: the SYN is
 * encrypted and the SYN-ACK decrypted by the agent there, so only the
 * agent can adjust them.
 */
import test from 'ava';
import { Lab } from '../../src/orchestrator/index.js';
import { labName, leftovers, root } from './helpers.js';
import { eventually } from './strongswan.js';

const PORT = 5001;

/** Start tcpdump on `host` for one packet matching `filter`, into /tmp/`file`; resolves once it listens. */
async function watch(lab: Lab, host: string, file: string, filter: string): Promise<void> {
  await lab.sh(host, `rm -f /tmp/${file}.*; nohup timeout 30 tcpdump -n -l -v -i eth0 -c 1 '${filter}' >/tmp/${file}.out 2>/tmp/${file}.err </dev/null &`);
  await eventually(async () => ((await lab.sh(host, `cat /tmp/${file}.err`)).includes('listening on') ? true : undefined), 15_000);
}

/** The MSS option tcpdump printed for the packet it caught (null: none caught). */
async function caughtMss(lab: Lab, host: string, file: string): Promise<number | null> {
  const text = await eventually(async () => {
    const out = await lab.sh(host, `cat /tmp/${file}.out`);
    return /options \[/.test(out) ? out : undefined;
  }, 15_000);
  const m = text ? /options \[mss (\d+)/.exec(text) : null;
  return m ? Number(m[1]) : null;
}

/** The server side: a listener on `server` that keeps accepting; resolves once `client` reaches `address` at all (ping). */
async function serve(lab: Lab, client: string, server: string, address: string): Promise<boolean> {
  const up = await eventually(async () => ((await lab.exec(client, `ping -c 1 -W 2 ${address}`)).exitCode === 0 ? true : undefined), 60_000);
  await lab.sh(server, `nohup nc -lk -p ${PORT} >/dev/null 2>&1 </dev/null &`);
  return up === true;
}

/** One handshake client -> server: [MSS of the SYN at the server, MSS of the SYN-ACK at the client, whether it completed]. */
async function handshake(lab: Lab, client: string, server: string, address: string): Promise<[number | null, number | null, boolean]> {
  await watch(lab, server, 'syn', `tcp dst port ${PORT} and tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn`);
  await watch(lab, client, 'synack', `tcp src port ${PORT} and tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)`);
  const connect = await lab.exec(client, `nc -z -w 5 ${address} ${PORT}`);
  return [await caughtMss(lab, server, 'syn'), await caughtMss(lab, client, 'synack'), connect.exitCode === 0];
}

test.serial(
  'a SYN and its SYN-ACK crossing hq leave with the adjusted MSS: kernel path (LAN interface) and agent path (Tunnel0); the no form takes it away',
  async (t) => {
    const name = labName('mss');
    {
      await using lab = await Lab.up(`${root}topologies/gre-ipsec.yaml`, { name });
      // the tunnel and its SAs (the keepalives start IKE at boot)
      t.true(await serve(lab, 'h1', 'h2', '10.2.2.10'), 'h1 reaches h2 through the tunnel');
      const shake = () => handshake(lab, 'h1', 'h2', '10.2.2.10');

      t.deepEqual(await shake(), [1460, 1460, true], "without the line the hosts' MSS crosses unchanged");

      await lab.ios('hq', 'configure terminal', 'interface FastEthernet0/1', 'ip tcp adjust-mss 1300', 'end');
      t.deepEqual(await shake(), [1300, 1300, true], 'hq LAN interface: the kernel clamps both ways');

      await lab.ios('hq', 'configure terminal', 'interface FastEthernet0/1', 'no ip tcp adjust-mss', 'interface Tunnel0', 'ip tcp adjust-mss 1320', 'end');
      t.deepEqual(await shake(), [1320, 1320, true], 'hq Tunnel0: the agent clamps both ways, the LAN rule is gone');

      const config = await lab.ios('hq', 'show running-config');
      t.regex(config, /^interface Tunnel0\n(?: .*\n)* ip tcp adjust-mss 1320\n/m);
      t.notRegex(config, /ip tcp adjust-mss 1300/);
    }
    t.deepEqual(await leftovers(name), { containers: 0, networks: 0, rules: 0 });
  },
);

test.serial('a SYN encrypted and its SYN-ACK decrypted on a crypto-map interface with ip tcp adjust-mss carry the adjusted MSS (TED, ESP)', async (t) => {
  const name = labName('mss-esp');
  {
    await using lab = await Lab.up(`${root}topologies/daphne-fred.yaml`, { name });
    // the first ping starts TED and IKE and is dropped; the SAs are up once one is answered
    t.true(await serve(lab, 'd1', 'a1', '12.12.12.13'), 'd1 reaches a1 through the SAs');
    await lab.ios('daphne', 'configure terminal', 'interface FastEthernet0/0', 'ip tcp adjust-mss 1340', 'end');
    t.deepEqual(await handshake(lab, 'd1', 'a1', '12.12.12.13'), [1340, 1340, true]);
    t.regex(await lab.ios('daphne', 'show crypto ipsec sa'), /#pkts encaps: [1-9]/, 'the traffic was ESP');
  }
  t.deepEqual(await leftovers(name), { containers: 0, networks: 0, rules: 0 });
});
