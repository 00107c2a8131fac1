/** Crypto sub-modes: ISAKMP policy, ISAKMP peer, transform set, crypto map and dynamic map entries. */
import { addKept } from './extras.js';
import { Grammar, type EngineState } from './grammar.js';
import { keptEntries } from './support.js';
import {
  ISAKMP_POLICY_DEFAULTS,
  newIsakmpPolicy,
  type CryptoMapEntry,
  type DhGroup,
  type DynamicMapEntry,
  type IsakmpAuthentication,
  type IsakmpHash,
  type IsakmpPeer,
  type IsakmpPolicy,
  type PfsGroup,
  type TransformSet,
} from './types.js';

function exitToGlobal(g: Grammar): void {
  g.on('exit', () => (st) => {
    st.mode = { kind: 'global' };
  });
}

function currentPolicy(st: EngineState): IsakmpPolicy {
  const mode = st.mode;
  if (mode.kind !== 'isakmp-policy') throw new Error('not in isakmp policy mode');
  let policy = st.config.crypto.isakmpPolicies.find((p) => p.priority === mode.priority);
  if (!policy) {
    policy = newIsakmpPolicy(mode.priority);
    st.config.crypto.isakmpPolicies.push(policy);
    st.config.crypto.isakmpPolicies.sort((a, b) => a.priority - b.priority);
  }
  return policy;
}

export function isakmpPolicyGrammar(): Grammar {
  const g = new Grammar('isakmp-policy');
  g.on('encryption', (cursor) => {
    const cipher = cursor.keyword(['des', '3des', 'aes']) as IsakmpPolicy['encryption'];
    const bits = cipher === 'aes' ? (Number(cursor.optKeyword(['128', '192', '256']) ?? 128) as 128 | 192 | 256) : null;
    return (st) => {
      const p = currentPolicy(st);
      p.encryption = cipher;
      p.keyLength = bits;
    };
  });
  g.on('hash', (cursor) => {
    const hash = cursor.keyword(['md5', 'sha', 'sha256']) as IsakmpHash;
    return (st) => {
      currentPolicy(st).hash = hash;
    };
  });
  for (const auth of ['pre-share', 'rsa-sig', 'rsa-encr'] as const satisfies readonly IsakmpAuthentication[]) {
    g.on(`authentication ${auth}`, () => (st) => {
      const policy = currentPolicy(st);
      policy.authentication = auth;
      // this line has its own warning; the check after the parse need not repeat it
      const at = st.policyLines.get(policy.priority);
      if (at && auth !== 'pre-share') at.rsaWarned = true;
    });
  }
  g.on('group', (cursor) => {
    const group = Number(cursor.keyword(['1', '2', '5', '14'])) as DhGroup;
    return (st) => {
      currentPolicy(st).group = group;
    };
  });
  g.on('lifetime', (cursor) => {
    const seconds = cursor.integer(60, 86400);
    return (st) => {
      currentPolicy(st).lifetime = seconds;
    };
  });
  for (const prefix of ['no', 'default']) {
    const reset: Record<string, (p: IsakmpPolicy) => void> = {
      encryption: (p) => {
        p.encryption = ISAKMP_POLICY_DEFAULTS.encryption;
        p.keyLength = null;
      },
      hash: (p) => (p.hash = ISAKMP_POLICY_DEFAULTS.hash),
      authentication: (p) => (p.authentication = ISAKMP_POLICY_DEFAULTS.authentication),
      group: (p) => (p.group = ISAKMP_POLICY_DEFAULTS.group),
      lifetime: (p) => (p.lifetime = ISAKMP_POLICY_DEFAULTS.lifetime),
    };
    for (const [word, fn] of Object.entries(reset)) {
      g.on(`${prefix} ${word}`, (cursor) => {
        cursor.rest();
        return (st) => fn(currentPolicy(st));
      });
    }
  }
  exitToGlobal(g);
  return g.finish();
}

function currentPeer(st: EngineState): IsakmpPeer {
  const mode = st.mode;
  if (mode.kind !== 'isakmp-peer') throw new Error('not in isakmp peer mode');
  let peer = st.config.crypto.isakmpPeers.find((p) => p.address === mode.address);
  if (!peer) {
    peer = { address: mode.address, aggressiveModePassword: null, aggressiveModeClientEndpoint: null, description: null };
    st.config.crypto.isakmpPeers.push(peer);
  }
  return peer;
}

export function isakmpPeerGrammar(): Grammar {
  const g = new Grammar('isakmp-peer');
  g.on('set aggressive-mode password', (cursor) => {
    const password = cursor.word();
    return (st) => {
      currentPeer(st).aggressiveModePassword = password;
    };
  });
  g.on('set aggressive-mode client-endpoint', (cursor) => {
    const kind = cursor.keyword(['ipv4-address', 'fqdn', 'user-fqdn']);
    const endpoint: IsakmpPeer['aggressiveModeClientEndpoint'] =
      kind === 'ipv4-address' ? { kind, value: cursor.ipv4() } : { kind: kind as 'fqdn' | 'user-fqdn', value: cursor.word() };
    return (st) => {
      currentPeer(st).aggressiveModeClientEndpoint = endpoint;
    };
  });
  g.on('no set aggressive-mode password', (cursor) => {
    cursor.rest();
    return (st) => {
      currentPeer(st).aggressiveModePassword = null;
    };
  });
  g.on('no set aggressive-mode client-endpoint', (cursor) => {
    cursor.rest();
    return (st) => {
      currentPeer(st).aggressiveModeClientEndpoint = null;
    };
  });
  g.on('description', (cursor) => {
    const text = cursor.rest();
    if (!text) throw cursor.incomplete();
    return (st) => {
      currentPeer(st).description = text;
    };
  });
  g.on('no description', (cursor) => {
    cursor.rest();
    return (st) => {
      currentPeer(st).description = null;
    };
  });
  exitToGlobal(g);
  return g.finish();
}

