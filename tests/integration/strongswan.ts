/** What the interop tests read from a strongSwan node (swanctl) and from the router, and a polling helper. */
import type { Lab } from '../../src/orchestrator/index.js';

export interface SwanChild {
  name: string;
  state: string;
  /** TUNNEL or TUNNEL-in-UDP. */
  mode: string;
  /** ESP:DES_CBC/HMAC_MD5_96[/MODP_2048] */
  esp: string;
  inSpi: string;
  outSpi: string;
  inPackets: number;
  outPackets: number;
  localTs: string;
  remoteTs: string;
}

export interface SwanIke {
  name: string;
  state: string;
  version: string;
  /** The side that started the IKE SA: strongSwan marks its own SPI with '*'. */
  localIsInitiator: boolean;
  local: string;
  remote: string;
  /** DES_CBC/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_768 */
  algorithms: string;
  children: SwanChild[];
}

/** `swanctl --list-sas` as records (pure). */
export function parseListSas(text: string): SwanIke[] {
  const out: SwanIke[] = [];
  let ike: SwanIke | null = null;
  let child: SwanChild | null = null;
  for (const line of text.split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^(\S+): #\d+, (\w+), (IKEv\d), (\w+)_i(\*?) (\w+)_r(\*?)/.exec(line))) {
      ike = { name: m[1]!, state: m[2]!, version: m[3]!, localIsInitiator: m[5] === '*', local: '', remote: '', algorithms: '', children: [] };
      child = null;
      out.push(ike);
    } else if (!ike) {
      continue;
    } else if ((m = /^ {2}local {2}'[^']*' @ (\S+)/.exec(line))) {
      ike.local = m[1]!;
    } else if ((m = /^ {2}remote '[^']*' @ (\S+)/.exec(line))) {
      ike.remote = m[1]!;
    } else if ((m = /^ {2}([A-Z0-9_-]+(\/[A-Z0-9_-]+)+)$/.exec(line))) {
      ike.algorithms = m[1]!;
    } else if ((m = /^ {2}(\S+): #\d+, reqid \d+, (\w+), ([\w-]+), (\S+)$/.exec(line))) {
      child = { name: m[1]!, state: m[2]!, mode: m[3]!, esp: m[4]!, inSpi: '', outSpi: '', inPackets: 0, outPackets: 0, localTs: '', remoteTs: '' };
      ike.children.push(child);
    } else if (child && (m = /^ {4}(in|out) +(\w+), +\d+ bytes, +(\d+) packets/.exec(line))) {
      if (m[1] === 'in') [child.inSpi, child.inPackets] = [m[2]!, Number(m[3])];
      else [child.outSpi, child.outPackets] = [m[2]!, Number(m[3])];
    } else if (child && (m = /^ {4}local {2}(\S+)/.exec(line))) {
      child.localTs = m[1]!;
    } else if (child && (m = /^ {4}remote (\S+)/.exec(line))) {
      child.remoteTs = m[1]!;
    }
  }
  return out;
}

export async function listSas(lab: Lab, node: string): Promise<SwanIke[]> {
  return parseListSas(await lab.sh(node, 'swanctl --list-sas'));
}

/** Polls `probe` every 500 ms until it returns a value (not undefined) or `timeoutMs` passes; then undefined. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The first IKE SA with an installed child, once there is one. */
export async function installed(lab: Lab, node: string, timeoutMs = 30_000): Promise<SwanIke | undefined> {
  return eventually(
    async () => (await listSas(lab, node)).find((s) => s.state === 'ESTABLISHED' && s.children.some((c) => c.state === 'INSTALLED')),
    timeoutMs,
  );
}

/** Waits until a console (router or strongSwan log), from character `from` on, has a line matching `re`; returns that part. */
export async function consoleShows(lab: Lab, node: string, re: RegExp, timeoutMs: number, from = 0): Promise<string> {
  let last = '';
  await eventually(async () => {
    last = (await lab.console(node)).slice(from);
    return re.test(last) ? true : undefined;
  }, timeoutMs);
  return last;
}

/** The router's ESP counters of its (single) flow, from `show crypto ipsec sa`. */
export async function routerCounters(lab: Lab, node: string): Promise<{ encaps: number; decaps: number; text: string }> {
  const text = await lab.ios(node, 'show crypto ipsec sa');
  const num = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
  return { encaps: num(/#pkts encaps: (\d+)/), decaps: num(/#pkts decaps: (\d+)/), text };
}
