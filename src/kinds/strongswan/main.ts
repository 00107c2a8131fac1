/**
 * Entry point of `strongswan` nodes (the program in the container): a real IKEv1/IKEv2 peer. Takes the
 * topology's addresses and routes like a host, writes strongswan.conf
 * (config.ts beside it), starts charon (its log is the node's console),
 * loads the topology's swanctl.conf with `swanctl --load-all` and says it
 * is ready. `testbed exec NODE swanctl --list-sas` and friends work on it;
 * after editing /etc/swanctl/swanctl.conf, `swanctl --load-all` applies it.
 */
import { spawn } from 'node:child_process';
import { access, writeFile } from 'node:fs/promises';
import { adoptInterfaces } from '../../agent/io/interfaces.js';
import { TESTBED_HOST, TESTBED_INTERFACES } from '../../contract/env.js';
import { configureLinux, followLinks } from '../../agent/io/linux-node.js';
import { run } from '../../agent/io/system.js';
import { STRONGSWAN_FAILED, STRONGSWAN_READY } from '../../contract/ready.js';
import { CHARON, STRONGSWAN_CONF, strongswanConf, VICI_SOCKET } from './config.js';
import { SWANCTL_CONF } from '../../contract/paths.js';

const say = (line: string) => process.stdout.write(`testbed-strongswan: ${line}\n`);

function fail(why: string): never {
  process.stdout.write(`${STRONGSWAN_FAILED}: ${why}\n`);
  process.exit(1);
}

/** Waits until charon answers on its vici socket. */
async function viciUp(timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const ok = await access(VICI_SOCKET).then(
      () => true,
      () => false,
    );
    if (ok && (await run('swanctl', ['--stats'])).code === 0) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

async function main(): Promise<void> {
  const spec = TESTBED_HOST.decode(process.env.TESTBED_HOST);
  const bindings = TESTBED_INTERFACES.decode(process.env.TESTBED_INTERFACES);
  const names = await adoptInterfaces(bindings);
  const error = await configureLinux(spec, names);
  if (error) fail(error);
  for (const i of spec.interfaces) say(`${i.name} ${i.address}`);
  if (spec.gateway) say(`default via ${spec.gateway}`);

  await writeFile(STRONGSWAN_CONF, strongswanConf());
  const charon = spawn(CHARON, [], { stdio: ['ignore', 'inherit', 'inherit'] });
  let stopping = false;
  charon.on('exit', (code, signal) => {
    if (stopping) process.exit(0);
    fail(`charon exited (${signal ?? `code ${code}`})`);
  });
  const stop = () => {
    stopping = true;
    charon.kill('SIGTERM');
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  if (!(await viciUp(15_000))) fail(`charon did not open ${VICI_SOCKET} within 15 s`);
  const load = await run('swanctl', ['--load-all', '--noprompt', '--file', SWANCTL_CONF]);
  for (const line of (load.stdout + load.stderr).split('\n').filter((l) => l.trim())) say(`swanctl: ${line}`);
  if (load.code !== 0) fail(`swanctl --load-all could not load ${SWANCTL_CONF} (exit ${load.code}); the lines above say why`);
  process.stdout.write(`${STRONGSWAN_READY}\n`);
  followLinks(spec, bindings, names, say);
}

main().catch((e: unknown) => fail((e as Error).message));
