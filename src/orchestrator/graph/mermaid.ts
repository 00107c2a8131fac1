/**
 * The picture of a lab as Mermaid flowchart text, which GitHub, GitLab and
 * many Markdown viewers draw: paste it into a ```mermaid block.
 */
import { columnsOf, linkId, nodeId } from './layout.js';
import type { GraphModel } from './model.js';

const id = (kind: 'n' | 'l', name: string) => `${kind}_${name.replace(/-/g, '_')}`;

function label(s: string): string {
  return s.replace(/"/g, '#quot;');
}

export function renderMermaid(m: GraphModel): string {
  const lines = [`%% testbed lab ${m.name}${m.description ? `: ${m.description}` : ''}`, 'flowchart LR'];
  for (const n of m.nodes) {
    const parts = [
      `<b>${n.name}</b>${n.hostname && n.hostname !== n.name ? ` (${n.hostname})` : ''}`,
      n.engine ? `${n.kind} on ${n.engine}` : n.kind,
      ...n.interfaces.map((i) => `${i.short} ${i.address ?? 'unassigned'}`),
    ];
    lines.push(`  ${id('n', n.name)}["${label(parts.join('<br/>'))}"]`);
  }
  for (const l of m.links) lines.push(`  ${id('l', l.name)}(["${label([l.name, ...l.subnets].join('<br/>'))}"])`);
  // edges from the lower column to the higher, so Mermaid lays the lab out as the SVG does
  const { column } = columnsOf(m);
  for (const l of m.links) {
    for (const e of l.endpoints) {
      const nodeFirst = (column.get(nodeId(e.node)) ?? 0) < (column.get(linkId(l.name)) ?? 0);
      const [a, b] = nodeFirst ? [id('n', e.node), id('l', l.name)] : [id('l', l.name), id('n', e.node)];
      lines.push(`  ${a} ---|${label(e.short)}| ${b}`);
    }
  }
  for (const t of m.tunnels) {
    const text = `IPsec ${t.state}${t.flows.length ? `<br/>${t.flows.join('<br/>')}` : ''}`;
    lines.push(`  ${id('n', t.a)} -.-|"${label(text)}"| ${id('n', t.b)}`);
  }
  lines.push('  classDef router fill:#dbeafe,stroke:#1d4ed8', '  classDef host fill:#f1f5f9,stroke:#475569', '  classDef link fill:#fef3c7,stroke:#b45309');
  const routers = m.nodes.filter((n) => n.style === 'router').map((n) => id('n', n.name));
  const hosts = m.nodes.filter((n) => n.style === 'host').map((n) => id('n', n.name));
  if (routers.length) lines.push(`  class ${routers.join(',')} router`);
  if (hosts.length) lines.push(`  class ${hosts.join(',')} host`);
  if (m.links.length) lines.push(`  class ${m.links.map((l) => id('l', l.name)).join(',')} link`);
  return lines.join('\n') + '\n';
}
