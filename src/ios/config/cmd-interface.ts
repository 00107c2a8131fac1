/** `interface NAME` and the interface sub-mode. */
import { formatIpv4, isContiguousMask, maskToPrefix, networkOf, parseIpv4 } from '../../codecs/net/address.js';
import { type Cursor, ParseFail } from '../cli/cursor.js';
import { addWanCommands } from './cmd-wan.js';
import { addTunnelCommands } from './cmd-tunnel.js';
import { addKept, recordInterfaceExtra } from './extras.js';
import { Grammar, type Effect, type EngineState, type PendingReference } from './grammar.js';
import { interfaceEmulated, interfaceType, isSubinterface, readInterfaceName } from './interface-names.js';
import { keptEntries } from './support.js';
import { newInterface, type InterfaceAddress, type InterfaceConfig } from './types.js';

export function addInterfaceCommands(g: Grammar): void {
  g.on('interface', (cursor) => {
    const name = readInterfaceName(cursor);
    const subType = isSubinterface(name) ? (cursor.optKeyword(['point-to-point', 'multipoint']) as 'point-to-point' | 'multipoint' | undefined) : undefined;
    const effect: Effect = (st) => {
      if (!st.config.interfaces.some((i) => i.name === name)) st.config.interfaces.push(newInterface(name));
      const created = st.config.interfaces.find((i) => i.name === name)!;
      if (subType) created.wan.subinterfaceType ??= subType;
      st.mode = { kind: 'interface', name };
    };
    const emulated = interfaceEmulated(name);
    if (emulated !== 'emulated') effect.variant = emulated;
    return effect;
  });
  g.on('no interface', (cursor) => {
    const name = readInterfaceName(cursor);
    return (st) => {
      if (interfaceType(name)?.physical && !isSubinterface(name)) {
        throw new ParseFail('value', 0, `% Removal of physical interface ${name} is not permitted`);
      }
      st.config.interfaces = st.config.interfaces.filter((i) => i.name !== name);
    };
  });
}

function currentInterface(st: EngineState): InterfaceConfig {
  const mode = st.mode;
  if (mode.kind !== 'interface') throw new Error('not in interface mode');
  let iface = st.config.interfaces.find((i) => i.name === mode.name);
  if (!iface) {
    iface = newInterface(mode.name);
    st.config.interfaces.push(iface);
  }
  return iface;
}

/** IOS's checks on `ip address A M`: contiguous mask, not the network or broadcast address. */
function checkAddress(address: string, mask: string, column: number): void {
  const a = parseIpv4(address);
  const m = parseIpv4(mask);
  if (!isContiguousMask(m)) throw new ParseFail('value', column, `Bad mask 0x${(m >>> 0).toString(16).toUpperCase()} for address ${address}`);
  const len = maskToPrefix(m);
  const host = (a & ~m) >>> 0;
  if (len < 31 && (host === 0 || host === ~m >>> 0)) {
    throw new ParseFail('value', column, `Bad mask /${len} for address ${address}`);
  }
}

function checkOverlap(st: EngineState, self: InterfaceConfig, addr: InterfaceAddress, column: number): void {
  const net = parseIpv4(addr.address);
  const mask = parseIpv4(addr.mask);
  for (const other of st.config.interfaces) {
    if (other === self) continue;
    for (const o of [other.address, ...other.secondary]) {
      if (!o) continue;
      const common = (mask & parseIpv4(o.mask)) >>> 0;
      if (networkOf(net, common) === networkOf(parseIpv4(o.address), common)) {
        throw new ParseFail('value', column, `% ${formatIpv4(networkOf(net, mask))} overlaps with ${other.name}`);
      }
    }
  }
}

/** IOS routes on an Ethernet sub-interface only once it is in a VLAN (`encapsulation dot1Q N`). */
function checkLanSubinterface(iface: InterfaceConfig): void {
  if (isSubinterface(iface.name) && /Ethernet$/.test(interfaceType(iface.name)?.name ?? '') && iface.wan.encapsulation?.kind !== 'dot1q') {
    throw new ParseFail(
      'value',
      0,
      '% Configuring IP routing on a LAN subinterface is only allowed if that subinterface is already configured as part of an IEEE 802.10, IEEE 802.1Q, or ISL vLAN.',
    );
  }
}

function sameAddress(a: InterfaceAddress, b: InterfaceAddress): boolean {
  return a.address === b.address && a.mask === b.mask;
}

