// The sample fetches halo evaluates, typed as HAProxy 2.6 returns them: `src` an address,
// `dst_port` an integer, `method` a method, the constants, variables and process facts;
// the header, cookie and URL-parameter ones are fetches-http.ts. Pure.

import { readInt64 } from '../../config/haproxy/sample-args.js';
import { bufToIpv4, inetPton6 } from '../../net/inet-text.js';
import type { ConnectionFacts } from '../acl.js';
import { stickFetch } from '../acl.js';
import { toBytes } from './converters-string.js';
import type { FetchImpl } from './fetches-http.js';
import { HTTP_FETCHES, single } from './fetches-http.js';
import type { Sample } from './sample.js';
import { bool, sint, str } from './sample.js';
import type { SampleScope } from './scope.js';

export type { FetchImpl } from './fetches-http.js';

const ip = (text: string): Sample | undefined => {
  const v4 = bufToIpv4(text);
  if (v4 && v4.length === text.length) return { type: 'ipv4', ip: v4.bytes };
  const v6 = inetPton6(text);
  return v6 ? { type: 'ipv6', ip: v6 } : undefined;
};

const addr = (text: string) => ip(text);
const capture = (v: string | undefined) => (v === undefined ? undefined : str(v));
const method = (m: string): Sample => ({ type: 'meth', s: m });

export const FETCHES: Readonly<Record<string, FetchImpl>> = {
  src: single((s) => addr(s.conn.clientIp)),
  // Port 0 (set-src-port to a non-number) is no port: the fetch finds nothing, as HAProxy's.
  src_port: single((s) => (s.conn.clientPort ? sint(BigInt(s.conn.clientPort)) : undefined)),
  dst: single((s) => addr(s.conn.localIp)),
  dst_port: single((s) => (s.conn.localPort ? sint(BigInt(s.conn.localPort)) : undefined)),
  ssl_fc: single((s) => bool(s.ssl !== undefined)),
  ssl_fc_sni: single((s) => (s.ssl?.sni ? str(s.ssl.sni) : undefined)),
  ssl_fc_protocol: single((s) => (s.ssl?.protocol ? str(s.ssl.protocol) : undefined)),
  ssl_c_used: single((s) => bool(s.ssl?.clientCertUsed === true)),
  ssl_c_verify: single((s) => (s.ssl ? sint(BigInt(s.ssl.clientVerify)) : undefined)),
  ssl_c_s_dn: single((s) => (s.ssl?.clientDn ? str(s.ssl.clientDn) : undefined)),
  method: single((s) => method(s.req.method)),
  path: single((s) => str(s.req.path)),
  pathq: single((s) => str(s.req.path + (s.req.query === undefined ? '' : `?${s.req.query}`))),
  query: single((s) => (s.req.query === undefined ? undefined : str(s.req.query))),
  url: single((s) => str(s.req.url)),
  base: single((s) => {
    const host = s.req.header('host')[0];
    return str(host === undefined ? s.req.path : host + s.req.path);
  }),
  'req.ver': single((s) => str(s.req.version)),
  req_ver: single((s) => str(s.req.version)),
  status: single((s) => (s.res ? sint(BigInt(s.res.status)) : undefined)),
  var: single((s, a) => {
    const v = s.req.vars?.get(a[0] ?? '');
    if (v) return v;
    return a[1] === undefined ? undefined : str(toBytes(a[1]));
  }),
  fe_name: single((s) => str(s.frontend)),
  be_name: single((s) => str(s.backend)),
  srv_name: single((s) => (s.server === undefined ? undefined : str(s.server))),
  'capture.req.hdr': single((s, a) => capture(s.captures?.request[Number(a[0] ?? '')])),
  'capture.res.hdr': single((s, a) => capture(s.captures?.response[Number(a[0] ?? '')])),
  str: single((_s, a) => str(toBytes(a[0] ?? ''))),
  int: single((_s, a) => sint(readInt64(a[0] ?? '').value)),
  ipv4: single((_s, a) => addr(a[0] ?? '')),
  ipv6: single((_s, a) => {
    const v6 = inetPton6(a[0] ?? '');
    return v6 ? { type: 'ipv6', ip: v6 } : undefined;
  }),
  bool: single((_s, a) => bool(['true', '1'].includes((a[0] ?? '').toLowerCase()))),
  bin: single((_s, a) => ({ type: 'bin', s: Buffer.from(a[0] ?? '', 'hex').toString('latin1') })),
  meth: single((_s, a) => method(a[0] ?? '')),
  always_true: single(() => bool(true)),
  always_false: single(() => bool(false)),
  env: single((s, a) => {
    const v = s.env?.(a[0] ?? '');
    return v === undefined ? undefined : str(toBytes(v));
  }),
  date: single((s, a) => {
    if (!s.now) return undefined;
    const ms = s.now();
    const unit = a[1];
    const secs = BigInt(Math.floor(ms / 1000));
    let n = secs;
    if (unit === 'ms') n = BigInt(Math.floor(ms));
    else if (unit === 'us') n = BigInt(Math.floor(ms)) * 1000n;
    return sint(n + (a[0] === undefined ? 0n : readInt64(a[0]).value));
  }),
  hostname: single((s) => (s.hostname === undefined ? undefined : str(s.hostname))),
  rand: single((s, a) => {
    if (!s.random) return undefined;
    const r = BigInt(s.random() >>> 0);
    return sint(
      a[0] === undefined
        ? r
        : BigInt.asUintN(64, r * BigInt.asUintN(64, readInt64(a[0]).value)) >> 32n,
    );
  }),
  nbsrv: single((s, a) => (s.nbsrv ? sint(BigInt(s.nbsrv(a[0] ?? ''))) : undefined)),
  http_first_req: single((s) => (s.firstRequest === undefined ? undefined : bool(s.firstRequest))),
  ...HTTP_FETCHES,
};

/** `sc0_conn_cur`, `src_http_req_rate(t)`... through the scope's stick facts. */
export function stickSample(
  name: string,
  args: readonly string[],
  s: SampleScope,
): Sample | undefined {
  const f = stickFetch(name, args.join(','));
  const v = f?.({ stick: s.stick, src: () => s.conn.clientIp } as ConnectionFacts);
  return v === undefined ? undefined : sint(BigInt(v));
}
