/**
 * `router ospf N`, `router eigrp N`, `router rip` and their sub-modes. Lines
 * the emulator does not translate (kept rows of support-routing.ts) are
 * recorded in the process's `extras` and shown back by show running-config.
 */
import { classfulLength, formatIpv4, isContiguousMask, maskToPrefix, parseIpv4, prefixToMask, wildcardToMask } from '../../codecs/net/address.js';
import type { Cursor } from '../cli/cursor.js';
import { addKept, canonicalLine, recordLine } from './extras.js';
import { Grammar, type Effect, type EngineState } from './grammar.js';
import { readInterfaceName } from './interface-names.js';
import { keptEntries } from './support.js';
import {
  newEigrpProcess,
  newOspfProcess,
  newRipProcess,
  type EigrpProcess,
  type OspfArea,
  type OspfProcess,
  type PassiveInterfaces,
  type Redistribution,
  type RipProcess,
} from './types.js';

/** Remembers where a process header was written, for the checks after the parse (routing-check.ts). */
function noteHeader(st: EngineState, key: string): void {
  st.routingLines.set(key, { line: st.lineNo, column: st.text.length - st.text.trimStart().length, text: st.text });
}

export function addRoutingCommands(g: Grammar): void {
  g.on('router ospf', (cursor) => {
    const id = cursor.integer(1, 65535);
    const effect: Effect = (st) => {
      const all = st.config.routing.ospf;
      if (!all.some((p) => p.id === id)) {
        all.push(newOspfProcess(id));
        noteHeader(st, `ospf ${id}`);
      }
      if (all[0]!.id !== id) effect.lateVariant = 'second-process';
      st.mode = { kind: 'router-ospf', id };
    };
    return effect;
  });
  g.on('router eigrp', (cursor) => {
    const as = cursor.integer(1, 65535);
    const effect: Effect = (st) => {
      const all = st.config.routing.eigrp;
      if (!all.some((p) => p.as === as)) {
        all.push(newEigrpProcess(as));
        noteHeader(st, `eigrp ${as}`);
      }
      if (all[0]!.as !== as) effect.lateVariant = 'second-process';
      st.mode = { kind: 'router-eigrp', as };
    };
    return effect;
  });
  g.on('router rip', () => (st) => {
    if (!st.config.routing.rip) {
      st.config.routing.rip = newRipProcess();
      noteHeader(st, 'rip');
    }
    st.mode = { kind: 'router-rip' };
  });
  g.on('no router ospf', (cursor) => {
    const id = cursor.integer(1, 65535);
    return (st) => {
      st.config.routing.ospf = st.config.routing.ospf.filter((p) => p.id !== id);
    };
  });
  g.on('no router eigrp', (cursor) => {
    const as = cursor.integer(1, 65535);
    return (st) => {
      st.config.routing.eigrp = st.config.routing.eigrp.filter((p) => p.as !== as);
    };
  });
  g.on('no router rip', () => (st) => {
    st.config.routing.rip = null;
  });
}

function ospfOf(st: EngineState): OspfProcess {
  const mode = st.mode;
  if (mode.kind !== 'router-ospf') throw new Error('not in router ospf mode');
  const p = st.config.routing.ospf.find((x) => x.id === mode.id);
  if (!p) throw new Error(`no OSPF process ${mode.id}`);
  return p;
}

function eigrpOf(st: EngineState): EigrpProcess {
  const mode = st.mode;
  if (mode.kind !== 'router-eigrp') throw new Error('not in router eigrp mode');
  const p = st.config.routing.eigrp.find((x) => x.as === mode.as);
  if (!p) throw new Error(`no EIGRP process ${mode.as}`);
  return p;
}

function ripOf(st: EngineState): RipProcess {
  if (st.mode.kind !== 'router-rip' || !st.config.routing.rip) throw new Error('not in router rip mode');
  return st.config.routing.rip;
}

function exitToGlobal(g: Grammar): void {
  g.on('exit', () => (st) => {
    st.mode = { kind: 'global' };
  });
}

