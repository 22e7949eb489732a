// `npm run test:install`: the README's install paths, tried as a user on a machine without
// build tools would: a clone (`npm install`), a global install of the packed tarball
// (`npm install -g`), and `npx`. Each runs under a PATH that holds node, npm, sh and git but
// no make, C compiler or python3 (checked), then starts `halo vrrp` in a network namespace
// of its own (unshare -Urn: rootless; a dummy link with 192.0.2.1/24, no route out) and waits
// for `Entering MASTER STATE`, which needs the native addon's raw socket. It also checks that
// the global install runs no install script (npm 11 warns about those), that a package
// without a matching prebuilt binary says what to run, and, where qemu-aarch64 is there,
// that the arm64 prebuild loads on an arm64 Node.js. Exits 1 on the first failure.
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { nodeBinary, ROOT, TESTED } from './node-release.mjs';

const tmp = mkdtempSync(join(tmpdir(), 'halo-install-'));
let failures = 0;

function check(ok, what, detail = '') {
  console.log(`${ok ? 'ok' : 'FAIL'} - ${what}${!ok && detail ? `\n${detail}` : ''}`);
  if (!ok) failures++;
  return ok;
}

function which(cmd, path) {
  for (const dir of path.split(':')) if (existsSync(join(dir, cmd))) return join(dir, cmd);
  return undefined;
}

// A PATH without build tools: node, npm and npx (run by this node), and a few basic commands.
const bin = join(tmp, 'bin');
mkdirSync(bin);
symlinkSync(process.execPath, join(bin, 'node'));
// npm's own scripts: `npm run` names npm-cli.js in npm_execpath (the npm of the machine,
// whichever node runs it); else the npm found on PATH, through its symlink.
const npmCli =
  process.env.npm_execpath && existsSync(process.env.npm_execpath)
    ? process.env.npm_execpath
    : realpathSync(which('npm', process.env.PATH ?? '') ?? 'npm');
for (const cmd of ['npm', 'npx']) {
  const script = join(dirname(npmCli), `${cmd}-cli.js`);
  if (!existsSync(script)) throw new Error(`no ${script}: cannot find npm's ${cmd}`);
  writeFileSync(join(bin, cmd), `#!/bin/sh\nexec "${process.execPath}" "${script}" "$@"\n`, {
    mode: 0o755,
  });
}
for (const cmd of [
  'sh',
  'bash',
  'env',
  'git',
  'cat',
  'ls',
  'rm',
  'mkdir',
  'uname',
  'id',
  'sed',
  'grep',
]) {
  const real = which(cmd, process.env.PATH ?? '');
  if (real) symlinkSync(real, join(bin, cmd));
}
const bare = { ...process.env, PATH: bin, npm_config_update_notifier: 'false' };
for (const k of Object.keys(bare)) if (k.startsWith('npm_')) delete bare[k];
bare.npm_config_update_notifier = 'false';
for (const tool of ['make', 'cc', 'gcc', 'g++', 'c++', 'python3', 'python']) {
  check(!which(tool, bin), `no ${tool} on the install PATH`);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: bare, ...opts });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, err: r.error };
}

const VRRP_CONF = `vrrp_instance VI_1 {
    state MASTER
    interface eth9
    virtual_router_id 51
    priority 150
    advert_int 1
    virtual_ipaddress {
        192.0.2.100/24
    }
}
`;
const conf = join(tmp, 'keepalived.conf');
writeFileSync(conf, VRRP_CONF);

/**
 * Runs `halo vrrp` (argv: how to start halo) in a network namespace of its own, with a veth
 * link eth9 (192.0.2.1/24, no route out), until its output matches `until` or it exits;
 * resolves to the output. The namespace has its own process ids and dies with `unshare`
 * (--kill-child): npx does not pass SIGTERM on to the halo it started, and nothing may
 * outlive the check.
 */
function vrrpInNamespace(argv, until, env = bare, cwd = tmp, timeoutMs = 30_000) {
  const script =
    'mount -t sysfs sysfs /sys && ip link set lo up && ip link add eth9 type veth peer name eth9p && ip link set eth9p up && ' +
    'ip link set eth9 up && ip addr add 192.0.2.1/24 dev eth9 && exec "$@"';
  return new Promise((resolveRun) => {
    const child = spawn(
      'unshare',
      [
        '-Urnm',
        '--pid',
        '--fork',
        '--kill-child=SIGTERM',
        'sh',
        '-c',
        script,
        'sh',
        ...argv,
        'vrrp',
        '-f',
        conf,
        '-n',
        '-l',
      ],
      { cwd, env: { ...env, PATH: `${bin}:/usr/sbin:/usr/bin:/sbin:/bin` } },
    );
    let out = '';
    let finished = false;
    const done = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      child.kill('SIGKILL'); // unshare ignores SIGTERM; its death sends SIGTERM on (--kill-child)
      resolveRun(out);
    };
    const timer = setTimeout(done, timeoutMs);
    const onData = (d) => {
      out += d;
      if (until.test(out)) done();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', done);
  });
}

