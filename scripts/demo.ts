/**
 * The main job: bring the seed lab up with captures, show it working, and
 * leave it up for exploring. `npm run demo`; `npx testbed down daphne-fred` ends it.
 */
import { $, chalk } from 'zx';

$.verbose = false;
const testbed = (args: string[]) => $({ stdio: ['inherit', 'pipe', 'inherit'] })`node bin/testbed.js ${args}`;

async function step(title: string, args: string[], allowFailure = false): Promise<string> {
  process.stdout.write(chalk.bold(`\n$ testbed ${args.join(' ')}`) + chalk.dim(`   # ${title}\n`));
  const r = await testbed(args).nothrow();
  process.stdout.write(r.stdout);
  if (r.exitCode !== 0 && !allowFailure) throw new Error(`testbed ${args.join(' ')} failed with exit code ${r.exitCode}`);
  return r.stdout;
}

const lab = process.env.TESTBED_LAB ?? 'daphne-fred';
await step('remove an earlier copy of the lab, if any', ['down', lab]);
await step('start the seed lab: two Cisco 2600s and a host behind each, every link captured', [
  'up',
  'topologies/daphne-fred.yaml',
  '--name',
  lab,
  '--capture',
]);
await step('turn on the debug output of the seed', ['exec', '--lab', lab, 'daphne', 'debug crypto isakmp\ndebug crypto ipsec\ndebug crypto engine']);
await step('host 13.13.13.4 pings 12.12.12.13 across both routers', ['exec', '--lab', lab, 'd1', 'ping -c 5 -W 2 12.12.12.13'], true);
await step('ping again', ['exec', '--lab', lab, 'd1', 'ping -c 5 -W 2 12.12.12.13']);
for (const cmd of ['show crypto isakmp sa', 'show crypto ipsec sa', 'show crypto map', 'show crypto engine connections active']) {
  await step(`what Daphne says (${cmd})`, ['exec', '--lab', lab, 'daphne', cmd], true);
}
await step("Daphne's console (debug lines)", ['logs', '--lab', lab, 'daphne']);
process.stdout.write(
  `\nThe lab is still up. Captures and key tables: artifacts/${lab}/ (open wan.pcap in Wireshark).\n` +
    `Try: npx testbed exec daphne "show ip route"   |   npx testbed exec d1 ping -c 3 12.12.12.13\n` +
    `When done: npx testbed down ${lab}\n`,
);
