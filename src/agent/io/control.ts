/**
 * The agent's control socket: how `testbed exec` reaches the router's
 * console. One connection is one console session: the client sends one JSON
 * request line, the agent answers with one JSON line and closes.
 */
import { createConnection, createServer, type Server } from 'node:net';
import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

export const CONTROL_SOCKET = '/run/testbed/agent.sock';

/** Console lines to run as one session, or a request for data. */
export interface ControlRequest {
  lines?: string[];
  /** 'keys': the key material of every SA, for Wireshark's tables; 'timeline': IPsec events with times. */
  query?: 'keys' | 'timeline';
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
        const linesOk = Array.isArray(req.lines) && req.lines.every((l) => typeof l === 'string');
        if (!linesOk && req.query !== 'keys' && req.query !== 'timeline') throw new Error('expected {"lines": [...]} or {"query": "keys" | "timeline"}');
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
