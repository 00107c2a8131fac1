/** A tun device through the project's native addon (images/router2600/addon/tun.c). */
import { closeSync } from 'node:fs';
import { loadAddon } from './addon.js';

interface Addon {
  open(name: string): { fd: number; name: string };
  start(fd: number, onPackets: (buf: Buffer, lengths: number[]) => void): object;
  stop(handle: object): void;
  stats(handle: object): { packets: number; batches: number; drops: number };
  write(fd: number, buf: Buffer): number;
}

let addon: Addon | undefined;

function load(): Addon {
  if (!addon) {
    const path = process.env.TESTBED_ADDON ?? '/opt/testbed/addon/tun.node';
    addon = loadAddon<Addon>(path);
  }
  return addon;
}

export class Tun {
  readonly fd: number;
  readonly name: string;
  private reader: object | undefined;
  /** Writes refused by the kernel (queue full and the like). */
  writeErrors = 0;

  constructor(name: string) {
    const { fd, name: actual } = load().open(name);
    this.fd = fd;
    this.name = actual;
  }

  /** Deliver packets read from the device, in batches, on the main thread. */
  start(onPacket: (packet: Buffer) => void): void {
    this.reader = load().start(this.fd, (buf, lengths) => {
      let off = 0;
      for (const len of lengths) {
        onPacket(buf.subarray(off, off + len));
        off += len;
      }
    });
  }

  /** Hand a packet to the kernel as if it had arrived on this interface. */
  write(packet: Buffer): boolean {
    const n = load().write(this.fd, packet);
    if (n < 0) {
      this.writeErrors++;
      return false;
    }
    return true;
  }

  /** Stop reading and close the device (a tun device without its file descriptor goes away). */
  close(): void {
    if (this.reader) load().stop(this.reader);
    this.reader = undefined;
    closeSync(this.fd);
  }

  stats(): { packets: number; batches: number; drops: number } {
    return this.reader ? load().stats(this.reader) : { packets: 0, batches: 0, drops: 0 };
  }
}
