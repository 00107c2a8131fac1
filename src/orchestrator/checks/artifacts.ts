/**
 * The artifacts folder of a test run: every node's console (the routers'
 * log and debug lines), the routers' final show output, the hosts'
 * addresses and routes, the pcaps of every link, and the reports.
 *
 *   <run>/report.txt  report.json  junit.xml
 *   <run>/<link>.pcap  esp_sa  ikev1_decryption_table  wireshark/ (a profile that decrypts the pcaps)
 *   <run>/nodes/<router>.show.txt  <router>.console.log  <host>.txt  <host>.console.log
 *   (what each node's file holds, its kind says: src/kinds/<kind>/kind.ts artifacts)
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Lab } from '../lab/lab.js';
import { writeKeyTables } from '../lab/keys.js';
import { findNode } from '../lab/inventory.js';
import type { Topology } from '../topology/types.js';
import { formatJunit } from './report/junit.js';
import { formatReport } from './report/text.js';
import type { RunSummary } from './results.js';

/** Collect the lab's state into `dir`; returns the files written. A node that cannot be read is noted in its file. */
export async function collectLabArtifacts(lab: Lab, topology: Topology, dir: string): Promise<string[]> {
  const nodesDir = join(dir, 'nodes');
  await mkdir(nodesDir, { recursive: true });
  const written: string[] = [];
  const write = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text);
    written.push(path);
  };
  await Promise.all(
    topology.nodes.map(async (node) => {
      // the node's kind says what to keep of it (show commands on routers, addresses and routes elsewhere)
      const { commands, prompt, suffix } = topology.kinds.of(node).artifacts;
      let text = '';
      for (const cmd of commands) {
        const r = await lab.exec(node.name, cmd).catch((e: unknown) => ({ stdout: '', stderr: `(${(e as Error).message})\n`, exitCode: -1 }));
        text += `${node.name}${prompt} ${cmd}\n${r.stdout}${r.stderr}${r.stdout.endsWith('\n') || !r.stdout ? '' : '\n'}\n`;
      }
      await write(`nodes/${node.name}${suffix}`, text);
      const consoleText = await findNode(lab.engine, lab.name, node.name)
        .then((c) => lab.engine.logs(c.id))
        .catch((e: unknown) => `(console not available: ${(e as Error).message})\n`);
      await write(`nodes/${node.name}.console.log`, consoleText);
    }),
  );
  // Wireshark's key tables for the pcaps (down writes them into the lab's folder too)
  const keys = await writeKeyTables(dir, await lab.keys());
  written.push(keys.espSa, keys.ikev1);
  for (const link of lab.info.links) {
    if (!link.pcap) continue;
    const target = join(dir, `${link.name}.pcap`);
    if (resolve(link.pcap) === resolve(target)) {
      written.push(target);
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    await copyFile(link.pcap, target).then(
      () => written.push(target),
      () => undefined,
    );
  }
  return written;
}

/** report.txt, report.json and junit.xml. */
export async function writeReports(summary: RunSummary, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: [string, string][] = [
    ['report.txt', formatReport(summary)],
    ['report.json', `${JSON.stringify(summary, null, 2)}\n`],
    ['junit.xml', formatJunit(summary)],
  ];
  for (const [name, text] of files) await writeFile(join(dir, name), text);
  return files.map(([name]) => join(dir, name));
}
