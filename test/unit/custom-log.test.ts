// log-format lines without sockets: HAProxy's separator rule, quoting, `<BADREQ>` fields
// and absent captures, on a record built here. The same lines next to HAProxy are
// integration/proxy-log-format.test.ts.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogFormat } from '../../src/config/haproxy/http-rule-model.js';
import { parseLogFormat } from '../../src/config/haproxy/log-format.js';
import type { LogRecord } from '../../src/proxy/log/custom-log.js';
import { renderLogFormat, unfilledLogVars } from '../../src/proxy/log/custom-log.js';

const record: LogRecord = {
  clientIp: '192.0.2.7',
  clientPort: 4242,
  frontendIp: '127.0.0.1',
  frontendPort: 8080,
  frontend: 'fe',
  frontendTls: true,
  backend: 'be',
  server: 's1',
  serverIp: '127.0.0.2',
  serverPort: 6443,
  accepted: Date.UTC(2026, 11, 4, 18, 30, 0, 7),
  tw: 0,
  tc: 1,
  tt: 10,
  tR: 2,
  tr: 3,
  ta: 8,
  bytes: 74,
  bytesIn: 57,
  status: 200,
  termination: '--',
  actconn: 1,
  feconn: 1,
  beconn: 0,
  srvconn: 0,
  retries: 1,
  redispatched: true,
  srvQueue: 0,
  beQueue: 0,
  requestLine: 'GET /a?x=1 HTTP/1.1',
  method: 'GET',
  uri: '/a?x=1',
  version: '1.1',
  pid: 42,
  hostname: 'vm',
};

function fmt(text: string): LogFormat {
  const f = parseLogFormat(text);
  assert.ok(Array.isArray(f), String(f));
  return f as LogFormat;
}

describe('log-format rendering', () => {
  it('variables, quoting of strings only, the retries with + after a redispatch', () => {
    assert.equal(
      renderLogFormat(fmt('%ft %b/%s %{+Q}HM %{+Q}ST %rc %T %Ts %ms %U %B %tsc'), record),
      'fe~ be/s1 "GET" 200 +1 04/Dec/2026:18:30:00 +0000 1796409000 007 57 74 ----',
    );
    assert.equal(
      renderLogFormat(fmt('%HP %HQ %HV %si:%sp'), record),
      '/a ?x=1 HTTP/1.1 127.0.0.2:6443',
    );
  });

  it('runs of spaces write one separator; an empty value keeps both; a capture writes nothing', () => {
    const noQuery = { ...record, uri: '/two' };
    assert.equal(renderLogFormat(fmt('a   %HU  %HQ %HV'), noQuery), 'a /two  HTTP/1.1');
    assert.equal(
      renderLogFormat(fmt('%sq/%bq %hr %hs %{+Q}r'), record),
      '0/0 "GET /a?x=1 HTTP/1.1"',
    );
  });

  it('a request that could not be parsed: <BADREQ> in the HTTP fields', () => {
    const bad: LogRecord = { ...record, requestLine: undefined };
    delete (bad as { method?: string }).method;
    assert.equal(
      renderLogFormat(fmt('%HM %HU %{+Q}r %r'), bad),
      '<BADREQ> <BADREQ> "<BADREQ>" <BADREQ>',
    );
  });

  it("samples come from the caller; one that finds nothing writes '-'", () => {
    const f = fmt('[%[src]] [%[dst]] %{+Q}[src]');
    const out = renderLogFormat(f, record, (e) => (e.fetch === 'src' ? '192.0.2.7' : undefined));
    assert.equal(out, '[192.0.2.7] [-] "192.0.2.7"');
  });

  it('variables halo does not fill yet are listed for the start-up warning', () => {
    assert.deepEqual(unfilledLogVars(fmt('%ci %bi %lc %rt %ID')), ['%bi', '%lc', '%rt']);
  });
});
