// Server and bind host names resolved at check and start time, as HAProxy 2.6 does while it
// reads its configuration: with a fake resolver (pure), then through `halo check` and
// `halo proxy -c` with getaddrinfo on names that need no network (`localhost` resolves from
// /etc/hosts, `.invalid` never resolves, RFC 6761), and `--offline`, which skips it.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { CommandIO } from '../../src/cli/command.js';
import { checkCommand } from '../../src/cli/commands/check.js';
import { proxyCommand } from '../../src/cli/commands/proxy.js';
import { Diagnostics } from '../../src/config/diagnostics.js';
import { parseHaproxy } from '../../src/config/haproxy/index.js';
import { resolveNames } from '../../src/config/haproxy/resolve-names.js';

const CFG = `defaults
    mode tcp
    timeout connect 1s
    timeout client 1m
    timeout server 1m
frontend fe
    bind 127.0.0.1:9443
    bind lb.example:9444
    default_backend be
backend be
    server ip 10.0.0.1:6443
    server named api.example:6443
    server gone nonexistent.invalid:6443
    server spare nonexistent.invalid:6443 init-addr last,libc,none
    server sock /run/api.sock
`;

const dir = mkdtempSync(join(tmpdir(), 'halo-resolve-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function run(
  cmd: typeof checkCommand,
  argv: string[],
): Promise<{ code: number; out: string }> {
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
  };
  return { code: await cmd.run(argv, io), out };
}

describe('host names resolved as HAProxy does at parse time', () => {
  it('reports names that do not resolve, once per name, at the server and bind lines', async () => {
    const r = parseHaproxy([{ path: 'h.cfg', text: CFG }], { env: {} });
    assert.ok(r.config);
    const asked: string[] = [];
    const diags = new Diagnostics();
    await resolveNames(
      r.config,
      {
        resolves: async (host) => {
          asked.push(host);
          return host === 'api.example';
        },
      },
      diags,
    );
    assert.deepEqual(asked.sort(), ['api.example', 'lb.example', 'nonexistent.invalid']);
    assert.deepEqual(
      diags.sorted().map((d) => [d.line, d.severity, d.message]),
      [
        [8, 'error', "'bind' : invalid address: 'lb.example' in 'lb.example:9444'"],
        [13, 'error', "'server be/gone' : could not resolve address 'nonexistent.invalid'."],
        [
          14,
          'warning',
          "'server be/spare' : could not resolve address 'nonexistent.invalid', disabling server.",
        ],
      ],
    );
  });

  it('halo check: localhost passes, nonexistent.invalid fails; --offline skips', async () => {
    const good = join(dir, 'good.cfg');
    writeFileSync(
      good,
      CFG.replace(/^.*(lb\.example|api\.example|\.invalid).*\n/gm, '').replace(
        '10.0.0.1',
        'localhost',
      ),
    );
    const ok = await run(checkCommand, ['-q', '-f', good]);
    assert.equal(ok.code, 0, ok.out);
    const bad = join(dir, 'bad.cfg');
    writeFileSync(bad, CFG.replace(/lb\.example|api\.example/g, 'localhost'));
    const r = await run(checkCommand, ['-q', '-f', bad]);
    assert.equal(r.code, 1);
    assert.match(
      r.out,
      /bad\.cfg:13: error: 'server be\/gone' : could not resolve address 'nonexistent\.invalid'\./,
    );
    assert.equal((await run(checkCommand, ['--offline', '-q', '-f', bad])).code, 0);
  });

  it('halo proxy -c refuses the same config, as haproxy -c does (exit 1)', async () => {
    const bad = join(dir, 'bad.cfg');
    const r = await run(proxyCommand, ['-c', '-f', bad]);
    assert.equal(r.code, 1);
    assert.match(r.out, /could not resolve address 'nonexistent\.invalid'/);
  });
});
