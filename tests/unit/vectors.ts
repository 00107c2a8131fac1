/** Known-answer fixtures of tests/fixtures/vectors/ (each file names its source) and a hex helper. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Path of a file in tests/fixtures/vectors/. */
export function vectorPath(name: string): string {
  return `${root}tests/fixtures/vectors/${name}`;
}

/** A JSON fixture of tests/fixtures/vectors/, parsed. */
export function loadVectors<T>(name: string): T {
  return JSON.parse(readFileSync(vectorPath(name), 'utf8')) as T;
}

/** Bytes from hex, ignoring white space. */
export function hex(s: string): Buffer {
  const clean = s.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new Error(`not hex: ${s.slice(0, 40)}`);
  return Buffer.from(clean, 'hex');
}
