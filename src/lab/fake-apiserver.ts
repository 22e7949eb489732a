// A stand-in kube-apiserver for the lab (`halo lab apiserver`, run inside a master's
// namespace): HTTPS on :6443 with what load balancers and kubelets look at — /healthz,
// /readyz, /livez, /version — and a watch stream (/api/v1/watch/events or any `?watch=1`
// request) that sends one event per second, as a kubelet's long-lived watch sees.

import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';

export interface FakeApiserverOptions {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly keyFile: string;
  readonly certFile: string;
}

function version(name: string): string {
  return JSON.stringify({
    major: '1',
    minor: '28',
    gitVersion: 'v1.28.0-halo-lab',
    platform: 'linux/amd64',
    node: name,
  });
}

function watch(name: string, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
  let n = 0;
  const send = () => {
    n++;
    const ev = { type: 'ADDED', object: { kind: 'Event', metadata: { name: `${name}-${n}` } } };
    res.write(`${JSON.stringify(ev)}\n`);
  };
  send();
  const timer = setInterval(send, 1000);
  res.on('close', () => clearInterval(timer));
}

function handle(name: string, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'https://x');
  if (url.searchParams.get('watch') === '1' || url.pathname.startsWith('/api/v1/watch/')) {
    watch(name, res);
    return;
  }
  const plain = (code: number, body: string, type = 'text/plain') => {
    res.writeHead(code, { 'content-type': type });
    res.end(body);
  };
  if (['/healthz', '/readyz', '/livez'].includes(url.pathname)) plain(200, 'ok');
  else if (url.pathname === '/version') plain(200, version(name), 'application/json');
  else plain(404, `404 page not found (${name})\n`);
}

export function startFakeApiserver(o: FakeApiserverOptions): Promise<Server> {
  const server = createServer(
    { key: readFileSync(o.keyFile), cert: readFileSync(o.certFile) },
    (req, res) => handle(o.name, req, res),
  );
  server.on('tlsClientError', () => {
    // Health checks that only connect (the article's plain `check`) end this way: expected.
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve(server));
  });
}
