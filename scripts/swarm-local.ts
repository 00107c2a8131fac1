/**
 * npm run swarm:local -- up|down|status [engines]: a Docker Swarm of extra
 * engines on this machine, each dockerd in a network namespace of its own
 * (src/orchestrator/engines/local-swarm.ts); the primary engine is not
 * touched. Root only. `up` prints the TESTBED_SWARM line to use; `down`
 * removes every trace and says what, if anything, is left.
 */
import { localSwarmDown, localSwarmTraces, localSwarmUp } from '../src/orchestrator/engines/local-swarm.js';

const [command, countText] = process.argv.slice(2);
const count = Number(countText ?? 2);
if (!Number.isInteger(count) || count < 2 || count > 8) {
  console.error('engines: a number from 2 to 8');
  process.exit(2);
}
const log = (line: string) => console.log(line);
const nothingLeft = (t: Awaited<ReturnType<typeof localSwarmTraces>>) => Object.values(t).every((v) => (v as unknown[]).length === 0);

if (command === 'up') {
  const swarm = await localSwarmUp(count, log);
  console.log(`export TESTBED_SWARM=${swarm.manager}`);
} else if (command === 'down') {
  const left = await localSwarmDown(count, log);
  console.log(nothingLeft(left) ? 'local swarm removed, nothing left' : `left over: ${JSON.stringify(left)}`);
  process.exitCode = nothingLeft(left) ? 0 : 1;
} else if (command === 'status') {
  const t = await localSwarmTraces();
  console.log(JSON.stringify(t, null, 2));
} else {
  console.error('usage: npm run swarm:local -- up|down|status [engines]');
  process.exitCode = 2;
}
