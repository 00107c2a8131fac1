/** The console lines by which a node tells the orchestrator it has booted. */
export const ROUTER_READY = '%SYS-5-RESTART: System restarted --';
export const HOST_READY = 'testbed-host: ready';
/** strongSwan nodes: charon runs and swanctl loaded the node's connections and secrets. */
export const STRONGSWAN_READY = 'testbed-strongswan: ready';
/** A router that cannot boot prints this, then exits. */
export const ROUTER_BOOT_FAILED = '%TESTBED-1-BOOT';
export const HOST_FAILED = 'testbed-host: error';
export const STRONGSWAN_FAILED = 'testbed-strongswan: error';

/** The line a node of this kind prints once it is up (host and nat nodes share the host's). */
export function readyLine(kind: string): string {
  return kind === 'router2600' ? ROUTER_READY : kind === 'strongswan' ? STRONGSWAN_READY : HOST_READY;
}

/** Any line by which a node says it could not start. */
export const FAILED_LINES = [ROUTER_BOOT_FAILED, HOST_FAILED, STRONGSWAN_FAILED] as const;
