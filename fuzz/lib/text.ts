/**
 * Line-level mutations of IOS configurations and exec commands: lines
 * dropped, duplicated, swapped, taken from another configuration, indented
 * or outdented (which moves them between modes), truncated; tokens replaced
 * by words of the corpus, numbers pushed to their limits, addresses broken;
 * characters inserted and deleted (control characters and non-ASCII among
 * them); line endings changed; block keywords (end, exit, banner
 * delimiters) inserted.
 */
import type { Rng } from './prng.js';

const ODD_CHARS = [' ', '  ', '\t', '\r', '!', '^', '|', '#', '?', '"', '-', '.', '/', ':', '\u0000', '\u0003', '\u001b', '\u00e9', '\u{1f600}', '\uffff'];
const NUMBERS = ['0', '1', '-1', '255', '256', '65535', '65536', '2147483647', '4294967295', '4294967296', '99999999999999999999', '1e3', '0x10', '007'];
const ADDRESSES = [
  '0.0.0.0',
  '255.255.255.255',
  '256.1.1.1',
  '1.2.3',
  '1.2.3.4.5',
  '10.0.0.0',
  '12.12.12.0',
  '13.13.13.0',
  '0.0.0.255',
  '255.255.255.0',
  '::1',
  '1..2.3',
];
const BLOCK_WORDS = [
  'end',
  'exit',
  '!',
  'banner motd ^C',
  '^C',
  'interface FastEthernet0/0',
  'crypto map tedtag 10 ipsec-isakmp',
  'line vty 0 4',
  'router ospf 1',
  'no',
  'do show run',
  'configure terminal',
];

export interface Vocabulary {
  /** Words seen in the corpus. */
  readonly words: readonly string[];
  /** Lines seen in the corpus. */
  readonly lines: readonly string[];
}

/** Words and lines of a corpus of texts. */
export function vocabulary(texts: readonly string[]): Vocabulary {
  const words = new Set<string>();
  const lines = new Set<string>();
  for (const t of texts) {
    for (const l of t.split(/\r\n|\r|\n/)) {
      if (l.trim() && !l.startsWith('!')) lines.add(l);
      for (const w of l.split(/\s+/)) if (w) words.add(w);
    }
  }
  return { words: [...words].sort(), lines: [...lines].sort() };
}

function mutateToken(rng: Rng, word: string, v: Vocabulary): string {
  if (/^\d+$/.test(word) && rng.chance(0.6)) return rng.pick(NUMBERS);
  if (/^\d+\.\d+\.\d+\.\d+$/.test(word) && rng.chance(0.6)) return rng.pick(ADDRESSES);
  switch (rng.int(5)) {
    case 0:
      return word.slice(0, rng.range(1, Math.max(1, word.length))); // an abbreviation
    case 1:
      return word.toUpperCase();
    case 2:
      return rng.pick(NUMBERS);
    default:
      return rng.pick(v.words);
  }
}

/** One mutation of one line. */
export function mutateLine(rng: Rng, line: string, v: Vocabulary): string {
  switch (rng.int(7)) {
    case 0: {
      const p = rng.int(line.length + 1);
      return line.slice(0, p) + rng.pick(ODD_CHARS) + line.slice(p);
    }
    case 1: {
      const p = rng.int(line.length + 1);
      return line.slice(0, p) + line.slice(p + 1);
    }
    case 2:
      return line.slice(0, rng.int(line.length + 1));
    case 3: {
      const words = line.split(' ');
      const i = rng.int(words.length);
      words[i] = mutateToken(rng, words[i] ?? '', v);
      return words.join(' ');
    }
    case 4: {
      const words = line.split(' ');
      words.splice(rng.int(words.length + 1), 0, rng.pick(v.words));
      return words.join(' ');
    }
    case 5:
      return rng.chance(0.5) ? ` ${line}` : line.trimStart();
    default:
      return Array.from({ length: rng.range(1, 6) }, () => rng.pick(v.words)).join(' ');
  }
}

/** One to `most` line-level mutations of a text; `donors` are other texts to take lines from. */
export function mutateText(rng: Rng, text: string, v: Vocabulary, donors: readonly string[] = [], most = 5): string {
  const lines = text.split(/\r\n|\r|\n/);
  for (let n = rng.range(1, most); n > 0; n--) {
    const at = rng.int(Math.max(1, lines.length));
    switch (
      rng.weighted<string>([
        [8, 'line'],
        [2, 'drop'],
        [2, 'duplicate'],
        [2, 'swap'],
        [3, 'donor'],
        [2, 'block'],
        [1, 'long'],
      ])
    ) {
      case 'line':
        lines[at] = mutateLine(rng, lines[at] ?? '', v);
        break;
      case 'drop':
        lines.splice(at, rng.range(1, 3));
        break;
      case 'duplicate':
        lines.splice(rng.int(lines.length + 1), 0, lines[at] ?? '');
        break;
      case 'swap': {
        const j = rng.int(Math.max(1, lines.length));
        [lines[at], lines[j]] = [lines[j] ?? '', lines[at] ?? ''];
        break;
      }
      case 'donor': {
        const from = donors.length > 0 && rng.chance(0.5) ? rng.pick(donors).split(/\r\n|\r|\n/) : v.lines;
        const i = rng.int(Math.max(1, from.length));
        lines.splice(at, 0, ...from.slice(i, i + rng.range(1, 4)));
        break;
      }
      case 'block':
        lines.splice(at, 0, rng.pick(BLOCK_WORDS));
        break;
      default:
        lines[at] = `${lines[at] ?? ''} ${Array.from({ length: rng.range(20, 200) }, () => rng.pick(v.words)).join(' ')}`;
    }
  }
  const eol = rng.weighted<string>([
    [10, '\n'],
    [1, '\r\n'],
    [1, '\r'],
  ]);
  return lines.join(eol);
}
