// tcplog lines, syslog framing and server messages, compared with lines captured from
// HAProxy 2.6.12 on this machine.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogTarget } from '../../src/config/haproxy/model.js';
import {
  noServerAlert,
  noServerMessage,
  serverDownMessage,
  serverUpMessage,
} from '../../src/proxy/log/messages.js';
import { frame, passes } from '../../src/proxy/log/syslog.js';
import { formatAcceptDate, formatSyslogDate, formatTcpLog } from '../../src/proxy/log/tcplog.js';

const pos = { file: 't', line: 1 };
const at = new Date(2026, 10, 25, 17, 56, 3, 258).getTime();

describe('tcplog', () => {
  it('formats every field as HAProxy does', () => {
    const line = formatTcpLog({
      clientIp: '127.0.0.1',
      clientPort: 36322,
      accepted: at,
      frontend: 'fe',
      backend: 'be',
      server: 's1',
      tw: 1,
      tc: 0,
      tt: 2,
      bytes: 6,
      termination: '--',
      actconn: 1,
      feconn: 1,
      beconn: 0,
      srvconn: 0,
      retries: 0,
      redispatched: false,
      srvQueue: 0,
      beQueue: 0,
    });
    // Captured: 127.0.0.1:36322 [25/Nov/2026:17:56:03.258] fe be/s1 1/0/2 6 -- 1/1/0/0/0 0/0
    assert.equal(
      line,
      '127.0.0.1:36322 [25/Nov/2026:17:56:03.258] fe be/s1 1/0/2 6 -- 1/1/0/0/0 0/0',
    );
  });
  it('NOSRV, -1 timers and a redispatch marker', () => {
    const line = formatTcpLog({
      clientIp: '::1',
      clientPort: 5,
      accepted: at,
      frontend: 'fe',
      backend: 'be',
      server: '<NOSRV>',
      tw: -1,
      tc: -1,
      tt: 0,
      bytes: 0,
      termination: 'SC',
      actconn: 1,
      feconn: 1,
      beconn: 0,
      srvconn: 0,
      retries: 1,
      redispatched: true,
      srvQueue: 0,
      beQueue: 0,
    });
    assert.equal(
      line,
      '::1:5 [25/Nov/2026:17:56:03.258] fe be/<NOSRV> -1/-1/0 0 SC 1/1/0/0/+1 0/0',
    );
  });
  it('dates', () => {
    assert.equal(
      formatAcceptDate(new Date(2026, 0, 5, 1, 2, 3, 4).getTime()),
      '05/Jan/2026:01:02:03.004',
    );
    assert.equal(formatSyslogDate(new Date(2026, 0, 5, 1, 2, 3).getTime()), 'Jan  5 01:02:03');
    assert.equal(formatSyslogDate(at), 'Nov 25 17:56:03');
  });
});

describe('syslog framing', () => {
  const local2: LogTarget = {
    pos,
    target: { kind: 'udp', host: '127.0.0.1', port: 514 },
    facility: 'local2',
  };
  it('RFC 3164 header as HAProxy sends it', () => {
    assert.equal(frame(local2, 6, 'msg', at, 9144), '<150>Nov 25 17:56:03 haproxy[9144]: msg');
    assert.equal(frame(local2, 1, 'down', at, 9144), '<145>Nov 25 17:56:03 haproxy[9144]: down');
  });
  it('stdout format raw is the bare message', () => {
    assert.equal(
      frame({ ...local2, target: { kind: 'stdout' }, format: 'raw' }, 6, 'm', at, 1),
      'm',
    );
  });
  it('a line is cut at the target len, header included (1024 by default, as haproxy 2.6 sends)', () => {
    const long = 'a'.repeat(3000);
    assert.equal(frame(local2, 6, long, at, 9144).length, 1024);
    assert.equal(frame({ ...local2, len: 200 }, 6, long, at, 9144).length, 200);
    assert.equal(frame(local2, 6, 'short', at, 9144), '<150>Nov 25 17:56:03 haproxy[9144]: short');
  });
  it('level filter: `local0 err` drops info and notice, keeps alert and emerg', () => {
    const t: LogTarget = { ...local2, facility: 'local0', level: 'err' };
    assert.equal(passes(t, 6), false);
    assert.equal(passes(t, 5), false);
    assert.equal(passes(t, 3), true);
    assert.equal(passes(t, 0), true);
    assert.equal(passes(local2, 7), true);
  });
});

describe('server messages', () => {
  it('DOWN, UP and no-server wording', () => {
    const r = { status: 'L4CON' as const, ok: false, info: 'Connection refused', durationMs: 0 };
    assert.equal(
      serverDownMessage(
        'apiserver',
        'k8s-master1',
        r,
        { active: 2, backup: 0 },
        { active: 0, requeued: 0, queued: 0 },
      ),
      'Server apiserver/k8s-master1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 2 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
    );
    assert.equal(
      serverUpMessage(
        'be2',
        's1',
        { status: 'L7OK', ok: true, code: 200, durationMs: 1 },
        { active: 1, backup: 0 },
        { requeued: 0, queued: 0 },
      ),
      'Server be2/s1 is UP, reason: Layer7 check passed, code: 200, check duration: 1ms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.',
    );
    assert.equal(noServerMessage('be'), 'backend be has no server available!');
    // HAProxy's stderr alert quotes the name; its log line does not.
    assert.equal(noServerAlert('be'), "backend 'be' has no server available!");
  });

  it('Health analyze (observe layer4) carries no check duration, as in HAProxy 2.6', () => {
    assert.equal(
      serverDownMessage(
        'be',
        's1',
        {
          status: 'HANA',
          ok: false,
          info: 'Detected 2 consecutive errors, last one was: L4 unsuccessful connection',
          durationMs: 0,
        },
        { active: 0, backup: 0 },
        { active: 1, requeued: 0, queued: 0 },
      ),
      'Server be/s1 is DOWN, reason: Health analyze, info: "Detected 2 consecutive errors, last one was: L4 unsuccessful connection". 0 active and 0 backup servers left. 1 sessions active, 0 requeued, 0 remaining in queue.',
    );
  });
});
