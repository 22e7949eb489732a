// Fuzz of the stats page next to the real HAProxy 2.6: random query strings after the stats
// URI (`;csv`, `;json`, `;up`, `;norefresh`, `;st=`, junk) and random admin-form POSTs
// (`s=`, `action=`, `b=` fields, mutated names, bad percent-encodings, bodies past the
// 16 KB limit, missing or wrong credentials) go to halo and to /usr/sbin/haproxy running
// the same config. Every request must get an answer from halo, halo must stay up, and the
// status code (and for a POST the `;st=` code of its redirect) must equal HAProxy's.
// Both proxies see the same sequence, so admin actions change the same server states.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { statsApplets } from '../../src/proxy/stats/applet.js';
import type { HaproxyChild } from './haproxy-child.js';
import { hasHaproxy, startHaproxy } from './haproxy-child.js';
import type { Running } from './proxy-harness.js';
import { freePort, startProxy } from './proxy-harness.js';

// A fixed seed, printed, so a CI failure can be replayed; HALO_FUZZ_SEED and HALO_FUZZ_RUNS
// override the seed and the run counts.
const SEED = Number(process.env.HALO_FUZZ_SEED ?? 20261204);
const runs = (n: number) => Number(process.env.HALO_FUZZ_RUNS ?? n);
console.log(`stats-fuzz: seed ${SEED} (HALO_FUZZ_SEED)`);

const AUTH = `Basic ${Buffer.from('admin:pw').toString('base64')}`;

function config(stats: number, dead: number): string {
  return `global
    maxconn 200
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    timeout http-request 2s
backend be
    server s1 127.0.0.1:${dead} check inter 60s
    server s2 127.0.0.1:${dead}
backend other
    server o1 127.0.0.1:${dead}
listen stats
    bind 127.0.0.1:${stats}
    stats enable
    stats uri /stats
    stats auth admin:pw
    stats admin if TRUE
`;
}

interface Reply {
  readonly status: number;
  /** The `;st=` code of a redirect's Location. */
  readonly st: string | undefined;
}

/** One request on a fresh connection; status 0 when the connection closed without one. */
function ask(port: number, request: Buffer): Promise<Reply> {
  return new Promise((resolve) => {
    const c = net.connect({ port, host: '127.0.0.1' });
    let head = '';
    const t = setTimeout(() => c.destroy(), 4000);
    c.on('data', (d) => {
      if (head.length < 8192) head += d.toString('latin1');
    });
    c.on('error', () => {});
    c.on('close', () => {
      clearTimeout(t);
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
      const st = /^location:[^\r\n]*;st=([A-Z]+)/im.exec(head)?.[1];
      resolve({ status, st });
    });
    c.on('connect', () => c.write(request));
  });
}

const SUFFIX = fc.oneof(
  fc.constantFrom(';csv', ';json', ';up', ';norefresh', ';st=DONE', ';st=ERRP', ';st=', ';'),
  fc.constantFrom('?', '?csv', '&', '/', ';csv;up', ';json;norefresh', ';st=PART;up'),
  fc.stringMatching(/^[A-Za-z0-9;=&?%._~-]{0,12}$/),
);

const query = fc.record({
  path: fc.constantFrom('/stats', '/stats', '/stats', '/statsx', '/stat', '/other'),
  suffix: fc.array(SUFFIX, { maxLength: 4 }).map((a) => a.join('')),
  method: fc.constantFrom('GET', 'GET', 'HEAD'),
  auth: fc.constantFrom(AUTH, AUTH, AUTH, 'Basic YWRtaW46d3Jvbmc=', undefined),
});

