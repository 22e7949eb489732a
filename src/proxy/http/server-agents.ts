// Client side towards servers: one `node:http` Agent per server and connection mode, so
// kept-alive server connections are reused across requests (HAProxy's idle server
// connections) and closed after each response in `http-server-close`/`httpclose` mode.
// Server slots (maxconn) are counted by BackendRuntime per request, not here.

import type http from 'node:http';
import type https from 'node:https';
import { createRequire } from 'node:module';
import net from 'node:net';
import type { Proxy as ProxyConfig } from '../../config/haproxy/model.js';
import type { ServerRuntime } from '../server-runtime.js';
import { serverTlsOptions, sniValue } from '../tls/server-tls.js';
import type { HeaderMap } from './messages.js';
import { nodeHttp } from './node-http.js';

export type HttpConnectionMode = 'keep-alive' | 'server-close' | 'close';

/** HAProxy 2.6: httpclose on either side wins, then http-server-close, else keep-alive. */
export function httpMode(fe: ProxyConfig, be: ProxyConfig): HttpConnectionMode {
  const on = (k: string) => fe.options[k]?.on === true || be.options[k]?.on === true;
  if (on('httpclose')) return 'close';
  if (on('http-server-close')) return 'server-close';
  return 'keep-alive';
}

/** Idle server connections are closed after this long (HAProxy's pool-purge-delay). */
const IDLE_MS = 5000;

export interface ServerAgent {
  request(
    address: string,
    port: number,
    method: string,
    path: string,
    headers: HeaderMap,
    close: boolean,
    /** `1.0` keeps an HTTP/1.0 client's version towards the server, as HAProxy does. */
    version?: string,
    /** The header lines in their order, when node's grouping by name would change it. */
    order?: readonly (readonly [string, string])[],
  ): http.ClientRequest;
  destroy(): void;
}

type HeadWriter = (this: http.ClientRequest, firstLine: string, headers: unknown) => void;

/**
 * Node's client always writes `HTTP/1.1` in the request line; its one internal writer of the
 * head (`_storeHeader`) gets the line, so this request's version is changed there.
 */
function speakHttp10(req: http.ClientRequest, close: boolean): void {
  const r = req as unknown as { _storeHeader: HeadWriter };
  const store = r._storeHeader;
  if (typeof store !== 'function') return;
  r._storeHeader = function (firstLine, headers) {
    // HTTP/1.0 closes without saying so: HAProxy sends such a request on with no
    // `connection` line, and so does halo. Node writes its own `Connection: close` and may
    // send the head from inside _storeHeader (with `expect`), so it is cut in _send.
    const out = this as unknown as { _send: SendFn; _header: string | null };
    const send = out._send;
    if (close && typeof send === 'function') {
      out._send = function (this: typeof out, ...args: unknown[]) {
        out._send = send;
        if (typeof this._header === 'string')
          this._header = this._header.replace(/\r\nconnection: close(?=\r\n)/i, '');
        return send.apply(this, args);
      };
    }
    store.call(this, firstLine.replace(/ HTTP\/1\.1\r\n$/, ' HTTP/1.0\r\n'), headers);
  };
}

type SendFn = (...args: unknown[]) => unknown;

/** True when some header name comes back after another one: node would group its lines. */
export function interleaved(lines: readonly (readonly [string, string])[]): boolean {
  const done = new Set<string>();
  let last = '';
  for (const [name] of lines) {
    if (name === last) continue;
    if (done.has(name)) return true;
    done.add(last);
    last = name;
  }
  return false;
}

/**
 * Writes the head's lines in `lines`' order, as HAProxy keeps them: node's client keys
 * headers by name and writes all lines of one name together. Its head writer gets the
 * header table; it is handed the same lines as [name, value] pairs instead, the ones
 * this request set on its own (`connection`) after them.
 */
function writeInOrder(
  req: http.ClientRequest,
  lines: readonly (readonly [string, string])[],
): void {
  const r = req as unknown as { _storeHeader: HeadWriter };
  const store = r._storeHeader;
  if (typeof store !== 'function') return;
  r._storeHeader = function (firstLine, table) {
    if (!table || typeof table !== 'object' || Array.isArray(table)) {
      store.call(this, firstLine, table);
      return;
    }
    const entries = table as Record<string, [string, string | string[]]>;
    const listed = new Set(lines.map(([n]) => n));
    const out: [string, string | string[]][] = lines
      .filter(([n]) => entries[n] !== undefined)
      .map(([n, v]) => [n, v]);
    for (const [key, entry] of Object.entries(entries)) if (!listed.has(key)) out.push(entry);
    store.call(this, firstLine, out);
  };
}

