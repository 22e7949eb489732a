// Builds the binaries shipped in prebuilds/ (`npm run build:prebuilds`): linux x64 with the
// machine's compiler, linux arm64 with Debian's cross compiler (gcc-aarch64-linux-gnu), each
// in a folder of its own so build/ is untouched. Node-API 8 and no glibc symbol newer than
// 2.17, so one file per architecture loads on every supported Node.js and distribution.
// prebuilds/SOURCE.sha256 records the sources they were built from; a unit test fails when
// native/halo_os.c or binding.gyp changed since.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runNodeGyp } from './node-gyp.mjs';
import { sourceDigest } from './source-digest.mjs';

const TARGETS = [
  { arch: 'x64', env: {}, strip: 'strip' },
  {
    arch: 'arm64',
    env: {
      CC: 'aarch64-linux-gnu-gcc',
      CXX: 'aarch64-linux-gnu-g++',
      LINK: 'aarch64-linux-gnu-gcc',
    },
    strip: 'aarch64-linux-gnu-strip',
  },
];

for (const t of TARGETS) {
  const dir = mkdtempSync(join(tmpdir(), `halo-prebuild-${t.arch}-`));
  try {
    mkdirSync(join(dir, 'native'));
    copyFileSync(join(ROOT, 'binding.gyp'), join(dir, 'binding.gyp'));
    copyFileSync(join(ROOT, 'native', 'halo_os.c'), join(dir, 'native', 'halo_os.c'));
    const status = runNodeGyp(dir, [`--arch=${t.arch}`], t.env);
    if (status !== 0) {
      console.error(`halo_os: the ${t.arch} build failed (exit ${status})`);
      process.exit(1);
    }
    const out = join(ROOT, 'prebuilds', `linux-${t.arch}`);
    mkdirSync(out, { recursive: true });
    const file = join(out, 'halo_os.glibc.napi.node');
    copyFileSync(join(dir, 'build', 'Release', 'halo_os.node'), file);
    const s = spawnSync(t.strip, ['--strip-unneeded', file], { stdio: 'inherit' });
    if (s.status !== 0) process.exit(1);
    console.log(`halo_os: wrote ${file}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
writeFileSync(join(ROOT, 'prebuilds', 'SOURCE.sha256'), `${sourceDigest()}\n`);
