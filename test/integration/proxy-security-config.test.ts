// `halo proxy` with configs whose security depends on lines halo may not drop: a config
// using TLS or the PROXY protocol (not applied yet) is refused at start with file:line and
// nothing listens; a unix-socket bind gets the permissions its `mode` asks; `chroot` and
// `daemon`, which halo does not apply, are reported when it starts.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { haloArgv as halo, repoRoot as root } from '../halo-cli.js';
import { freePort, waitFor } from './proxy-harness.js';

const DEFAULTS = `defaults
    mode tcp
    timeout connect 1s
    timeout client 30s
    timeout server 30s
`;

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    c.once('connect', () => {
      c.destroy();
      resolve(false);
    });
    c.once('error', () => resolve(true));
  });
}

describe('security lines halo does not apply: refused at start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'halo-security-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const cases: [string, string, RegExp][] = [
    [
      'bind ssl crt',
      'frontend fe\n    bind 127.0.0.1:PORT ssl crt /nonexistent.pem\n    default_backend be\nbackend be\n    server s1 127.0.0.1:1\n',
      /cfg:7: error: halo refuses 'ssl' on a bind line of the mode tcp frontend 'fe': halo carries TLS only on the HTTP side/,
    ],
    [
      'server ssl verify none',
      'frontend fe\n    bind 127.0.0.1:PORT\n    default_backend be\nbackend be\n    server s1 127.0.0.1:1 ssl verify none\n',
      /cfg:10: error: halo refuses 'ssl' on a server of the mode tcp backend 'be': halo carries TLS only on the HTTP side/,
    ],
    [
      'server send-proxy-v2-ssl',
      'frontend fe\n    bind 127.0.0.1:PORT\n    default_backend be\nbackend be\n    server s1 127.0.0.1:1 send-proxy-v2-ssl\n',
      /cfg:10: error: halo refuses 'send-proxy-v2-ssl' on a server line: halo does not send the PROXY protocol's SSL fields/,
    ],
  ];
  for (const [name, body, message] of cases) {
    it(`${name}: halo check and halo proxy exit 1 with the line and the reason; nothing listens`, async () => {
      const port = await freePort();
      const file = join(dir, `${name.replaceAll(' ', '-')}.cfg`);
      writeFileSync(file, DEFAULTS + body.replace('PORT', String(port)));
      for (const args of [
        ['check', file],
        ['proxy', '-f', file],
      ]) {
        const r = spawnSync(process.execPath, [...halo, ...args], {
          encoding: 'utf8',
          cwd: root,
          timeout: 20_000,
        });
        assert.equal(r.status, 1, `${args[0]}: ${r.stderr}${r.stdout}`);
        assert.match(r.stdout + r.stderr, message);
      }
      assert.ok(await refused(port), `something listens on ${port}`);
    });
  }
});

describe('halo proxy applies, or reports, what the global and bind lines ask', () => {
  const dir = mkdtempSync(join(tmpdir(), 'halo-security-'));
  let child: ChildProcess | undefined;
  let stderr = '';
  const sock600 = join(dir, 'fe600.sock');
  const sock640 = join(dir, 'fe640.sock');

  before(async () => {
    const port = await freePort();
    const file = join(dir, 'h.cfg');
    writeFileSync(
      file,
      `global\n    chroot ${dir}\n    daemon\n${DEFAULTS}frontend fe\n    bind 127.0.0.1:${port}\n    bind ${sock600} mode 600\n    bind unix@${sock640} mode 640\n    default_backend be\nbackend be\n    server s1 127.0.0.1:1\n`,
    );
    child = spawn(process.execPath, [...halo, 'proxy', '-f', file], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    await waitFor(() => existsSync(sock600) && existsSync(sock640), 10_000);
  });
  after(() => {
    if (child?.pid !== undefined && child.exitCode === null) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('a unix-socket bind gets the mode of its bind line', () => {
    assert.equal(statSync(sock600).mode & 0o777, 0o600);
    assert.equal(statSync(sock640).mode & 0o777, 0o640);
    assert.ok(statSync(sock600).isSocket());
  });

  it('chroot and daemon are reported at start as not applied', () => {
    assert.match(stderr, /\[WARNING\].*'chroot [^']+' is not honoured by halo/);
    assert.match(stderr, /\[NOTICE\].*'daemon' in global: halo stays in the foreground/);
  });
});
