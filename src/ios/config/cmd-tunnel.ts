/**
 * Interface sub-mode commands of GRE tunnels, the IP MTU and the TCP MSS:
 * `tunnel source|destination|mode|key|checksum`, `keepalive`, `ip mtu`,
 * `ip tcp adjust-mss`, `bandwidth`, `delay`. `tunnel ...` is refused on any interface but a Tunnel, as IOS has
 * no tunnel commands there; `keepalive` is a GRE keepalive on a tunnel and an
 * interface keepalive (not emulated) elsewhere.
 */
import { ParseFail, type Cursor } from '../cli/cursor.js';
import { recordInterfaceExtra } from './extras.js';
import { finalArguments, type EngineState, type Effect, type Grammar } from './grammar.js';
import { isTunnel, readInterfaceName } from './interface-names.js';
import type { ConfigMode } from './modes.js';
import { newInterface, TUNNEL_MODE_GRE_IP, type InterfaceConfig, type TunnelConfig } from './types.js';

/** The MTU show interfaces prints for a tunnel on 12.x (research notes, section 3); the IP MTU cannot exceed it. */
export const TUNNEL_HARDWARE_MTU = 1514;
/** `ip tcp adjust-mss`'s range. */
export const ADJUST_MSS_MIN = 500;
export const ADJUST_MSS_MAX = 1460;
/** IOS 12.2's tunnel modes (`tunnel mode ?`); only `gre ip` is emulated. */
const MODES = ['aurp', 'cayman', 'dvmrp', 'eon', 'gre', 'ipip', 'iptalk', 'mpls', 'nos'];

function iface(st: EngineState): InterfaceConfig {
  const mode = st.mode;
  if (mode.kind !== 'interface') throw new Error('not in interface mode');
  let found = st.config.interfaces.find((i) => i.name === mode.name);
  if (!found) {
    found = newInterface(mode.name);
    st.config.interfaces.push(found);
  }
  return found;
}

function tunnelOf(st: EngineState): TunnelConfig {
  const i = iface(st);
  i.tunnel ??= { source: null, destination: null, mode: TUNNEL_MODE_GRE_IP, key: null, checksum: false };
  return i.tunnel;
}

const onTunnel = (mode: ConfigMode): boolean => mode.kind === 'interface' && isTunnel(mode.name);

/** `tunnel ...` outside a Tunnel interface: IOS has no such command there. */
function requireTunnel(cursor: Cursor, mode: ConfigMode): void {
  if (!onTunnel(mode)) throw new ParseFail('invalid', cursor.tokens[0]?.start ?? 0, '', 'tunnel commands exist only on Tunnel interfaces');
}

function tunnelCommands(g: Grammar): void {
  g.on('tunnel source', (cursor, mode) => {
    requireTunnel(cursor, mode);
    const address = cursor.optIpv4();
    const source: TunnelConfig['source'] = address !== undefined ? { kind: 'address', address } : { kind: 'interface', name: readInterfaceName(cursor) };
    return (st) => {
      tunnelOf(st).source = source;
    };
  });
  g.on('tunnel destination', (cursor, mode) => {
    requireTunnel(cursor, mode);
    const address = cursor.ipv4();
    return (st) => {
      tunnelOf(st).destination = address;
    };
  });
  g.on('tunnel mode', (cursor, mode) => {
    requireTunnel(cursor, mode);
    const first = cursor.keyword(MODES);
    const words = [first];
    if (first === 'gre') words.push(cursor.keyword(['ip', 'multipoint']));
    else if (first === 'ipip') {
      const any = cursor.optKeyword(['decapsulate-any']);
      if (any) words.push(any);
    }
    const text = words.join(' ');
    const effect: Effect = (st) => {
      tunnelOf(st).mode = text;
    };
    if (text !== TUNNEL_MODE_GRE_IP) effect.variant = 'not-gre-ip';
    return effect;
  });
  g.on('tunnel key', (cursor, mode) => {
    requireTunnel(cursor, mode);
    const key = cursor.integer(0, 0xffffffff);
    return (st) => {
      tunnelOf(st).key = key;
    };
  });
  g.on('tunnel checksum', (cursor, mode) => {
    requireTunnel(cursor, mode);
    return (st) => {
      tunnelOf(st).checksum = true;
    };
  });
  const unset: [string, (t: TunnelConfig) => void][] = [
    ['no tunnel source', (t) => (t.source = null)],
    ['no tunnel destination', (t) => (t.destination = null)],
    ['no tunnel mode', (t) => (t.mode = TUNNEL_MODE_GRE_IP)],
    ['no tunnel key', (t) => (t.key = null)],
    ['no tunnel checksum', (t) => (t.checksum = false)],
  ];
  for (const [path, apply] of unset) {
    g.on(path, (cursor, mode) => {
      requireTunnel(cursor, mode);
      cursor.rest();
      return (st) => apply(tunnelOf(st));
    });
  }
}

