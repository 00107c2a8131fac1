/**
 * Wireshark's key tables for a lab's captures, from the key journals of the
 * nodes that hold keys (contract/keys.ts: every ISAKMP and ESP SA a router
 * had, up to its bound). Written next to the pcaps (esp_sa, ikev1_decryption_table) and as a Wireshark
 * profile (wireshark/profiles/testbed/), so
 *
 *   WIRESHARK_CONFIG_DIR=artifacts/LAB/wireshark wireshark -C testbed artifacts/LAB/wan.pcap
 *
 * opens the WAN capture decrypted.
 */
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { espCipherOf, espIntegrityOf } from '../../contract/esp.js';
import { decodeKeyJournal, keyMaterialOf, type KeyMaterial } from '../../contract/keys.js';
import { builtinKinds } from '../../kinds/index.js';
import type { KindRegistry } from '../../kinds/registry.js';
import type { ContainerInfo, Engine } from '../docker/engine.js';
import {
  formatEspSaTable,
  formatIkev1DecryptionTable,
  writeWiresharkProfile,
  type EspSaKeyEntry,
  type Ikev1KeyEntry,
  type WiresharkKeys,
} from '../capture/wireshark.js';
import { KEYS_LABEL, KIND_LABEL, LAB_LABEL, OWNER_LABEL, OWNER_VALUE, ROLE_LABEL } from '../../contract/labels.js';

export const PROFILE_NAME = 'testbed';

/**
 * Read the key journal of every running node of a lab whose kind holds IPsec
 * keys (the routers); merged, one entry per SA. A node whose journal cannot
 * be read is named in `unread` with the reason.
 */
export async function collectKeys(engine: Engine, lab: string, kinds: KindRegistry = builtinKinds): Promise<WiresharkKeys & { unread: string[] }> {
  const nodes = (await engine.listContainers({ [OWNER_LABEL]: OWNER_VALUE, [LAB_LABEL]: lab, [ROLE_LABEL]: 'node' })).filter((c) => c.state === 'running');
  const { reports, unread } = await readJournals(engine, nodes, kinds);
  return { ...mergeKeys(reports), unread };
}

export interface JournalReports {
  reports: KeyMaterial[];
  /** Nodes whose journal could not be read, with the reason. */
  unread: string[];
}

/** The journal file of a node whose kind keeps one, or null. */
export function journalFile(c: ContainerInfo, kinds: KindRegistry = builtinKinds): string | null {
  return kinds.find(c.labels[KIND_LABEL])?.keysFile ?? null;
}

/** Where a node's journal would be on this machine (its directory bound here, KEYS_LABEL), or null: no bound directory. */
function hostJournalPath(c: ContainerInfo, kinds: KindRegistry): string | null {
  const dir = c.labels[KEYS_LABEL];
  const file = journalFile(c, kinds);
  return dir && file ? join(dir, basename(file)) : null;
}

/**
 * A node's journal as a file of this machine, or null when it is not here: the node has no bound directory,
 * or its engine is on another machine and the file is there.
 */
export async function hostJournal(c: ContainerInfo, kinds: KindRegistry = builtinKinds): Promise<string | null> {
  const path = hostJournalPath(c, kinds);
  if (!path) return null;
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Whether hostJournal would find the node's journal here, without reading it (`down` asks before the router is gone). */
export async function hasHostJournal(c: ContainerInfo, kinds: KindRegistry = builtinKinds): Promise<boolean> {
  const path = hostJournalPath(c, kinds);
  return (
    path !== null &&
    (await access(path).then(
      () => true,
      () => false,
    ))
  );
}

/**
 * The journals of these nodes (those whose kind keeps one): the file on this machine when there is one (no
 * request to Docker, and it outlives the container); otherwise, with `fromContainers`, one archive request
 * to a running container.
 */
export async function readJournals(
  engine: Engine,
  nodes: readonly ContainerInfo[],
  kinds: KindRegistry = builtinKinds,
  fromContainers = true,
): Promise<JournalReports> {
  const unread: string[] = [];
  const reports = await Promise.all(
    nodes.map(async (c) => {
      const file = journalFile(c, kinds);
      if (!file) return null;
      try {
        const text = (await hostJournal(c, kinds)) ?? (fromContainers && c.state === 'running' ? (await engine.readFile(c.id, file)).toString('utf8') : null);
        return text === null ? null : keyMaterialOf(decodeKeyJournal(text));
      } catch (e) {
        unread.push(`${c.name}: ${(e as Error).message}`);
        return null;
      }
    }),
  );
  return { reports: reports.filter((r): r is KeyMaterial => r !== null), unread: unread.sort() };
}

/** Both ends report every SA; keep one of each (by SPI and addresses, by initiator cookie). Pure. */
export function mergeKeys(reports: readonly KeyMaterial[]): WiresharkKeys {
  const esp = new Map<string, EspSaKeyEntry>();
  const ikev1 = new Map<string, Ikev1KeyEntry>();
  for (const r of reports) {
    for (const k of r.esp) {
      const encryptionKey = Buffer.from(k.encryptionKey, 'hex');
      const authenticationKey = Buffer.from(k.authenticationKey, 'hex');
      const cipher = espCipherOf(k.encryption, encryptionKey.length);
      const integrity = espIntegrityOf(k.authentication, authenticationKey.length);
      if (!cipher || !integrity) continue;
      // by both addresses: behind a NAT the two ends see one SA with different sources (the inside
      // address on the inside link, the NAT's outside): each view decrypts the capture of its side
      esp.set(`${k.src}>${k.dst}/${k.spi}`, { source: k.src, destination: k.dst, spi: Number(k.spi), cipher, integrity, encryptionKey, authenticationKey });
    }
    for (const k of r.isakmp)
      ikev1.set(k.initiatorCookie, { initiatorCookie: Buffer.from(k.initiatorCookie, 'hex'), encryptionKey: Buffer.from(k.encryptionKey, 'hex') });
  }
  return { esp: [...esp.values()], ikev1: [...ikev1.values()] };
}

export interface KeyTableFiles {
  espSa: string;
  ikev1: string;
  profileDir: string;
  configDir: string;
  esp: number;
  isakmp: number;
  /** Nodes whose keys could not be read, with the reason (their SAs are not in the tables). */
  unread: string[];
}

/** Write the tables next to the pcaps and as a Wireshark profile. */
export async function writeKeyTables(artifacts: string, keys: WiresharkKeys & { unread?: string[] }): Promise<KeyTableFiles> {
  await mkdir(artifacts, { recursive: true });
  const espSa = join(artifacts, 'esp_sa');
  const ikev1 = join(artifacts, 'ikev1_decryption_table');
  await writeFile(espSa, formatEspSaTable(keys.esp ?? []));
  await writeFile(ikev1, formatIkev1DecryptionTable(keys.ikev1 ?? []));
  const configDir = join(artifacts, 'wireshark');
  const profileDir = join(configDir, 'profiles', PROFILE_NAME);
  await writeWiresharkProfile(profileDir, keys);
  return { espSa, ikev1, profileDir, configDir, esp: keys.esp?.length ?? 0, isakmp: keys.ikev1?.length ?? 0, unread: keys.unread ?? [] };
}