/** `passive-interface IF|default` and its `no` form, for any process. */
function passiveCommands(g: Grammar, of: (st: EngineState) => { passive: PassiveInterfaces }): void {
  const read = (cursor: Cursor): string | 'default' => (cursor.optKeyword(['default']) !== undefined ? 'default' : readInterfaceName(cursor));
  const set = (p: PassiveInterfaces, target: string, passive: boolean): void => {
    if (target === 'default') {
      p.default = passive;
      p.interfaces = [];
      return;
    }
    // with `passive-interface default`, the list holds the interfaces made active again
    const listed = p.default ? !passive : passive;
    p.interfaces = p.interfaces.filter((i) => i !== target);
    if (listed) p.interfaces.push(target);
  };
  g.on('passive-interface', (cursor) => {
    const target = read(cursor);
    return (st) => set(of(st).passive, target, true);
  });
  g.on('no passive-interface', (cursor) => {
    const target = read(cursor);
    return (st) => set(of(st).passive, target, false);
  });
}

/** An area ID as written: a number (0-4294967295) or a dotted quad. */
function readArea(cursor: Cursor): string {
  const dotted = cursor.optIpv4();
  if (dotted !== undefined) return dotted;
  return String(cursor.integer(0, 4294967295));
}

/** Area IDs compare by value: `0` and `0.0.0.0` are one area. */
export function areaNumber(area: string): number {
  return area.includes('.') ? parseIpv4(area) : Number(area);
}

function areaOf(p: OspfProcess, id: string): OspfArea {
  let a = p.areas.find((x) => areaNumber(x.id) === areaNumber(id));
  if (!a) {
    a = { id, stub: false, noSummary: false, authentication: null };
    p.areas.push(a);
  }
  return a;
}

/** The options of `redistribute`; `untranslated` when a route map or tag is set (FRR would need them translated too). */
function readMetricOptions(cursor: Cursor): { metric: number | null; metricType: 1 | 2 | null; subnets: boolean; untranslated: boolean } {
  const out = { metric: null as number | null, metricType: null as 1 | 2 | null, subnets: false, untranslated: false };
  for (;;) {
    const k = cursor.optKeyword(['metric', 'metric-type', 'subnets', 'tag', 'route-map']);
    if (k === undefined) return out;
    if (k === 'metric') out.metric = cursor.integer(0, 16777214);
    else if (k === 'metric-type') out.metricType = Number(cursor.keyword(['1', '2'])) as 1 | 2;
    else if (k === 'subnets') out.subnets = true;
    else {
      if (k === 'tag') cursor.integer(0, 4294967295);
      else cursor.word();
      out.untranslated = true;
    }
  }
}

