// TLS on binds and to servers (issue 12), beside the real HAProxy 2.6: the same config in
// both, certificates from a test CA made here with openssl. Checked through curl and
// node:tls: SNI picking between two certificates (the first loaded without SNI), client
// certificates under `verify required`, ALPN, `ssl-min-ver TLSv1.3` refusing TLS 1.2,
// `server ... ssl verify required ca-file` to a TLS server and with the wrong CA, the
// handshake-failure log line, and the ssl_fc* fetches in ACLs.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import tls from 'node:tls';
import { parseHaproxy } from '../../src/config/haproxy/index.js';
import { HAPROXY, type HaproxyChild, hasHaproxy, startHaproxy } from './haproxy-child.js';
import { signCert, testCa } from './init-apiservers.js';
import { freePort, type Running, sleep, startProxy, waitFor } from './proxy-harness.js';

const skipHaproxy = hasHaproxy ? undefined : `needs ${HAPROXY}`;

interface CurlResult {
  code: number;
  out: string;
  err: string;
}

/** curl, asynchronously: halo runs in this process and must go on serving meanwhile. */
function curl(args: string[]): Promise<CurlResult> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '--max-time', '5', ...args], (e, out, err) => {
      resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, out, err });
    });
  });
}

/** Connects, sends `bytes` (none: nothing) and closes: a handshake that never completes. */
async function poke(port: number, bytes?: string): Promise<void> {
  const net = await import('node:net');
  await new Promise<void>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => (bytes === undefined ? s.end() : s.end(bytes)));
    s.on('close', () => resolve());
    s.on('error', () => resolve());
    s.resume();
  });
}

/** The CN of the certificate a TLS server presents for `servername` (none: no SNI). */
function presentedCn(port: number, servername?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({
      host: '127.0.0.1',
      port,
      rejectUnauthorized: false,
      ...(servername ? { servername } : {}),
    });
    s.once('secureConnect', () => {
      resolve(String(s.getPeerCertificate().subject?.CN ?? ''));
      s.destroy();
    });
    s.once('error', reject);
  });
}

const dir = mkdtempSync(join(tmpdir(), 'halo-tls-'));
const ca = testCa(dir);
const otherCa = testCa(dir, 'other-ca');
const certA = signCert(dir, ca, 'a.example', ['a.example', '*.a.example']);
const certB = signCert(dir, ca, 'b.example', ['b.example', '*.b.example']);
const client = signCert(dir, ca, 'client.example');
const strangeDir = join(dir, 'other');
mkdirSync(strangeDir);
const strange = signCert(strangeDir, otherCa, 'client.example');
const backendCert = signCert(dir, ca, 'backend.example');

/** A TLS web server that answers `hello <sni>` (its certificate signed by `ca`). */
async function tlsServer(): Promise<{ port: number; close(): void }> {
  const srv = https.createServer(
    { cert: readFileSync(backendCert.crt), key: readFileSync(backendCert.key) },
    (req, res) => {
      const sni = (req.socket as tls.TLSSocket).servername || '-';
      res.end(`hello ${sni}\n`);
    },
  );
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as AddressInfo).port,
    close: () => srv.close(),
  };
}

interface Named {
  a: number;
  b: number;
  c: number;
}

/** Plain HTTP servers that answer their own name: which backend a request went to. */
async function namedServers(): Promise<{ ports: Named; close(): void }> {
  const http = await import('node:http');
  const servers = ['a', 'b', 'c'].map((n) => http.createServer((_q, res) => res.end(`${n}\n`)));
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
  const port = (i: number) => (servers[i]!.address() as AddressInfo).port;
  return {
    ports: { a: port(0), b: port(1), c: port(2) },
    close: () => {
      for (const s of servers) s.close();
    },
  };
}

/** The frontend ports of the test config, one per TLS setting. */
interface TlsPorts {
  sni: number;
  mtls: number;
  min13: number;
  toServer: number;
  wrongCa: number;
  optional: number;
  quiet: number;
  tcpUp: number;
}

