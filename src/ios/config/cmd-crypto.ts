/** Global crypto commands: ISAKMP policies, keys, keepalives, transform sets, crypto maps. */
import { parseIpv4 } from '../../codecs/net/address.js';
import { type Cursor } from '../cli/cursor.js';
import { type Grammar, type Effect, type EngineState } from './grammar.js';
import { readInterfaceName } from './interface-names.js';
import {
  IPSEC_LIFETIME_DEFAULTS,
  newIsakmpPolicy,
  type CryptoMapEntry,
  type DynamicMapEntry,
  type EspCipher,
  type IsakmpKey,
  type Transform,
} from './types.js';

const CIPHERS = ['esp-des', 'esp-3des', 'esp-aes', 'esp-null'] as const;
const ESP_AUTH = ['esp-md5-hmac', 'esp-sha-hmac', 'esp-sha256-hmac'] as const;
const AH_AUTH = ['ah-md5-hmac', 'ah-sha-hmac'] as const;

function insertSorted<T extends { name: string; seq: number }>(list: T[], entry: T): void {
  const at = list.findIndex((e) => e.name === entry.name && e.seq === entry.seq);
  if (at >= 0) {
    list[at] = entry;
    return;
  }
  let last = -1;
  list.forEach((e, i) => {
    if (e.name === entry.name && e.seq < entry.seq) last = i;
  });
  const firstOfName = list.findIndex((e) => e.name === entry.name);
  if (last >= 0) list.splice(last + 1, 0, entry);
  else if (firstOfName >= 0) list.splice(firstOfName, 0, entry);
  else list.push(entry);
}

/** Reads 1-3 transforms, each allowed only if compatible with the ones before (as IOS's parser narrows). */
function readTransforms(cursor: Cursor): Transform[] {
  const transforms: Transform[] = [];
  for (;;) {
    const options: string[] = [];
    if (!transforms.some((t) => t.kind === 'ah')) options.push(...AH_AUTH);
    if (!transforms.some((t) => t.kind === 'esp-cipher')) options.push(...CIPHERS);
    if (!transforms.some((t) => t.kind === 'esp-auth')) options.push(...ESP_AUTH);
    if (transforms.length > 0 && cursor.atEnd) break;
    const k = cursor.keyword(options);
    if ((CIPHERS as readonly string[]).includes(k)) {
      let keyBits: 128 | 192 | 256 | null = null;
      if (k === 'esp-aes') keyBits = Number(cursor.optKeyword(['128', '192', '256']) ?? 128) as 128 | 192 | 256;
      transforms.push({ kind: 'esp-cipher', name: k as EspCipher, keyBits });
    } else if ((ESP_AUTH as readonly string[]).includes(k)) {
      transforms.push({ kind: 'esp-auth', name: k as (typeof ESP_AUTH)[number] });
    } else {
      transforms.push({ kind: 'ah', name: k as (typeof AH_AUTH)[number] });
    }
  }
  return transforms;
}

function readKeyAddress(cursor: Cursor): { address: string; mask: string } {
  cursor.keyword(['address']);
  const address = cursor.ipv4();
  const mask = cursor.optIpv4() ?? (address === '0.0.0.0' ? '0.0.0.0' : '255.255.255.255');
  return { address, mask };
}

function sameKeyAddress(k: IsakmpKey, a: { address: string; mask: string }): boolean {
  return parseIpv4(k.address) === parseIpv4(a.address) && parseIpv4(k.mask) === parseIpv4(a.mask);
}

