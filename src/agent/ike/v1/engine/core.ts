/**
 * The engine's mutable core, shared by the modules that implement it
 * (acquire, receive, discovery, lifecycle, timers): the policy in force, the
 * SA tables, the task manager of each ISAKMP SA and the task of each TED
 * probe, the SPIs in use, and IOS's connection and flow id counters.
 */
import type { IkePolicy } from '../../policy.js';
import type { TedProbe } from '../exchanges/ted/probe.js';
import type { IsakmpSa } from '../sa/isakmp-sa.js';
import { newTables, type EngineTables } from '../sa/tables.js';
import type { CryptoMapRef } from '../../types.js';
import { TaskManager } from './task-manager.js';

/** State shared by the engine's modules. */
export class Core {
  readonly t: EngineTables = newTables();
  /** The task manager of each ISAKMP SA in `t.isakmp`, by conn id. */
  private readonly managers = new Map<number, TaskManager>();
  /** The probe task of each discovery SA in `t.probes`, by conn id. */
  private readonly probeTasks = new Map<number, TedProbe>();
  readonly usedSpis = new Set<number>();
  /** ISAKMP conn ids: 1, 2, ... (the seed: the probe SA is 1, Main Mode 2). */
  private nextConnId = 1;
  /** IPsec conn ids: 2000, 2001, ... */
  nextIpsecConnId = 2000;
  /** IPsec flow ids: 1, 2, ... */
  nextFlowId = 1;

  constructor(public policy: IkePolicy) {}

  connId(): number {
    return this.nextConnId++;
  }

  /** Enters a new ISAKMP SA and gives it a task manager. */
  addSa(sa: IsakmpSa): TaskManager {
    const tasks = new TaskManager(sa);
    this.t.isakmp.set(sa.connId, sa);
    this.managers.set(sa.connId, tasks);
    return tasks;
  }

  /** Removes an ISAKMP SA and its task manager. */
  removeSa(sa: IsakmpSa): void {
    this.t.isakmp.delete(sa.connId);
    this.managers.delete(sa.connId);
  }

  /** Enters a TED probe: its discovery SA in the table, the task beside it. */
  addProbe(probe: TedProbe): void {
    this.t.probes.set(probe.connId, probe.sa);
    this.probeTasks.set(probe.connId, probe);
  }

  /** Removes a TED probe and its discovery SA. */
  removeProbe(probe: TedProbe): void {
    this.t.probes.delete(probe.connId);
    this.probeTasks.delete(probe.connId);
  }

  /** The running TED probes, oldest first. */
  probes(): TedProbe[] {
    return [...this.probeTasks.values()];
  }

  /** The task manager of an ISAKMP SA in the table. */
  tasks(sa: IsakmpSa): TaskManager {
    const m = this.managers.get(sa.connId);
    if (!m) throw new Error(`no task manager for ISAKMP SA ${sa.connId}`);
    return m;
  }
}

/** "tedtag/10/ted-map/10": a crypto map entry as a key. */
export function refText(ref: CryptoMapRef): string {
  return `${ref.map}/${ref.seq}${ref.dynamic ? `/${ref.dynamic.map}/${ref.dynamic.seq}` : ''}`;
}

/** A stable stand-in for the SA's memory address IOS prints ("sa=82687F70"). */
export function pseudoAddress(connId: number): string {
  return (0x82687f00 + connId * 0x70).toString(16).toUpperCase();
}
