// Golden output of `halo init`: for fixed answers and a fixed random source, every file it
// writes must equal test/golden/init/CASE/PATH byte for byte. After an intended change,
// HALO_UPDATE_GOLDEN=1 rewrites them (review the diff).

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { designCluster, type InitAnswers } from '../../src/init/cluster.js';
import { clusterFiles } from '../../src/init/cluster-files.js';
import { repoRoot } from '../halo-cli.js';
import { answers, counterRandom } from './init-fixtures.js';

const GOLDEN = join(repoRoot, 'test', 'golden', 'init');
const update = process.env.HALO_UPDATE_GOLDEN === '1';

export const GOLDEN_CASES: Record<string, InitAnswers> = {
  'v3-multicast': answers(),
  'v2-unicast-extra-port': answers({
    vip: '192.0.2.100/24',
    port: 6443,
    apiserverPort: 6444,
    vrrpVersion: 2,
    unicast: true,
    extraPorts: [{ port: 9345, path: '/ping' }],
    masters: ['192.0.2.21', '192.0.2.22', '192.0.2.23', '192.0.2.24', '192.0.2.25'],
    interface: 'eth1',
  }),
  'v3-builtin-tracker': answers({ tracker: 'builtin', masters: ['192.0.2.11', '192.0.2.12'] }),
};

function listFiles(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

describe('halo init golden output', () => {
  for (const [name, a] of Object.entries(GOLDEN_CASES))
    test(name, () => {
      const files = clusterFiles(designCluster(a, counterRandom()));
      const base = join(GOLDEN, name);
      if (update)
        for (const f of files) {
          mkdirSync(dirname(join(base, f.path)), { recursive: true });
          writeFileSync(join(base, f.path), f.text);
        }
      assert.deepEqual(
        files.map((f) => f.path).sort(),
        listFiles(base).sort(),
        'the same set of files',
      );
      for (const f of files)
        assert.equal(f.text, readFileSync(join(base, f.path), 'utf8'), `${name}/${f.path}`);
    });
});
