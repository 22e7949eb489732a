// Stand-in kube-apiservers for running `halo init` output on loopback: HTTPS servers on
// 127.0.0.11, .12, .13 (all of 127/8 is local on Linux) on one shared port, as the masters
// of a generated config, each switchable between ready, shutting down (/readyz answers
// 500, the rest still served, as an apiserver does during its shutdown delay), dead (port
// closed: connection refused) and hung (accepts, never answers). Also: polling a proxy's
// stats CSV for a server's status.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { CommandIO } from '../../src/cli/command.js';
import { runInit } from '../../src/cli/commands/init.js';

export type ApiserverMode = 'ready' | 'shutting-down' | 'dead' | 'hung';

export const MASTERS = ['127.0.0.11', '127.0.0.12', '127.0.0.13'] as const;

/** `openssl req -x509`: a new RSA key and a one-day self-signed certificate for `subject`. */
function selfSignedFiles(key: string, cert: string, subject: string): void {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      subject,
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
}

export function selfSigned(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'halo-init-cert-'));
  try {
    selfSignedFiles(join(dir, 'key.pem'), join(dir, 'cert.pem'), '/CN=apiserver');
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A test CA in `dir` (ca.pem, ca.key) that signCert issues certificates from. */
export function testCa(dir: string, name = 'ca'): { cert: string; key: string } {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  selfSignedFiles(key, cert, `/CN=halo test ${name}`);
  return { cert, key };
}

/**
 * A certificate for `cn` (+ DNS `sans`) signed by `ca`, written as HAProxy loads it: the
 * certificate and key in `<dir>/<cn>.pem`, each also alone in `.crt` and `.key`.
 */
export function signCert(
  dir: string,
  ca: { cert: string; key: string },
  cn: string,
  sans: readonly string[] = [cn],
): { pem: string; crt: string; key: string } {
  const base = join(dir, cn.replace(/[^a-z0-9.-]/gi, '_'));
  const ext = `${base}.ext`;
  writeFileSync(ext, `subjectAltName=${sans.map((n) => `DNS:${n}`).join(',')}\n`);
  execFileSync(
    'openssl',
    [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${cn}`,
      '-keyout',
      `${base}.key`,
      '-out',
      `${base}.csr`,
    ],
    { stdio: 'ignore' },
  );
  execFileSync(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      `${base}.csr`,
      '-CA',
      ca.cert,
      '-CAkey',
      ca.key,
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      ext,
      '-out',
      `${base}.crt`,
    ],
    { stdio: 'ignore' },
  );
  writeFileSync(
    `${base}.pem`,
    readFileSync(`${base}.crt`, 'utf8') + readFileSync(`${base}.key`, 'utf8'),
  );
  return { pem: `${base}.pem`, crt: `${base}.crt`, key: `${base}.key` };
}

class Apiserver {
  mode: ApiserverMode = 'ready';
  private tls: https.Server | undefined;
  private raw: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  readyzHits = 0;

  constructor(
    readonly name: string,
    readonly address: string,
    private readonly creds: { key: string; cert: string },
  ) {}

  private track(s: net.Socket): void {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
    s.on('error', () => {});
  }

  async listen(port: number): Promise<void> {
    const server = https.createServer(this.creds, (req, res) => {
      if (req.url?.startsWith('/readyz')) {
        this.readyzHits++;
        const ok = this.mode === 'ready';
        res.writeHead(ok ? 200 : 500, { 'content-type': 'text/plain' });
        res.end(ok ? 'ok' : '[-]shutdown failed: reason withheld\nreadyz check failed\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`${this.name}\n`);
    });
    server.on('connection', (s: net.Socket) => this.track(s));
    server.on('secureConnection', (s: TLSSocket) => s.on('error', () => {}));
    server.on('tlsClientError', () => {});
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.address, () => resolve());
    });
    this.tls = server;
  }

  private async closeAll(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const servers = [this.tls, this.raw].filter((s) => s !== undefined);
    this.tls = undefined;
    this.raw = undefined;
    await Promise.all(servers.map((s) => new Promise((r) => s.close(() => r(undefined)))));
  }

  /** Switches mode; dead closes the port, hung listens without ever answering. */
  async set(mode: ApiserverMode, port: number): Promise<void> {
    if (mode === this.mode) return;
    const wasListening = this.mode === 'ready' || this.mode === 'shutting-down';
    this.mode = mode;
    if (mode === 'ready' || mode === 'shutting-down') {
      if (!wasListening) {
        await this.closeAll();
        await this.listen(port);
      }
      return;
    }
    await this.closeAll();
    if (mode === 'hung') {
      const raw = net.createServer((s) => this.track(s));
      await new Promise<void>((r) => raw.listen(port, this.address, () => r()));
      this.raw = raw;
    }
  }

  close(): Promise<void> {
    return this.closeAll();
  }
}

export interface Apiservers {
  readonly port: number;
  readonly servers: readonly Apiserver[];
  set(index: number, mode: ApiserverMode): Promise<void>;
  close(): Promise<void>;
}

/** Three apiservers on one port free on all three addresses. */
export async function startApiservers(): Promise<Apiservers> {
  const creds = selfSigned();
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const servers = MASTERS.map((a, i) => new Apiserver(`master${i + 1}`, a, creds));
    try {
      for (const s of servers) await s.listen(port);
    } catch {
      await Promise.all(servers.map((s) => s.close()));
      continue;
    }
    return {
      port,
      servers,
      set: (i, mode) => servers[i]!.set(mode, port),
      close: async () => {
        await Promise.all(servers.map((s) => s.close()));
      },
    };
  }
  throw new Error('no port free on 127.0.0.11-13');
}

/** GET over HTTP with basic auth; resolves to status and body (never rejects). */
export function httpGet(
  host: string,
  port: number,
  path: string,
  auth?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path, agent: false, ...(auth ? { auth } : {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve({ status: 0, body }));
    });
    req.setTimeout(2000, () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, body: '' }));
  });
}

/** A server's `status` column in the stats CSV (e.g. 'UP', 'UP 1/2', 'DOWN'). */
export async function serverStatus(
  host: string,
  statsPort: number,
  auth: string,
  backend: string,
  server: string,
): Promise<string | undefined> {
  const r = await httpGet(host, statsPort, '/stats;csv', auth);
  if (r.status !== 200) return undefined;
  const lines = r.body.split('\n');
  const head = (lines[0] ?? '').replace(/^# /, '').split(',');
  const col = head.indexOf('status');
  for (const l of lines.slice(1)) {
    const f = l.split(',');
    if (f[0] === backend && f[1] === server) return f[col];
  }
  return undefined;
}

/** TLS GET through the proxy's frontend; the apiserver's name, or an error code. */
export function throughProxy(port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = https.get(
      { host: '127.0.0.1', port, path: '/version', rejectUnauthorized: false, agent: false },
      (res) => {
        let body = '';
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve(body.trim()));
      },
    );
    req.setTimeout(2000, () => req.destroy(new Error('timeout')));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(`error:${e.code ?? e.message}`));
  });
}

/** Generates a cluster for the stand-ins; returns master1's haproxy.cfg and its password. */
export async function generateLoopbackCluster(
  apiserverPort: number,
  port: number,
  statsPort: number,
): Promise<{ dir: string; haproxyCfg: string; auth: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'halo-init-live-'));
  let stderr = '';
  const io: CommandIO = { stdout: () => {}, stderr: (t) => (stderr += t), env: {}, cwd: dir };
  const argv = ['--vip', '127.0.0.10', '--masters', MASTERS.join(','), '--interface', 'lo'];
  const code = await runInit(
    [
      ...argv,
      '--port',
      `${port}`,
      '--apiserver-port',
      `${apiserverPort}`,
      '--stats-port',
      `${statsPort}`,
      '--yes',
    ],
    io,
  );
  assert.equal(code, 0, stderr);
  const haproxyCfg = join(dir, 'halo-cluster', 'master1', 'haproxy.cfg');
  const auth = /stats auth (\S+)/.exec(readFileSync(haproxyCfg, 'utf8'))?.[1];
  assert.ok(auth, 'stats auth generated');
  return { dir, haproxyCfg, auth };
}
