// `halo vrrp`'s command line: Keepalived's flags, and the refusal to start without
// CAP_NET_RAW/CAP_NET_ADMIN (run as a user without them, or as root with both dropped
// from the bounding set by setpriv).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DATA_FILE, parseVrrpArgs } from '../../src/cli/commands/vrrp.js';

const here = dirname(fileURLToPath(import.meta.url));

function haloArgv(): string[] {
  const ts = import.meta.url.endsWith('.ts');
  const main = join(here, '..', '..', 'src', 'cli', ts ? 'main.ts' : 'main.js');
  return ts ? ['--import', 'tsx', main] : [main];
}

describe('halo vrrp command line', () => {
  it("reads keepalived's flags", () => {
    const o = parseVrrpArgs(
      ['-n', '-l', '-D', '-f', 'k.conf', '-p', '/run/k.pid', '-r', '/run/v.pid', '-S', '3'],
      '/etc/keepalived',
    );
    assert.deepEqual(o, {
      file: '/etc/keepalived/k.conf',
      fork: false,
      console: true,
      detail: true,
      facility: 3,
      pidFiles: ['/run/k.pid', '/run/v.pid'],
      dataFile: DEFAULT_DATA_FILE,
    });
    const long = parseVrrpArgs(
      ['--dont-fork', '--log-console', '--use-file=/a.conf', '--data-file', 'state.json'],
      '/w',
    );
    assert.equal(typeof long, 'object');
    if (typeof long === 'object') {
      assert.equal(long.file, '/a.conf');
      assert.equal(long.dataFile, '/w/state.json');
      assert.equal(long.fork, false);
    }
  });

  it('rejects unknown options and missing values', () => {
    assert.equal(parseVrrpArgs(['-x'], '/'), "unknown option '-x'");
    assert.equal(parseVrrpArgs(['-f'], '/'), "option '-f' needs a value");
    assert.equal(parseVrrpArgs(['-S', '9'], '/'), "invalid log facility '9'");
  });

  it('without CAP_NET_RAW and CAP_NET_ADMIN it says so and exits non-zero', (t) => {
    const root = process.getuid?.() === 0;
    if (root && !existsSync('/usr/bin/setpriv')) {
      t.skip('needs setpriv to drop capabilities as root');
      return;
    }
    const node = [process.execPath, ...haloArgv(), 'vrrp', '-n', '-f', '/nonexistent.conf'];
    const cmd = root
      ? ['/usr/bin/setpriv', '--bounding-set', '-net_raw,-net_admin', ...node]
      : node;
    const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /halo vrrp: needs root or CAP_NET_RAW and CAP_NET_ADMIN/);
  });
});
