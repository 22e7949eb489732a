// use_backend with ACL conditions on real connections (dst_port of the bind a client used,
// nbsrv of a backend whose only server is disabled), and the server events that cut
// sessions: on-marked-down shutdown-sessions, on-marked-up shutdown-backup-sessions, and
// observe layer4 with error-limit/on-error marking a server DOWN from live traffic.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import type { CheckResult } from '../../src/proxy/health/result.js';
import type { Backend } from './proxy-harness.js';
import { backend, exchange, freePort, startProxy, tcpDefaults, waitFor } from './proxy-harness.js';

/** A probe whose answer the test sets. */
function switchableProbe(initial: boolean) {
  const state = { ok: initial };
  const probe = async (): Promise<CheckResult> =>
    state.ok
      ? { status: 'L4OK', ok: true, durationMs: 0 }
      : { status: 'L4CON', ok: false, info: 'Connection refused', durationMs: 0 };
  return { state, probe };
}

/** A client connection that stays open; resolves `closed` when the proxy cuts it. */
async function hold(port: number): Promise<{ greeting: string; closed: Promise<void> }> {
  const c = net.connect({ port, host: '127.0.0.1' });
  c.on('error', () => {});
  const greeting = await new Promise<string>((r) => c.once('data', (d) => r(d.toString())));
  return { greeting, closed: new Promise((r) => c.on('close', () => r())) };
}

describe('routing and server events', () => {
  const cleanup: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });
  const keep = (b: Backend) => {
    cleanup.push(() => b.close());
    return b;
  };

  it('use_backend picks by dst_port, then falls back on nbsrv and default_backend', async () => {
    const [api, other, spare] = [
      keep(await backend('api')),
      keep(await backend('other')),
      keep(await backend('spare')),
    ];
    const [p1, p2] = [await freePort(), await freePort()];
    const p = await startProxy(`${tcpDefaults}
frontend fe
    bind 127.0.0.1:${p1}
    bind 127.0.0.1:${p2}
    acl to_api dst_port ${p1}
    use_backend spare if { nbsrv(masters) lt 1 } !to_api
    use_backend api if to_api
    default_backend masters
backend api
    server a 127.0.0.1:${api.port}
backend masters
    server m 127.0.0.1:${other.port} disabled
backend spare
    server s 127.0.0.1:${spare.port}
`);
    cleanup.push(p.stop);
    assert.equal((await exchange(p1, 'x')).data, 'api\nx');
    // masters has no usable server: its traffic goes to spare.
    assert.equal((await exchange(p2, 'y')).data, 'spare\ny');
    await waitFor(() => p.log.lines.length === 2);
    assert.match(p.log.lines[0]!.message, / fe api\/a /);
    assert.match(p.log.lines[1]!.message, / fe spare\/s /);
  });

  it('on-marked-down shutdown-sessions cuts the sessions of a server going DOWN (D-)', {
    timeout: 20_000,
  }, async () => {
    const b = keep(await backend('s1'));
    const { state, probe } = switchableProbe(true);
    const p = await startProxy(
      `${tcpDefaults}
frontend fe
    bind 127.0.0.1:0
    default_backend be
backend be
    server s1 127.0.0.1:${b.port} check inter 50 rise 1 fall 1 on-marked-down shutdown-sessions
`,
      { probe },
    );
    cleanup.push(p.stop);
    const c = await hold(p.port);
    assert.equal(c.greeting, 's1\n');
    state.ok = false;
    await c.closed;
    // HAProxy 2.6 logs `D-` (stream_shutdown sets the cause and no session state).
    await waitFor(() => p.log.lines.some((l) => / be\/s1 .* D- /.test(l.message)), 3000, 'D- line');
    assert.ok(p.log.lines.some((l) => /Server be\/s1 is DOWN/.test(l.message)));
  });

  it('on-marked-up shutdown-backup-sessions moves clients off the backup', {
    timeout: 20_000,
  }, async () => {
    const [main, spare] = [keep(await backend('main')), keep(await backend('backup'))];
    const { state, probe } = switchableProbe(false);
    const p = await startProxy(
      `${tcpDefaults}
frontend fe
    bind 127.0.0.1:0
    default_backend be
backend be
    server main 127.0.0.1:${main.port} check inter 50 rise 1 fall 1 on-marked-up shutdown-backup-sessions
    server spare 127.0.0.1:${spare.port} backup
`,
      { probe },
    );
    cleanup.push(p.stop);
    await waitFor(() => !p.engine.backends.get('be')!.servers[0]!.up, 3000, 'main DOWN');
    const c = await hold(p.port);
    assert.equal(c.greeting, 'backup\n');
    state.ok = true;
    await c.closed;
    assert.equal((await exchange(p.port, 'z')).data, 'main\nz');
  });

  it('observe layer4: error-limit failed connections and on-error mark-down take the server DOWN', async () => {
    const dead = await freePort();
    const { probe } = switchableProbe(true); // the checks alone would keep it UP
    const p = await startProxy(
      `${tcpDefaults}
    retries 0
frontend fe
    bind 127.0.0.1:0
    default_backend be
backend be
    server s1 127.0.0.1:${dead} check inter 60s observe layer4 error-limit 2 on-error mark-down
`,
      { probe },
    );
    cleanup.push(p.stop);
    const s1 = p.engine.backends.get('be')!.servers[0]!;
    await exchange(p.port, 'a');
    assert.equal(s1.up, true, 'one error is below the limit');
    await exchange(p.port, 'b');
    await waitFor(() => !s1.up, 3000, 'DOWN after two errors');
    const down = p.log.lines.find((l) => /is DOWN/.test(l.message));
    assert.match(
      down!.message,
      // No check duration: HAProxy 2.6 prints none for Health analyze.
      /^Server be\/s1 is DOWN, reason: Health analyze, info: "Detected 2 consecutive errors, last one was: L4 unsuccessful connection"\. 0 active and 0 backup servers left\. 1 sessions active, 0 requeued, 0 remaining in queue\.$/,
    );
  });
});
