/** Paths inside a node's container that the orchestrator and the node agree on. */

/** Where the image keeps everything built from src/ (dist/src/... becomes APP_DIR/src/...). */
export const APP_DIR = '/opt/testbed/app';

/** The command that starts a node's program, given its path under src/ (kinds/router2600/main.js). */
export function nodeEntry(srcPath: string): string[] {
  return ['node', `${APP_DIR}/src/${srcPath}`];
}

/** router2600: the IOS startup-config (`copy running-config startup-config` writes it back). */
export const STARTUP_CONFIG_PATH = '/etc/testbed/startup-config';

/** strongswan: the topology's swanctl.conf (swanctl's default, so `swanctl --load-all` reloads it). */
export const SWANCTL_CONF = '/etc/swanctl/swanctl.conf';
