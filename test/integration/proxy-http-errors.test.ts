// Differential test of a proxy's own error replies: `http-errors` sections and `errorfiles`
// (all of a section's files or the listed codes), `errorfile` in defaults and proxies,
// `http-error status` (a payload, an empty reply, default-errorfiles), the backend's replies
// before the frontend's, and the reply payloads of rules (`errorfile`, `errorfiles`, `file`,
// `lf-file`, an empty errorfile). The real HAProxy 2.6 and halo run one config (the
// harness of http-diff-harness.ts); each case compares the client's bytes and the log line,
// after checking HAProxy's status and key header so a case cannot pass on an answer
// nobody expected. The error files are written to a temporary folder by the test.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hasHaproxy } from './haproxy-child.js';
import type { ConfigText, Differential } from './http-diff-harness.js';
import { answerByPath, httpPreamble, startDifferential } from './http-diff-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'halo-http-errors-'));
const FILES: Record<string, string> = {
  'site-403.http':
    'HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\nx-from: site\r\ncontent-length: 9\r\n\r\nsite 403\n',
  // No Content-Length: the reply ends with the connection, as Debian's files do.
  'site-404.http': 'HTTP/1.0 404 Not Found\r\nX-From: site\r\n\r\nnot here\n',
  'other-403.http': 'HTTP/1.1 403 Forbidden\r\nx-from: other\r\ncontent-length: 0\r\n\r\n',
  'def-503.http':
    'HTTP/1.1 503 Service Unavailable\r\nx-from: defaults\r\ncontent-length: 5\r\n\r\ndown\n',
  'be-503.http':
    'HTTP/1.1 503 Service Unavailable\r\nx-from: backend\r\ncontent-length: 3\r\n\r\nbe\n',
  'body.txt': 'raw body\n',
  'lf.txt': 'the path is %[path]\n',
};
for (const [name, text] of Object.entries(FILES)) writeFileSync(join(dir, name), text);

const config: ConfigText = (ports, backend, syslog, sock) => `${httpPreamble(syslog, sock)}
    timeout connect 500ms
    timeout client 5s
    timeout server 2s
    errorfile 503 ${dir}/def-503.http
http-errors site
    errorfile 403 ${dir}/site-403.http
    errorfile 404 ${dir}/site-404.http
    errorfile 500 /dev/null
http-errors other
    errorfile 403 ${dir}/other-403.http
frontend fe_all
    bind 127.0.0.1:${ports.all}
    errorfiles site
    http-request deny if { path /403 }
    http-request deny deny_status 404 if { path /404 }
    http-request deny deny_status 500 if { path /500 }
    http-request deny deny_status 400 if { path /400 }
    use_backend be_none if { path /503 }
    default_backend be
frontend fe_some
    bind 127.0.0.1:${ports.some}
    errorfiles site
    errorfiles other 403
    http-error status 404 default-errorfiles
    http-request deny if { path /403 }
    http-request deny deny_status 404 if { path /404 }
    use_backend be_own if { path /be }
    default_backend be
frontend fe_httperr
    bind 127.0.0.1:${ports.httperr}
    monitor-uri /alive
    http-error status 403 content-type text/plain hdr x-path %[path] hdr x-empty %[req.hdr(x-none)] lf-string "no %[path]"
    http-error status 429
    http-error status 200 content-type text/plain string alive
    http-request deny if { path /403 }
    http-request deny deny_status 429 if { path /429 }
    http-request return status 200 default-errorfiles if { path /ret }
    use_backend be_err if { path /503 }
    use_backend be_none if { path /503-be }
    default_backend be
frontend fe_rules
    bind 127.0.0.1:${ports.rules}
    http-request deny deny_status 403 errorfiles other if { path /sect }
    http-request deny deny_status 500 errorfile /dev/null if { path /empty }
    http-request return status 200 content-type text/plain file ${dir}/body.txt if { path /file }
    http-request return status 200 content-type text/plain lf-file ${dir}/lf.txt if { path /lf }
    http-request deny status 403 errorfile ${dir}/site-404.http if { path /other-status }
    http-request deny status 403 hdr x-a b if { path /hdr }
    http-request return status 404 errorfiles other if { path /undeclared }
    default_backend be
backend be
    server s1 127.0.0.1:${backend}
backend be_none
backend be_own
    errorfile 503 ${dir}/be-503.http
backend be_err
    http-error status 503 content-type text/plain string "try later"
`;

const NAMES = ['all', 'some', 'httperr', 'rules'] as const;

interface ErrorCase {
  readonly name: string;
  readonly port: (typeof NAMES)[number];
  readonly path: string;
  /** HAProxy's status, or 'closed' when it sent nothing. */
  readonly status: number | 'closed';
  /** What HAProxy's reply must show. */
  readonly reply?: readonly RegExp[];
  /** Send without `Connection: close`: whether the connection stays after the reply. */
  readonly keepAlive?: boolean;
}

const hdr = (text: string) =>
  new RegExp(`\r\n${text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\r\n`, 'i');

