// Fuzzing the runtime API (fast-check) over real unix sockets: random lines, `;` lists,
// escapes, binary bytes, prompt mode and over-long commands into halo's `stats socket`
// (level user). Halo must stay alive, end every connection (answer and close) once the
// client has sent its input and shut its side, and keep its memory bounded. A bounded
// number of cases without over-long commands (where HAProxy's answer depends on timing)
// also go to the real HAProxy 2.6 with the same config: the first line of every answer
// block, the prompts and the close must agree.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { ProxyDaemon } from '../../src/daemon/proxy-daemon.js';
import { MAX_CLI_COMMAND } from '../../src/proxy/cli-socket/session.js';
import { MemoryLog } from '../../src/proxy/log/sinks.js';
import { freePort, parse, waitFor } from './proxy-harness.js';

// A fixed seed, printed, so a CI failure can be replayed; HALO_FUZZ_SEED and HALO_FUZZ_RUNS
// override the seed and the run counts.
const SEED = Number(process.env.HALO_FUZZ_SEED ?? 20261203);
const runs = (n: number) => Number(process.env.HALO_FUZZ_RUNS ?? n);
console.log(`proxy-cli-fuzz: seed ${SEED} (HALO_FUZZ_SEED)`);

const HAPROXY = '/usr/sbin/haproxy';

const config = (sock: string, port: number) => `global
    stats socket ${sock} mode 600 level user
    stats timeout 5s
defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:${port}
    default_backend be
backend be
    server s1 127.0.0.1:1
`;

/** Sends everything, shuts the write side, reads until close (or `ms`). */
function exchange(
  path: string,
  input: Buffer,
  ms = 3000,
): Promise<{ out: string; closed: boolean }> {
  return new Promise((resolve) => {
    const c = net.connect(path);
    let out = '';
    const t = setTimeout(() => {
      c.destroy();
      resolve({ out, closed: false });
    }, ms);
    c.on('data', (d: Buffer) => {
      out += d.toString('latin1');
    });
    c.on('error', () => {});
    c.on('close', () => {
      clearTimeout(t);
      resolve({ out, closed: true });
    });
    c.on('connect', () => c.end(input));
  });
}

/** The first line of each answer block, with prompts kept: what both sides must agree on. */
function shape(out: string): string[] {
  return out.split('\n\n').map((b) => b.split('\n')[0] ?? '');
}

const word = fc.constantFrom(
  'show',
  'cli',
  'level',
  'help',
  'prompt',
  'bogus',
  'show cli level',
  'quit',
  '',
  ' ',
  '\\;',
  '\\',
  'x',
);
const sep = fc.constantFrom(';', '\n', ' ', '\r\n', ';;');
const piece = fc.tuple(word, sep).map(([w, s]) => w + s);
const printable = fc.array(piece, { minLength: 1, maxLength: 12 }).map((p) => p.join(''));
const binary = fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1'));
const long = fc
  .tuple(fc.integer({ min: MAX_CLI_COMMAND - 2, max: MAX_CLI_COMMAND + 200 }), printable)
  .map(([n, tail]) => `${'A'.repeat(n)}${tail}`);

describe('runtime API fuzz (halo beside HAProxy 2.6)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'halo-cli-fuzz-'));
  const haloSock = join(dir, 'halo.sock');
  const refSock = join(dir, 'ref.sock');
  let daemon: ProxyDaemon;
  let ref: ChildProcess | undefined;

  before(async () => {
    daemon = new ProxyDaemon({ files: [], env: {}, log: new MemoryLog(), notify: () => {} });
    await daemon.start(parse(config(haloSock, await freePort())));
    if (existsSync(HAPROXY)) {
      const file = join(dir, 'ref.cfg');
      writeFileSync(file, config(refSock, await freePort()));
      ref = spawn(HAPROXY, ['-db', '-f', file], { stdio: 'ignore' });
      await waitFor(() => existsSync(refSock), 5000, 'haproxy stats socket');
    }
  });

  after(async () => {
    ref?.kill('SIGTERM');
    await daemon.hardStop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('halo answers or closes every connection, for any input, and stays bounded', async () => {
    const rss0 = process.memoryUsage().rss;
    await fc.assert(
      fc.asyncProperty(fc.oneof(printable, binary, long), async (input) => {
        const r = await exchange(haloSock, Buffer.from(input, 'latin1'));
        assert.equal(r.closed, true, `still open after ${JSON.stringify(input.slice(0, 80))}`);
      }),
      { seed: SEED, numRuns: runs(150) },
    );
    assert.equal((await exchange(haloSock, Buffer.from('show cli level\n'))).out, 'user\n\n');
    assert.ok(process.memoryUsage().rss - rss0 < 100 * 1024 * 1024);
  });

  it('the same shape of answer as HAProxy for the same input', {
    skip: existsSync(HAPROXY) ? undefined : `${HAPROXY} is not installed`,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(printable, binary), async (input) => {
        const bytes = Buffer.from(input, 'latin1');
        const [h, r] = await Promise.all([exchange(haloSock, bytes), exchange(refSock, bytes)]);
        assert.equal(h.closed, r.closed, 'close');
        assert.deepEqual(shape(h.out), shape(r.out), JSON.stringify(input));
      }),
      { seed: SEED, numRuns: runs(60) },
    );
  });
});
