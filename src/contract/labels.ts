/**
 * The Docker labels that mark what a lab owns. The orchestrator writes them
 * on every network and container it creates and finds everything again by
 * them (`down` after a crash, `status`); nodes may read their own.
 */
export const OWNER_LABEL = 'testbed.owner';
export const OWNER_VALUE = 'testbed';
export const LAB_LABEL = 'testbed.lab';
export const ROLE_LABEL = 'testbed.role';
export const NODE_LABEL = 'testbed.node';
/** The node's kind (router2600, host ...): how exec, keys and restart know what a container is. */
export const KIND_LABEL = 'testbed.kind';
export const LINK_LABEL = 'testbed.link';
export const TOPOLOGY_LABEL = 'testbed.topology';
export const ARTIFACTS_LABEL = 'testbed.artifacts';
/** On a node whose key journal is bound to a directory of this machine: that directory (contract/keys.ts). */
export const KEYS_LABEL = 'testbed.keys';
export const BRIDGE_LABEL = 'testbed.bridge';
/** JSON describing the node's interfaces (name, link, address) for status. */
export const INTERFACES_LABEL = 'testbed.interfaces';
/** On impairment helpers: every impairment setting of the lab, as JSON (src/orchestrator/impair). */
export const IMPAIR_LABEL = 'testbed.impair';
/** On every object of a lab spread over a Swarm: the name of the engine it is on (src/orchestrator/engines). */
export const ENGINE_LABEL = 'testbed.engine';
/** On images: what the image is (the lab image, a base). */
export const IMAGE_LABEL = 'testbed.image';

/** What a labelled object is to its lab. */
export type Role = 'node' | 'capture' | 'network' | 'helper' | 'impair';

export function ownerLabels(lab: string, role: Role): Record<string, string> {
  return { [OWNER_LABEL]: OWNER_VALUE, [LAB_LABEL]: lab, [ROLE_LABEL]: role };
}
