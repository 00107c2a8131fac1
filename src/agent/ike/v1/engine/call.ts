/**
 * One call into the engine: the context it builds for the exchanges
 * (policy, clock, randomness from the injected source, allocation, and the
 * hooks wired to the SA lifecycle), the collection of the actions, the
 * safety net (an internal failure drops the input with a reason instead of
 * escaping to the router), and the timers of what the call touched.
 */
import { Buffer } from 'node:buffer';
import { generateDhKeyPair, type DhGroup, type DhKeyPair } from '../../../crypto/dh.js';
import type { Endpoint, IkeAction, RandomSource } from '../../types.js';
import { Out } from '../debug.js';
import type { IkeContext } from '../exchanges/context.js';
import { errorText, notifyOf } from '../notify.js';
import { admitIpsec, refuse } from './bounds.js';
import type { Core } from './core.js';
import {
  deletePhase1,
  hasOtherSas,
  initialContact,
  installIpsec,
  peerDead,
  peerDeleted,
  phase1Established,
  phase1Gone,
  quickModeFailed,
  responderEntry,
} from './lifecycle.js';

/** Where randomness and Diffie-Hellman key pairs come from (IkeEngineOptions). */
export interface Sources {
  readonly random: RandomSource;
  readonly dh?: ((group: DhGroup) => DhKeyPair) | undefined;
}

/** Draws until `ok` (a broken random source that never satisfies it is an error, not a hang). */
function draw<T>(next: () => T, ok: (v: T) => boolean): T {
  for (let i = 0; i < 1000; i++) {
    const v = next();
    if (ok(v)) return v;
  }
  throw new Error('the random source keeps returning unusable values');
}

/** Runs `body` with a fresh context at `now` and returns its actions, in order. */
export function engineCall(core: Core, sources: Sources, now: number, from: Endpoint | null, body: (ctx: IkeContext) => void): IkeAction[] {
  const out = new Out();
  const ctx = engineContext(core, sources, now, out);
  try {
    body(ctx);
  } catch (err) {
    out.drop(from, notifyOf(err), `internal error: ${errorText(err)}`);
  }
  // the deadlines of whatever the call touched
  core.flush();
  return out.actions;
}

/** The context of one call. */
export function engineContext(core: Core, sources: Sources, now: number, out: Out): IkeContext {
  const bytes = (n: number): Buffer => {
    const b = sources.random(n);
    if (b.length !== n) throw new Error(`random source returned ${b.length} bytes, wanted ${n}`);
    return Buffer.from(b);
  };
  const ctx: IkeContext = {
    policy: core.policy,
    now,
    out,
    bytes,
    cookie: () =>
      draw(
        () => bytes(8),
        (c) => !c.every((x) => x === 0),
      ),
    messageId: (sa) => {
      const tasks = core.tasks(sa);
      const id = draw(
        () => bytes(4).readUInt32BE(0),
        (x) => x !== 0 && !tasks.usesMessageId(x),
      );
      tasks.noteMessageId(id);
      return id;
    },
    spi: () => {
      const spi = draw(
        () => bytes(4).readUInt32BE(0),
        (x) => x > 255 && !core.usedSpis.has(x),
      );
      core.usedSpis.add(spi);
      return spi;
    },
    releaseSpi: (spi) => {
      core.usedSpis.delete(spi);
    },
    dh: (group: DhGroup) => {
      if (sources.dh) return sources.dh(group);
      const priv = bytes(32);
      priv[0] = (priv[0]! & 0x7f) | 0x40;
      return generateDhKeyPair(group, priv);
    },
    ipsecIds: () => ({ connId: core.nextIpsecConnId++, flowId: core.nextFlowId++ }),
    phase1Established: (sa) => phase1Established(core, ctx, sa),
    phase1Gone: (sa, reason, failure) => phase1Gone(core, ctx, sa, reason, failure),
    deletePhase1: (sa, reason, notifyPeer) => deletePhase1(core, ctx, sa, reason, notifyPeer),
    hasOtherSas: (sa) => hasOtherSas(core, sa),
    initialContact: (sa) => initialContact(core, ctx, sa),
    responderEntry: (sa, proxies) => responderEntry(core, sa, proxies),
    installIpsec: (sa, flow, spec) => installIpsec(core, ctx, sa, flow, spec),
    quickModeFailed: (sa, end, notify, why) => quickModeFailed(core, ctx, sa, end, notify, why),
    peerDeleted: (sa, d) => peerDeleted(core, ctx, sa, d),
    peerDead: (sa) => peerDead(core, ctx, sa),
    admitIpsec: (sa, proxies) => admitIpsec(core, ctx, sa, proxies),
    refused: (counter, detail) => refuse(core, ctx, counter, detail),
  };
  return ctx;
}
