/**
 * Exec command line parsing with IOS abbreviation rules and error messages:
 * unique prefixes are accepted, `% Ambiguous command:  "sh c"`, the '^'
 * marker under the first character that matches nothing, `% Incomplete command.`.
 */
import { Cursor, ParseFail, tokenize } from '../cli/cursor.js';
import { readInterfaceName } from '../config/interface-names.js';
import { PING_DEFAULTS, type DebugFacility, type ExecCommand, type ExecParse, type OutputFilter } from './commands.js';
import * as K from './keywords.js';

/** A command IOS has but the emulator does not implement, or another message IOS prints instead of running. */
class ExecMessage extends Error {
  constructor(readonly output: string) {
    super(output);
  }
}

function notEmulated(cursor: Cursor): ExecMessage {
  const words = cursor.tokens
    .slice(0, cursor.position)
    .map((t) => t.text)
    .join(' ');
  return new ExecMessage(`% "${words}" is not emulated by the testbed\n`);
}

export interface ExecParseOptions {
  /** Length of the prompt the line was typed after ("Daphne#" is 7): the caret is shifted by it. */
  promptLength?: number;
}

function failOutput(fail: ParseFail, promptLength: number): string {
  switch (fail.kind) {
    case 'ambiguous':
      return `% Ambiguous command:  "${fail.text}"\n`;
    case 'incomplete':
      return '% Incomplete command.\n\n';
    case 'value':
      return `${fail.text}\n`;
    case 'invalid':
      return `${' '.repeat(promptLength + fail.column)}^\n% Invalid input detected at '^' marker.\n\n`;
  }
}

/** Parses one exec line. Never throws. */
export function parseExec(line: string, opts: ExecParseOptions = {}): ExecParse {
  const promptLength = opts.promptLength ?? 0;
  const tokens = tokenize(line);
  const pipeAt = tokens.findIndex((t) => t.text === '|' || t.text.startsWith('|'));
  const cursor = new Cursor(line, pipeAt >= 0 ? tokens.slice(0, pipeAt) : tokens);
  try {
    const command = parseCommand(cursor);
    cursor.end();
    let filter: OutputFilter | null = null;
    if (pipeAt >= 0) {
      if (!command.kind.startsWith('show-')) throw new ParseFail('invalid', tokens[pipeAt]!.start);
      filter = parseFilter(line, tokens.slice(pipeAt));
    }
    return { ok: true, command, filter };
  } catch (e) {
    if (e instanceof ParseFail) return { ok: false, output: failOutput(e, promptLength) };
    if (e instanceof ExecMessage) return { ok: false, output: e.output };
    return { ok: false, output: `% Internal error: ${e instanceof Error ? e.message : String(e)}\n` };
  }
}

function parseFilter(line: string, tokens: ReturnType<typeof tokenize>): OutputFilter {
  // "|include" written without a space is split here.
  const first = tokens[0]!;
  const rest = first.text === '|' ? tokens.slice(1) : [{ text: first.text.slice(1), start: first.start + 1, end: first.end }, ...tokens.slice(1)];
  const c = new Cursor(line, rest);
  const k = c.keyword(K.OUTPUT_MODIFIERS);
  if (k === 'append' || k === 'redirect' || k === 'tee') throw notEmulated(c);
  const pattern = c.rest();
  if (!pattern) throw c.incomplete();
  return { kind: k as OutputFilter['kind'], pattern };
}

