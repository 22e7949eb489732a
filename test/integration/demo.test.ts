// `npm start` as a new user runs it: the demo must walk through the article's story on
// loopback and exit 0, and its rewritten config must keep nothing of the article's network.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

const NOBODY = 65534;

/**
 * `halo demo` as a user without root runs it: as root, the demo runs as uid 65534 (a fresh
 * clone's user) when this host lets that user have user namespaces, so the VIP part is the
 * rootless one; otherwise as this user.
 */
function runDemo(cli: string): {
  status: number | null;
  stdout: string;
  stderr: string;
  state: string;
  left: boolean;
} {
  const asNobody = ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups'];
  const rootless =
    process.getuid?.() === 0 &&
    spawnSync(asNobody[0]!, [...asNobody.slice(1), 'unshare', '-Urnm', 'true'], { cwd: '/' })
      .status === 0;
  if (!rootless) {
    const r = spawnSync(process.execPath, [cli, 'demo'], { encoding: 'utf8', timeout: 150_000 });
    const state =
      process.env.XDG_RUNTIME_DIR && process.getuid?.() !== 0
        ? join(process.env.XDG_RUNTIME_DIR, 'halo-lab')
        : `/tmp/halo-lab-${process.getuid?.()}`;
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, state, left: existsSync(state) };
  }
  const home = mkdtempSync(join(tmpdir(), 'halo-demo-test-'));
  chownSync(home, NOBODY, NOBODY);
  try {
    const env = { ...process.env, HOME: home, XDG_RUNTIME_DIR: home };
    const r = spawnSync(asNobody[0]!, [...asNobody.slice(1), process.execPath, cli, 'demo'], {
      encoding: 'utf8',
      timeout: 150_000,
      env,
      cwd: home,
    });
    const state = join(home, 'halo-lab');
    return {
      status: r.status,
      stdout: r.stdout,
      stderr: r.stderr,
      state,
      left: existsSync(state),
    };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

test('halo demo runs the article on loopback: mode trap, round-robin, DOWN after fall, UP after rise; then the VIP', () => {
  const cli = join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
  const r = runDemo(cli);
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
  // The VIP part: rootless in halo lab's namespaces, or why it is missing.
  if (/the VIP part is missing/.test(r.stdout)) {
    assert.match(r.stdout, /refuses unprivileged user namespaces\n\s+unshare -Urnm failed/);
    return;
  }
  assert.match(r.stdout, /== the VIP: the article's three masters in network namespaces/);
  assert.match(r.stdout, /^-> VIP 198\.51\.100\.100 on master1$/m);
  assert.match(
    r.stdout,
    /-> the VIP moved master1 -> master2 in \d+\.\d\d s \(the article's check_haproxy: about 12 s/,
  );
  assert.match(r.stdout, /saw \d+\.\d\d s of errors, \d+ of \d+ connections failed/);
  assert.match(r.stdout, /-> the VIP returned master2 -> master1 in \d+\.\d\d s/);
  assert.match(
    r.stdout,
    /stats page of master1 \(VRRP state above the proxies\): http:\/\/127\.0\.0\.1:\d+\/haproxy-status/,
  );
  assert.match(r.stdout, /== the lab is torn down/);
  assert.equal(r.left, false, `${r.state} left behind`);
});
