/** IOS `ping`, carried out with Linux ping one echo at a time, as IOS waits for each reply or timeout. */
import { spawn } from 'node:child_process';
import type { PingMark, PingReply } from '../../ios/index.js';

export interface PingRequest {
  target: string;
  repeat: number;
  /** IOS datagram size: the whole IP packet. */
  size: number;
  timeoutSeconds: number;
  source: string | null;
  dfBit: boolean;
}

function once(req: PingRequest): Promise<PingReply> {
  const args = ['-n', '-c', '1', '-W', String(req.timeoutSeconds), '-s', String(Math.max(0, req.size - 28))];
  if (req.source) args.push('-I', req.source);
  args.push('-M', req.dfBit ? 'do' : 'dont', req.target);
  return new Promise((resolve) => {
    const child = spawn('ping', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', () => resolve({ mark: '?' }));
    child.on('close', () => resolve(classify(out)));
  });
}

/** Reads one echo's outcome from iputils ping output. */
export function classify(output: string): PingReply {
  const ok = /bytes from [\d.]+: icmp_seq=\d+ ttl=\d+ time=([\d.]+) ms/.exec(output);
  if (ok) return { mark: '!', rttMs: Number(ok[1]) };
  if (/Time to live exceeded/i.test(output)) return { mark: '&' };
  if (/Frag needed|message too long/i.test(output)) return { mark: 'M' };
  if (/Unreachable/i.test(output)) return { mark: 'U' };
  if (/Source Quench/i.test(output)) return { mark: 'Q' };
  return { mark: '.' as PingMark };
}

export async function ping(req: PingRequest, onReply?: (r: PingReply) => void): Promise<PingReply[]> {
  const replies: PingReply[] = [];
  for (let i = 0; i < req.repeat; i++) {
    const r = await once(req);
    replies.push(r);
    onReply?.(r);
  }
  return replies;
}
