/** Global commands: hostname, version, ip route, banner, end/exit and the global lines kept verbatim. */
import { isContiguousMask, parseIpv4 } from '../../codecs/net/address.js';
import { type Cursor, ParseFail } from '../cli/cursor.js';
import { addKept, recordGlobalExtra } from './extras.js';
import { type Grammar, type Effect } from './grammar.js';
import { interfaceEmulated, readInterfaceName } from './interface-names.js';
import { keptEntries } from './support.js';
import type { StaticRoute } from './types.js';

const BANNER_TYPES = ['motd', 'login', 'exec', 'incoming', 'slip-ppp', 'prompt-timeout'];

export function addGlobalCommands(g: Grammar): void {
  g.on('hostname', (cursor) => {
    const token = cursor.peek();
    const name = cursor.word();
    if (!/^[A-Za-z][A-Za-z0-9_.-]{0,62}$/.test(name)) {
      throw new ParseFail('value', token?.start ?? 0, '% Hostname contains one or more illegal characters.');
    }
    return (st) => {
      st.config.hostname = name;
    };
  });
  g.on('no hostname', () => (st) => {
    st.config.hostname = 'Router';
  });
  g.on('version', (cursor) => {
    const version = cursor.word();
    return (st) => {
      st.config.version = version;
    };
  });
  g.on('ip route', (cursor) => {
    const route = readRoute(cursor, false);
    const effect: Effect = (st) => {
      const same = (r: StaticRoute): boolean =>
        r.prefix === route.prefix && r.mask === route.mask && r.nextHop === route.nextHop && r.interface === route.interface;
      const at = st.config.staticRoutes.findIndex(same);
      if (at >= 0) st.config.staticRoutes[at] = route;
      else st.config.staticRoutes.push(route);
    };
    if (route.interface !== null && interfaceEmulated(route.interface) !== 'emulated') effect.variant = 'unemulated-interface';
    return effect;
  });
  g.on('no ip route', (cursor) => {
    const route = readRoute(cursor, true);
    const anyTarget = route.nextHop === null && route.interface === null;
    return (st) => {
      st.config.staticRoutes = st.config.staticRoutes.filter(
        (r) => !(r.prefix === route.prefix && r.mask === route.mask && (anyTarget || (r.nextHop === route.nextHop && r.interface === route.interface))),
      );
    };
  });
  g.on('banner', readBanner);
  g.on('end', () => (st) => {
    st.ended = true;
  });
  g.on('exit', () => (st) => {
    if (st.exitLeavesConfig) st.ended = true;
  });
  addKept(g, keptEntries('global'), (st, text, entry) => recordGlobalExtra(st, entry.section ?? 'global', text, entry.block ?? null, entry.class));
}

/** `ip route PREFIX MASK (NEXTHOP | IFACE [NEXTHOP]) [DISTANCE] [tag N] [name X] [permanent]`. */
function readRoute(cursor: Cursor, forRemoval: boolean): StaticRoute {
  const prefixToken = cursor.peek();
  const prefix = cursor.ipv4();
  const mask = cursor.ipv4();
  const p = parseIpv4(prefix);
  const m = parseIpv4(mask);
  if (!isContiguousMask(m) || (p & ~m) !== 0) {
    throw new ParseFail('value', prefixToken?.start ?? 0, '%Inconsistent address and mask', `${prefix} ${mask} is not a network and its mask`);
  }
  const route: StaticRoute = {
    prefix,
    mask,
    nextHop: null,
    interface: null,
    distance: 1,
    name: null,
    permanent: false,
    tag: null,
  };
  if (cursor.atEnd) {
    if (forRemoval) return route;
    throw cursor.incomplete();
  }
  const nextHop = cursor.optIpv4();
  if (nextHop !== undefined) {
    route.nextHop = nextHop;
  } else {
    route.interface = readInterfaceName(cursor);
    route.nextHop = cursor.optIpv4() ?? null;
  }
  const distance = cursor.optInteger(1, 255);
  if (distance !== undefined) route.distance = distance;
  for (const options = ['tag', 'name', 'permanent']; options.length > 0;) {
    const k = cursor.optKeyword(options);
    if (k === undefined) break;
    options.splice(options.indexOf(k), 1);
    if (k === 'tag') route.tag = cursor.integer(1, 4294967295);
    else if (k === 'name') route.name = cursor.word();
    else route.permanent = true;
  }
  return route;
}

/**
 * `banner motd ^C ... ^C`: the first character after the type is the
 * delimiter (`^C` as pasted from show running-config counts as one); the text
 * runs until the delimiter appears again, possibly many lines later.
 */
function readBanner(cursor: Cursor): Effect {
  const type = cursor.optKeyword(BANNER_TYPES) ?? 'motd';
  const token = cursor.peek();
  if (!token) throw cursor.incomplete();
  const text = cursor.rest();
  const delimiter = text.startsWith('^C') ? '^C' : text[0]!;
  const closed = text.slice(delimiter.length).includes(delimiter);
  const header = `banner ${type} ${text}`;
  return (st) => {
    const extras = st.config.extras;
    const old = extras.findIndex((e) => e.lines[0]!.startsWith(`banner ${type} `));
    if (old >= 0) extras.splice(old, 1);
    const block = { section: 'tail' as const, lines: [header] };
    extras.push(block);
    st.mode = closed ? { kind: 'global' } : { kind: 'banner', header, delimiter };
  };
}
