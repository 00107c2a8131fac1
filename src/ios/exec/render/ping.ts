/** `ping` output: the banner, one character per echo (70 per line), the success rate. */
import type { Ipv4 } from '../../../codecs/net/address.js';

/** '!' reply, '.' timeout, 'U' unreachable, 'Q' source quench, 'M' could not fragment, '?' unknown, '&' TTL exceeded. */
export type PingMark = '!' | '.' | 'U' | 'Q' | 'M' | '?' | '&';

export interface PingReply {
  mark: PingMark;
  /** Round-trip time for '!' replies. */
  rttMs?: number;
}

export interface PingResult {
  target: Ipv4;
  repeat: number;
  size: number;
  timeoutSeconds: number;
  /** Printed when the user gave `source`. */
  source: Ipv4 | null;
  replies: readonly PingReply[];
}

export function renderPingHeader(r: Pick<PingResult, 'target' | 'repeat' | 'size' | 'timeoutSeconds' | 'source'>): string {
  const lines = ['Type escape sequence to abort.', `Sending ${r.repeat}, ${r.size}-byte ICMP Echos to ${r.target}, timeout is ${r.timeoutSeconds} seconds:`];
  if (r.source !== null) lines.push(`Packet sent with a source address of ${r.source} `);
  return lines.join('\n') + '\n';
}

export function renderPingSummary(replies: readonly PingReply[]): string {
  const ok = replies.filter((r) => r.mark === '!');
  const total = replies.length;
  const percent = total === 0 ? 0 : Math.floor((100 * ok.length) / total);
  let line = `Success rate is ${percent} percent (${ok.length}/${total})`;
  if (ok.length > 0) {
    const rtts = ok.map((r) => Math.max(0, Math.round(r.rttMs ?? 0)));
    const sum = rtts.reduce((a, b) => a + b, 0);
    line += `, round-trip min/avg/max = ${Math.min(...rtts)}/${Math.floor(sum / rtts.length)}/${Math.max(...rtts)} ms`;
  }
  return line + '\n';
}

export function renderPing(r: PingResult): string {
  const marks = r.replies.map((x) => x.mark).join('');
  const rows: string[] = [];
  for (let i = 0; i < marks.length; i += 70) rows.push(marks.slice(i, i + 70));
  return renderPingHeader(r) + (rows.length ? rows.join('\n') + '\n' : '') + renderPingSummary(r.replies);
}
