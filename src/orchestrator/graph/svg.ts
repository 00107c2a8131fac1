/**
 * The picture of a lab as SVG, written by hand (no graphviz): routers and
 * hosts as boxes with their interfaces and addresses, links as pills with
 * their name and subnet, wires labelled with interface names, and IPsec
 * tunnels of a running lab as dashed arcs between routers.
 */
import { layout, linkId, nodeId, type Placed } from './layout.js';
import type { GraphModel } from './model.js';

const CHAR = 7.2; // average glyph width at 12px, for box sizes
const LINE = 16;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function nodeLines(m: GraphModel, name: string): string[] {
  const n = m.nodes.find((x) => x.name === name)!;
  return n.interfaces.map((i) => `${i.short}  ${i.address ?? 'unassigned'}`);
}

function textWidth(s: string, px = CHAR): number {
  return s.length * px;
}

/** Where the segment from the centre of `r` toward (tx, ty) leaves the box. */
function edgePoint(r: Placed, tx: number, ty: number): [number, number] {
  const dx = tx - r.x;
  const dy = ty - r.y;
  if (dx === 0 && dy === 0) return [r.x, r.y];
  const t = Math.min(dx ? r.width / 2 / Math.abs(dx) : Infinity, dy ? r.height / 2 / Math.abs(dy) : Infinity);
  return [r.x + dx * t, r.y + dy * t];
}

const f = (n: number) => (Math.round(n * 10) / 10).toString();

export function renderSvg(m: GraphModel): string {
  const sizes = {
    node: (name: string) => {
      const n = m.nodes.find((x) => x.name === name)!;
      const lines = nodeLines(m, name);
      const title = `${name}${n.hostname && n.hostname !== name ? ` (${n.hostname})` : ''}`;
      const width = Math.max(140, textWidth(title, 8) + 24, ...lines.map((l) => textWidth(l) + 24));
      return { width, height: 44 + lines.length * LINE };
    },
    link: (name: string) => {
      const l = m.links.find((x) => x.name === name)!;
      return { width: Math.max(96, textWidth(l.name, 8) + 32, ...l.subnets.map((s) => textWidth(s) + 32)), height: 30 + Math.max(1, l.subnets.length) * 14 };
    },
  };
  const tunnelSpace = m.tunnels.length ? 36 + m.tunnels.length * 34 : 0;
  const titleSpace = 30;
  const lay = layout(m, sizes, tunnelSpace + titleSpace);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f(lay.width)}" height="${f(lay.height)}" viewBox="0 0 ${f(lay.width)} ${f(lay.height)}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<title>${esc(`testbed lab ${m.name}`)}</title>`,
    `<desc>${esc(m.description ?? `${m.nodes.length} nodes, ${m.links.length} links`)}</desc>`,
    '<style>.wire{stroke:#64748b;stroke-width:2}.router rect{fill:#dbeafe;stroke:#1d4ed8}.host rect{fill:#f1f5f9;stroke:#475569}.link rect{fill:#fef3c7;stroke:#b45309}.tunnel{fill:none;stroke:#15803d;stroke-width:2.5;stroke-dasharray:8 5}.name{font-weight:bold;font-size:13px}.kind{fill:#475569;font-size:11px}.ifname{fill:#334155;font-size:11px}.tlabel{fill:#15803d;font-size:11px}</style>',
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="24" y="26" class="name">${esc(`lab ${m.name}`)}</text>`,
  );
  // wires first, boxes on top
  out.push('<g class="wires">');
  for (const l of m.links) {
    const pill = lay.items.get(linkId(l.name))!;
    for (const e of l.endpoints) {
      const box = lay.items.get(nodeId(e.node));
      if (!box) continue;
      const [x1, y1] = edgePoint(box, pill.x, pill.y);
      const [x2, y2] = edgePoint(pill, box.x, box.y);
      out.push(`<line class="wire" x1="${f(x1)}" y1="${f(y1)}" x2="${f(x2)}" y2="${f(y2)}"/>`);
      out.push(`<text class="ifname" x="${f((x1 + x2) / 2)}" y="${f((y1 + y2) / 2 - 6)}" text-anchor="middle">${esc(e.short)}</text>`);
    }
  }
  out.push('</g>');
  out.push('<g class="links">');
  for (const l of m.links) {
    const p = lay.items.get(linkId(l.name))!;
    out.push(
      `<g class="link" id="${esc(linkId(l.name))}"><rect x="${f(p.x - p.width / 2)}" y="${f(p.y - p.height / 2)}" width="${f(p.width)}" height="${f(p.height)}" rx="${f(p.height / 2)}"/>`,
    );
    out.push(`<text x="${f(p.x)}" y="${f(p.y - p.height / 2 + 19)}" text-anchor="middle" class="name">${esc(l.name)}</text>`);
    l.subnets.forEach((s, i) => out.push(`<text x="${f(p.x)}" y="${f(p.y - p.height / 2 + 34 + i * 14)}" text-anchor="middle" class="kind">${esc(s)}</text>`));
    out.push('</g>');
  }
  out.push('</g>');
  out.push('<g class="nodes">');
  for (const n of m.nodes) {
    const p = lay.items.get(nodeId(n.name))!;
    const left = p.x - p.width / 2;
    const top = p.y - p.height / 2;
    const cls = n.style;
    out.push(`<g class="${cls}" id="${esc(nodeId(n.name))}"><rect x="${f(left)}" y="${f(top)}" width="${f(p.width)}" height="${f(p.height)}" rx="6"/>`);
    out.push(
      `<text x="${f(left + 12)}" y="${f(top + 18)}" class="name">${esc(n.name)}${n.hostname && n.hostname !== n.name ? ` <tspan class="kind">(${esc(n.hostname)})</tspan>` : ''}</text>`,
    );
    out.push(`<text x="${f(left + 12)}" y="${f(top + 33)}" class="kind">${esc(n.engine ? `${n.kind} on ${n.engine}` : n.kind)}</text>`);
    nodeLines(m, n.name).forEach((line, i) => out.push(`<text x="${f(left + 12)}" y="${f(top + 50 + i * LINE)}">${esc(line)}</text>`));
    out.push('</g>');
  }
  out.push('</g>');
  if (m.tunnels.length) {
    out.push('<g class="tunnels">');
    m.tunnels.forEach((t, k) => {
      const a = lay.items.get(nodeId(t.a));
      const b = lay.items.get(nodeId(t.b));
      if (!a || !b) return;
      const [ax, ay] = [a.x, a.y - a.height / 2];
      const [bx, by] = [b.x, b.y - b.height / 2];
      // a cubic with both control points at cy peaks at 3/4 cy + 1/4 of the ends
      const peak = titleSpace + 30 + k * 34;
      const cy = (peak - (ay + by) / 8) / 0.75;
      out.push(`<path class="tunnel" d="M ${f(ax)} ${f(ay)} C ${f(ax)} ${f(cy)}, ${f(bx)} ${f(cy)}, ${f(bx)} ${f(by)}"/>`);
      const label = `IPsec ${t.state}${t.flows.length ? `: ${t.flows.join(', ')}` : ''}`;
      out.push(`<text class="tlabel" x="${f((ax + bx) / 2)}" y="${f(peak - 6)}" text-anchor="middle">${esc(label)}</text>`);
    });
    out.push('</g>');
  }
  out.push('</svg>', '');
  return out.join('\n');
}
