/**
 * The agent's control socket: how `testbed exec` reaches the router's
 * console. One connection is one console session: the client sends one JSON
 * request line, the agent answers with one JSON line and closes.
 */
import { createConnection, createServer, type Server } from 'node:net';
import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

export const CONTROL_SOCKET = '/run/testbed/agent.sock';

/** Queries for data, none of them an IOS command (see ControlRequest.query). */
export const CONTROL_QUERIES = ['keys', 'timeline', 'status', 'dh-pool', 'memory'] as const;
export type ControlQuery = (typeof CONTROL_QUERIES)[number];
export const DH_POOL_MODES = ['pooled', 'fresh'] as const;

/** Console lines to run as one session, or a request for data. */
export interface ControlRequest {
  lines?: string[];
  /**
   * 'keys': the key material of every SA, for Wireshark's tables; 'timeline': IPsec events with times;
   * benchmarks only: 'status': the background work after boot (warm-up, DH pool) and when it was over,
   * 'dh-pool': switch the DH pool (`mode`) and answer with the status;
   * the soak only: 'memory': the agent's memory (io/memory.ts), with a heap snapshot when `snapshot` is true,
   * after a malloc_trim when `trim` is true.
   */
  query?: ControlQuery;
  /** 'status': wait up to this many milliseconds for the router to be idle. */
  waitMs?: number;
  /** 'dh-pool': pooled (the router's behaviour) or fresh (a new key pair per exchange). */
  mode?: (typeof DH_POOL_MODES)[number];
  /** 'memory': also write a heap snapshot to a file in the container (its path is in the answer). */
  snapshot?: boolean;
  /** 'memory': give malloc's free pages back first (malloc_trim), and answer with the figures after it. */
  trim?: boolean;
}

/** Why a request is malformed, or null when it is well formed. */
export function controlRequestProblem(req: ControlRequest): string | null {
  if (req.query === undefined) {
    return Array.isArray(req.lines) && req.lines.every((l) => typeof l === 'string')
      ? null
      : `expected {"lines": [...]} or {"query": ${CONTROL_QUERIES.map((q) => `"${q}"`).join(' | ')}}`;
  }
  if (!(CONTROL_QUERIES as readonly string[]).includes(req.query)) return `unknown query "${String(req.query)}" (queries: ${CONTROL_QUERIES.join(', ')})`;
  if (req.waitMs !== undefined && !(Number.isInteger(req.waitMs) && req.waitMs >= 0 && req.waitMs <= 600_000))
    return 'waitMs must be an integer from 0 to 600000';
  if (req.query === 'dh-pool' && !(DH_POOL_MODES as readonly string[]).includes(req.mode as string))
    return `the dh-pool query needs a mode: ${DH_POOL_MODES.join(' or ')}`;
  for (const flag of ['snapshot', 'trim'] as const)
    if (req[flag] !== undefined && (req.query !== 'memory' || typeof req[flag] !== 'boolean')) return `${flag} is a boolean of the memory query`;
  return null;
}

export interface ControlReply {
  hostname: string;
  results: { prompt: string; line: string; output: string; error: boolean }[];
  data?: unknown;
}

export type Handler = (req: ControlRequest) => Promise<ControlReply>;

export async function serveControl(handler: Handler, path = CONTROL_SOCKET): Promise<Server> {
  await mkdir(dirname(path), { recursive: true });
  await rm(path, { force: true });
  const server = createServer((sock) => {
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('error', () => undefined);
    sock.on('data', (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl < 0) {
        if (buf.length > 1 << 20) sock.destroy();
        return;
      }
      const line = buf.slice(0, nl);
      buf = '';
      let req: ControlRequest;
      try {
        req = JSON.parse(line) as ControlRequest;
        const problem = controlRequestProblem(req);
        if (problem) throw new Error(problem);
      } catch (e) {
        sock.end(`${JSON.stringify({ error: `bad request: ${(e as Error).message}` })}\n`);
        return;
      }
      handler(req).then(
        (reply) => sock.end(`${JSON.stringify(reply)}\n`),
        (e: unknown) => sock.end(`${JSON.stringify({ error: (e as Error).message })}\n`),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  return server;
}

export function callControl(req: ControlRequest, path = CONTROL_SOCKET): Promise<ControlReply> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(path);
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(`${JSON.stringify(req)}\n`));
    sock.on('data', (c: string) => (buf += c));
    sock.on('error', (e) => reject(new Error(`the router agent is not answering on ${path}: ${e.message}`)));
    sock.on('end', () => {
      try {
        const reply = JSON.parse(buf) as ControlReply & { error?: string };
        if (reply.error) reject(new Error(reply.error));
        else resolve(reply);
      } catch {
        reject(new Error(`the router agent sent an unreadable reply: ${buf.slice(0, 200)}`));
      }
    });
  });
}
