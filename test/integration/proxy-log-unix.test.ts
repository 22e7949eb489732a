// `log /dev/log`-style targets: RFC 3164 datagrams on a unix datagram socket, received by
// a socket bound with the halo_os addon in a temporary directory (never the real /dev/log).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { LogTarget } from '../../src/config/haproxy/model.js';
import { addon } from '../../src/os/native.js';
import { SyslogSinks, sockaddrUn } from '../../src/proxy/log/sinks.js';
import { waitFor } from './proxy-harness.js';

describe('syslog to a unix datagram socket', () => {
  const dir = mkdtempSync(join(tmpdir(), 'halo-devlog-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('sends each message as one datagram with the facility/level priority and tag', async () => {
    const path = join(dir, 'log');
    const fd = addon().socket(1, 2, 0);
    addon().bind(fd, sockaddrUn(path));
    const sinks = new SyslogSinks({
      pid: 4242,
      now: () => new Date(2026, 10, 5, 9, 8, 7).getTime(),
    });
    const target: LogTarget = {
      pos: { file: 't.cfg', line: 1, col: 1 },
      target: { kind: 'unix', path },
      facility: 'local2',
      level: 'info',
    };
    try {
      sinks.send([target], 6, 'first line');
      sinks.send([target], 7, 'debug is filtered out by the level');
      sinks.send([target], 3, 'second line');
      const got: string[] = [];
      await waitFor(
        () => {
          const m = addon().recvmsg(fd, 4096);
          if (m) got.push(m.data.toString());
          return got.length === 2;
        },
        3000,
        'two datagrams',
      );
      assert.deepEqual(got, [
        // each datagram ends with a line feed, as HAProxy 2.6 sends them
        '<150>Nov  5 09:08:07 haproxy[4242]: first line\n',
        '<147>Nov  5 09:08:07 haproxy[4242]: second line\n',
      ]);
      assert.equal(addon().recvmsg(fd, 4096), null);
    } finally {
      sinks.close();
      addon().close(fd);
    }
  });

  it('a socket nobody listens on drops messages without throwing', () => {
    const sinks = new SyslogSinks();
    const target: LogTarget = {
      pos: { file: 't.cfg', line: 1, col: 1 },
      target: { kind: 'unix', path: join(dir, 'absent') },
      facility: 'daemon',
    };
    sinks.send([target], 6, 'nobody hears this');
    sinks.close();
  });
});
