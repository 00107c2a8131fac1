/** The LabDriver of a real lab: Docker through the Engine, captures through readPcap. */
import type { Engine } from '../docker/engine.js';
import type { Lab } from '../lab/lab.js';
import { findNode } from '../lab/inventory.js';
import type { Topology } from '../topology/types.js';
import type { LabDriver } from './driver.js';
import { clearImpairment, impair, listImpairment } from '../impair/apply.js';
import { describeTarget, formatKnobs, type Direction, type Knobs } from '../impair/spec.js';

const RESTORE_TIMEOUT_MS = 20000;

export class RealLabDriver implements LabDriver {
  /** "link/node" -> the Docker address the endpoint had before it was cut. */
  private readonly cutAddresses = new Map<string, string>();

  constructor(
    private readonly lab: Lab,
    private readonly topology: Topology,
  ) {}

  private get engine(): Engine {
    return this.lab.engine;
  }

  exec(node: string, command: string[] | string, timeoutMs?: number) {
    return this.lab.exec(node, command, timeoutMs);
  }

  packets(link: string) {
    return this.lab.packets(link);
  }

  restart(node: string, timeoutMs: number): Promise<void> {
    return this.lab.restart(node, timeoutMs);
  }

  private endpoints(link: string, nodes: string[] | null) {
    const topo = this.topology.links.find((l) => l.name === link);
    const info = this.lab.info.links.find((l) => l.name === link);
    if (!topo || !info) throw new Error(`lab ${this.lab.name} has no link "${link}"`);
    return { info, endpoints: topo.endpoints.map((e, index) => ({ ...e, index })).filter((e) => !nodes || nodes.includes(e.node)) };
  }

  async cut(link: string, nodes: string[] | null): Promise<string> {
    const { info, endpoints } = this.endpoints(link, nodes);
    const done: string[] = [];
    for (const ep of endpoints) {
      const c = await findNode(this.engine, this.lab.name, ep.node);
      const ip = (await this.engine.containerAddresses(c.id))[info.network];
      if (!ip) {
        done.push(`${ep.node}:${ep.interface} (already cut)`);
        continue;
      }
      this.cutAddresses.set(`${link}/${ep.node}/${ep.interface}`, ip);
      await this.engine.disconnectNetwork(info.network, c.id);
      done.push(`${ep.node}:${ep.interface}`);
    }
    return `cut ${link}: disconnected ${done.join(', ')}`;
  }

  /** The address `up` gave endpoint `index` of a link (naming.ts allocateSubnets: gateway .1, endpoints from .2). */
  private allocated(subnet: string, index: number): string {
    const [base] = subnet.split('/');
    const n = base!.split('.').reduce((a, o) => a * 256 + Number(o), 0) + 2 + index;
    return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
  }

  async restore(link: string, nodes: string[] | null): Promise<string> {
    const { info, endpoints } = this.endpoints(link, nodes);
    const done: string[] = [];
    const waits: (() => Promise<void>)[] = [];
    // reconnect every endpoint first, then wait for the routers to say so: one slow router never leaves the others cut
    for (const ep of endpoints) {
      const c = await findNode(this.engine, this.lab.name, ep.node);
      if ((await this.engine.containerAddresses(c.id))[info.network]) {
        done.push(`${ep.node}:${ep.interface} (was not cut)`);
        continue;
      }
      const key = `${link}/${ep.node}/${ep.interface}`;
      const ip = this.cutAddresses.get(key) ?? this.allocated(info.subnet, ep.index);
      // nodes that say so on their console (routers): wait until they have
      const upLine = (await this.lab.kindOf(ep.node)).linkUpLine(ep.interface);
      const before = upLine ? (await this.engine.logs(c.id)).split(upLine).length : 0;
      await this.engine.connectNetwork(info.network, c.id, ip);
      this.cutAddresses.delete(key);
      if (upLine) waits.push(() => this.waitForLog(c.id, upLine, before, ep.node));
      done.push(`${ep.node}:${ep.interface}`);
    }
    // on a swarm: the overlay's namespace may be new (the L2 fix-up again, and its capture started there again)
    const relinked = await this.lab.relinkEngines();
    await Promise.all(waits.map((w) => w()));
    // a restored link is a fresh cable: its impairment goes (docs/testing.md)
    const impaired = (await listImpairment(this.engine, this.lab.name)).settings.some((s) => s.link === link);
    if (impaired) await clearImpairment(this.engine, this.lab.name, link);
    return `restore ${link}: reconnected ${done.join(', ')}${impaired ? '; impairment cleared' : ''}${relinked.map((l) => `; ${l}`).join('')}`;
  }

  async impair(link: string, endpoint: string | null, direction: Direction, knobs: Knobs | null): Promise<string> {
    const target = describeTarget({ link, endpoint, direction });
    if (knobs === null) {
      await clearImpairment(this.engine, this.lab.name, link, endpoint ?? undefined);
      return `impair ${target}: cleared`;
    }
    const state = await impair(this.engine, this.lab.name, { link, endpoint, direction, knobs });
    const paths = [...new Set(state.helpers.map((h) => h.path ?? '?'))].join(', ');
    return `impair ${target}: ${formatKnobs(knobs)} (${paths})${state.skipped.length ? `; not connected: ${state.skipped.join(', ')}` : ''}`;
  }

  /** Wait until `line` occurs more often in the console than `before - 1` times. */
  private async waitForLog(id: string, line: string, before: number, node: string): Promise<void> {
    const deadline = Date.now() + RESTORE_TIMEOUT_MS;
    for (;;) {
      if ((await this.engine.logs(id)).split(line).length > before) return;
      if (Date.now() > deadline) throw new Error(`${node} did not log "${line}" within ${RESTORE_TIMEOUT_MS} ms of the link being restored`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
