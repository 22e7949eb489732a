// How tests start the halo CLI as a child process: from the compiled tree (`npm test` runs
// dist/test/) or from the sources through tsx (`node --import tsx --test test/...`).

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const compiled = here.includes(join('dist', 'test'));

/** The repository's root directory. */
export const repoRoot = compiled ? join(here, '..', '..') : join(here, '..');

/** Node arguments that run `halo` (prepend process.execPath to spawn it). */
export const haloArgv: readonly string[] = compiled
  ? [join(repoRoot, 'dist', 'src', 'cli', 'main.js')]
  : ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts')];
