/**
 * What a picture of a lab shows: nodes (kind, interfaces with addresses),
 * links (name, the lab subnet on them, endpoints), and IPsec tunnels found
 * in a running lab. Each node's kind says how it is drawn (its style, its
 * hostname, short interface names). Pure; svg.ts and mermaid.ts draw it.
 */
import { formatPrefix, parsePrefix } from '../../codecs/net/address.js';
import type { Topology } from '../topology/types.js';

export interface GraphInterface {
  name: string;
  short: string;
  address: string | null;
  link: string | null;
}

export interface GraphNode {
  name: string;
  kind: string;
  /** How the node is drawn (its kind says): a router or a host box. */
  style: 'router' | 'host';
  /** IOS hostname for routers (Daphne), else null. */
  hostname: string | null;
  interfaces: GraphInterface[];
  /** On a swarm: the engine the node runs on (a running lab's), else absent. */
  engine?: string;
}

export interface GraphLink {
  name: string;
  /** The lab prefixes on the link, from its endpoints' addresses (11.11.11.0/24). */
  subnets: string[];
  endpoints: { node: string; interface: string; short: string }[];
}

/** An IKE/IPsec association between two routers of a running lab. */
export interface Tunnel {
  a: string;
  b: string;
  /** ISAKMP state, e.g. QM_IDLE. */
  state: string;
  /** Protected flows, like "13.13.13.0/24 <-> 12.12.12.0/24". */
  flows: string[];
}

export interface GraphModel {
  name: string;
  description: string | null;
  nodes: GraphNode[];
  links: GraphLink[];
  tunnels: Tunnel[];
}

/** "11.11.11.1/24" -> "11.11.11.0/24". */
export function networkOf(cidr: string): string {
  return formatPrefix(parsePrefix(cidr));
}

export function graphModel(topo: Topology, tunnels: Tunnel[] = [], engines: Readonly<Record<string, string>> = {}): GraphModel {
  const linkOf = (node: string, ifname: string) => topo.links.find((l) => l.endpoints.some((e) => e.node === node && e.interface === ifname))?.name ?? null;
  const graphOf = (name: string) => {
    const n = topo.nodes.find((x) => x.name === name);
    return n ? topo.kinds.of(n).graph : null;
  };
  const nodes: GraphNode[] = topo.nodes.map((n) => {
    const kind = topo.kinds.of(n);
    const interfaces: GraphInterface[] = kind
      .interfaces(n)
      .map((i) => ({ name: i.name, short: kind.graph.shortName(i.name), address: i.address, link: linkOf(n.name, i.name) }));
    const engine = engines[n.name];
    return { name: n.name, kind: n.kind, style: kind.graph.style, hostname: kind.graph.hostname(n), interfaces, ...(engine ? { engine } : {}) };
  });
  const links: GraphLink[] = topo.links.map((l) => {
    const endpoints = l.endpoints.map((e) => ({ node: e.node, interface: e.interface, short: graphOf(e.node)?.shortName(e.interface) ?? e.interface }));
    const subnets = [
      ...new Set(
        endpoints.flatMap((e) => {
          const a = nodes.find((n) => n.name === e.node)?.interfaces.find((i) => i.name === e.interface)?.address;
          return a ? [networkOf(a)] : [];
        }),
      ),
    ];
    return { name: l.name, subnets, endpoints };
  });
  return { name: topo.name, description: topo.description, nodes, links, tunnels };
}
