/** What checks are checked against: the lab's nodes with their kinds, their addresses, and which nodes each link joins. */
import type { NodeKind } from '../../kinds/kind.js';
import type { Topology } from '../topology/types.js';

export interface LabShape {
  /** node name -> its kind */
  nodes: Map<string, NodeKind>;
  /** node name -> its addresses (A.B.C.D), for `to: a1` and isakmp peers */
  addresses: Map<string, string[]>;
  /** link name -> nodes on it */
  links: Map<string, string[]>;
}

export function labShape(topology: Topology): LabShape {
  const kindOf = (n: Topology['nodes'][number]) => topology.kinds.of(n);
  return {
    nodes: new Map(topology.nodes.map((n) => [n.name, kindOf(n)])),
    addresses: new Map(
      topology.nodes.map((n) => [
        n.name,
        kindOf(n)
          .interfaces(n)
          .flatMap((i) => (i.address ? [i.address.split('/')[0]!] : [])),
      ]),
    ),
    links: new Map(topology.links.map((l) => [l.name, [...new Set(l.endpoints.map((e) => e.node))]])),
  };
}
