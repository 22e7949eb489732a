// halo lab's rewrite of the article's files (pure): nothing of the article's network is
// left, the mode trap is fixed, track_script becomes track_proxy, and `halo check` finds
// the rewritten pair valid with no mode warning left.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkFiles } from '../../src/cli/commands/check.js';
import { userNamespaceRefusal } from '../../src/lab/lab-host.js';
import {
  labMasters,
  parseFault,
  rewriteHaproxy,
  rewriteKeepalived,
  soleHolder,
} from '../../src/lab/topology.js';

const article = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'examples',
  'article',
);
const read = (f: string) => readFileSync(join(article, f), 'utf8');

test('the lab masters: names, namespaces, addresses', () => {
  assert.deepEqual(
    labMasters().map((m) => `${m.name} ${m.ns} ${m.address}`),
    [
      'master1 halolab-master1 198.51.100.11',
      'master2 halolab-master2 198.51.100.12',
      'master3 halolab-master3 198.51.100.13',
    ],
  );
});

test("haproxy.cfg: the lab's servers, no root-only settings, a unix bind for stats, mode tcp in the backend", () => {
  const m = labMasters()[1]!;
  const r = rewriteHaproxy(read('haproxy.cfg'), m, '/run/x');
  assert.doesNotMatch(r.text, /192\.168\.|^\s*(chroot|user|group|daemon)\b/m);
  assert.match(r.text, /server\s+k8s-master1 198\.51\.100\.11:6443 check/);
  assert.match(r.text, /server\s+k8s-master3 198\.51\.100\.13:6443 check/);
  assert.match(r.text, /^backend apiserver\n {4}mode tcp$/m);
  assert.match(r.text, /^ {4}bind \/run\/x\/master2-stats\.sock$/m);
  assert.match(r.text, /stats socket \/run\/x\/master2\.sock level admin/);
  assert.equal(r.notes.length, 1);
  assert.match(r.notes[0]!, /mode trap/);
  // Rewriting twice does not add a second 'mode tcp' nor report the trap again.
  assert.deepEqual(rewriteHaproxy(r.text, m, '/run/x').notes, []);
});

test("keepalived.conf: the lab's VIP and interface, track_proxy instead of track_script", () => {
  const m = labMasters()[0]!;
  const r = rewriteKeepalived(read('keepalived-master1.conf'), m);
  assert.doesNotMatch(r.text, /192\.168\.|ens33|track_script/);
  assert.match(r.text, /interface eth0/);
  assert.match(r.text, /^\s+198\.51\.100\.100\/24$/m);
  assert.match(
    r.text,
    /track_proxy \{\n\s+frontend apiserver\n\s+worker\n\s+backend apiserver\n\s+\}/,
  );
  assert.match(r.text, /priority 100/);
});

test('halo check: the rewritten pair is valid and the mode warning is gone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'halo-lab-unit-'));
  try {
    const m = labMasters()[0]!;
    const h = join(dir, 'haproxy.cfg');
    const k = join(dir, 'keepalived.conf');
    writeFileSync(h, rewriteHaproxy(read('haproxy.cfg'), m, dir).text);
    writeFileSync(k, rewriteKeepalived(read('keepalived-master1.conf'), m).text);
    const before = checkFiles([join(article, 'haproxy.cfg')], dir, {}, true);
    assert.match(before.diagnostics.map((d) => d.message).join('\n'), /inherits 'mode http'/);
    const r = checkFiles([h, k], dir, {}, true);
    const text = r.diagnostics.map((d) => `${d.severity} ${d.message}`).join('\n');
    assert.equal(r.valid, true, text);
    assert.doesNotMatch(text, /inherits 'mode http'/);
    assert.doesNotMatch(text, /^error/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('faults and the sole VIP holder', () => {
  assert.equal(parseFault(undefined), 'proxy');
  assert.equal(parseFault('freeze'), 'freeze');
  assert.equal(parseFault('reboot'), undefined);
  assert.equal(soleHolder(['master2']), 'master2');
  assert.equal(soleHolder(['master1', 'master2']), undefined);
  assert.equal(soleHolder([]), undefined);
});

test('user namespaces refused: the error, each kernel switch that is off and how to allow it', () => {
  const off: Record<string, string> = {
    '/proc/sys/kernel/apparmor_restrict_unprivileged_userns': '1',
    '/proc/sys/user/max_user_namespaces': '0',
  };
  const why = userNamespaceRefusal({
    tryUnshare: () => ({
      status: 1,
      stderr: 'unshare: write failed /proc/self/uid_map: Operation not permitted\n',
    }),
    sysctl: (p) => off[p],
  });
  assert.match(
    why ?? '',
    /^unshare -Urnm failed: unshare: write failed \/proc\/self\/uid_map: Operation not permitted$/m,
  );
  assert.match(why ?? '', /sudo sysctl kernel\.apparmor_restrict_unprivileged_userns=0/);
  assert.match(why ?? '', /sudo sysctl user\.max_user_namespaces=15000/);
  assert.doesNotMatch(why ?? '', /unprivileged_userns_clone/);
  assert.match(why ?? '', /or run `halo lab` as root/);
  assert.equal(
    userNamespaceRefusal({ tryUnshare: () => ({ status: 0, stderr: '' }), sysctl: () => '0' }),
    undefined,
  );
});