export function routerOspfGrammar(): Grammar {
  const g = new Grammar('router-ospf');
  g.on('network', (cursor) => {
    const address = cursor.ipv4();
    const wildcard = cursor.ipv4();
    cursor.keyword(['area']);
    const area = readArea(cursor);
    const effect: Effect = (st) => {
      const p = ospfOf(st);
      p.networks = p.networks.filter((n) => !(n.address === address && n.wildcard === wildcard));
      p.networks.push({ address, wildcard, area });
    };
    if (!isContiguousMask(wildcardToMask(parseIpv4(wildcard)))) effect.variant = 'non-contiguous';
    return effect;
  });
  g.on('no network', (cursor) => {
    const address = cursor.ipv4();
    const wildcard = cursor.ipv4();
    if (cursor.optKeyword(['area']) !== undefined) readArea(cursor);
    return (st) => {
      const p = ospfOf(st);
      p.networks = p.networks.filter((n) => !(n.address === address && n.wildcard === wildcard));
    };
  });
  g.on('router-id', (cursor) => {
    const id = cursor.ipv4();
    return (st) => {
      ospfOf(st).routerId = id;
    };
  });
  g.on('no router-id', (cursor) => {
    cursor.optIpv4();
    return (st) => {
      ospfOf(st).routerId = null;
    };
  });
  passiveCommands(g, ospfOf);
  g.on('default-information originate', (cursor) => {
    const d = { always: false, metric: null as number | null, metricType: null as 1 | 2 | null };
    for (;;) {
      const k = cursor.optKeyword(['always', 'metric', 'metric-type']);
      if (k === undefined) break;
      if (k === 'always') d.always = true;
      else if (k === 'metric') d.metric = cursor.integer(0, 16777214);
      else d.metricType = Number(cursor.keyword(['1', '2'])) as 1 | 2;
    }
    return (st) => {
      ospfOf(st).defaultInformation = d;
    };
  });
  g.on('no default-information originate', (cursor) => {
    cursor.rest();
    return (st) => {
      ospfOf(st).defaultInformation = null;
    };
  });
  g.on('redistribute', (cursor) => {
    const protocol = cursor.keyword(['static', 'connected', 'rip', 'eigrp', 'ospf', 'bgp', 'igrp', 'isis', 'mobile', 'odr']);
    if (protocol === 'eigrp' || protocol === 'ospf' || protocol === 'bgp' || protocol === 'igrp') cursor.integer(1, 65535);
    const text = canonicalLine(cursor.line);
    const options = protocol === 'static' || protocol === 'connected' ? readMetricOptions(cursor) : null;
    if (!options || options.untranslated) {
      cursor.rest();
      const effect: Effect = (st) => recordLine(ospfOf(st).extras, text);
      effect.variant = 'other';
      return effect;
    }
    const r: Redistribution = {
      protocol: protocol as Redistribution['protocol'],
      metric: options.metric,
      metricType: options.metricType,
      subnets: options.subnets,
    };
    const effect: Effect = (st) => {
      const p = ospfOf(st);
      p.redistribute = [...p.redistribute.filter((x) => x.protocol !== protocol), r];
    };
    if (!options.subnets) effect.variant = 'no-subnets';
    return effect;
  });
  g.on('no redistribute', (cursor) => {
    const protocol = cursor.keyword(['static', 'connected', 'rip', 'eigrp', 'ospf', 'bgp', 'igrp', 'isis', 'mobile', 'odr']);
    cursor.rest();
    return (st) => {
      const p = ospfOf(st);
      p.redistribute = p.redistribute.filter((x) => x.protocol !== protocol);
      p.extras = p.extras.filter((e) => !e.startsWith(`redistribute ${protocol}`));
    };
  });
  g.on('area', (cursor) => {
    const id = readArea(cursor);
    const what = cursor.keyword(['stub', 'authentication', 'nssa', 'range', 'virtual-link', 'default-cost', 'filter-list']);
    if (what === 'stub') {
      const noSummary = cursor.optKeyword(['no-summary']) !== undefined;
      return (st) => {
        const a = areaOf(ospfOf(st), id);
        a.stub = true;
        a.noSummary = noSummary;
      };
    }
    if (what === 'authentication') {
      const md5 = cursor.optKeyword(['message-digest']) !== undefined;
      return (st) => {
        areaOf(ospfOf(st), id).authentication = md5 ? 'message-digest' : 'simple';
      };
    }
    cursor.rest();
    const text = canonicalLine(cursor.line);
    const effect: Effect = (st) => recordLine(ospfOf(st).extras, text);
    effect.variant = 'other';
    return effect;
  });
  g.on('no area', (cursor) => {
    const id = readArea(cursor);
    const what = cursor.optKeyword(['stub', 'authentication', 'nssa', 'range', 'virtual-link', 'default-cost', 'filter-list']);
    const text = canonicalLine(cursor.line).slice(3);
    cursor.rest();
    return (st) => {
      const p = ospfOf(st);
      const a = p.areas.find((x) => areaNumber(x.id) === areaNumber(id));
      if (what === undefined) {
        p.areas = p.areas.filter((x) => x !== a);
        p.extras = p.extras.filter((e) => !e.startsWith(`area ${id} `));
      } else if (what === 'stub' && a) {
        a.stub = false;
        a.noSummary = false;
      } else if (what === 'authentication' && a) {
        a.authentication = null;
      } else {
        p.extras = p.extras.filter((e) => !e.startsWith(text));
      }
    };
  });
  g.on('log-adjacency-changes', (cursor) => {
    const detail = cursor.optKeyword(['detail']) !== undefined;
    return (st) => {
      ospfOf(st).logAdjacencyChanges = detail ? 'detail' : 'on';
    };
  });
  g.on('no log-adjacency-changes', (cursor) => {
    cursor.optKeyword(['detail']);
    return (st) => {
      ospfOf(st).logAdjacencyChanges = 'off';
    };
  });
  exitToGlobal(g);
  addKept(g, keptEntries('router-ospf'), (st, text) => recordLine(ospfOf(st).extras, text));
  return g.finish();
}

