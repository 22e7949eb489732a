// Builds the halo_os addon with the node-gyp that npm bundles, against the headers of the
// Node.js that runs this script (no header download): `npm install` / `npm ci` run it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

if (process.platform !== 'linux') {
  console.log('halo_os: not Linux, skipping the native addon (VRRP needs Linux)');
  process.exit(0);
}
const nodedir = process.env.npm_config_nodedir || resolve(dirname(process.execPath), '..');
const args = ['rebuild'];
if (existsSync(join(nodedir, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${nodedir}`);
const bundled = process.env.npm_config_node_gyp;
const [cmd, argv] = bundled ? [process.execPath, [bundled, ...args]] : ['node-gyp', args];
const r = spawnSync(cmd, argv, { stdio: 'inherit', cwd: resolve(import.meta.dirname, '..') });
process.exit(r.status ?? 1);
