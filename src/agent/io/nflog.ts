/**
 * NFLOG: the packets an iptables `-j NFLOG --nflog-group G` rule copies to
 * user space, read from a netfilter netlink socket (opened by the tun addon,
 * images/router2600/addon/tun.c, and read on Node's event loop like a tun
 * device). The agent listens for the access list lines that have `log`
 * (acl-rules.ts). The message layouts are Linux's
 * (include/uapi/linux/netfilter/nfnetlink_log.h); building and parsing them
 * is pure, the socket is the edge.
 */
import { loadAddon } from './addon.js';

const NETLINK_NETFILTER = 12;
const NFNL_SUBSYS_ULOG = 4;
const NFULNL_MSG_PACKET = 0;
const NFULNL_MSG_CONFIG = 1;
const NFULA_CFG_CMD = 1;
const NFULA_CFG_MODE = 2;
const NFULNL_CFG_CMD_BIND = 1;
const NFULNL_COPY_PACKET = 2;
const NLM_F_REQUEST = 1;
const NLM_F_ACK = 4;
const NLMSG_ERROR = 2;

const NFULA_IFINDEX_INDEV = 4;
const NFULA_IFINDEX_OUTDEV = 5;
const NFULA_HWADDR = 8;
const NFULA_PAYLOAD = 9;
const NFULA_PREFIX = 10;

export interface NflogPacket {
  prefix: string;
  /** Linux interface indexes, when the packet had them. */
  indev: number | null;
  outdev: number | null;
  /** The sender's hardware address (Ethernet), when the kernel gave it. */
  hwaddr: Buffer | null;
  /** The IPv4 packet (up to the copy range). */
  payload: Buffer;
}

function attribute(type: number, data: Buffer): Buffer {
  const len = 4 + data.length;
  const out = Buffer.alloc((len + 3) & ~3);
  out.writeUInt16LE(len, 0);
  out.writeUInt16LE(type, 2);
  data.copy(out, 4);
  return out;
}

function configMessage(group: number, attr: Buffer, seq: number): Buffer {
  const body = Buffer.concat([Buffer.from([2 /* AF_INET */, 0, group >> 8, group & 0xff]), attr]);
  const hdr = Buffer.alloc(16);
  hdr.writeUInt32LE(16 + body.length, 0);
  hdr.writeUInt16LE((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG, 4);
  hdr.writeUInt16LE(NLM_F_REQUEST | NLM_F_ACK, 6);
  hdr.writeUInt32LE(seq, 8);
  hdr.writeUInt32LE(0, 12);
  return Buffer.concat([hdr, body]);
}

/** Bind to a group and ask for the packets (the first `copyRange` bytes of each). */
export function nflogConfig(group: number, copyRange: number): Buffer[] {
  const mode = Buffer.alloc(6);
  mode.writeUInt32BE(copyRange, 0);
  mode[4] = NFULNL_COPY_PACKET;
  return [configMessage(group, attribute(NFULA_CFG_CMD, Buffer.from([NFULNL_CFG_CMD_BIND])), 1), configMessage(group, attribute(NFULA_CFG_MODE, mode), 2)];
}

/** The errors the kernel answered to configuration messages (0: acknowledged). */
export function nflogAcks(datagram: Buffer): number[] {
  const out: number[] = [];
  for (let off = 0; off + 16 <= datagram.length;) {
    const len = datagram.readUInt32LE(off);
    if (len < 16 || off + len > datagram.length) break;
    if (datagram.readUInt16LE(off + 4) === NLMSG_ERROR && len >= 20) out.push(Math.abs(datagram.readInt32LE(off + 16)));
    off += (len + 3) & ~3;
  }
  return out;
}

/** The packets in one netlink datagram (other messages are skipped). Never throws. */
export function parseNflog(datagram: Buffer): NflogPacket[] {
  const out: NflogPacket[] = [];
  for (let off = 0; off + 16 <= datagram.length;) {
    const len = datagram.readUInt32LE(off);
    if (len < 16 || off + len > datagram.length) break;
    if (datagram.readUInt16LE(off + 4) === ((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET)) {
      const p: NflogPacket = { prefix: '', indev: null, outdev: null, hwaddr: null, payload: Buffer.alloc(0) };
      for (let a = off + 20; a + 4 <= off + len;) {
        const alen = datagram.readUInt16LE(a);
        const type = datagram.readUInt16LE(a + 2) & 0x7fff;
        if (alen < 4 || a + alen > off + len) break;
        const data = datagram.subarray(a + 4, a + alen);
        if (type === NFULA_PREFIX) p.prefix = data.toString('latin1').replace(/\0.*$/s, '');
        else if (type === NFULA_IFINDEX_INDEV && data.length >= 4) p.indev = data.readUInt32BE(0);
        else if (type === NFULA_IFINDEX_OUTDEV && data.length >= 4) p.outdev = data.readUInt32BE(0);
        else if (type === NFULA_HWADDR && data.length >= 4) p.hwaddr = Buffer.from(data.subarray(4, 4 + data.readUInt16BE(0)));
        else if (type === NFULA_PAYLOAD) p.payload = Buffer.from(data);
        a += (alen + 3) & ~3;
      }
      out.push(p);
    }
    off += (len + 3) & ~3;
  }
  return out;
}

interface Addon {
  netlink(protocol: number): number;
  start(fd: number, onPackets: (buf: Buffer, lengths: number[]) => void): object;
  write(fd: number, buf: Buffer): number;
}

/**
 * Listen to an NFLOG group; `onPacket` gets each packet; problems go to
 * `onError`. Keep the returned handle: the reader stops when it is garbage
 * collected (the addon's finalizer).
 */
export function listenNflog(group: number, onPacket: (p: NflogPacket) => void, onError: (message: string) => void): object {
  const addon = loadAddon<Addon>(process.env.TESTBED_ADDON ?? '/opt/testbed/addon/tun.node');
  const fd = addon.netlink(NETLINK_NETFILTER);
  const reader = addon.start(fd, (buf, lengths) => {
    let off = 0;
    for (const len of lengths) {
      const d = buf.subarray(off, off + len);
      off += len;
      for (const err of nflogAcks(d)) if (err !== 0) onError(`NFLOG group ${group}: the kernel refused the configuration (errno ${err})`);
      for (const p of parseNflog(d)) onPacket(p);
    }
  });
  for (const m of nflogConfig(group, 256)) if (addon.write(fd, m) < 0) onError(`NFLOG group ${group}: could not configure the socket`);
  return reader;
}
