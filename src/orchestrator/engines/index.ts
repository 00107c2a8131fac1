/**
 * Which Docker engine(s) the command line uses: the default Docker host, or,
 * with TESTBED_SWARM=<a swarm manager's Docker host>, every engine of that
 * swarm (TESTBED_ENGINES=<engines file> names engines the nodes' labels do
 * not; TESTBED_REGISTRY=HOST[:PORT][/PATH] a registry they pull the lab
 * image from, registry.ts).
 */
import { DockerodeEngine } from '../docker/dockerode.js';
import type { Engine } from '../docker/engine.js';
import { discoverEngines } from './engines.js';
import { FederatedEngine } from './federated.js';
import { parseRegistry } from './registry.js';

export { EngineUnreachableError, FederatedEngine, isFederated, type Member, type Unanswered } from './federated.js';
export { discoverEngines, dockerOptions, ENGINE_ADDRESS_LABEL, ENGINE_NAME_LABEL, EnginesError, type EngineRef } from './engines.js';
export { parseRegistry, RegistryError, type Registry } from './registry.js';
export { parsePlaceOptions, place, placeLinks, PlacementError } from './placement.js';

export async function engineFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): Promise<Engine> {
  const builder = new DockerodeEngine();
  // checked even on one engine (where it is not used), so that a bad value is never silently ignored
  const registry = env.TESTBED_REGISTRY !== undefined ? parseRegistry(env.TESTBED_REGISTRY) : undefined;
  if (!env.TESTBED_SWARM) return builder;
  return FederatedEngine.fromRefs(await discoverEngines(env.TESTBED_SWARM, env.TESTBED_ENGINES), builder, registry ? { registry } : {});
}
