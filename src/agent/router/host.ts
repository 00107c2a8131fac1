/**
 * What the router needs from the container it runs in: the `ip` tool,
 * `iptables-restore`, the startup-config file, Linux ping and the link watcher. The one door between
 * Router and the system; the agent passes LINUX_HOST, and unit tests a fake
 * that records the commands and answers from a table.
 */
import { writeFile } from 'node:fs/promises';
import type { InterfaceBinding } from '../../contract/env.js';
import type { PingReply } from '../../ios/index.js';
import { readoptInterfaces, watchLinks } from '../io/interfaces.js';
import { ipBatch, ipJson, run, type RunResult } from '../io/system.js';
import { ping, type PingRequest } from './ping.js';

export interface RouterHost {
  /** `ip -j ARGS`, parsed. */
  ipJson<T>(args: string[]): Promise<T>;
  /** `ip -force -batch -`, one command per line. */
  ipBatch(commands: string[]): Promise<RunResult>;
  /** `iptables-restore --noflush`, the rules as its input. */
  iptablesRestore(text: string): Promise<RunResult>;
  writeFile(path: string, text: string): Promise<void>;
  ping(req: PingRequest): Promise<PingReply[]>;
  /** Adopt again the lab links that came back (renamed to their IOS devices); returns those adopted. */
  readoptInterfaces(bindings: InterfaceBinding[], linux: Map<string, string>): Promise<InterfaceBinding[]>;
  /** Call back whenever the container's links change; returns a stop function. */
  watchLinks(onChange: () => void): () => void;
}

export const LINUX_HOST: RouterHost = {
  ipJson,
  ipBatch: (commands) => ipBatch(commands),
  iptablesRestore: (text) => run('iptables-restore', ['--noflush'], text),
  writeFile: (path, text) => writeFile(path, text),
  ping: (req) => ping(req),
  readoptInterfaces,
  watchLinks,
};