export function addCryptoCommands(g: Grammar): void {
  g.on('crypto isakmp policy', (cursor) => {
    const column = cursor.tokens[0]?.start ?? 0;
    const priority = cursor.integer(1, 10000);
    return (st) => {
      st.policyLines.set(priority, { line: st.lineNo, column, text: st.text });
      const policies = st.config.crypto.isakmpPolicies;
      if (!policies.some((p) => p.priority === priority)) {
        policies.push(newIsakmpPolicy(priority));
        policies.sort((a, b) => a.priority - b.priority);
      }
      st.mode = { kind: 'isakmp-policy', priority };
    };
  });
  g.on('no crypto isakmp policy', (cursor) => {
    const priority = cursor.integer(1, 10000);
    return (st) => {
      st.config.crypto.isakmpPolicies = st.config.crypto.isakmpPolicies.filter((p) => p.priority !== priority);
    };
  });
  g.on('crypto isakmp key', (cursor) => {
    const key = cursor.word();
    const addr = readKeyAddress(cursor);
    const noXauth = cursor.optKeyword(['no-xauth']) !== undefined;
    return (st) => {
      const keys = st.config.crypto.isakmpKeys.filter((k) => !sameKeyAddress(k, addr));
      keys.push({ key, ...addr, noXauth });
      st.config.crypto.isakmpKeys = keys;
    };
  });
  g.on('no crypto isakmp key', (cursor) => {
    cursor.word();
    const addr = readKeyAddress(cursor);
    cursor.optKeyword(['no-xauth']);
    return (st) => {
      st.config.crypto.isakmpKeys = st.config.crypto.isakmpKeys.filter((k) => !sameKeyAddress(k, addr));
    };
  });
  g.on('crypto isakmp keepalive', (cursor) => {
    const seconds = cursor.integer(10, 3600);
    const retries = cursor.optInteger(2, 60) ?? 2;
    const mode = (cursor.optKeyword(['periodic', 'on-demand']) ?? 'on-demand') as 'periodic' | 'on-demand';
    return (st) => {
      st.config.crypto.isakmpKeepalive = { seconds, retries, mode };
    };
  });
  g.on('no crypto isakmp keepalive', (cursor) => {
    cursor.rest();
    return (st) => {
      st.config.crypto.isakmpKeepalive = null;
    };
  });
  for (const identity of ['address', 'hostname', 'dn'] as const) {
    g.on(`crypto isakmp identity ${identity}`, () => (st) => {
      st.config.crypto.isakmpIdentity = identity;
    });
  }
  g.on('no crypto isakmp identity', (cursor) => {
    cursor.rest();
    return (st) => {
      st.config.crypto.isakmpIdentity = 'address';
    };
  });
  g.on('crypto isakmp nat keepalive', (cursor) => {
    const seconds = cursor.integer(5, 3600);
    return (st) => {
      st.config.crypto.isakmpNatKeepalive = seconds;
    };
  });
  g.on('no crypto isakmp nat keepalive', (cursor) => {
    cursor.rest();
    return (st) => {
      st.config.crypto.isakmpNatKeepalive = null;
    };
  });
  g.on('crypto isakmp aggressive-mode disable', () => (st) => {
    st.config.crypto.aggressiveModeDisabled = true;
  });
  g.on('no crypto isakmp aggressive-mode disable', () => (st) => {
    st.config.crypto.aggressiveModeDisabled = false;
  });
  g.on('crypto isakmp enable', () => (st) => {
    st.config.crypto.isakmpEnabled = true;
  });
  g.on('no crypto isakmp', (cursor) => {
    cursor.optKeyword(['enable']);
    return (st) => {
      st.config.crypto.isakmpEnabled = false;
    };
  });
  g.on('crypto isakmp peer address', (cursor) => {
    const address = cursor.ipv4();
    return (st) => {
      const peers = st.config.crypto.isakmpPeers;
      if (!peers.some((p) => p.address === address)) {
        peers.push({ address, aggressiveModePassword: null, aggressiveModeClientEndpoint: null, description: null });
      }
      st.mode = { kind: 'isakmp-peer', address };
    };
  });
  g.on('no crypto isakmp peer address', (cursor) => {
    const address = cursor.ipv4();
    return (st) => {
      st.config.crypto.isakmpPeers = st.config.crypto.isakmpPeers.filter((p) => p.address !== address);
    };
  });
  g.on('crypto ipsec transform-set', (cursor) => {
    const name = cursor.word();
    const transforms = readTransforms(cursor);
    const effect: Effect = (st) => {
      const sets = st.config.crypto.transformSets;
      const existing = sets.find((t) => t.name === name);
      if (existing) existing.transforms = transforms;
      else sets.push({ name, transforms, mode: 'tunnel' });
      st.mode = { kind: 'transform-set', name };
    };
    if (transforms.some((t) => t.kind === 'ah')) effect.variant = 'ah';
    return effect;
  });
  g.on('no crypto ipsec transform-set', (cursor) => {
    const name = cursor.word();
    cursor.rest();
    return (st) => {
      st.config.crypto.transformSets = st.config.crypto.transformSets.filter((t) => t.name !== name);
    };
  });
  g.on('crypto ipsec security-association lifetime', (cursor) => {
    const unit = cursor.keyword(['seconds', 'kilobytes']);
    const value = unit === 'seconds' ? cursor.integer(120, 86400) : cursor.integer(2560, 536870912);
    return (st) => {
      if (unit === 'seconds') st.config.crypto.ipsecLifetime.seconds = value;
      else st.config.crypto.ipsecLifetime.kilobytes = value;
    };
  });
  g.on('no crypto ipsec security-association lifetime', (cursor) => {
    const unit = cursor.keyword(['seconds', 'kilobytes']);
    cursor.rest();
    return (st) => {
      if (unit === 'seconds') st.config.crypto.ipsecLifetime.seconds = IPSEC_LIFETIME_DEFAULTS.seconds;
      else st.config.crypto.ipsecLifetime.kilobytes = IPSEC_LIFETIME_DEFAULTS.kilobytes;
    };
  });
  g.on('crypto dynamic-map', (cursor) => {
    const name = cursor.word();
    const seq = cursor.integer(1, 65535);
    return (st) => {
      const maps = st.config.crypto.dynamicMaps;
      if (!maps.some((m) => m.name === name && m.seq === seq)) insertSorted(maps, newDynamicMapEntry(name, seq));
      st.mode = { kind: 'dynamic-map', name, seq };
    };
  });
  g.on('no crypto dynamic-map', (cursor) => {
    const name = cursor.word();
    const seq = cursor.optInteger(1, 65535);
    return (st) => {
      st.config.crypto.dynamicMaps = st.config.crypto.dynamicMaps.filter((m) => !(m.name === name && (seq === undefined || m.seq === seq)));
    };
  });
  g.on('crypto map', (cursor) => {
    const name = cursor.word();
    if (cursor.optKeyword(['local-address']) !== undefined) {
      const iface = readInterfaceName(cursor);
      return (st) => {
        const list = st.config.crypto.cryptoMapLocalAddress.filter((l) => l.map !== name);
        list.push({ map: name, interface: iface });
        st.config.crypto.cryptoMapLocalAddress = list;
      };
    }
    const seq = cursor.integer(1, 65535);
    const mode = (cursor.optKeyword(['ipsec-isakmp', 'ipsec-manual']) ?? 'ipsec-isakmp') as CryptoMapEntry['mode'];
    let dynamic: CryptoMapEntry['dynamic'] = null;
    let column = 0;
    if (mode === 'ipsec-isakmp' && cursor.optKeyword(['dynamic']) !== undefined) {
      column = cursor.peek()?.start ?? 0;
      const map = cursor.word();
      dynamic = { map, discover: cursor.optKeyword(['discover']) !== undefined };
    }
    const effect: Effect = (st: EngineState) => {
      const entry = newCryptoMapEntry(name, seq, mode);
      entry.dynamic = dynamic;
      const existing = st.config.crypto.cryptoMaps.find((m) => m.name === name && m.seq === seq);
      insertSorted(st.config.crypto.cryptoMaps, existing && !dynamic && !existing.dynamic ? existing : entry);
      if (dynamic) {
        st.references.push({ kind: 'dynamic-map', name: dynamic.map, from: `crypto map ${name} ${seq}`, line: st.lineNo, column, text: st.text });
      } else {
        st.mode = { kind: 'crypto-map', name, seq };
      }
    };
    if (mode === 'ipsec-manual') effect.variant = 'ipsec-manual';
    return effect;
  });
  g.on('no crypto map', (cursor) => {
    const name = cursor.word();
    if (cursor.optKeyword(['local-address']) !== undefined) {
      cursor.rest();
      return (st) => {
        st.config.crypto.cryptoMapLocalAddress = st.config.crypto.cryptoMapLocalAddress.filter((l) => l.map !== name);
      };
    }
    const seq = cursor.optInteger(1, 65535);
    cursor.rest();
    return (st) => {
      st.config.crypto.cryptoMaps = st.config.crypto.cryptoMaps.filter((m) => !(m.name === name && (seq === undefined || m.seq === seq)));
    };
  });
}

export function newDynamicMapEntry(name: string, seq: number): DynamicMapEntry {
  return { name, seq, transformSets: [], matchAddress: null, pfs: null, lifetime: { seconds: null, kilobytes: null }, peers: [] };
}

export function newCryptoMapEntry(name: string, seq: number, mode: CryptoMapEntry['mode']): CryptoMapEntry {
  return {
    name,
    seq,
    mode,
    dynamic: null,
    peers: [],
    matchAddress: null,
    transformSets: [],
    pfs: null,
    lifetime: { seconds: null, kilobytes: null },
  };
}