async function vrrpBecomesMaster(what, argv, env = bare, cwd = tmp) {
  const out = await vrrpInNamespace(argv, /\(VI_1\) Entering MASTER STATE/, env, cwd);
  return check(
    out.includes('(VI_1) Entering MASTER STATE'),
    `${what}: halo vrrp reaches MASTER in a namespace`,
    out,
  );
}

try {
  // 1. A clone: npm install (runs `prepare`, which compiles the TypeScript; no addon build).
  const clone = join(tmp, 'clone');
  let r = run('git', ['clone', '-q', ROOT, clone]);
  check(r.status === 0, 'git clone', r.out);
  r = run('npm', ['install', '--no-audit', '--no-fund'], { cwd: clone });
  check(r.status === 0, 'npm install in the clone', r.out);
  check(!existsSync(join(clone, 'build')), 'the clone built no addon (the prebuilt one serves)');
  // `npx halo` in the clone runs the package's own bin, as the README says.
  await vrrpBecomesMaster('clone (npx halo)', ['npx', '--no-install', 'halo'], bare, clone);

  // 2. The packed tarball, installed globally with npm 11.
  r = run('npm', ['pack', '--silent', '--pack-destination', tmp], { cwd: clone });
  const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
  check(r.status === 0 && tgz !== undefined, 'npm pack', r.out);
  const prefix = join(tmp, 'prefix');
  r = run('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', join(tmp, tgz)]);
  check(r.status === 0, 'npm install -g of the tarball', r.out);
  // npm 11 lists a package's `prepare` (here: the TypeScript build of a clone) among the
  // scripts allowScripts does not cover, though it never runs it for a tarball; any other
  // script in that list, or a node-gyp run, would be an install script.
  const listed = [...r.out.matchAll(/halo@[^ ]+ \((\w+):/g)].map((m) => m[1]);
  check(
    listed.every((k) => k === 'prepare') && !/gyp|halo_os/.test(r.out),
    'the global install runs no install script (npm lists only `prepare`, which it skips)',
    r.out,
  );
  const halo = join(prefix, 'bin', 'halo');
  r = run(halo, ['version']);
  check(r.status === 0, 'halo version (global install)', r.out);
  await vrrpBecomesMaster('global install', [halo]);

  // 3. npx with the tarball (its own cache folder, as on a machine that never ran halo).
  const npxEnv = { ...bare, npm_config_cache: join(tmp, 'npx-cache') };
  r = run('npx', ['--yes', '--package', join(tmp, tgz), 'halo', 'version'], { env: npxEnv });
  check(r.status === 0, 'npx halo version', r.out);
  await vrrpBecomesMaster('npx', ['npx', '--yes', '--package', join(tmp, tgz), 'halo'], npxEnv);

  // 4. No prebuilt binary for this machine and no build: halo says what to run.
  const pkg = join(prefix, 'lib', 'node_modules', 'halo');
  const bare2 = join(tmp, 'no-prebuild');
  cpSync(pkg, bare2, { recursive: true });
  rmSync(join(bare2, 'prebuilds'), { recursive: true, force: true });
  const out = await vrrpInNamespace(
    [process.execPath, join(bare2, 'dist', 'src', 'cli', 'main.js')],
    /build:native/,
  );
  check(
    out.includes(`cd ${bare2} && npm run build:native`),
    'without a prebuilt binary, halo vrrp names the command that builds one',
    out,
  );

  // 5. The arm64 prebuild on an arm64 Node.js, under qemu-user with Debian's arm64 libc and
  // libstdc++ (the -cross packages put them under /usr/aarch64-linux-gnu). .ci/run installs
  // all three, so under CI a missing one is a failure rather than a skip.
  const sysroot = '/usr/aarch64-linux-gnu';
  const armReady =
    which('qemu-aarch64', process.env.PATH ?? '') &&
    existsSync(join(sysroot, 'lib', 'ld-linux-aarch64.so.1')) &&
    existsSync(join(sysroot, 'lib', 'libstdc++.so.6'));
  const armHint = 'apt-get install qemu-user libc6-arm64-cross libstdc++6-arm64-cross';
  if (!armReady && process.env.CI) {
    check(false, 'the arm64 prebuild loads under qemu-aarch64', `not checked: ${armHint}`);
  } else if (armReady) {
    const armNode = nodeBinary(TESTED[0], 'arm64');
    r = spawnSync(
      'qemu-aarch64',
      [
        '-L',
        sysroot,
        armNode,
        '-e',
        "const a = require('node-gyp-build')(process.argv[1]); const fd = a.socket(2, 2, 0); a.close(fd); console.log(process.arch, 'socket', fd)",
        pkg,
      ],
      { encoding: 'utf8', cwd: pkg, env: { ...process.env, PREBUILDS_ONLY: '1' } },
    );
    check(
      /^arm64 socket \d+/m.test(r.stdout ?? ''),
      'the arm64 prebuild loads under qemu-aarch64',
      `${r.stdout}${r.stderr}`,
    );
  } else {
    console.log(`skip - the arm64 prebuild (no qemu-aarch64 or arm64 libc: ${armHint})`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
console.log(failures === 0 ? '# install paths: all passed' : `# install paths: ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
