/**
 * One IKEv1 exchange between a testbed router and strongSwan, as known-answer data: the
 * inputs (cookies, nonces, public values, SA and ID bodies, message IDs, payloads) and
 * what strongSwan computed from them (SKEYID..., Ka, IVs, HASH_I/R, HASH(1..3), KEYMAT,
 * NAT-D), taken from charon's log (levels ike 4, enc 3, chd 4) and, for the phase-1
 * messages that travel in clear, from the WAN capture. Pure: log entries and packets in,
 * a JSON-ready record out; every input that two sources give is checked to agree.
 */
import type { CapturedPacket } from '../../src/orchestrator/index.js';
import type { CharonEntry } from './charon-log.js';
import { chainEnd, walkPayloads, withoutMarker } from './isakmp-walk.js';

const ISAKMP_ID = 5;
const ISAKMP_HASH = 8;
const ISAKMP_KE = 4;
const ISAKMP_NONCE = 10;
const ISAKMP_NATD = 20;
const ISAKMP_SA = 1;

export interface CryptMessage {
  readonly exchange: string;
  readonly messageId: number;
  /** strongSwan's summary, e.g. "HASH SA No ID ID". */
  readonly payloads: string;
  readonly sender: 'strongSwan' | 'router';
  readonly ciphertext: string;
  /** The whole decrypted body, padding included (as long as the ciphertext). */
  readonly plaintext: string;
}

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new Error(`strongSwan's log lacks ${what}`);
  return v;
}

const hexOf = (b: Buffer) => b.toString('hex');

/** The encrypted messages of one IKE_SA, in log order, with ciphertext and full plaintext. */
function cryptMessages(entries: readonly CharonEntry[]): CryptMessage[] {
  const out: CryptMessage[] = [];
  let generating: RegExpExecArray | null = null;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const gen = /^generating (\w+) (?:request|response) (\d+) \[ (.*) \]$/.exec(e.text);
    if (gen) generating = gen;
    if (e.text === 'decrypting payloads:') {
      const enc = need(
        entries.slice(i).find((x) => x.text === 'encrypted' && x.bytes),
        'a decrypted message',
      ).bytes!;
      const plain = need(
        entries.slice(i).find((x) => x.text === 'plain' && x.bytes),
        'a decrypted message',
      ).bytes!;
      const parsed = need(
        entries
          .slice(i)
          .map((x) => /^parsed (\w+) (?:request|response) (\d+) \[ (.*) \]$/.exec(x.text))
          .find((m): m is RegExpExecArray => m !== null),
        'a parsed line',
      );
      out.push({ exchange: parsed[1]!, messageId: Number(parsed[2]), payloads: parsed[3]!, sender: 'router', ciphertext: hexOf(enc), plaintext: hexOf(plain) });
    }
    if (e.text === 'encrypting payloads:') {
      const g = need(generating ?? undefined, 'the generating line of a sent message');
      const after = entries.slice(i);
      const plain = need(
        after.find((x) => x.text === 'plain' && x.bytes),
        'plain',
      ).bytes!;
      const padding = need(
        after.find((x) => x.text === 'padding' && x.bytes),
        'padding',
      ).bytes!;
      const enc = need(
        after.find((x) => x.text === 'encrypted' && x.bytes),
        'encrypted',
      ).bytes!;
      out.push({
        exchange: g[1]!,
        messageId: Number(g[2]),
        payloads: g[3]!,
        sender: 'strongSwan',
        ciphertext: hexOf(enc),
        plaintext: hexOf(Buffer.concat([plain, padding])),
      });
    }
  }
  return out;
}

/** The clear-text Main Mode messages of the IKE SA with initiator cookie `ckyI`, once each, in capture order. */
function clearMainMode(wan: readonly CapturedPacket[], ckyI: Buffer): { from: string; message: Buffer }[] {
  const seen = new Set<string>();
  const out: { from: string; message: Buffer }[] = [];
  for (const p of wan) {
    if (!p.isakmp || p.isakmp.exchangeType !== 2 || p.isakmp.encrypted || p.isakmp.initiatorCookie !== hexOf(ckyI)) continue;
    const m = withoutMarker(p.payload!, p.sport!);
    if (seen.has(hexOf(m))) continue;
    seen.add(hexOf(m));
    out.push({ from: p.src!, message: m });
  }
  return out;
}

function payloadsOf(message: Buffer): ReturnType<typeof walkPayloads> {
  return walkPayloads(message[16]!, message.subarray(28));
}

export interface ExchangeInput {
  readonly entries: readonly CharonEntry[];
  readonly wan: readonly CapturedPacket[];
  /** Size of the phase-1 group's public values, bytes. */
  readonly groupSize: number;
  readonly routerAddress: string;
}