function config(p: TlsPorts & { backend: number; named: Named; logs: string }): string {
  return `
global
    log ${p.logs} format raw local0
defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend sni
    bind 127.0.0.1:${p.sni} ssl crt ${certA.pem} crt ${certB.pem} alpn h2,http/1.1
    use_backend named-b if { ssl_fc } { ssl_fc_sni -m end .b.example } { ssl_fc_protocol TLSv1.3 }
    default_backend named-a
frontend mtls
    bind 127.0.0.1:${p.mtls} ssl crt ${certA.pem} ca-file ${ca.cert} verify required
    use_backend named-c if { ssl_c_used } { ssl_c_verify 0 } { ssl_c_s_dn -m end /CN=client.example }
    default_backend named-a
frontend optional
    bind 127.0.0.1:${p.optional} ssl crt ${certA.pem} ca-file ${ca.cert} verify optional
    use_backend named-c if { ssl_c_used }
    default_backend named-a
frontend quiet
    bind 127.0.0.1:${p.quiet} ssl crt ${certA.pem}
    option dontlognull
    default_backend named-a
frontend tcp-up
    mode tcp
    bind 127.0.0.1:${p.tcpUp} ssl crt ${certA.pem} crt ${certB.pem}
    use_backend named-b if { ssl_fc_sni -m str b.example }
    default_backend named-a
frontend min13
    bind 127.0.0.1:${p.min13} ssl crt ${certA.pem} ssl-min-ver TLSv1.3
    default_backend named-a
frontend to-server
    bind 127.0.0.1:${p.toServer}
    use_backend tls-host if { hdr(host) -m beg backend }
    default_backend tls-ok
frontend wrong-ca
    bind 127.0.0.1:${p.wrongCa}
    default_backend tls-wrong
backend named-a
    server s1 127.0.0.1:${p.named.a}
backend named-b
    server s1 127.0.0.1:${p.named.b}
backend named-c
    server s1 127.0.0.1:${p.named.c}
backend tls-ok
    server s1 127.0.0.1:${p.backend} ssl verify required ca-file ${ca.cert} sni str(backend.example)
backend tls-host
    server s1 127.0.0.1:${p.backend} ssl verify required ca-file ${ca.cert} sni req.hdr(host) alpn http/1.1
backend tls-wrong
    retries 0
    server s1 127.0.0.1:${p.backend} ssl verify required ca-file ${otherCa.cert} sni str(backend.example)
backend check-ok
    server s1 127.0.0.1:${p.backend} check check-ssl verify required ca-file ${ca.cert} inter 300 rise 1 fall 1
backend check-wrong
    server s1 127.0.0.1:${p.backend} check check-ssl verify required ca-file ${otherCa.cert} inter 300 rise 1 fall 1
`;
}

