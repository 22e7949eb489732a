// `npm run test:node -- 22 20`: runs the unit and integration tests (already built into
// dist/ by `npm test`) again on other tested Node.js releases, one after the other, and
// exits non-zero when any run fails. The addon is Node-API, so the same binary serves all.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { nodeBinary, ROOT, testedVersion } from './node-release.mjs';

const wanted = process.argv.slice(2);
if (wanted.length === 0) {
  console.error('usage: npm run test:node -- MAJOR [MAJOR ...]   (e.g. 22 20)');
  process.exit(2);
}

function testFiles(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...testFiles(p));
    else if (e.name.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

const files = ['unit', 'integration'].flatMap((d) => testFiles(join(ROOT, 'dist', 'test', d)));
const failed = [];
for (const want of wanted) {
  const version = testedVersion(want);
  const node = nodeBinary(version, 'x64');
  console.log(`\n# unit and integration tests on Node.js ${version} (${node})`);
  const r = spawnSync(node, ['--test', '--test-reporter=spec', '--test-timeout=300000', ...files], {
    stdio: 'inherit',
    cwd: ROOT,
  });
  console.log(`# Node.js ${version}: ${r.status === 0 ? 'passed' : `FAILED (exit ${r.status})`}`);
  if (r.status !== 0) failed.push(version);
}
if (failed.length > 0) {
  console.error(`failed on Node.js ${failed.join(', ')}`);
  process.exit(1);
}
