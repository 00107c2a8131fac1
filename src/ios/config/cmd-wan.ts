/**
 * Interface sub-mode lines of WAN links and routing protocols: `encapsulation`,
 * `frame-relay interface-dlci` and `ip ospf ...` (`bandwidth`, `delay`: cmd-tunnel.ts). IOS
 * offers HDLC, PPP and Frame Relay on serial main interfaces only, 802.1Q on
 * Ethernet sub-interfaces only; elsewhere the keyword is refused with the
 * marker under it.
 */
import { ParseFail, type Cursor } from '../cli/cursor.js';
import { recordInterfaceExtra } from './extras.js';
import type { Effect, EngineState, Grammar } from './grammar.js';
import { interfaceType, isSubinterface } from './interface-names.js';
import { newInterface, type InterfaceConfig, type InterfaceOspf } from './types.js';

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

const isSerial = (name: string): boolean => interfaceType(name)?.name === 'Serial';
const isEthernet = (name: string): boolean => /Ethernet$/.test(interfaceType(name)?.name ?? '');

/** Refuses a keyword IOS does not offer on this interface, marker under the keyword. */
function refuseUnless(ok: boolean, column: number, why: string): void {
  if (!ok) throw new ParseFail('invalid', column, '', why);
}

function encapsulationCommand(g: Grammar): void {
  g.on('encapsulation', (cursor) => {
    const column = cursor.peek()?.start ?? 0;
    const kind = cursor.keyword([
      'hdlc',
      'ppp',
      'frame-relay',
      'dot1Q',
      'isl',
      'x25',
      'smds',
      'lapb',
      'sdlc',
      'atm-dxi',
      'sde',
      'slip',
      'bstun',
      'stun',
      'sdlc-primary',
      'sdlc-secondary',
    ]);
    if (kind === 'hdlc' || kind === 'ppp' || kind === 'frame-relay') {
      const ietf = kind === 'frame-relay' && cursor.optKeyword(['ietf', 'cisco']) === 'ietf';
      return (st) => {
        const i = iface(st);
        const dialup = kind === 'ppp' && /^(Dialer|Virtual-Template)/.test(i.name);
        refuseUnless(dialup || (isSerial(i.name) && !isSubinterface(i.name)), column, `${kind} is an encapsulation of serial main interfaces`);
        i.wan.encapsulation = kind === 'frame-relay' ? { kind, ietf } : { kind };
      };
    }
    if (kind === 'dot1Q') {
      const vlan = cursor.integer(1, 4094);
      const native = cursor.optKeyword(['native']) !== undefined;
      return (st) => {
        const i = iface(st);
        refuseUnless(isEthernet(i.name) && isSubinterface(i.name), column, '802.1Q is an encapsulation of Ethernet sub-interfaces');
        i.wan.encapsulation = { kind: 'dot1q', vlan, native };
      };
    }
    cursor.rest();
    const text = cursor.line;
    const effect: Effect = (st) => recordInterfaceExtra(iface(st), text);
    effect.variant = 'other';
    return effect;
  });
  g.on('frame-relay interface-dlci', (cursor) => {
    const column = cursor.peek()?.start ?? 0;
    const dlci = cursor.integer(16, 1007);
    return (st) => {
      const i = iface(st);
      refuseUnless(isSerial(i.name), column, 'DLCIs belong to serial interfaces');
      i.wan.dlci = dlci;
    };
  });
  g.on('no frame-relay interface-dlci', (cursor) => {
    cursor.optInteger(16, 1007);
    return (st) => {
      iface(st).wan.dlci = null;
    };
  });
}

/** `[0|7] KEY`: an unencrypted key (type 7 keys are kept as written, and not translated). */
function readKey(cursor: Cursor, maxLength: number): string {
  const first = cursor.word();
  const key = (first === '0' && !cursor.atEnd ? cursor.rest() : cursor.atEnd ? first : `${first} ${cursor.rest()}`).trim();
  return key.slice(0, maxLength);
}

function ospfCommands(g: Grammar): void {
  const set = (path: string, read: (c: Cursor) => (o: InterfaceOspf) => void, variantOf?: (c: Cursor) => string | undefined) => {
    g.on(path, (cursor) => {
      const apply = read(cursor);
      const variant = variantOf?.(cursor);
      const effect: Effect = (st) => apply(iface(st).ospf);
      if (variant) effect.variant = variant;
      return effect;
    });
  };
  set('ip ospf cost', (c) => {
    const v = c.integer(1, 65535);
    return (o) => void (o.cost = v);
  });
  set('ip ospf hello-interval', (c) => {
    const v = c.integer(1, 65535);
    return (o) => void (o.hello = v);
  });
  set('ip ospf dead-interval', (c) => {
    const v = c.integer(1, 65535);
    return (o) => void (o.dead = v);
  });
  set('ip ospf priority', (c) => {
    const v = c.integer(0, 255);
    return (o) => void (o.priority = v);
  });
  g.on('ip ospf network', (cursor) => {
    const type = cursor.keyword(['point-to-point', 'broadcast', 'non-broadcast', 'point-to-multipoint']) as NonNullable<InterfaceOspf['network']>;
    if (type === 'point-to-multipoint') cursor.optKeyword(['non-broadcast']);
    const effect: Effect = (st) => void (iface(st).ospf.network = type);
    if (type === 'non-broadcast' || type === 'point-to-multipoint') effect.variant = 'nbma';
    return effect;
  });
  set('ip ospf authentication', (c) => {
    const k = c.optKeyword(['message-digest', 'null']);
    const v: InterfaceOspf['authentication'] = k === 'message-digest' ? 'message-digest' : k === 'null' ? 'null' : 'simple';
    return (o) => void (o.authentication = v);
  });
  set('ip ospf authentication-key', (c) => {
    const v = readKey(c, 8);
    return (o) => void (o.authenticationKey = v);
  });
  set('ip ospf message-digest-key', (c) => {
    const id = c.integer(1, 255);
    c.keyword(['md5']);
    const key = readKey(c, 16);
    return (o) => {
      o.messageDigestKeys = [...o.messageDigestKeys.filter((k) => k.id !== id), { id, key }];
    };
  });
  const reset: [string, (o: InterfaceOspf, c: Cursor) => void][] = [
    ['cost', (o) => (o.cost = null)],
    ['hello-interval', (o) => (o.hello = null)],
    ['dead-interval', (o) => (o.dead = null)],
    ['network', (o) => (o.network = null)],
    ['priority', (o) => (o.priority = null)],
    ['authentication', (o) => (o.authentication = null)],
    ['authentication-key', (o) => (o.authenticationKey = null)],
  ];
  for (const [k, apply] of reset) {
    g.on(`no ip ospf ${k}`, (cursor) => {
      cursor.rest();
      return (st) => apply(iface(st).ospf, cursor);
    });
  }
  g.on('no ip ospf message-digest-key', (cursor) => {
    const id = cursor.integer(1, 255);
    cursor.rest();
    return (st) => {
      const o = iface(st).ospf;
      o.messageDigestKeys = o.messageDigestKeys.filter((k) => k.id !== id);
    };
  });
}

/** Registers the commands of this file in the interface grammar. */
export function addWanCommands(g: Grammar): void {
  encapsulationCommand(g);
  ospfCommands(g);
}
