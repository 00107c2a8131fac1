/** The one place where command results become text (or JSON). */
import type { LabImage, PruneResult } from '../image/prune.js';
import type { DownResult, ExecOutput, LabInfo } from '../lab/lifecycle.js';

export function table(rows: string[][], header: string[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}

export function renderLab(lab: LabInfo): string {
  const rows: string[][] = [];
  for (const n of lab.nodes) {
    const ifaces = n.interfaces.length ? n.interfaces : [{ name: '-', link: null, address: null }];
    ifaces.forEach((i, k) => rows.push([k === 0 ? n.name : '', k === 0 ? n.kind : '', k === 0 ? n.state : '', i.name, i.address ?? 'unassigned', i.link ?? '-']));
  }
  let out = `lab ${lab.name}  (${lab.topology || 'topology unknown'})\n\n`;
  out += table(rows, ['NODE', 'KIND', 'STATE', 'INTERFACE', 'ADDRESS', 'LINK']);
  out += '\n';
  out += table(
    lab.links.map((l) => [l.name, l.bridge, l.subnet, l.endpoints.join(' '), l.pcap ?? '-']),
    ['LINK', 'BRIDGE', 'DOCKER SUBNET', 'ENDPOINTS', 'PCAP'],
  );
  if (lab.artifacts) out += `\nartifacts: ${lab.artifacts}\n`;
  if (lab.warnings.length) out += `\nconfiguration lines the routers refused (they run without them), undefined names (${lab.warnings.length}):\n${lab.warnings.map((w) => `  ${w}`).join('\n')}\n`;
  const notEmulated = lab.notEmulated ?? [];
  if (notEmulated.length) out += `\nconfiguration lines accepted but not emulated (${notEmulated.length}):\n${notEmulated.map((w) => `  ${w}`).join('\n')}\n`;
  return out;
}

export function renderLabs(labs: LabInfo[]): string {
  if (labs.length === 0) return 'no labs are up\n';
  return labs.map(renderLab).join('\n');
}

export function renderDown(r: DownResult): string {
  if (r.containers + r.networks + r.firewallRules === 0) return r.labs.length ? `lab ${r.labs.join(', ')}: nothing to remove\n` : 'nothing to remove\n';
  return `removed ${r.labs.length ? `lab ${r.labs.join(', ')}: ` : ''}${r.containers} containers, ${r.networks} networks, ${r.firewallRules} firewall rules\n`;
}

export function renderExec(r: ExecOutput): { stdout: string; stderr: string } {
  return { stdout: r.stdout, stderr: r.stderr };
}

export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Sizes as docker images prints them (decimal units). */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(n < 10 ? 1 : 0)} ${units[i]}`;
}

function imageState(i: LabImage): string {
  if (i.usedBy.length > 0) return `in use (${i.usedBy.join(', ')})`;
  return i.current ? 'current' : 'old';
}

export function renderImages(images: LabImage[]): string {
  if (images.length === 0) return 'no lab images on this machine\n';
  return table(
    images.map((i) => [i.tag, i.role, formatBytes(i.size), new Date(i.created * 1000).toISOString().replace(/\.\d+Z$/, 'Z'), imageState(i)]),
    ['IMAGE', 'ROLE', 'SIZE', 'CREATED', 'STATE'],
  );
}

export function renderPrune(r: PruneResult): string {
  let out = r.removed.length === 0 ? 'no lab image to remove\n' : r.removed.map((i) => `removed ${i.tag}\n`).join('');
  if (r.removed.length > 0) out += `${r.removed.length} image${r.removed.length === 1 ? '' : 's'} removed (up to ${formatBytes(r.bytes)}; layers they share with kept images stay)\n`;
  for (const k of r.kept) out += `kept ${k.image.tag}: ${k.why}\n`;
  return out;
}
