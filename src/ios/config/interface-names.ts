/**
 * Interface names as IOS normalizes them: `interface fa0/0`, `int FastEthernet 0/1`
 * and `Lo0` all name one interface, printed in full (FastEthernet0/0, Loopback0).
 */
import { Cursor, ParseFail, matchKeyword, tokenize } from '../cli/cursor.js';

export interface InterfaceType {
  readonly name: string;
  /** Physical types take slot/port numbers and sub-interfaces; logical ones a single number. */
  readonly physical: boolean;
}

export const INTERFACE_TYPES: readonly InterfaceType[] = [
  { name: 'Ethernet', physical: true },
  { name: 'FastEthernet', physical: true },
  { name: 'GigabitEthernet', physical: true },
  { name: 'Serial', physical: true },
  { name: 'Loopback', physical: false },
  { name: 'Tunnel', physical: false },
  { name: 'Null', physical: false },
  { name: 'Dialer', physical: false },
  { name: 'Virtual-Template', physical: false },
];

const TYPE_NAMES = INTERFACE_TYPES.map((t) => t.name);
const PHYSICAL_NUMBER = /^\d{1,4}(\/\d{1,4}){0,2}(\.\d{1,10})?$/;
const LOGICAL_NUMBER = /^\d{1,10}$/;

export function interfaceType(name: string): InterfaceType | undefined {
  const m = /^([A-Za-z-]+)/.exec(name);
  return m ? INTERFACE_TYPES.find((t) => t.name === m[1]) : undefined;
}

/** True for interfaces whose link is always up (Loopback, Null). */
export function isAlwaysUp(name: string): boolean {
  return name.startsWith('Loopback') || name.startsWith('Null');
}

/** True for Tunnel interfaces (their line protocol follows the tunnel's state, src/ios/routing/tunnels.ts). */
export function isTunnel(name: string): boolean {
  return name.startsWith('Tunnel');
}

export function isSubinterface(name: string): boolean {
  return name.includes('.');
}

/**
 * Whether the emulator runs an interface: Ethernet, FastEthernet,
 * GigabitEthernet, Serial (as an IP link), their sub-interfaces, Loopback and
 * Tunnel (GRE) are emulated; for the others, the reading of `interface` in the
 * support table that says why not.
 */
export function interfaceEmulated(name: string): 'emulated' | 'dialer' | 'virtual-template' | 'null' {
  switch (interfaceType(name)?.name) {
    case 'Dialer':
      return 'dialer';
    case 'Virtual-Template':
      return 'virtual-template';
    case 'Null':
      return 'null';
    default:
      return 'emulated';
  }
}

/**
 * Reads an interface name from the cursor: one token (`Fa0/0`) or two
 * (`FastEthernet 0/0`). Throws ParseFail with IOS's caret position.
 */
export function readInterfaceName(cursor: Cursor): string {
  const token = cursor.peek();
  if (!token) throw cursor.incomplete();
  const m = /^([A-Za-z-]+)(.*)$/.exec(token.text);
  if (!m) throw cursor.invalidAt(token);
  const typeText = m[1]!;
  let numberText = m[2]!;
  const match = matchKeyword(typeText, TYPE_NAMES);
  if (match.kind === 'ambiguous') {
    throw new ParseFail('ambiguous', token.start, cursor.line.slice(cursor.tokens[0]?.start ?? 0, token.end));
  }
  if (match.kind === 'none') throw cursor.invalidAt(token, match.matchedChars);
  if (!match.exact) cursor.allExact = false;
  const type = INTERFACE_TYPES.find((t) => t.name === match.keyword)!;
  cursor.word();
  let numberStart = token.start + typeText.length;
  if (numberText === '') {
    const next = cursor.peek();
    if (!next) throw cursor.incomplete();
    numberText = next.text;
    numberStart = next.start;
    cursor.word();
  }
  const pattern = type.physical ? PHYSICAL_NUMBER : LOGICAL_NUMBER;
  if (!pattern.test(numberText)) {
    throw new ParseFail('invalid', numberStart, '', `"${numberText}" is not a valid ${type.name} number`);
  }
  return type.name + numberText;
}

/** Normalizes a free-standing interface name ("fa0/1", "fastethernet 0/1"); null if invalid. */
export function normalizeInterfaceName(text: string): string | null {
  const cursor = new Cursor(text, tokenize(text));
  try {
    const name = readInterfaceName(cursor);
    return cursor.atEnd ? name : null;
  } catch (e) {
    if (e instanceof ParseFail) return null;
    throw e;
  }
}
