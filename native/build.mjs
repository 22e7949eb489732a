// Builds the halo_os addon from source into build/Release (`npm run build:native`). Not
// needed where a prebuilt binary fits (prebuilds/: linux x64 and arm64, glibc); node-gyp-build
// prefers build/Release when it exists. Needs python3, make and a C compiler.
import { ROOT, runNodeGyp } from './node-gyp.mjs';

if (process.platform !== 'linux') {
  console.log('halo_os: not Linux, skipping the native addon (VRRP needs Linux)');
  process.exit(0);
}
process.exit(runNodeGyp(ROOT));
