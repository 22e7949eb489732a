// Bounds on configuration files at read time (config/limits.ts): the meter on bytes fed in
// pieces, and the real reader on what an operator can point `-f` at: /dev/zero, a FIFO a
// writer never stops filling, a file just past a bound, a keepalived include of /dev/zero.
// Each ends with a file:line error, quickly, without the memory growing with the input.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { checkFiles } from '../../src/cli/commands/check.js';
import { Diagnostics } from '../../src/config/diagnostics.js';
import { readSources } from '../../src/config/keepalived/source.js';
import {
  ConfigMeter,
  MAX_CONFIG_BYTES,
  MAX_CONFIG_LINE,
  MAX_CONFIG_LINES,
} from '../../src/config/limits.js';
import { ConfigLimitError, readConfigFile } from '../../src/config/read-config.js';
import { loadConfig } from '../../src/daemon/proxy-config.js';

const dir = mkdtempSync(join(tmpdir(), 'halo-config-limits-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function feedAll(text: string, piece: number) {
  const m = new ConfigMeter();
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += piece) {
    const v = m.feed(bytes.subarray(i, i + piece));
    if (v) return v;
  }
  return undefined;
}

function limitError(f: () => unknown): ConfigLimitError {
  try {
    f();
  } catch (err) {
    if (err instanceof ConfigLimitError) return err;
    throw err;
  }
  assert.fail('no ConfigLimitError');
}

describe('config bounds', () => {
  it('the meter finds the line that crosses a bound, however the bytes are cut', () => {
    const longThird = `a\nb\n${'x'.repeat(MAX_CONFIG_LINE + 1)}\nd\n`;
    for (const piece of [1, 7, 4096, 1 << 20]) {
      assert.equal(feedAll(longThird, piece)?.line, 3, `pieces of ${piece}`);
      assert.equal(feedAll(`a\n${'x'.repeat(MAX_CONFIG_LINE)}\nd\n`, piece), undefined);
    }
    assert.match(feedAll('\n'.repeat(MAX_CONFIG_LINES), 65536)?.message ?? '', /too many lines/);
    assert.equal(feedAll('\n'.repeat(MAX_CONFIG_LINES - 1), 65536), undefined);
    const big = `${'y'.repeat(60_000)}\n`.repeat(Math.ceil(MAX_CONFIG_BYTES / 60_001) + 1);
    assert.match(feedAll(big, 65536)?.message ?? '', /file too large/);
  });

  it('/dev/zero: an error at line 1 after one line bound, memory flat', () => {
    const before = process.memoryUsage().rss;
    const e = limitError(() => readConfigFile('/dev/zero'));
    assert.equal(e.line, 1);
    assert.match(e.message, /line too long/);
    assert.ok(process.memoryUsage().rss - before < 50 * 1024 * 1024);
    const r = checkFiles(['/dev/zero'], dir, {}, true);
    assert.equal(r.valid, false);
    assert.deepEqual(
      r.diagnostics.map((d) => [d.file, d.line, d.code]),
      [['/dev/zero', 1, 'HALO_CONFIG_LIMIT']],
    );
  });

  it('a FIFO whose writer never stops: too many lines, and the reader returns', {
    skip: spawnSync('mkfifo', ['--version']).error ? 'mkfifo is missing' : undefined,
  }, async () => {
    const fifo = join(dir, 'haproxy.fifo');
    spawnSync('mkfifo', [fifo]);
    // `yes` ends on EPIPE once the reader closes its end.
    const writer = spawn('sh', ['-c', `exec yes '    maxconn 1' > ${fifo}`], { stdio: 'ignore' });
    const done = new Promise((r) => writer.on('exit', r));
    const r = checkFiles([fifo], dir, {}, true);
    assert.equal(r.diagnostics[0]?.line, MAX_CONFIG_LINES + 1);
    assert.match(r.diagnostics[0]?.message ?? '', /too many lines/);
    await done;
  });

  it('halo proxy start reads through the same bounds', () => {
    const r = loadConfig(['/dev/zero'], {});
    assert.match(r.readError ?? '', /^\/dev\/zero:1: line too long/);
  });

  it('keepalived: an include past a bound is an error at its file:line', () => {
    // fast-glob matches only files, so `include /dev/zero` finds nothing (a warning); a
    // regular file with a 70 KB line is read, and stops at the bound.
    const inc = join(dir, 'big.conf');
    writeFileSync(inc, `# one\n${'x'.repeat(70_000)}\n`);
    const file = join(dir, 'keepalived.conf');
    writeFileSync(
      file,
      `global_defs {\n    router_id r1\n}\ninclude ${inc}\nvrrp_instance V {\n    state BACKUP\n    interface lo\n    virtual_router_id 51\n    priority 100\n}\n`,
    );
    const r = checkFiles([file], dir, {}, true);
    const d = r.diagnostics.find((x) => x.code === 'HALO_CONFIG_LIMIT');
    assert.deepEqual([d?.file, d?.line], [inc, 2]);
    assert.equal(r.valid, false);
  });

  it('keepalived: includes that fan out stop at the total bound', () => {
    const chunk = `# ${'z'.repeat(1000)}\n`.repeat(12_000); // 12 MB of comments
    const host = {
      readFile: (p: string) => (p === 'main.conf' ? 'include a\n' : chunk),
      glob: () => ['a1', 'a2', 'a3', 'a4', 'a5'],
    };
    const diags = new Diagnostics();
    readSources({ path: 'main.conf', text: 'include a*\n' }, host, diags);
    const d = diags.list.filter((x) => x.code === 'HALO_CONFIG_LIMIT');
    assert.equal(d.length, 1);
    assert.deepEqual([d[0]?.file, d[0]?.line], ['main.conf', 1]);
    assert.match(d[0]?.message ?? '', /'a4' skipped/);
  });

  it("keepalived: a line past Keepalived's 1023-character buffer is an error there", () => {
    const file = join(dir, 'long.conf');
    writeFileSync(
      file,
      `global_defs {\n    router_id ${'r'.repeat(1009)}\n    notification_email_from ${'a'.repeat(2000)}@x\n}\n`,
    );
    const r = checkFiles([file], dir, {}, true);
    const long = r.diagnostics.filter((d) => d.code === 'HALO_LINE_TOO_LONG');
    assert.deepEqual(
      long.map((d) => d.line),
      [3],
      'a 1023-character line is read whole by Keepalived',
    );
  });
});