/** A form value: a plausible one, a mutation of it, or raw bytes with bad encodings. */
const value = (plausible: string[]) =>
  fc.oneof(
    fc.constantFrom(...plausible),
    fc.constantFrom(...plausible).map((v) => `${v}x`),
    fc.stringMatching(/^[A-Za-z0-9%+#._-]{0,10}$/),
    fc.constantFrom('%', '%zz', '%4', '%00', '%ff%fe', '+', ''),
  );

const field = fc.oneof(
  value(['s1', 's2', 'o1', 'nope']).map((v) => `s=${v}`),
  value([
    'ready',
    'drain',
    'maint',
    'dhlth',
    'ehlth',
    'hrunn',
    'hdown',
    'shutdown',
    'dagent',
    'arunn',
    'disable',
    'enable',
    'stop',
    'start',
  ]).map((v) => `action=${v}`),
  value(['be', 'other', 'stats', '#2', '#3', '#4', '#1', '#99']).map((v) => `b=${v}`),
  fc.stringMatching(/^[a-z=&%]{0,8}$/),
);

const post = fc.record({
  fields: fc.array(field, { maxLength: 8 }),
  // Bodies well below and well past the 16 KB a stats POST may have (not near the edge:
  // HAProxy's limit depends on the header size within its buffer); a field past 2 KB.
  pad: fc.oneof(
    fc.constant(0),
    fc.constant(0),
    fc.integer({ min: 2100, max: 8000 }),
    fc.integer({ min: 20_000, max: 60_000 }),
  ),
  suffix: fc.constantFrom('', ';up', ';norefresh', ';up;norefresh'),
  auth: fc.constantFrom(AUTH, AUTH, AUTH, AUTH, undefined),
});

type Query = typeof query extends fc.Arbitrary<infer T> ? T : never;
type Post = typeof post extends fc.Arbitrary<infer T> ? T : never;

function getRequest(q: Query): Buffer {
  const auth = q.auth ? `Authorization: ${q.auth}\r\n` : '';
  return Buffer.from(
    `${q.method} ${q.path}${q.suffix} HTTP/1.1\r\nHost: x\r\n${auth}Connection: close\r\n\r\n`,
  );
}

function postRequest(p: Post): Buffer {
  let body = p.fields.join('&');
  if (p.pad > 0) body += `&pad=${'a'.repeat(p.pad)}`;
  const auth = p.auth ? `Authorization: ${p.auth}\r\n` : '';
  return Buffer.from(
    `POST /stats${p.suffix} HTTP/1.1\r\nHost: x\r\n${auth}` +
      'Content-Type: application/x-www-form-urlencoded\r\n' +
      `Content-Length: ${Buffer.byteLength(body, 'latin1')}\r\nConnection: close\r\n\r\n${body}`,
    'latin1',
  );
}

describe('stats page fuzz: halo against the real HAProxy 2.6', {
  skip: !hasHaproxy && 'no haproxy',
}, () => {
  let hap: HaproxyChild | undefined;
  let halo: Running | undefined;
  let hapPort = 0;
  let haloPort = 0;

  before(async () => {
    const dead = await freePort();
    hapPort = await freePort();
    hap = await startHaproxy(config(hapPort, dead), hapPort);
    halo = await startProxy(config(0, dead).replace('127.0.0.1:0', '127.0.0.1:0'), {
      applets: statsApplets,
    });
    haloPort = halo.port;
  });

  after(async () => {
    hap?.stop();
    await halo?.stop();
  });

  async function same(request: Buffer, what: string): Promise<void> {
    const h = await ask(hapPort, request);
    const o = await ask(haloPort, request);
    const shown = request.toString('latin1').slice(0, 300);
    assert.notEqual(o.status, 0, `halo gave no answer to ${what}:\n${shown}`);
    assert.deepEqual(o, h, `halo and HAProxy differ on ${what}:\n${shown}`);
  }

  it('answers query strings after the stats URI as HAProxy does', async () => {
    await fc.assert(
      fc.asyncProperty(query, (q) => same(getRequest(q), 'a GET')),
      { seed: SEED, numRuns: runs(150) },
    );
    assert.equal(
      (
        await ask(
          haloPort,
          getRequest({ method: 'GET', path: '/stats', suffix: ';csv', auth: AUTH }),
        )
      ).status,
      200,
    );
  });

  it('answers admin-form POSTs as HAProxy does', async () => {
    await fc.assert(
      fc.asyncProperty(post, (p) => same(postRequest(p), 'a POST')),
      { seed: SEED, numRuns: runs(150) },
    );
    assert.equal(
      (await ask(haloPort, getRequest({ method: 'GET', path: '/stats', suffix: '', auth: AUTH })))
        .status,
      200,
    );
  });
});
