/**
 * The console lines by which a node tells the orchestrator it has booted, or
 * could not. Each kind's readiness strategy (src/kinds/<kind>/kind.ts) waits
 * for its own; host and nat nodes share the host's.
 */
export const ROUTER_READY = '%SYS-5-RESTART: System restarted --';
export const HOST_READY = 'testbed-host: ready';
/** strongSwan nodes: charon runs and swanctl loaded the node's connections and secrets. */
export const STRONGSWAN_READY = 'testbed-strongswan: ready';
/** A router that cannot boot prints this, then exits. */
export const ROUTER_BOOT_FAILED = '%TESTBED-1-BOOT';
export const HOST_FAILED = 'testbed-host: error';
export const STRONGSWAN_FAILED = 'testbed-strongswan: error';