function reference(st: EngineState, kind: PendingReference['kind'], name: string, column: number, from: string): void {
  st.references.push({ kind, name, from, line: st.lineNo, column, text: st.text });
}

function readAclName(cursor: Cursor): string {
  return cursor.word();
}

export function interfaceModeGrammar(): Grammar {
  const g = new Grammar('interface');
  g.on('ip address', (cursor) => {
    const column = cursor.peek()?.start ?? 0;
    const address = cursor.ipv4();
    const mask = cursor.ipv4();
    const secondary = cursor.optKeyword(['secondary']) !== undefined;
    checkAddress(address, mask, column);
    return (st) => {
      const iface = currentInterface(st);
      const addr = { address, mask };
      checkLanSubinterface(iface);
      checkOverlap(st, iface, addr, column);
      if (secondary) {
        if (!iface.secondary.some((s) => sameAddress(s, addr))) iface.secondary.push(addr);
      } else {
        iface.address = addr;
        iface.secondary = iface.secondary.filter((s) => !sameAddress(s, addr));
      }
    };
  });
  g.on('no ip address', (cursor) => {
    const address = cursor.optIpv4();
    const mask = address === undefined ? undefined : cursor.ipv4();
    const secondary = address !== undefined && cursor.optKeyword(['secondary']) !== undefined;
    return (st) => {
      const iface = currentInterface(st);
      if (address === undefined || mask === undefined) {
        iface.address = null;
        iface.secondary = [];
      } else if (secondary) {
        iface.secondary = iface.secondary.filter((s) => !sameAddress(s, { address, mask }));
      } else if (iface.address && sameAddress(iface.address, { address, mask })) {
        iface.address = null;
      }
    };
  });
  g.on('description', (cursor) => {
    const text = cursor.rest();
    if (!text) throw cursor.incomplete();
    return (st) => {
      currentInterface(st).description = text.slice(0, 240);
    };
  });
  g.on('no description', (cursor) => {
    cursor.rest();
    return (st) => {
      currentInterface(st).description = null;
    };
  });
  g.on('shutdown', () => (st) => {
    currentInterface(st).shutdown = true;
  });
  g.on('no shutdown', () => (st) => {
    currentInterface(st).shutdown = false;
  });
  g.on('crypto map', (cursor) => {
    const column = cursor.peek()?.start ?? 0;
    const name = cursor.word();
    return (st) => {
      const iface = currentInterface(st);
      iface.cryptoMap = name;
      reference(st, 'crypto-map', name, column, `interface ${iface.name}`);
    };
  });
  g.on('no crypto map', (cursor) => {
    cursor.optWord();
    return (st) => {
      currentInterface(st).cryptoMap = null;
    };
  });
  g.on('ip nat', (cursor) => {
    const role = cursor.keyword(['inside', 'outside']) as 'inside' | 'outside';
    return (st) => {
      currentInterface(st).nat = role;
    };
  });
  g.on('no ip nat', (cursor) => {
    cursor.keyword(['inside', 'outside']);
    return (st) => {
      currentInterface(st).nat = null;
    };
  });
  g.on('ip access-group', (cursor) => {
    const column = cursor.peek()?.start ?? 0;
    const name = readAclName(cursor);
    const dir = cursor.keyword(['in', 'out']);
    return (st) => {
      const iface = currentInterface(st);
      if (dir === 'in') iface.accessGroupIn = name;
      else iface.accessGroupOut = name;
      reference(st, 'access-list', name, column, `interface ${iface.name}`);
    };
  });
  g.on('no ip access-group', (cursor) => {
    const first = cursor.peek();
    const dirOnly = first !== undefined && /^(in|out)$/i.test(first.text);
    if (!dirOnly) readAclName(cursor);
    const dir = cursor.keyword(['in', 'out']);
    return (st) => {
      const iface = currentInterface(st);
      if (dir === 'in') iface.accessGroupIn = null;
      else iface.accessGroupOut = null;
    };
  });
  g.on('mtu', (cursor) => {
    const mtu = cursor.integer(64, 18000);
    return (st) => {
      currentInterface(st).mtu = mtu;
    };
  });
  g.on('no mtu', (cursor) => {
    cursor.optInteger(64, 18000);
    return (st) => {
      currentInterface(st).mtu = null;
    };
  });
  g.on('exit', () => (st) => {
    st.mode = { kind: 'global' };
  });
  addWanCommands(g);
  addTunnelCommands(g);
  addKept(g, keptEntries('interface'), (st, text) => recordInterfaceExtra(currentInterface(st), text));
  return g.finish();
}