/** Sets header `name` on `req` and moves the ones after it in `headers` behind it. */
function keepInPlace(req: http.ClientRequest, headers: HeaderMap, name: string): void {
  const names = Object.keys(headers);
  req.setHeader(name, headers[name]!);
  for (const n of names.slice(names.indexOf(name) + 1)) {
    req.removeHeader(n);
    req.setHeader(n, headers[n]!);
  }
}

const agents = new WeakMap<ServerRuntime, { keep?: ServerAgent; close?: ServerAgent }>();

// node:https for `server ... ssl`, loaded on first use as node-http.ts loads node:http.
let httpsLoaded: typeof https | undefined;
const httpsModule = (): typeof https =>
  (httpsLoaded ??= createRequire(import.meta.url)('node:https') as typeof https);

/**
 * `header`: `send-proxy`'s PROXY header, the first bytes of every connection this agent
 * opens (written before the connect completes; the socket sends queued writes in order).
 * `send-proxy` together with `ssl` on one server is refused at start-up (ssl-checks.ts).
 */
function makeAgent(keepAlive: boolean, server: ServerRuntime, header?: Uint8Array): ServerAgent {
  const opts = {
    keepAlive,
    timeout: IDLE_MS,
    maxSockets: Number.POSITIVE_INFINITY,
    scheduling: 'lifo' as const,
  };
  const cfg = server.cfg;
  // An https.Agent keys its idle connections by the TLS options too, so connections made
  // with one SNI are not reused for a request that asks for another.
  const agent = cfg.ssl ? new (httpsModule().Agent)(opts) : new nodeHttp.Agent(opts);
  const send = cfg.ssl ? httpsModule().request : nodeHttp.request;
  if (header && !cfg.ssl) {
    (
      agent as unknown as { createConnection: (o: net.NetConnectOpts) => net.Socket }
    ).createConnection = (opts: net.NetConnectOpts) => {
      const socket = net.createConnection(opts);
      socket.write(header);
      return socket;
    };
  }
  return {
    request(address, port, method, path, headers, close, version, order) {
      // Node's client writes the head at once when it is given an `expect` header, before
      // the version and `connection` below are set: it is added after, in its place.
      const { expect, ...rest } = headers;
      const host = headers.host;
      const sni = sniValue(cfg.sni, Array.isArray(host) ? host[0] : host);
      const req = send({
        agent,
        host: address,
        port,
        method,
        path,
        headers: expect === undefined ? headers : rest,
        setHost: false,
        ...(cfg.ssl ? serverTlsOptions(cfg, sni) : {}),
      });
      if (expect !== undefined) keepInPlace(req, headers, 'expect');
      if (order) writeInOrder(req, order);
      if (version === '1.0') {
        speakHttp10(req, close);
        req.setHeader('connection', close ? 'close' : 'keep-alive');
      } else if (close) req.setHeader('connection', 'close');
      else req.removeHeader('connection'); // HTTP/1.1 keeps the connection without saying so
      return req;
    },
    destroy() {
      agent.destroy();
    },
  };
}

// A connection that carries a client's PROXY header is that client's only (HAProxy makes it
// private): its agents live with the client connection and close with it.
const privateAgents = new WeakMap<object, Map<ServerRuntime, ServerAgent>>();

export function agentFor(
  server: ServerRuntime,
  keepAlive: boolean,
  client?: { owner: object; header: () => Uint8Array },
): ServerAgent {
  if (client && server.cfg.sendProxy) {
    let m = privateAgents.get(client.owner);
    if (!m) {
      m = new Map();
      privateAgents.set(client.owner, m);
    }
    let agent = m.get(server);
    if (!agent) {
      agent = makeAgent(keepAlive, server, client.header());
      m.set(server, agent);
    }
    return agent;
  }
  let a = agents.get(server);
  if (!a) {
    a = {};
    agents.set(server, a);
  }
  if (keepAlive) {
    a.keep ??= makeAgent(true, server);
    return a.keep;
  }
  a.close ??= makeAgent(false, server);
  return a.close;
}

/** A client connection ended: its private server connections close (send-proxy). */
export function closePrivateAgents(owner: object): void {
  const m = privateAgents.get(owner);
  if (!m) return;
  privateAgents.delete(owner);
  for (const a of m.values()) a.destroy();
}

/**
 * Closes a server's idle kept-alive connections and forgets its agents: called once the
 * engine that owns `server` has drained after a reload, as HAProxy's old process closes
 * its idle server connections when it leaves (else each reload's pool stays open for
 * IDLE_MS). Only for a server no session uses any more: in-use connections are cut too.
 */
export function closeServerAgents(server: ServerRuntime): void {
  const a = agents.get(server);
  if (!a) return;
  agents.delete(server);
  a.keep?.destroy();
  a.close?.destroy();
}