function keepaliveCommands(g: Grammar): void {
  g.on('keepalive', (cursor, mode) => {
    if (!onTunnel(mode)) {
      // an Ethernet or serial keepalive: kept for show running-config, not emulated
      cursor.rest();
      const line = cursor.line;
      const effect: Effect = (st) => recordInterfaceExtra(iface(st), line);
      effect.variant = 'not-tunnel';
      return effect;
    }
    // keepalive [period [retries]]: 10 s and 3 retries by default (GRE Tunnel Keepalive, 12.2(8)T); period 0 turns it off
    const period = cursor.optInteger(0, 32767);
    const retries = period === undefined ? undefined : cursor.optInteger(1, 255);
    return (st) => {
      iface(st).keepalive = period === 0 ? null : { period: period ?? 10, retries: retries ?? 3 };
    };
  });
  g.on('no keepalive', (cursor, mode) => {
    cursor.rest();
    const line = cursor.line;
    return (st) => {
      if (onTunnel(mode)) iface(st).keepalive = null;
      else recordInterfaceExtra(iface(st), line);
    };
  });
}

function valueCommands(g: Grammar): void {
  g.on('ip mtu', (cursor, mode) => {
    const column = cursor.peek()?.start ?? 0;
    const mtu = cursor.integer(68, 18000);
    return (st) => {
      const i = iface(st);
      const max = onTunnel(mode) ? TUNNEL_HARDWARE_MTU : (i.mtu ?? 1500);
      if (mtu > max) throw new ParseFail('invalid', column, '', `the IP MTU of ${i.name} is 68-${max} (its MTU)`);
      i.ipMtu = mtu;
    };
  });
  g.on('no ip mtu', (cursor) => {
    cursor.optInteger(68, 18000);
    return (st) => {
      iface(st).ipMtu = null;
    };
  });
  // 500-1460 (IOS IP Application Services command reference); a value out of range, or none, is
  // refused with IOS's marker, never taken by `ip tcp *` (header compression) instead
  g.on('ip tcp adjust-mss', (cursor) => {
    const mss = finalArguments(() => {
      const value = cursor.integer(ADJUST_MSS_MIN, ADJUST_MSS_MAX);
      cursor.end();
      return value;
    });
    return (st) => {
      iface(st).adjustMss = mss;
    };
  });
  g.on('no ip tcp adjust-mss', (cursor) => {
    finalArguments(() => {
      cursor.optInteger(ADJUST_MSS_MIN, ADJUST_MSS_MAX);
      cursor.end();
    });
    return (st) => {
      iface(st).adjustMss = null;
    };
  });
  g.on('bandwidth', (cursor) => {
    const kbit = cursor.integer(1, 10_000_000);
    return (st) => {
      iface(st).bandwidth = kbit;
    };
  });
  g.on('no bandwidth', (cursor) => {
    cursor.optInteger(1, 10_000_000);
    return (st) => {
      iface(st).bandwidth = null;
    };
  });
  g.on('delay', (cursor) => {
    const tens = cursor.integer(1, 16_777_215);
    return (st) => {
      iface(st).delay = tens;
    };
  });
  g.on('no delay', (cursor) => {
    cursor.optInteger(1, 16_777_215);
    return (st) => {
      iface(st).delay = null;
    };
  });
}

/** Registers the commands of this file in the interface grammar. */
export function addTunnelCommands(g: Grammar): void {
  tunnelCommands(g);
  keepaliveCommands(g);
  valueCommands(g);
}
