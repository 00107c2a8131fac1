/** The repository root (this file runs from dist/fuzz/lib/), for configurations and fixtures. */
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../../', import.meta.url));