describe('TLS on binds and servers', () => {
  let halo: Running;
  let server: { port: number; close(): void };
  let named: { ports: Named; close(): void };
  let ports: TlsPorts;

  before(async () => {
    server = await tlsServer();
    named = await namedServers();
    halo = await startProxy(
      config({
        sni: 0,
        mtls: 0,
        min13: 0,
        toServer: 0,
        wrongCa: 0,
        optional: 0,
        quiet: 0,
        tcpUp: 0,
        backend: server.port,
        named: named.ports,
        logs: 'stdout',
      }),
    );
    const port = (i: number) => {
      const l = halo.engine.frontends[i]?.listeners[0];
      return l ? Number(/:(\d+)$/.exec(l.key)?.[1] ?? 0) : 0;
    };
    const at = (name: string) => port(halo.engine.frontends.findIndex((f) => f.name === name));
    ports = {
      sni: at('sni'),
      mtls: at('mtls'),
      min13: at('min13'),
      toServer: at('to-server'),
      wrongCa: at('wrong-ca'),
      optional: at('optional'),
      quiet: at('quiet'),
      tcpUp: at('tcp-up'),
    };
  });
  after(async () => {
    await halo?.stop();
    server?.close();
    named?.close();
  });

  test('SNI picks the certificate by its names (wildcards too); no SNI gets the first', async () => {
    assert.equal(await presentedCn(ports.sni, 'a.example'), 'a.example');
    assert.equal(await presentedCn(ports.sni, 'b.example'), 'b.example');
    assert.equal(await presentedCn(ports.sni, 'x.b.example'), 'b.example');
    assert.equal(await presentedCn(ports.sni, 'unknown.test'), 'a.example');
    assert.equal(await presentedCn(ports.sni), 'a.example');
    const r = await curl([
      '--cacert',
      ca.cert,
      '--resolve',
      `x.b.example:${ports.sni}:127.0.0.1`,
      `https://x.b.example:${ports.sni}/`,
    ]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'b\n', 'ssl_fc, ssl_fc_sni -m end, ssl_fc_protocol matched');
    const a = await curl([
      '--cacert',
      ca.cert,
      '--resolve',
      `a.example:${ports.sni}:127.0.0.1`,
      `https://a.example:${ports.sni}/`,
    ]);
    assert.equal(a.out, 'a\n');
  });

  test('alpn h2,http/1.1 negotiates http/1.1 (halo does not speak h2)', async () => {
    const r = await curl(['-v', '-k', '-o', '/dev/null', `https://127.0.0.1:${ports.sni}/`]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /ALPN: server accepted http\/1\.1/);
  });

  test('verify required: a client without a certificate, or with a stranger, is refused', async () => {
    const base = ['--cacert', ca.cert, '--resolve', `a.example:${ports.mtls}:127.0.0.1`];
    const url = `https://a.example:${ports.mtls}/`;
    const none = await curl([...base, url]);
    assert.notEqual(none.code, 0, 'no client certificate: handshake refused');
    const wrong = await curl([...base, '--cert', strange.crt, '--key', strange.key, url]);
    assert.notEqual(wrong.code, 0, 'certificate of another CA: handshake refused');
    const ok = await curl([...base, '--cert', client.crt, '--key', client.key, url]);
    assert.equal(ok.code, 0, ok.err);
    assert.equal(ok.out, 'c\n', 'ssl_c_used, ssl_c_verify 0, ssl_c_s_dn matched');
    // HAProxy's two lines: no certificate, and one its CA did not sign.
    await waitFor(
      () =>
        halo.log.lines.some((l) => / mtls\/1: SSL handshake failure$/.test(l.message)) &&
        halo.log.lines.some((l) => / mtls\/1: SSL client certificate not trusted$/.test(l.message)),
      3000,
      'handshake failures logged',
    );
  });

  test('verify optional: served without a certificate, refused with an untrusted one', async () => {
    const url = `https://127.0.0.1:${ports.optional}/`;
    const none = await curl(['-k', url]);
    assert.equal(none.out, 'a\n', none.err);
    const ok = await curl(['-k', '--cert', client.crt, '--key', client.key, url]);
    assert.equal(ok.out, 'c\n', ok.err);
    const wrong = await curl(['-k', '--cert', strange.crt, '--key', strange.key, url]);
    assert.notEqual(wrong.code, 0);
    assert.equal(wrong.out, '');
  });

  test('ssl-min-ver TLSv1.3 refuses a TLS 1.2 client and serves a 1.3 one', async () => {
    const old = await curl(['-k', '--tls-max', '1.2', `https://127.0.0.1:${ports.min13}/`]);
    assert.notEqual(old.code, 0);
    const cur = await curl(['-k', '--tlsv1.3', `https://127.0.0.1:${ports.min13}/`]);
    assert.equal(cur.code, 0, cur.err);
    assert.equal(cur.out, 'a\n');
  });

  test('a client sending garbage to a TLS bind ends only its own connection', async () => {
    const net = await import('node:net');
    await new Promise<void>((resolve) => {
      const s = net.connect(ports.sni, '127.0.0.1', () => s.end('GET / HTTP/1.1\r\n\r\n'));
      s.on('error', () => resolve());
      s.on('close', () => resolve());
      s.resume();
    });
    // A client that connects and leaves without a byte.
    await new Promise<void>((resolve) => {
      const s = net.connect(ports.sni, '127.0.0.1', () => s.end());
      s.on('close', () => resolve());
      s.on('error', () => resolve());
      s.resume();
    });
    assert.equal(await presentedCn(ports.sni, 'a.example'), 'a.example');
    await waitFor(
      () =>
        halo.log.lines.some((l) =>
          / sni\/1: Connection closed during SSL handshake$/.test(l.message),
        ),
      3000,
      'closed during handshake logged',
    );
    await waitFor(
      () => halo.log.lines.some((l) => / sni\/1: SSL handshake failure$/.test(l.message)),
      3000,
      'handshake failure logged',
    );
  });

  test('a mode tcp frontend with http backends: TLS ends here, use_backend sees ssl_fc_sni', async () => {
    const get = (name: string) =>
      curl([
        '--cacert',
        ca.cert,
        '--resolve',
        `${name}:${ports.tcpUp}:127.0.0.1`,
        `https://${name}:${ports.tcpUp}/`,
      ]);
    assert.equal((await get('b.example')).out, 'b\n');
    assert.equal((await get('a.example')).out, 'a\n');
  });

  test('option dontlognull: a client gone without a byte is not logged, garbage still is', async () => {
    await poke(ports.quiet);
    await poke(ports.quiet, 'garbage\r\n');
    await waitFor(
      () => halo.log.lines.some((l) => / quiet\/1: SSL handshake failure$/.test(l.message)),
      3000,
      'garbage logged',
    );
    await sleep(100);
    assert.deepEqual(
      halo.log.lines
        .filter((l) => / quiet\/1: /.test(l.message))
        .map((l) => l.message.split(': ')[1]),
      ['SSL handshake failure'],
    );
  });

  test('server ssl verify required ca-file: the right CA connects, the wrong one fails', async () => {
    const ok = await curl(['-w', '%{http_code}', `http://127.0.0.1:${ports.toServer}/`]);
    assert.equal(ok.out, 'hello backend.example\n200');
    // sni req.hdr(host): the Host header as sent, port included (as HAProxy 2.6 sends it),
    // so only a name the certificate has verifies.
    const hosts = await Promise.all(
      ['backend.example', 'backend.example:8080', 'backend.other'].map((h) =>
        curl(['-w', '%{http_code}', '-H', `Host: ${h}`, `http://127.0.0.1:${ports.toServer}/`]),
      ),
    );
    assert.deepEqual(
      hosts.map((h) => h.out.slice(-3)),
      ['200', '503', '503'],
    );
    assert.equal(hosts[0]?.out, 'hello backend.example\n200');
    const bad = await curl([
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      `http://127.0.0.1:${ports.wrongCa}/`,
    ]);
    assert.equal(bad.out, '503');
    await sleep(50);
  });

  test('check-ssl verify required ca-file: UP with the right CA, DOWN with the wrong one', async () => {
    const srv = (b: string) => halo.engine.backends.get(b)?.servers[0];
    await waitFor(() => srv('check-wrong')?.up === false, 5000, 'check-wrong DOWN');
    await sleep(700); // a few more checks: the right CA keeps its server UP
    assert.equal(srv('check-ok')?.up, true);
    assert.equal(srv('check-ok')?.lastCheck?.status, 'L6OK', 'the handshake verified');
    assert.equal(srv('check-wrong')?.up, false);
    assert.match(String(srv('check-wrong')?.lastCheck?.status), /^L6/);
  });
});