function currentTransformSet(st: EngineState): TransformSet | undefined {
  const mode = st.mode;
  return mode.kind === 'transform-set' ? st.config.crypto.transformSets.find((t) => t.name === mode.name) : undefined;
}

export function transformSetGrammar(): Grammar {
  const g = new Grammar('transform-set');
  for (const mode of ['tunnel', 'transport'] as const satisfies readonly TransformSet['mode'][]) {
    g.on(`mode ${mode}`, () => (st) => {
      const ts = currentTransformSet(st);
      if (ts) ts.mode = mode;
    });
  }
  g.on('no mode', (cursor) => {
    cursor.rest();
    return (st) => {
      const ts = currentTransformSet(st);
      if (ts) ts.mode = 'tunnel';
    };
  });
  exitToGlobal(g);
  return g.finish();
}

type MapEntry = CryptoMapEntry | DynamicMapEntry;

function currentMapEntry(st: EngineState): MapEntry | undefined {
  const mode = st.mode;
  if (mode.kind === 'crypto-map') return st.config.crypto.cryptoMaps.find((m) => m.name === mode.name && m.seq === mode.seq);
  if (mode.kind === 'dynamic-map') return st.config.crypto.dynamicMaps.find((m) => m.name === mode.name && m.seq === mode.seq);
  return undefined;
}

function entryLabel(st: EngineState): string {
  const mode = st.mode;
  if (mode.kind === 'crypto-map') return `crypto map ${mode.name} ${mode.seq}`;
  if (mode.kind === 'dynamic-map') return `crypto dynamic-map ${mode.name} ${mode.seq}`;
  return 'crypto map';
}

function withEntry(fn: (e: MapEntry, st: EngineState) => void): (st: EngineState) => void {
  return (st) => {
    const entry = currentMapEntry(st);
    if (entry) fn(entry, st);
  };
}

/** Sub-mode of `crypto map NAME SEQ ipsec-isakmp` and of `crypto dynamic-map NAME SEQ`. */
export function cryptoMapEntryGrammar(): Grammar {
  const g = new Grammar('crypto-map');
  g.on('set peer', (cursor) => {
    const peer = cursor.ipv4();
    return withEntry((e) => {
      if (!e.peers.includes(peer)) e.peers.push(peer);
    });
  });
  g.on('no set peer', (cursor) => {
    const peer = cursor.optIpv4();
    return withEntry((e) => {
      e.peers = peer === undefined ? [] : e.peers.filter((p) => p !== peer);
    });
  });
  g.on('set transform-set', (cursor) => {
    const names: { name: string; column: number }[] = [];
    do {
      const column = cursor.peek()?.start ?? 0;
      names.push({ name: cursor.word(), column });
    } while (!cursor.atEnd && names.length < 6);
    return withEntry((e, st) => {
      e.transformSets = names.map((n) => n.name);
      for (const n of names) {
        st.references.push({ kind: 'transform-set', name: n.name, from: entryLabel(st), line: st.lineNo, column: n.column, text: st.text });
      }
    });
  });
  g.on('no set transform-set', (cursor) => {
    cursor.rest();
    return withEntry((e) => {
      e.transformSets = [];
    });
  });
  g.on('match address', (cursor) => {
    const column = cursor.peek()?.start ?? 0;
    const acl = cursor.word();
    return withEntry((e, st) => {
      e.matchAddress = acl;
      st.references.push({ kind: 'access-list', name: acl, from: entryLabel(st), line: st.lineNo, column, text: st.text });
    });
  });
  g.on('no match address', (cursor) => {
    cursor.rest();
    return withEntry((e) => {
      e.matchAddress = null;
    });
  });
  g.on('set pfs', (cursor) => {
    const group = (cursor.optKeyword(['group1', 'group2', 'group5', 'group14']) ?? 'group1') as PfsGroup;
    return withEntry((e) => {
      e.pfs = group;
    });
  });
  g.on('no set pfs', (cursor) => {
    cursor.rest();
    return withEntry((e) => {
      e.pfs = null;
    });
  });
  g.on('set security-association lifetime', (cursor) => {
    const unit = cursor.keyword(['seconds', 'kilobytes']);
    const value = unit === 'seconds' ? cursor.integer(120, 86400) : cursor.integer(2560, 536870912);
    return withEntry((e) => {
      if (unit === 'seconds') e.lifetime.seconds = value;
      else e.lifetime.kilobytes = value;
    });
  });
  g.on('no set security-association lifetime', (cursor) => {
    const unit = cursor.keyword(['seconds', 'kilobytes']);
    cursor.rest();
    return withEntry((e) => {
      if (unit === 'seconds') e.lifetime.seconds = null;
      else e.lifetime.kilobytes = null;
    });
  });
  addKept(g, keptEntries('crypto-map'), () => undefined);
  exitToGlobal(g);
  return g.finish();
}
