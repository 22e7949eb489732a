// `npm start` as a new user runs it: the demo must walk through the article's story on
// loopback and exit 0, and its rewritten config must keep nothing of the article's network.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { rewriteArticleConfig } from '../../src/cli/demo/article-lab.js';

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

test("the demo's config is the article's with only loopback addresses and no root-only settings", () => {
  const article = readFileSync(join(repoRoot(), 'examples', 'article', 'haproxy.cfg'), 'utf8');
  const out = rewriteArticleConfig(
    article,
    { frontend: 1, stats: 2, syslog: 3, servers: [4, 5, 6] },
    '/tmp/x',
  );
  assert.doesNotMatch(out, /192\.168\.|\*:9443|0\.0\.0\.0|^\s*(chroot|user|group|daemon)\b/m);
  assert.match(out, /server\s+k8s-master1 127\.0\.0\.1:4 check/);
  assert.match(out, /server\s+k8s-master3 127\.0\.0\.1:6 check/);
  assert.match(out, /log\s+127\.0\.0\.1:3 local2/);
  assert.match(out, /stats realm welcome login\\ Haproxy/);
});

test('halo demo runs the article on loopback: mode trap, round-robin, DOWN after fall, UP after rise', () => {
  const cli = join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
  const r = spawnSync(process.execPath, [cli, 'demo'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /haproxy\.cfg:72: warning: backend 'apiserver' inherits 'mode http'/);
  assert.match(
    r.stdout,
    /TLS client \(kubectl\) through the frontend: ERR_SSL_WRONG_VERSION_NUMBER/,
  );
  assert.match(
    r.stdout,
    /round-robin: k8s-master1, k8s-master2, k8s-master3, k8s-master1, k8s-master2, k8s-master3/,
  );
  assert.match(
    r.stdout,
    /Server apiserver\/k8s-master1 is DOWN, reason: Layer4 connection problem/,
  );
  assert.match(r.stdout, /four connections: k8s-master2, k8s-master3, k8s-master2, k8s-master3/);
  assert.match(
    r.stdout,
    /stats page: http:\/\/127\.0\.0\.1:\d+\/haproxy-status \(user admin, password admin123/,
  );
  assert.match(r.stdout, /runtime API \(.*\): k8s-master1 DOWN, k8s-master2 UP, k8s-master3 UP/);
  assert.match(
    r.stdout,
    /stats page \(;csv, admin:admin123\): k8s-master1 DOWN, k8s-master2 UP, k8s-master3 UP/,
  );
  assert.match(r.stdout, /Server apiserver\/k8s-master1 is UP, reason: Layer4 check passed/);
});