describe('TLS config errors as haproxy -c reports them', () => {
  const errors = (text: string) =>
    parseHaproxy([{ path: 't.cfg', text }], { env: {} })
      .diagnostics.list.filter((d) => d.severity === 'error')
      .map((d) => `${d.line}: ${d.message}`);
  const head =
    'defaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\nfrontend fe\n';

  test('a missing certificate, a certificate without key, an unreadable ca-file', () => {
    assert.deepEqual(
      errors(
        `${head}  bind 127.0.0.1:1 ssl crt ${dir}/nope.pem\n  bind 127.0.0.1:2 ssl crt ${certA.crt}\n  bind 127.0.0.1:3 ssl crt ${certA.pem} ca-file ${dir}/nope.pem verify required\n`,
      ),
      [
        `7: 'bind 127.0.0.1:1' in section 'frontend' : unable to stat SSL certificate from file '${dir}/nope.pem' : No such file or directory.`,
        `8: 'bind 127.0.0.1:2' in section 'frontend' : No Private Key found in '${certA.crt}.key'.`,
        `9: 'bind 127.0.0.1:3' in section 'frontend' : 'ca-file' : unable to load ${dir}/nope.pem`,
      ],
    );
  });

  test('crt DIR loads every certificate file, crt-list applies its SNI filters', async () => {
    const { parseHaproxy: parse } = await import('../../src/config/haproxy/index.js');
    const sub = join(dir, 'certs');
    mkdirSync(sub);
    const { copyFileSync, writeFileSync } = await import('node:fs');
    copyFileSync(certA.pem, join(sub, 'a.pem'));
    copyFileSync(certB.pem, join(sub, 'b.pem'));
    copyFileSync(certA.key, join(sub, 'a.pem.key')); // beside, not loaded as a certificate
    const list = join(dir, 'list.txt');
    writeFileSync(list, `# comment\n${certB.pem} other.test *.other.test\n${certA.pem}\n`);
    const r = parse(
      [
        {
          path: 't.cfg',
          text: `${head}  bind 127.0.0.1:1 ssl crt ${sub}\n  bind 127.0.0.1:2 ssl crt-list ${list}\n`,
        },
      ],
      { env: {} },
    );
    assert.deepEqual(
      r.diagnostics.list.filter((d) => d.severity === 'error'),
      [],
    );
    const [dirBind, listBind] = r.config?.proxies[0]?.binds ?? [];
    assert.deepEqual(
      dirBind?.tls?.certs.map((c) => c.names),
      [
        ['a.example', '*.a.example'],
        ['b.example', '*.b.example'],
      ],
    );
    assert.deepEqual(
      listBind?.tls?.certs.map((c) => c.names),
      [
        ['other.test', '*.other.test'],
        ['a.example', '*.a.example'],
      ],
    );
  });

  test("a key that is not the certificate's, and cipher lists OpenSSL does not take", async () => {
    const { writeFileSync } = await import('node:fs');
    const mismatch = join(dir, 'mismatch.pem');
    writeFileSync(mismatch, readFileSync(certA.crt, 'utf8') + readFileSync(certB.key, 'utf8'));
    assert.deepEqual(
      errors(
        `${head}  bind 127.0.0.1:1 ssl crt ${mismatch}\n  bind 127.0.0.1:2 ssl crt ${certA.pem} ciphers NOPE-CIPHER\n  bind 127.0.0.1:3 ssl crt ${certA.pem} ciphersuites NOPE_SUITE\n  bind 127.0.0.1:4 ssl crt ${certA.pem} ciphers ECDHE-RSA-AES128-GCM-SHA256 ciphersuites TLS_AES_256_GCM_SHA384\n`,
      ),
      [
        `7: 'bind 127.0.0.1:1' in section 'frontend' : inconsistencies between private key and certificate loaded '${mismatch}'.`,
        "8: Proxy 'fe': unable to set SSL cipher list to 'NOPE-CIPHER' for bind '127.0.0.1:2' at [t.cfg:8].",
        "9: Proxy 'fe': unable to set TLS 1.3 cipher suites to 'NOPE_SUITE' for bind '127.0.0.1:3' at [t.cfg:9].",
      ],
    );
  });

  test('verify required without ca-file, on a bind and on a server', () => {
    const e = errors(
      `${head}  bind 127.0.0.1:1 ssl crt ${certA.pem} verify required\n  default_backend be\nbackend be\n  server s1 127.0.0.1:1 ssl verify required\n`,
    );
    assert.ok(
      e.includes(
        "7: Proxy 'fe': verify is enabled but no CA file specified for bind '127.0.0.1:1' at [t.cfg:7].",
      ),
      e.join('\n'),
    );
    assert.ok(
      e.some((m) =>
        m.startsWith("10: 'server be/s1' : verify is enabled by default but no CA file"),
      ),
      e.join('\n'),
    );
  });
});