/**
 * `network A [W]` of EIGRP and RIP without a wildcard: the classful network
 * of A, as IOS stores it (`network 192.168.12.1` becomes 192.168.12.0).
 */
function classfulNetwork(address: string): string {
  const a = parseIpv4(address);
  return formatIpv4((a & prefixToMask(classfulLength(a))) >>> 0);
}

export function routerEigrpGrammar(): Grammar {
  const g = new Grammar('router-eigrp');
  const read = (cursor: Cursor) => {
    const address = cursor.ipv4();
    const wildcard = cursor.optIpv4() ?? null;
    if (wildcard === null) return { address: classfulNetwork(address), wildcard };
    return { address: formatIpv4((parseIpv4(address) & ~parseIpv4(wildcard)) >>> 0), wildcard };
  };
  g.on('network', (cursor) => {
    const n = read(cursor);
    const effect: Effect = (st) => {
      const p = eigrpOf(st);
      p.networks = [...p.networks.filter((x) => !(x.address === n.address && x.wildcard === n.wildcard)), n];
    };
    if (n.wildcard !== null && !isContiguousMask(wildcardToMask(parseIpv4(n.wildcard)))) effect.variant = 'non-contiguous';
    return effect;
  });
  g.on('no network', (cursor) => {
    const n = read(cursor);
    return (st) => {
      const p = eigrpOf(st);
      p.networks = p.networks.filter((x) => !(x.address === n.address && (n.wildcard === null || x.wildcard === n.wildcard)));
    };
  });
  g.on('auto-summary', () => (st) => {
    eigrpOf(st).autoSummary = true;
    const at = st.routingLines.get(`eigrp ${eigrpOf(st).as}`);
    if (at) at.autoSummaryWarned = true;
  });
  g.on('no auto-summary', () => (st) => {
    eigrpOf(st).autoSummary = false;
  });
  passiveCommands(g, eigrpOf);
  exitToGlobal(g);
  addKept(g, keptEntries('router-eigrp'), (st, text) => recordLine(eigrpOf(st).extras, text));
  return g.finish();
}

export function routerRipGrammar(): Grammar {
  const g = new Grammar('router-rip');
  g.on('version', (cursor) => {
    const v = Number(cursor.keyword(['1', '2'])) as 1 | 2;
    return (st) => {
      ripOf(st).version = v;
    };
  });
  g.on('no version', (cursor) => {
    cursor.optKeyword(['1', '2']);
    return (st) => {
      ripOf(st).version = null;
    };
  });
  g.on('network', (cursor) => {
    const net = classfulNetwork(cursor.ipv4());
    return (st) => {
      const p = ripOf(st);
      if (!p.networks.includes(net)) p.networks.push(net);
    };
  });
  g.on('no network', (cursor) => {
    const net = classfulNetwork(cursor.ipv4());
    return (st) => {
      const p = ripOf(st);
      p.networks = p.networks.filter((n) => n !== net);
    };
  });
  g.on('auto-summary', () => (st) => {
    ripOf(st).autoSummary = true;
    const at = st.routingLines.get('rip');
    if (at) at.autoSummaryWarned = true;
  });
  g.on('no auto-summary', () => (st) => {
    ripOf(st).autoSummary = false;
  });
  passiveCommands(g, ripOf);
  g.on('default-information originate', (cursor) => {
    cursor.rest();
    return (st) => {
      ripOf(st).defaultInformation = true;
    };
  });
  g.on('no default-information originate', (cursor) => {
    cursor.rest();
    return (st) => {
      ripOf(st).defaultInformation = false;
    };
  });
  exitToGlobal(g);
  addKept(g, keptEntries('router-rip'), (st, text) => recordLine(ripOf(st).extras, text));
  return g.finish();
}

/** `network A W` as a prefix (for the translation to FRR); null for a non-contiguous wildcard. */
export function wildcardPrefix(address: string, wildcard: string): { address: string; length: number } | null {
  const mask = wildcardToMask(parseIpv4(wildcard));
  if (!isContiguousMask(mask)) return null;
  return { address: formatIpv4((parseIpv4(address) & mask) >>> 0), length: maskToPrefix(mask) };
}
