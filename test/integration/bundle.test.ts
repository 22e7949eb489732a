// The `halo` command as installed (package.json `bin`: dist/bundle/main.js, the esbuild
// bundle `npm run build` makes): the other tests run dist/src/, so this one checks that the
// bundle is the same program where bundling could change something: the native addon and
// fast-glob found from the bundle's folder, the command chunks loaded on use, `nbthread`
// workers forked from the bundle's entry, and the runtime API.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot as root } from '../halo-cli.js';
import type { Backend } from './proxy-harness.js';
import { backend, exchange, freePort, waitFor } from './proxy-harness.js';

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  bin: { halo: string };
};
const BIN = join(root, pkg.bin.halo);
const skip = existsSync(BIN) ? undefined : `${BIN} is not built (npm run build)`;
if (skip) process.stderr.write(`SKIPPED bundle: ${skip}\n`);

function haloSync(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 20_000 });
}

function ask(path: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect(path);
    let out = '';
    c.setEncoding('utf8');
    c.on('data', (d) => {
      out += d;
    });
    c.on('end', () => resolve(out));
    c.on('error', reject);
    c.end(`${line}\n`);
  });
}

describe('the installed halo command (dist/bundle)', { skip }, () => {
  let dir: string;
  let echo: Backend;
  let proxy: ChildProcess | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'halo-bundle-'));
    echo = await backend('echo', (s) => s.pipe(s));
  });
  after(async () => {
    if (proxy && proxy.exitCode === null) proxy.kill('SIGKILL');
    await echo.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is the bin, runs --version and checks a keepalived.conf with an include glob', () => {
    assert.match(pkg.bin.halo, /^dist\/bundle\//);
    const v = haloSync(['--version']);
    assert.equal(v.status, 0, v.stderr);
    assert.match(v.stdout, /^halo \d+\.\d+\.\d+\n$/);
    mkdirSync(join(dir, 'parts'));
    writeFileSync(join(dir, 'keepalived.conf'), `include ${join(dir, 'parts')}/*.conf\n`);
    writeFileSync(join(dir, 'parts', 'a.conf'), 'vrrp_instance VI_1 {\n    bogus_keyword 1\n}\n');
    const c = haloSync(['check', '-f', join(dir, 'keepalived.conf')]);
    // The error names the included file: the glob found it.
    assert.match(c.stdout + c.stderr, /parts\/a\.conf:2/);
  });

  it('halo proxy with nbthread 2: workers forked from the bundle relay bytes; show info answers', async () => {
    const port = await freePort();
    const sock = join(dir, 'stats.sock');
    const file = join(dir, 'haproxy.cfg');
    writeFileSync(
      file,
      `global
    nbthread 2
    stats socket ${sock} level admin
defaults
    mode tcp
    timeout connect 1s
    timeout client 10s
    timeout server 10s
    timeout tunnel 1h
frontend fe
    bind 127.0.0.1:${port}
    default_backend be
backend be
    server echo 127.0.0.1:${echo.port}
`,
    );
    let stderr = '';
    proxy = spawn(process.execPath, [BIN, 'proxy', '-f', file], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    proxy.stderr!.on('data', (d) => {
      stderr += d;
    });
    await waitFor(() => /master started 2 workers/.test(stderr), 15_000, 'workers');
    const reply = await exchange(port, 'ping through the bundle\n');
    assert.deepEqual(reply, { data: 'ping through the bundle\n' });
    await waitFor(() => existsSync(sock), 5000, 'stats socket');
    const info = await ask(sock, 'show info');
    assert.match(info, /^Nbproc: 2$/m);
    assert.match(info, /^Release_date: \d{4}\/\d\d\/\d\d$/m);
    assert.doesNotMatch(info, new RegExp(`^Pid: ${proxy.pid}$`, 'm'), 'a worker answers');
    proxy.kill('SIGTERM');
    const code = await new Promise((r) => proxy!.once('exit', r));
    assert.equal(code, 0, stderr);
  });
});
