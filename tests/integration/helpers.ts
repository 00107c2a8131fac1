/** Shared pieces of the integration tests: they use real Docker and always tear down. */
import { fileURLToPath } from 'node:url';
import { DockerodeEngine } from '../../src/orchestrator/docker/dockerode.js';
import { IptablesFirewall, localIptables } from '../../src/orchestrator/lab/firewall.js';
import { LAB_LABEL, OWNER_LABEL, OWNER_VALUE } from '../../src/contract/labels.js';

export const root = fileURLToPath(new URL('../../../', import.meta.url));
export const seedTopology = `${root}topologies/daphne-fred.yaml`;
export const engine = new DockerodeEngine();

/** A lab name unique to this test run. */
export function labName(prefix: string): string {
  return `${prefix}-${process.pid.toString(36)}${Math.random().toString(36).slice(2, 5)}`.slice(0, 24);
}

/** Everything a lab left on the host: containers, networks, iptables rules. */
export async function leftovers(lab: string): Promise<{ containers: number; networks: number; rules: number }> {
  const labels = { [OWNER_LABEL]: OWNER_VALUE, [LAB_LABEL]: lab };
  const [containers, networks] = await Promise.all([engine.listContainers(labels), engine.listNetworks(labels)]);
  const rules = await new IptablesFirewall(localIptables()).listRules(lab);
  return { containers: containers.length, networks: networks.length, rules: rules.length };
}
