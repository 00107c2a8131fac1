/**
 * Which Docker engine(s) the command line uses: the default Docker host, or,
 * with TESTBED_SWARM=<a swarm manager's Docker host>, every engine of that
 * swarm (TESTBED_ENGINES=<engines file> names engines the nodes' labels do
 * not).
 */
import { DockerodeEngine } from '../docker/dockerode.js';
import type { Engine } from '../docker/engine.js';
import { discoverEngines } from './engines.js';
import { FederatedEngine } from './federated.js';

export { EngineUnreachableError, FederatedEngine, isFederated, type Member, type Unanswered } from './federated.js';
export { discoverEngines, dockerOptions, ENGINE_ADDRESS_LABEL, ENGINE_NAME_LABEL, EnginesError, type EngineRef } from './engines.js';
export { parsePlaceOptions, place, placeLinks, PlacementError } from './placement.js';

export async function engineFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): Promise<Engine> {
  const builder = new DockerodeEngine();
  if (!env.TESTBED_SWARM) return builder;
  return FederatedEngine.fromRefs(await discoverEngines(env.TESTBED_SWARM, env.TESTBED_ENGINES), builder);
}
