/** The console lines by which a node tells the orchestrator it has booted. */
export const ROUTER_READY = '%SYS-5-RESTART: System restarted --';
export const HOST_READY = 'testbed-host: ready';
/** A router that cannot boot prints this, then exits. */
export const ROUTER_BOOT_FAILED = '%TESTBED-1-BOOT';
export const HOST_FAILED = 'testbed-host: error';