const CASES: readonly ErrorCase[] = [
  {
    name: 'errorfiles NAME: the section file for a deny',
    port: 'all',
    path: '/403',
    status: 403,
    reply: [hdr('x-from: site'), /\r\n\r\nsite 403\n$/],
  },
  {
    name: 'errorfiles NAME: a file with its length keeps the connection',
    port: 'all',
    path: '/403',
    status: 403,
    reply: [hdr('x-from: site')],
    keepAlive: true,
  },
  {
    name: 'errorfiles NAME: a file without Content-Length, HTTP/1.0 as written',
    port: 'all',
    path: '/404',
    status: 404,
    reply: [/^HTTP\/1\.0 404 /, /not here\n$/],
  },
  {
    name: 'errorfiles NAME: an empty file (/dev/null) sends nothing',
    port: 'all',
    path: '/500',
    status: 'closed',
  },
  {
    name: "errorfiles NAME: a status the section lacks gets HAProxy's page",
    port: 'all',
    path: '/400',
    status: 400,
    reply: [/Your browser sent an invalid request/],
  },
  {
    name: "errorfile in defaults: a 503 without a server sends the defaults' file",
    port: 'all',
    path: '/503',
    status: 503,
    reply: [hdr('x-from: defaults')],
  },
  {
    name: 'errorfiles NAME CODE after errorfiles NAME: the later line wins for 403',
    port: 'some',
    path: '/403',
    status: 403,
    reply: [hdr('x-from: other')],
  },
  {
    name: "http-error status 404 default-errorfiles: back to HAProxy's page",
    port: 'some',
    path: '/404',
    status: 404,
    reply: [/The resource could not be found/],
  },
  {
    name: "the backend's errorfile before the frontend's",
    port: 'some',
    path: '/be',
    status: 503,
    reply: [hdr('x-from: backend')],
  },
  {
    name: 'http-error status 403 with lf-string and hdr (an empty value adds no header)',
    port: 'httperr',
    path: '/403',
    status: 403,
    reply: [hdr('x-path: /403'), /\r\n\r\nno \/403$/],
  },
  {
    name: 'http-error status 429 alone: an empty reply',
    port: 'httperr',
    path: '/429',
    status: 429,
    reply: [hdr('content-length: 0')],
  },
  {
    name: "the backend's inherited errorfile before the frontend's http-error",
    port: 'httperr',
    path: '/503-be',
    status: 503,
    reply: [hdr('x-from: defaults')],
  },
  {
    name: 'http-error status 503 string in the backend: the 503 of no server',
    port: 'httperr',
    path: '/503',
    status: 503,
    reply: [/\r\n\r\ntry later$/],
  },
  {
    name: 'http-error status 503 string in the backend, kept alive',
    port: 'httperr',
    path: '/503',
    status: 503,
    reply: [/\r\n\r\ntry later$/],
    keepAlive: true,
  },
  {
    name: "http-error status 200: monitor-uri's reply",
    port: 'httperr',
    path: '/alive',
    status: 200,
    reply: [/\r\n\r\nalive$/],
  },
  {
    name: 'return status 200 default-errorfiles: the http-error reply for 200',
    port: 'httperr',
    path: '/ret',
    status: 200,
    reply: [/\r\n\r\nalive$/],
  },
  {
    name: "deny errorfiles NAME: the section's file",
    port: 'rules',
    path: '/sect',
    status: 403,
    reply: [hdr('x-from: other')],
  },
  {
    name: 'deny errorfile /dev/null: nothing is sent',
    port: 'rules',
    path: '/empty',
    status: 'closed',
  },
  {
    name: 'return file: the payload as read',
    port: 'rules',
    path: '/file',
    status: 200,
    reply: [hdr('content-type: text/plain'), /\r\n\r\nraw body\n$/],
  },
  {
    name: 'return lf-file: the payload evaluated',
    port: 'rules',
    path: '/lf',
    status: 200,
    reply: [/\r\n\r\nthe path is \/lf\n$/],
  },
  {
    name: "deny status 403 errorfile FILE: the file's own status line",
    port: 'rules',
    path: '/other-status',
    status: 404,
    reply: [hdr('x-from: site')],
  },
  {
    name: 'deny status 403 hdr only: an empty reply with the header',
    port: 'rules',
    path: '/hdr',
    status: 403,
    reply: [hdr('x-a: b'), hdr('content-length: 0')],
  },
  {
    name: 'return errorfiles NAME for a status the section lacks: an empty reply',
    port: 'rules',
    path: '/undeclared',
    status: 404,
    reply: [hdr('content-length: 0')],
  },
];

/** How long a case waits for the reply when nobody closes (ms). */
const WAIT = 800;

describe('error replies: halo against the real HAProxy 2.6', {
  skip: !hasHaproxy && 'no haproxy',
}, () => {
  let d: Differential;

  before(async () => {
    d = await startDifferential({ names: NAMES, config, answer: answerByPath({}) });
  });

  after(async () => {
    await d?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const k of CASES) {
    it(k.name, async () => {
      const request = `GET ${k.path} HTTP/1.1\r\nHost: test\r\n${k.keepAlive ? '' : 'Connection: close\r\n'}\r\n`;
      const { hap, halo } = await d.both(k.port, [request], WAIT);
      if (k.status === 'closed') assert.equal(hap.reply, '', 'HAProxy sent nothing');
      else assert.match(hap.reply, new RegExp(`^HTTP/1\\.[01] ${k.status} `), "HAProxy's status");
      for (const re of k.reply ?? []) assert.match(hap.reply, re, "HAProxy's reply");
      assert.equal(hap.heads.length, 0, 'HAProxy answered itself');
      assert.equal(halo.reply, hap.reply, 'client reply');
      assert.equal(halo.heads.length, 0, 'halo answered itself');
      assert.deepEqual(halo.logs, hap.logs, 'log lines');
      // Whether the connection stayed open after the reply (closed early, or waited out).
      assert.equal(halo.elapsed >= WAIT, hap.elapsed >= WAIT, 'connection kept after the reply');
    });
  }
});
