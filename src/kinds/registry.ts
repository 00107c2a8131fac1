/**
 * A set of node kinds, looked up by name: the built-in list (index.ts), or
 * that list and more (a test registers a kind of its own). The topology
 * loader, the schema, the planner and the graph all take one.
 */
import type { NodeKind, TopologyNode } from './kind.js';

export class UnknownKindError extends Error {
  override name = 'UnknownKindError';
}

export class KindRegistry {
  private readonly byName: Map<string, NodeKind>;

  constructor(readonly list: readonly NodeKind[]) {
    this.byName = new Map();
    for (const k of list) {
      if (this.byName.has(k.name)) throw new Error(`two node kinds are named "${k.name}"`);
      this.byName.set(k.name, k);
    }
  }

  get names(): string[] {
    return this.list.map((k) => k.name);
  }

  /** The kind of this name, or undefined (a container from another version of testbed). */
  find(name: string | undefined): NodeKind | undefined {
    return name === undefined ? undefined : this.byName.get(name);
  }

  /** The kind of this name; UnknownKindError when there is none. */
  get(name: string): NodeKind {
    const k = this.byName.get(name);
    if (!k) throw new UnknownKindError(`no node kind "${name}" (kinds: ${this.names.join(', ')})`);
    return k;
  }

  /** The kind of a node. */
  of(node: TopologyNode): NodeKind {
    return this.get(node.kind);
  }

  /** This registry and more kinds. */
  with(...kinds: NodeKind[]): KindRegistry {
    return new KindRegistry([...this.list, ...kinds]);
  }
}
