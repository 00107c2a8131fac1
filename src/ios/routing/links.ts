/**
 * Carrier of main interfaces and sub-interfaces. Every emulated interface
 * that is on a lab link has a Linux interface of its own, sub-interfaces
 * included (the kernel has no VLAN devices, and a Frame Relay PVC is a link):
 * a sub-interface is up when its own link is there and its main interface is
 * not shut down; a main interface is up when its own link is there or, with
 * no link of its own, when one of its sub-interfaces' links is (they share
 * its wire on a real router).
 */
import { parentName } from '../config/interface-defaults.js';
import { isAlwaysUp } from '../config/interface-names.js';
import type { RouterConfig } from '../config/types.js';

/** `present(name)`: the interface's own lab link is attached. */
export function interfaceCarrier(config: RouterConfig, name: string, present: (name: string) => boolean): boolean {
  if (isAlwaysUp(name)) return true;
  const parent = parentName(name);
  if (parent !== null) return present(name) && !config.interfaces.find((i) => i.name === parent)?.shutdown;
  if (present(name)) return true;
  return config.interfaces.some((i) => parentName(i.name) === name && present(i.name));
}
