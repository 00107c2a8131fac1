/**
 * The IOS corpus: every configuration in topologies/ and tests/fixtures/
 * (the labs' routers, the variants, the public IOS 12.x configurations of
 * tests/fixtures/ios-corpus), and the exec commands of fuzz/corpus/exec.txt
 * (what the tests, the labs and the documentation type at a router).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../lib/root.js';

function cfgFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...cfgFiles(path));
    else if (name.endsWith('.cfg')) out.push(path);
  }
  return out;
}

let configs: string[] | null = null;
let commands: string[] | null = null;

/** Every IOS configuration of the repository, as text. */
export function iosConfigs(): readonly string[] {
  configs ??= [...cfgFiles(`${root}topologies`), ...cfgFiles(`${root}tests/fixtures`)].map((f) => readFileSync(f, 'utf8'));
  return configs;
}

/** The exec commands of the corpus. */
export function execCommands(): readonly string[] {
  commands ??= readFileSync(`${root}fuzz/corpus/exec.txt`, 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'));
  return commands;
}