/** Applies an output modifier to command output, as IOS does line by line. */
export function applyOutputFilter(output: string, filter: OutputFilter | null): string {
  if (!filter) return output;
  let re: RegExp;
  try {
    re = new RegExp(filter.pattern);
  } catch {
    re = new RegExp(filter.pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  }
  const lines = output.split('\n');
  const trailing = lines[lines.length - 1] === '' ? lines.pop() : undefined;
  let kept: string[];
  switch (filter.kind) {
    case 'include':
      kept = lines.filter((l) => re.test(l));
      break;
    case 'exclude':
      kept = lines.filter((l) => !re.test(l));
      break;
    case 'begin': {
      const at = lines.findIndex((l) => re.test(l));
      kept = at < 0 ? [] : lines.slice(at);
      break;
    }
    case 'section': {
      kept = [];
      let inSection = false;
      for (const l of lines) {
        if (!/^\s/.test(l)) inSection = re.test(l);
        else if (!inSection && re.test(l)) kept.push(l);
        if (inSection) kept.push(l);
      }
      break;
    }
  }
  return kept.join('\n') + (trailing !== undefined && kept.length ? '\n' : '');
}

function parseCommand(c: Cursor): ExecCommand {
  if (c.atEnd) return { kind: 'empty' };
  const k = c.keyword(K.EXEC_TOP);
  switch (k) {
    case 'show':
      return parseShow(c);
    case 'configure': {
      const target = c.keyword(K.CONFIGURE);
      if (target !== 'terminal') throw notEmulated(c);
      return { kind: 'configure-terminal' };
    }
    case 'debug':
      return parseDebug(c, true);
    case 'undebug':
      return parseDebug(c, false);
    case 'no': {
      c.keyword(['debug', 'monitor']);
      if (c.tokens[c.position - 1]!.text.toLowerCase().startsWith('m')) throw notEmulated(c);
      return parseDebug(c, false);
    }
    case 'clear':
      return parseClear(c);
    case 'ping':
      return parsePing(c);
    case 'traceroute': {
      c.optKeyword(K.PING_PROTOCOLS.filter((p) => p === 'ip'));
      return { kind: 'traceroute', target: readTarget(c) };
    }
    case 'terminal':
      return parseTerminal(c);
    case 'write': {
      const what = c.optKeyword(['erase', 'memory', 'network', 'terminal']);
      if (what !== undefined && what !== 'memory') throw notEmulated(c);
      return { kind: 'write-memory' };
    }
    case 'copy': {
      const from = c.keyword(['running-config', 'startup-config', 'flash:', 'tftp:', 'ftp:', 'null:', 'nvram:', 'system:']);
      const to = c.keyword(['running-config', 'startup-config', 'flash:', 'tftp:', 'ftp:', 'null:', 'nvram:', 'system:']);
      if (from !== 'running-config' || to !== 'startup-config') throw notEmulated(c);
      return { kind: 'write-memory' };
    }
    case 'exit':
    case 'logout':
      return { kind: 'exit' };
    default:
      throw notEmulated(c);
  }
}

function parseShow(c: Cursor): ExecCommand {
  if (c.atEnd) throw new ExecMessage('% Type "show ?" for a list of subcommands\n');
  const k = c.keyword(K.SHOW);
  switch (k) {
    case 'running-config':
      return { kind: 'show-running-config' };
    case 'startup-config':
      return { kind: 'show-startup-config' };
    case 'version':
      return { kind: 'show-version' };
    case 'logging':
      return { kind: 'show-logging' };
    case 'clock':
      return { kind: 'show-clock' };
    case 'debugging':
      return { kind: 'show-debugging' };
    case 'access-lists':
      return { kind: 'show-access-lists', name: c.optWord() ?? null };
    case 'interfaces': {
      if (c.atEnd) return { kind: 'show-interfaces', interface: null };
      if (c.optKeyword(K.SHOW_INTERFACES_OPTIONS) !== undefined) throw notEmulated(c);
      return { kind: 'show-interfaces', interface: readInterfaceName(c) };
    }
    case 'ip':
      return parseShowIp(c);
    case 'crypto':
      return parseShowCrypto(c);
    default:
      throw notEmulated(c);
  }
}

function parseShowIp(c: Cursor): ExecCommand {
  const k = c.keyword(K.SHOW_IP);
  switch (k) {
    case 'route':
      return { kind: 'show-ip-route' };
    case 'traffic':
      return { kind: 'show-ip-traffic' };
    case 'access-lists':
      return { kind: 'show-access-lists', name: c.optWord() ?? null };
    case 'nat': {
      const sub = c.keyword(['statistics', 'translations']);
      if (sub === 'statistics') return { kind: 'show-ip-nat-statistics' };
      if (c.atEnd) return { kind: 'show-ip-nat-translations', verbose: false };
      if (c.optKeyword(['icmp', 'pro', 'tcp', 'udp', 'verbose']) === 'verbose') return { kind: 'show-ip-nat-translations', verbose: true };
      throw notEmulated(c);
    }
    case 'interface':
      if (c.optKeyword(['brief']) !== undefined) return { kind: 'show-ip-interface-brief' };
      throw notEmulated(c);
    case 'protocols':
      return { kind: 'show-ip-protocols' };
    case 'ospf':
      return parseShowIpOspf(c);
    case 'eigrp': {
      const sub = c.keyword(K.SHOW_IP_EIGRP);
      if (sub === 'neighbors') return { kind: 'show-ip-eigrp-neighbors' };
      if (sub === 'topology') return { kind: 'show-ip-eigrp-topology' };
      throw notEmulated(c);
    }
    case 'rip':
      c.keyword(K.SHOW_IP_RIP);
      return { kind: 'show-ip-rip-database' };
    default:
      throw notEmulated(c);
  }
}

function parseShowIpOspf(c: Cursor): ExecCommand {
  c.optInteger(1, 65535);
  if (c.atEnd) throw notEmulated(c);
  const sub = c.keyword(K.SHOW_IP_OSPF);
  if (sub === 'neighbor') return { kind: 'show-ip-ospf-neighbor' };
  if (sub === 'interface') return { kind: 'show-ip-ospf-interface', interface: c.atEnd ? null : readInterfaceName(c) };
  throw notEmulated(c);
}

function parseShowCrypto(c: Cursor): ExecCommand {
  const k = c.keyword(K.SHOW_CRYPTO);
  switch (k) {
    case 'isakmp': {
      const sub = c.keyword(K.SHOW_CRYPTO_ISAKMP);
      if (sub === 'sa') return { kind: 'show-crypto-isakmp-sa' };
      if (sub === 'policy') return { kind: 'show-crypto-isakmp-policy' };
      throw notEmulated(c);
    }
    case 'ipsec': {
      const sub = c.keyword(K.SHOW_CRYPTO_IPSEC);
      if (sub === 'transform-set') {
        const tag = c.optKeyword(['tag']) !== undefined ? c.word() : null;
        return { kind: 'show-crypto-ipsec-transform-set', name: tag };
      }
      if (sub !== 'sa') throw notEmulated(c);
      let peer: string | null = null;
      let detail = false;
      for (;;) {
        const opt = c.optKeyword(['address', 'detail', 'identity', 'interface', 'map', 'peer', 'vrf']);
        if (opt === undefined) break;
        if (opt === 'peer' && peer === null) peer = c.ipv4();
        else if (opt === 'detail' && !detail) detail = true;
        else throw notEmulated(c);
      }
      return { kind: 'show-crypto-ipsec-sa', peer, detail };
    }
    case 'map': {
      const opt = c.optKeyword(['interface', 'tag']);
      if (opt === 'interface') return { kind: 'show-crypto-map', tag: null, interface: readInterfaceName(c) };
      if (opt === 'tag') return { kind: 'show-crypto-map', tag: c.word(), interface: null };
      return { kind: 'show-crypto-map', tag: null, interface: null };
    }
    case 'dynamic-map': {
      const tag = c.optKeyword(['tag']) !== undefined ? c.word() : null;
      return { kind: 'show-crypto-dynamic-map', tag };
    }
    case 'engine': {
      const sub = c.keyword(K.SHOW_CRYPTO_ENGINE);
      if (sub !== 'connections') throw notEmulated(c);
      const which = c.keyword(K.SHOW_CRYPTO_ENGINE_CONNECTIONS);
      if (which !== 'active') throw notEmulated(c);
      return { kind: 'show-crypto-engine-connections-active' };
    }
    default:
      throw notEmulated(c);
  }
}

function parseDebug(c: Cursor, on: boolean): ExecCommand {
  const k = c.keyword(K.DEBUG);
  if (k === 'all') return { kind: 'debug', facility: 'all', on };
  if (k === 'ip') {
    const ip = c.keyword(K.DEBUG_IP);
    if (ip === 'nat') {
      if (!c.atEnd) throw notEmulated(c);
      return { kind: 'debug', facility: 'nat', on };
    }
    if (ip !== 'ospf' || c.keyword(K.DEBUG_IP_OSPF) !== 'adj') throw notEmulated(c);
    return { kind: 'debug', facility: 'ospf-adj', on };
  }
  if (k !== 'crypto') throw notEmulated(c);
  const f = c.keyword(K.DEBUG_CRYPTO);
  if (f === 'isakmp' || f === 'ipsec' || f === 'engine') return { kind: 'debug', facility: f as DebugFacility, on };
  throw notEmulated(c);
}

function parseClear(c: Cursor): ExecCommand {
  const k = c.keyword(K.CLEAR);
  if (k === 'ip') {
    const ip = c.keyword(K.CLEAR_IP);
    if (ip === 'ospf') {
      const processId = c.optInteger(1, 65535) ?? null;
      if (c.keyword(K.CLEAR_IP_OSPF) !== 'process') throw notEmulated(c);
      return { kind: 'clear-ip-ospf-process', processId };
    }
    if (ip !== 'nat') throw notEmulated(c);
    if (c.keyword(['statistics', 'translation']) === 'statistics') return { kind: 'clear-ip-nat-statistics' };
    const which = c.peek();
    if (!which) throw c.incomplete();
    if (which.text !== '*') throw notEmulated(c);
    c.word();
    return { kind: 'clear-ip-nat-translation' };
  }
  if (k === 'access-list') {
    c.keyword(['counters']);
    return { kind: 'clear-access-list-counters', name: c.optWord() ?? null };
  }
  if (k !== 'crypto') throw notEmulated(c);
  const sub = c.keyword(K.CLEAR_CRYPTO);
  if (sub === 'isakmp') return { kind: 'clear-crypto-isakmp', connId: c.optInteger(1, 32766) ?? null };
  const opt = c.optKeyword(['counters', 'map', 'peer', 'spi']);
  if (opt === undefined) return { kind: 'clear-crypto-sa', peer: null, map: null };
  if (opt === 'map') return { kind: 'clear-crypto-sa', peer: null, map: c.word() };
  if (opt !== 'peer') throw notEmulated(c);
  return { kind: 'clear-crypto-sa', peer: c.ipv4(), map: null };
}

/** A ping or traceroute target: an address (names are not resolved: `no ip domain-lookup`). */
function readTarget(c: Cursor): string {
  const token = c.peek();
  if (!token) throw c.incomplete();
  const address = c.optIpv4();
  if (address === undefined) throw new ExecMessage('% Unrecognized host or address, or protocol not running.\n\n');
  return address;
}

function parsePing(c: Cursor): ExecCommand {
  if (c.atEnd) throw notEmulated(c); // extended ping dialog
  const protocol = c.optKeyword(K.PING_PROTOCOLS);
  if (protocol !== undefined && protocol !== 'ip') throw notEmulated(c);
  const target = readTarget(c);
  const cmd: Extract<ExecCommand, { kind: 'ping' }> = { kind: 'ping', target, ...PING_DEFAULTS, source: null, dfBit: false };
  for (;;) {
    const opt = c.optKeyword(K.PING_OPTIONS);
    if (opt === undefined) break;
    switch (opt) {
      case 'repeat':
        cmd.repeat = c.integer(1, 2147483647);
        break;
      case 'size':
        cmd.size = c.integer(36, 18024);
        break;
      case 'timeout':
        cmd.timeoutSeconds = c.integer(0, 3600);
        break;
      case 'df-bit':
        cmd.dfBit = true;
        break;
      case 'source': {
        const address = c.optIpv4();
        cmd.source = address !== undefined ? { kind: 'address', address } : { kind: 'interface', name: readInterfaceName(c) };
        break;
      }
      default:
        throw notEmulated(c);
    }
  }
  return cmd;
}

function parseTerminal(c: Cursor): ExecCommand {
  const k = c.keyword(K.TERMINAL);
  if (k === 'length') return { kind: 'terminal-length', lines: c.integer(0, 512) };
  if (k === 'monitor') return { kind: 'terminal-monitor', on: true };
  if (k === 'no') {
    c.keyword(['monitor', 'editing', 'history', 'length', 'width']);
    if (!c.tokens[c.position - 1]!.text.toLowerCase().startsWith('m')) throw notEmulated(c);
    return { kind: 'terminal-monitor', on: false };
  }
  throw notEmulated(c);
}
