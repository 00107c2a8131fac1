/**
 * NAT keepalives (RFC 3948 2.3) as a task of the ISAKMP SA: behind a NAT,
 * a one-byte 0xFF datagram on the UDP 4500 flow every `crypto isakmp nat
 * keepalive` seconds keeps the mapping open.
 */
import { Buffer } from 'node:buffer';
import type { IsakmpSa } from '../sa/isakmp-sa.js';
import type { IkeContext } from './context.js';
import type { Status, Task } from './exchange.js';

export class NatKeepalive implements Task {
  constructor(
    private readonly sa: IsakmpSa,
    /** When the next keepalive goes. */
    private nextAt: number,
  ) {}

  deadline(): number {
    return this.nextAt;
  }

  tick(ctx: IkeContext): Status {
    if (ctx.now < this.nextAt) return 'running';
    const sa = this.sa;
    ctx.out.push({ kind: 'send', from: sa.local, to: sa.remote, payload: Buffer.from([0xff]), connId: sa.connId });
    this.nextAt = ctx.now + (ctx.policy.natKeepaliveSeconds ?? 20) * 1000;
    return 'running';
  }

  abort(): void {}
}
