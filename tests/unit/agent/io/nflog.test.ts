/**
 * The NFLOG messages the agent exchanges with the kernel: the configuration
 * it sends (bind a group, copy packets), the acknowledgements, and the
 * packets it gets, built and parsed byte by byte (include/uapi/linux/netfilter/nfnetlink_log.h).
 */
import test from 'ava';
import { nflogAcks, nflogConfig, parseNflog } from '../../../../src/agent/io/nflog.js';

function attr(type: number, data: Buffer): Buffer {
  const b = Buffer.alloc((4 + data.length + 3) & ~3);
  b.writeUInt16LE(4 + data.length, 0);
  b.writeUInt16LE(type, 2);
  data.copy(b, 4);
  return b;
}

function message(type: number, body: Buffer): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt32LE(16 + body.length, 0);
  h.writeUInt16LE(type, 4);
  return Buffer.concat([h, body]);
}

test('the configuration: bind to the group, then copy packets up to the range; requests that ask for an acknowledgement', (t) => {
  const [bind, mode] = nflogConfig(7, 256);
  t.is(bind!.toString('hex'), '1c000000010405000100000000000000' + '02000007' + '0500010001000000');
  t.is(mode!.readUInt16LE(4), 0x0401);
  t.is(mode!.subarray(20).toString('hex'), '0a000200' + '00000100' + '02000000');
});

test('acknowledgements: the error code of each NLMSG_ERROR, 0 for success', (t) => {
  const ok = message(2, Buffer.alloc(4 + 16));
  const refused = message(2, Buffer.concat([Buffer.from([0xea, 0xff, 0xff, 0xff]), Buffer.alloc(16)]));
  t.deepEqual(nflogAcks(Buffer.concat([ok, refused])), [0, 22]);
});

test('a packet: prefix, interfaces, hardware address and payload; other messages and truncated attributes are skipped', (t) => {
  const ifindex = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const hw = Buffer.from([0, 6, 0, 0, 0x00, 0x50, 0x56, 0xc0, 0x00, 0x01, 0, 0]);
  const payload = Buffer.from('4500001c', 'hex');
  const body = Buffer.concat([Buffer.from([2, 0, 0, 7]), attr(10, Buffer.from('acl 0 40\0')), attr(4, ifindex(3)), attr(8, hw), attr(9, payload)]);
  const packets = parseNflog(Buffer.concat([message(0x0400, body), message(0x0401, Buffer.alloc(4))]));
  t.is(packets.length, 1);
  t.deepEqual(
    { ...packets[0]!, hwaddr: packets[0]!.hwaddr?.toString('hex'), payload: packets[0]!.payload.toString('hex') },
    { prefix: 'acl 0 40', indev: 3, outdev: null, hwaddr: '005056c00001', payload: '4500001c' },
  );
  t.deepEqual(parseNflog(Buffer.from([1, 2, 3])), []);
  const truncated = message(0x0400, Buffer.concat([Buffer.from([2, 0, 0, 7]), Buffer.from([50, 0, 10, 0])]));
  t.deepEqual(
    parseNflog(truncated).map((p) => p.prefix),
    [''],
  );
});
