/** The repository root, for tests that read topologies and fixtures (this file runs from dist/tests/). */
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../', import.meta.url));
