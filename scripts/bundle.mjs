// `npm run build`'s last step: dist/bundle/, the `halo` command as a few ES modules (the
// entry and one chunk per command) instead of about 120 files. Node.js spends most of
// halo's start-up resolving, reading and compiling modules one by one; from the bundle
// `halo proxy` listens some 80 ms sooner (bench/startup.ts). The files tests import stay
// in dist/src/; dependencies stay in node_modules (fast-glob loads on use, the addon is
// found from the package root).

import { build } from 'esbuild';

await build({
  entryPoints: ['dist/src/cli/main.js'],
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
