// The prebuilt halo_os binaries shipped in prebuilds/: built from today's sources, for the
// machine they are named for, loadable on old distributions, and found by the loader.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { addonMissingMessage, packageRoot } from '../../src/os/native.js';

const root = packageRoot()!;
const PREBUILDS = [
  { dir: 'linux-x64', machine: 0x3e },
  { dir: 'linux-arm64', machine: 0xb7 },
];
const FILE = 'halo_os.glibc.napi.node';

test('prebuilds/SOURCE.sha256 names the sources of today (run `npm run build:prebuilds` after changing them)', async () => {
  const { sourceDigest } = (await import(
    pathToFileURL(join(root, 'native', 'source-digest.mjs')).href
  )) as { sourceDigest(): string };
  const recorded = readFileSync(join(root, 'prebuilds', 'SOURCE.sha256'), 'utf8').trim();
  assert.equal(recorded, sourceDigest());
});

for (const p of PREBUILDS) {
  test(`the ${p.dir} prebuild is a shared object for that machine needing glibc 2.17 at most`, () => {
    const elf = readFileSync(join(root, 'prebuilds', p.dir, FILE));
    assert.equal(elf.subarray(0, 4).toString('latin1'), '\x7fELF');
    assert.equal(elf[4], 2, '64-bit');
    assert.equal(elf.readUInt16LE(16), 3, 'ET_DYN');
    assert.equal(elf.readUInt16LE(18), p.machine);
    const versions = [...elf.toString('latin1').matchAll(/GLIBC_2\.(\d+)/g)].map((m) =>
      Number(m[1]),
    );
    assert.ok(versions.length > 0, 'names its glibc versions');
    assert.ok(Math.max(...versions) <= 17, `needs GLIBC_2.${Math.max(...versions)}`);
  });
}

test('the loader takes a source build when there is one, else the prebuild of this machine', () => {
  const load = createRequire(import.meta.url)('node-gyp-build') as { path(dir: string): string };
  const picked = load.path(root);
  const source = join(root, 'build', 'Release', 'halo_os.node');
  if (existsSync(source)) assert.equal(picked, source);
  else assert.equal(picked, join(root, 'prebuilds', `linux-${process.arch}`, FILE));
});

test('a missing addon is reported with the command that builds it', () => {
  const msg = addonMissingMessage(
    '/opt/halo',
    new Error('No native build was found\n  more'),
    'riscv64',
  );
  assert.match(msg, /did not load \(No native build was found\)/);
  assert.match(msg, /this machine is linux riscv64/);
  assert.match(msg, /`cd \/opt\/halo && npm run build:native` \(needs python3, make and g\+\+\)/);
});
