/** Every fuzz target, in the order `--target all` runs them (docs/fuzzing.md describes each). */
import type { Target } from '../lib/target.js';
import { datapathTarget } from './datapath.js';
import { espTarget } from './esp.js';
import { ikePeerTarget } from './ike-peer.js';
import { ikeUnauthTarget } from './ike-unauth.js';
import { iosConfigTarget, iosExecTarget } from './ios.js';
import { isakmpTarget } from './isakmp.js';
import { netTarget } from './net.js';
import { reassemblyTarget } from './reassembly.js';
import { tedTarget } from './ted.js';

export const TARGETS: readonly Target[] = [
  isakmpTarget,
  tedTarget,
  netTarget,
  reassemblyTarget,
  ikeUnauthTarget,
  ikePeerTarget,
  espTarget,
  datapathTarget,
  iosConfigTarget,
  iosExecTarget,
] as Target[];

export function targetNamed(name: string): Target {
  const t = TARGETS.find((x) => x.name === name);
  if (!t) throw new Error(`no fuzz target "${name}" (targets: ${TARGETS.map((x) => x.name).join(', ')})`);
  return t;
}
