// The check of the Node.js internals the internal data path binds: every missing piece is
// named, the real Node.js has them all, and the `halo` command still starts (check,
// version) when process.binding is gone.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { InternalsHost } from '../../src/proxy/io/node-internals.js';
import { missingNodeInternals } from '../../src/proxy/io/node-internals.js';

const realBinding = (process as unknown as { binding: (n: string) => unknown }).binding;

/** The real bindings with one piece taken away. */
function without(module: string, edit: (b: Record<string, unknown>) => Record<string, unknown>) {
  return (name: string) => {
    const b = realBinding(name) as Record<string, unknown>;
    return name === module ? edit({ ...b }) : b;
  };
}

class Bare {}

describe('Node.js internals check', () => {
  it('finds everything on this Node.js', () => {
    assert.deepEqual(missingNodeInternals(), []);
  });

  const cases: [string, InternalsHost, string[]][] = [
    ['no process.binding', { binding: undefined, net }, ['process.binding']],
    ['no net._createServerHandle', { binding: realBinding, net: {} }, ['net._createServerHandle']],
    [
      'a binding that throws (not allowed any more)',
      {
        binding: (n: string) => {
          if (n === 'pipe_wrap') throw new Error('No such module');
          return realBinding(n);
        },
        net,
      },
      ["process.binding('pipe_wrap')"],
    ],
    [
      'TCP without open() and constants',
      {
        binding: without('tcp_wrap', (b) => ({ ...b, TCP: Bare, constants: {} })),
        net,
      },
      [
        'open',
        'connect',
        'connect6',
        'getsockname',
        'getpeername',
        'setNoDelay',
        'readStart',
        'readStop',
        'shutdown',
        'useUserBuffer',
        'writeBuffer',
        'writeLatin1String',
        'close',
      ]
        .map((m) => `process.binding('tcp_wrap').TCP.prototype.${m}`)
        .concat([
          "process.binding('tcp_wrap').constants.SOCKET",
          "process.binding('tcp_wrap').constants.SERVER",
        ]),
    ],
    [
      'stream_wrap without its shared state',
      {
        binding: without('stream_wrap', (b) => ({ ...b, streamBaseState: undefined })),
        net,
      },
      ["process.binding('stream_wrap').streamBaseState"],
    ],
  ];
  for (const [name, host, expected] of cases) {
    it(name, () => {
      assert.deepEqual(missingNodeInternals(host), expected);
    });
  }

  it('halo proxy -V and halo check run without process.binding', () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const compiled = here.includes(join('dist', 'test'));
    const root = join(here, '..', '..', ...(compiled ? ['..'] : []));
    const main = compiled
      ? [join(root, 'dist', 'src', 'cli', 'main.js')]
      : ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts')];
    const cfg = join(root, 'examples', 'article', 'haproxy.cfg');
    const run = (args: string[]) =>
      spawnSync(
        process.execPath,
        ['--import', 'data:text/javascript,delete process.binding', ...main, ...args],
        { encoding: 'utf8', cwd: root, timeout: 20_000 },
      );
    const version = run(['proxy', '-v']);
    assert.equal(version.status, 0, version.stderr);
    assert.match(version.stdout, /version/i);
    const check = run(['check', '--offline', '-f', cfg]);
    assert.equal(check.status, 0, check.stderr);
    assert.doesNotMatch(check.stderr, /process\.binding|internals/);
    assert.match(check.stdout + check.stderr, /haproxy\.cfg/);
  });
});
