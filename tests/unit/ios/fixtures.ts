/** Seed configurations from topologies/daphne-fred, read relative to dist/tests/unit/ios. */
import { readFileSync } from 'node:fs';
import type { RouterConfig } from '../../../src/ios/index.js';

function read(name: string): string {
  return readFileSync(new URL(`../../../../topologies/daphne-fred/${name}`, import.meta.url), 'utf8');
}

export const DAPHNE_CFG = read('daphne.cfg');
export const FRED_CFG = read('fred.cfg');

/** The model without the source text, for comparing configurations parsed from different text. */
export function modelOf(config: RouterConfig): Omit<RouterConfig, 'sourceLines'> {
  const { sourceLines: _ignored, ...rest } = config;
  return rest;
}
