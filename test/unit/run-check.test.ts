// `halo check` and `halo run` on files with the built-in trackers: track_proxy alone is
// valid; beside a haproxy.cfg its names must exist there (error at the keepalived.conf
// line); `halo run` refuses to start on such errors (exit 1, file:line) before opening any
// socket. And `show vrrp`'s text, rendered from snapshots (pure).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { CommandIO } from '../../src/cli/command.js';
import { checkCommand } from '../../src/cli/commands/check.js';
import { runCommand } from '../../src/cli/commands/run.js';
import { renderShowVrrp, type ShownInstance } from '../../src/run/show-vrrp.js';
import { newCounters } from '../../src/vrrp/counters.js';

const dir = mkdtempSync(join(tmpdir(), 'halo-run-check-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const HAPROXY = `global
    log stdout format raw local0
defaults
    mode tcp
    timeout connect 1s
    timeout client 10s
    timeout server 10s
frontend apiserver
    bind 127.0.0.1:19443
    default_backend kubernetes-apiserver
backend kubernetes-apiserver
    server s1 127.0.0.1:6443 check
`;

const keepalived = (trackers: string) => `vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        198.51.100.10
    }
    track_proxy {
${trackers}
    }
}
`;

async function cmd(c: typeof checkCommand, argv: string[]) {
  let out = '';
  const io: CommandIO = {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      out += t;
    },
    env: {},
    cwd: dir,
    resolver: { resolves: async () => true },
  };
  return { code: await c.run(argv, io), out };
}

describe('track_proxy in halo check / halo run', () => {
  writeFileSync(join(dir, 'haproxy.cfg'), HAPROXY);
  writeFileSync(
    join(dir, 'good.conf'),
    keepalived(
      '        backend kubernetes-apiserver min_up 1 weight -60\n        frontend apiserver\n        worker',
    ),
  );
  writeFileSync(
    join(dir, 'bad.conf'),
    keepalived('        backend apiservers\n        frontend api'),
  );

  test('a keepalived.conf with track_proxy alone is valid', async () => {
    const r = await cmd(checkCommand, ['--offline', '-f', 'good.conf']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /Configuration file is valid/);
  });

  test('beside the haproxy.cfg, each name must be a backend / frontend there', async () => {
    const ok = await cmd(checkCommand, ['--offline', '-f', 'haproxy.cfg', '-f', 'good.conf']);
    assert.equal(ok.code, 0, ok.out);
    const bad = await cmd(checkCommand, ['--offline', '-f', 'haproxy.cfg', '-f', 'bad.conf']);
    assert.equal(bad.code, 1, bad.out);
    assert.match(
      bad.out,
      /bad\.conf:10: error: \(VI_1\) track_proxy: no backend 'apiservers' in the haproxy configuration \(backends: kubernetes-apiserver\)/,
    );
    assert.match(bad.out, /bad\.conf:11: error: .*no frontend 'api'/);
  });

  test('halo run refuses to start on them, with file:line, exit 1', async () => {
    const r = await cmd(runCommand, ['-f', 'haproxy.cfg', '-f', 'bad.conf']);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /bad\.conf:10: error: /);
    assert.match(r.out, /configuration has errors, not starting/);
  });

  test('halo run needs one keepalived.conf and a haproxy.cfg', async () => {
    const r = await cmd(runCommand, ['-f', 'haproxy.cfg']);
    assert.equal(r.code, 1);
    assert.match(r.out, /needs exactly one keepalived\.conf, got 0/);
    const u = await cmd(runCommand, ['-x']);
    assert.equal(u.code, 2);
  });
});

describe('show vrrp text', () => {
  test('four tables with headers; tracker parts, transition times, handover', () => {
    const inst: ShownInstance = {
      name: 'VI_1',
      vrid: 51,
      state: 'FAULT',
      basePriority: 100,
      effectivePriority: 40,
      masterAddress: '198.51.100.12',
      masterPriority: 99,
      masterAdverIntMs: 1000,
      vipsSet: false,
      lastTransitionAt: 5000,
      counters: newCounters(),
      history: [
        { at: 1000, from: 'INIT', to: 'BACKUP', reason: 'init' },
        { at: 5000, from: 'BACKUP', to: 'FAULT', reason: 'fault: worker down' },
      ],
      transitions: 2,
      masterChanges: 1,
      trackSources: [
        { name: 'backend api min_up 1', weight: -60, ok: false, part: -60 },
        { name: 'worker', weight: 0, ok: false, part: 0 },
        { name: 'frontend fe', weight: -10, ok: false, part: -10, stableAt: 7000 },
      ],
      degraded: true,
      handover: false,
      address: '198.51.100.11',
      interface: 'eth0',
      vips: ['198.51.100.10'],
    };
    const text = renderShowVrrp([inst], 6000, 1_700_000_001_000);
    assert.equal(
      text,
      [
        '# instance state vrid interface base_prio effective_prio master_addr master_prio vips',
        'VI_1 FAULT 51 eth0 100 40 198.51.100.12 99 198.51.100.10',
        '',
        '# instance state weight part tracker',
        'VI_1 bad -60 -60 backend api min_up 1',
        'VI_1 FAULT 0 0 worker',
        'VI_1 recovering -10 -10 frontend fe',
        '',
        '# instance unix_time from to reason',
        'VI_1 1699999996.000 INIT BACKUP init',
        'VI_1 1700000000.000 BACKUP FAULT fault: worker down',
        '',
        '# instance handover degraded address',
        'VI_1 off yes 198.51.100.11',
        '',
      ].join('\n'),
    );
  });
});