describe('side by side with HAProxy 2.6', { skip: skipHaproxy }, () => {
  let hap: HaproxyChild;
  let server: { port: number; close(): void };
  let named: { ports: Named; close(): void };
  let p: TlsPorts;

  before(async () => {
    server = await tlsServer();
    named = await namedServers();
    p = {
      sni: await freePort(),
      mtls: await freePort(),
      min13: await freePort(),
      toServer: await freePort(),
      wrongCa: await freePort(),
      optional: await freePort(),
      quiet: await freePort(),
      tcpUp: await freePort(),
    };
    hap = await startHaproxy(
      config({ ...p, backend: server.port, named: named.ports, logs: 'stderr' }),
      p.wrongCa,
    );
  });
  after(() => {
    hap?.stop();
    server?.close();
    named?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the same answers: SNI, client certificates, versions, server verify', async () => {
    assert.equal(await presentedCn(p.sni, 'x.b.example'), 'b.example');
    assert.equal(await presentedCn(p.sni), 'a.example');
    const sni = await curl([
      '--http1.1',
      '--cacert',
      ca.cert,
      '--resolve',
      `x.b.example:${p.sni}:127.0.0.1`,
      `https://x.b.example:${p.sni}/`,
    ]);
    assert.equal(sni.out, 'b\n', sni.err);
    const base = ['--cacert', ca.cert, '--resolve', `a.example:${p.mtls}:127.0.0.1`];
    assert.notEqual((await curl([...base, `https://a.example:${p.mtls}/`])).code, 0);
    const ok = await curl([
      ...base,
      '--cert',
      client.crt,
      '--key',
      client.key,
      `https://a.example:${p.mtls}/`,
    ]);
    assert.equal(ok.out, 'c\n', ok.err);
    assert.notEqual(
      (await curl(['-k', '--tls-max', '1.2', `https://127.0.0.1:${p.min13}/`])).code,
      0,
    );
    const srv = await curl(['-w', '%{http_code}', `http://127.0.0.1:${p.toServer}/`]);
    assert.equal(srv.out, 'hello backend.example\n200');
    const hosts = await Promise.all(
      ['backend.example', 'backend.example:8080', 'backend.other'].map((h) =>
        curl(['-w', '%{http_code}', '-H', `Host: ${h}`, `http://127.0.0.1:${p.toServer}/`]),
      ),
    );
    assert.deepEqual(
      hosts.map((h) => h.out.slice(-3)),
      ['200', '503', '503'],
      'sni req.hdr(host): the Host header as sent, port included',
    );
    const bad = await curl([
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      `http://127.0.0.1:${p.wrongCa}/`,
    ]);
    assert.equal(bad.out, '503');
    await sleep(200);
    assert.match(hap.stderr(), / mtls\/1: SSL handshake failure/);
    const strangeCert = await curl([
      '--cacert',
      ca.cert,
      '--resolve',
      `a.example:${p.mtls}:127.0.0.1`,
      '--cert',
      strange.crt,
      '--key',
      strange.key,
      `https://a.example:${p.mtls}/`,
    ]);
    assert.notEqual(strangeCert.code, 0);
    await sleep(200);
    assert.match(hap.stderr(), / mtls\/1: SSL client certificate not trusted/);
    const opt = `https://127.0.0.1:${p.optional}/`;
    assert.equal((await curl(['-k', opt])).out, 'a\n');
    assert.equal((await curl(['-k', '--cert', client.crt, '--key', client.key, opt])).out, 'c\n');
    assert.notEqual((await curl(['-k', '--cert', strange.crt, '--key', strange.key, opt])).code, 0);
    const up = (name: string) =>
      curl([
        '--cacert',
        ca.cert,
        '--resolve',
        `${name}:${p.tcpUp}:127.0.0.1`,
        `https://${name}:${p.tcpUp}/`,
      ]);
    assert.equal((await up('b.example')).out, 'b\n');
    assert.equal((await up('a.example')).out, 'a\n');
    await poke(p.quiet);
    await poke(p.quiet, 'garbage\r\n');
    await sleep(200);
    assert.deepEqual(
      hap
        .stderr()
        .split('\n')
        .filter((l) => / quiet\/1: /.test(l))
        .map((l) => l.split(': ')[1]),
      ['SSL handshake failure'],
    );
    // HAProxy negotiates h2 where halo offers only http/1.1 (HTTP/2 is out of halo's scope).
    const alpn = await curl(['-v', '-k', '-o', '/dev/null', `https://127.0.0.1:${p.sni}/`]);
    assert.match(alpn.err, /ALPN: server accepted h2/);
  });
});