export function exchangeRecord(x: ExchangeInput): Record<string, unknown> {
  const dumps = x.entries.filter((e) => e.bytes);
  const one = (text: string) => {
    const found = dumps.filter((e) => e.text === text);
    if (found.length !== 1) throw new Error(`strongSwan's log has ${found.length} "${text}" for one IKE_SA, expected 1`);
    return found[0]!.bytes!;
  };
  const first = (text: string) =>
    need(
      dumps.find((e) => e.text === text),
      `"${text}"`,
    ).bytes!;
  const initiator = x.entries.some((e) => /^initiating Main Mode IKE_SA/.test(e.text)) ? 'strongSwan' : 'router';

  // phase 1: strongSwan's HASH_I data is g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b
  const messages = cryptMessages(x.entries);
  const mm = messages.filter((m) => m.exchange === 'ID_PROT');
  if (mm.length !== 2) throw new Error(`expected Main Mode messages 5 and 6 encrypted, found ${mm.length}`);
  const idiiB = walkPayloads(ISAKMP_ID, Buffer.from(mm[0]!.plaintext, 'hex'))[0]!.body;
  const idirB = walkPayloads(ISAKMP_ID, Buffer.from(mm[1]!.plaintext, 'hex'))[0]!.body;
  const dataI = one('HASH_I data');
  const s = x.groupSize;
  const gxi = dataI.subarray(0, s);
  const gxr = dataI.subarray(s, 2 * s);
  const ckyI = dataI.subarray(2 * s, 2 * s + 8);
  const ckyR = dataI.subarray(2 * s + 8, 2 * s + 16);
  const saiB = dataI.subarray(2 * s + 16, dataI.length - idiiB.length);
  if (!dataI.subarray(dataI.length - idiiB.length).equals(idiiB)) throw new Error('HASH_I data does not end with IDii_b');
  const dataR = one('HASH_R data');
  if (!dataR.equals(Buffer.concat([gxr, gxi, ckyR, ckyI, saiB, idirB]))) throw new Error('HASH_R data is not g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b');

  // the clear messages: SAi_b in message 1, KE and nonces in 3 and 4
  const clear = clearMainMode(x.wan, ckyI);
  if (clear.length !== 4) throw new Error(`expected Main Mode messages 1-4 in clear on the WAN, found ${clear.length}`);
  const sa = payloadsOf(clear[0]!.message).find((p) => p.type === ISAKMP_SA)!;
  if (!sa.body.equals(saiB)) throw new Error("message 1's SA body is not HASH_I's SAi_b");
  const m3 = payloadsOf(clear[2]!.message);
  const m4 = payloadsOf(clear[3]!.message);
  const body = (list: typeof m3, type: number) =>
    need(
      list.find((p) => p.type === type),
      `payload ${type}`,
    ).body;
  if (!body(m3, ISAKMP_KE).equals(gxi) || !body(m4, ISAKMP_KE).equals(gxr)) throw new Error('KE payloads differ from HASH_I data');
  const natdOnWire = [...m3, ...m4].filter((p) => p.type === ISAKMP_NATD).map((p) => hexOf(p.body));

  // strongSwan's NAT-D inputs (CKY-I | CKY-R | address | port) and hashes, in pairs
  const natd: { input: string; hash: string }[] = [];
  dumps.forEach((e, i) => {
    if (e.text === 'natd_chunk' && dumps[i + 1]?.text === 'natd_hash') natd.push({ input: hexOf(e.bytes!), hash: hexOf(dumps[i + 1]!.bytes!) });
  });
  if (!natd.some((n) => natdOnWire.includes(n.hash))) throw new Error('none of the NAT-D hashes strongSwan computed is on the wire');

  // Quick Mode: the first one of this IKE_SA
  const qm = messages.filter((m) => m.exchange === 'QUICK_MODE');
  const mid = need(qm[0], 'a Quick Mode').messageId;
  const qms = qm.filter((m) => m.messageId === mid);
  if (qms.length !== 3) throw new Error(`expected three Quick Mode messages with message ID ${mid}, found ${qms.length}`);
  const ivs = x.entries
    .filter((e) => e.bytes && /^next IV for MID \d+$/.test(e.text))
    .map((e) => ({ mid: Number(/(\d+)$/.exec(e.text)![1]), iv: e.bytes!, line: e.line }));
  const qmIvs = ivs.filter((v) => v.mid === mid);
  const firstQmLine = qmIvs[0]!.line;
  const p1Ivs = ivs.filter((v) => v.mid === 0 && v.line < firstQmLine);
  const plain1 = Buffer.from(qms[0]!.plaintext, 'hex');
  const plain2 = Buffer.from(qms[1]!.plaintext, 'hex');
  const q1 = walkPayloads(ISAKMP_HASH, plain1);
  const q2 = walkPayloads(ISAKMP_HASH, plain2);
  const niB = q1.find((p) => p.type === ISAKMP_NONCE)!.body;
  const nrB = q2.find((p) => p.type === ISAKMP_NONCE)!.body;
  const keI = q1.find((p) => p.type === ISAKMP_KE)?.body;
  const keR = q2.find((p) => p.type === ISAKMP_KE)?.body;
  const pfsShared = dumps.find((e) => e.group === 'CHD' && e.text === 'DH secret')?.bytes;
  const seedI = one('initiator SA seed');
  const seedR = one('responder SA seed');
  const pfsLength = pfsShared?.length ?? 0;
  const spiR = seedI.subarray(pfsLength + 1, pfsLength + 5);
  const spiI = seedR.subarray(pfsLength + 1, pfsLength + 5);
  const tail = Buffer.concat([niB, nrB]);
  for (const [seed, spi] of [
    [seedI, spiR],
    [seedR, spiI],
  ] as const) {
    if (!seed.equals(Buffer.concat([pfsShared ?? Buffer.alloc(0), Buffer.from([3]), spi, tail])))
      throw new Error("an SA seed is not [g(qm)^xy |] 3 | SPI | Ni_b | Nr_b with Quick Mode's nonces");
  }

  // Informational exchanges (the router's Deletes after `clear crypto sa` / `clear crypto isakmp`)
  const informational = messages
    .filter((m) => m.exchange === 'INFORMATIONAL_V1' && m.sender === 'router')
    .map((m) => {
      const at = x.entries.findIndex((e) => e.text === `parsed INFORMATIONAL_V1 request ${m.messageId} [ ${m.payloads} ]`);
      const hash = need(
        x.entries.slice(at).find((e) => e.text === 'Hash' && e.bytes),
        `the Hash of Informational ${m.messageId}`,
      ).bytes!;
      const plain = Buffer.from(m.plaintext, 'hex');
      const chain = walkPayloads(ISAKMP_HASH, plain);
      if (!chain[0]!.body.equals(hash)) throw new Error(`Informational ${m.messageId}: the router's HASH is not the one strongSwan computed`);
      const iv = need(
        ivs.find((v) => v.mid === m.messageId),
        `the IV of Informational ${m.messageId}`,
      ).iv;
      return { ...m, afterHash: hexOf(plain.subarray(chain[0]!.whole.length, chainEnd(ISAKMP_HASH, plain))), strongswan: { iv: hexOf(iv), hash: hexOf(hash) } };
    });

  return {
    initiator,
    phase1: {
      psk: hexOf(Buffer.from('abc123')),
      ckyI: hexOf(ckyI),
      ckyR: hexOf(ckyR),
      niB: hexOf(body(m3, ISAKMP_NONCE)),
      nrB: hexOf(body(m4, ISAKMP_NONCE)),
      gxi: hexOf(gxi),
      gxr: hexOf(gxr),
      gxy: hexOf(one('shared Diffie Hellman secret')),
      saiB: hexOf(saiB),
      idiiB: hexOf(idiiB),
      idirB: hexOf(idirB),
      strongswan: {
        skeyid: hexOf(one('SKEYID')),
        skeyidD: hexOf(one('SKEYID_d')),
        skeyidA: hexOf(one('SKEYID_a')),
        skeyidE: hexOf(one('SKEYID_e')),
        encryptionKey: hexOf(one('encryption key Ka')),
        initialIv: hexOf(one('initial IV')),
        hashI: hexOf(one('HASH_I')),
        hashR: hexOf(one('HASH_R')),
        nextIvs: p1Ivs.map((v) => hexOf(v.iv)),
      },
      messages: mm,
    },
    natd: natd.map((n) => ({ ...n, onWire: natdOnWire.includes(n.hash) })),
    routerAddress: x.routerAddress,
    quickMode: {
      messageId: mid,
      niB: hexOf(niB),
      nrB: hexOf(nrB),
      afterHash1: hexOf(plain1.subarray(q1[0]!.whole.length, chainEnd(ISAKMP_HASH, plain1))),
      afterHash2: hexOf(plain2.subarray(q2[0]!.whole.length, chainEnd(ISAKMP_HASH, plain2))),
      pfs: pfsShared ? { gi: hexOf(need(keI, 'KE in message 1')), gr: hexOf(need(keR, 'KE in message 2')), shared: hexOf(pfsShared) } : null,
      spiI: hexOf(spiI),
      spiR: hexOf(spiR),
      strongswan: {
        ivs: qmIvs.map((v) => hexOf(v.iv)),
        hash1: hexOf(first('Hash(1)')),
        hash2: hexOf(first('Hash(2)')),
        hash3: hexOf(first('Hash(3)')),
        initiatorSeed: hexOf(seedI),
        responderSeed: hexOf(seedR),
        encryptionInitiator: hexOf(one('encryption initiator key')),
        integrityInitiator: hexOf(one('integrity initiator key')),
        encryptionResponder: hexOf(one('encryption responder key')),
        integrityResponder: hexOf(one('integrity responder key')),
      },
      messages: qms,
    },
    informational,
  };
}
