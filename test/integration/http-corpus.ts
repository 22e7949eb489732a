// The raw HTTP/1 exchanges proxy-http-differential.test.ts sends to halo and to the real
// HAProxy 2.6, grouped by topic: the request-smuggling literature (CL.TE, TE.CL, TE.TE
// obfuscations), RFC 9112's forms and edge cases, fuzz findings, and server responses (the
// scripted backend answers by path from RESPONSES). A case that names a status expects
// HAProxy to answer it; a `known` case documents where halo still answers differently
// (listed in the README's "HTTP/1 differences from HAProxy 2.6") and is checked to still
// differ exactly so.

/** A frontend of the differential config, by its port name. */
export type Port = 'fe' | 'ka' | 'tcp' | 'nosrv' | 'xff' | 'stats' | 'down' | 'tcphttplog';

/** What the differential compares for each case. */
export type Aspect = 'reply' | 'heads' | 'bodies' | 'conns' | 'logs';

/**
 * Where halo is known to differ and why: the aspects that must still differ (every other
 * one must still agree), and where the reply differs, the first line of halo's ('' for none).
 */
export interface KnownDifference {
  readonly differs: readonly Aspect[];
  readonly halo?: string;
  readonly reason: string;
  /**
   * Why the difference shows only in some runs (how the bytes fall into reads, what the
   * cases before left pooled): then those aspects may also agree. Every other one must.
   */
  readonly varies?: string;
}

export interface HttpCase {
  readonly name: string;
  readonly port: Port;
  /** Bytes to send, or pauses in ms. */
  readonly parts: readonly (string | Uint8Array | number)[];
  /** How long to wait for the reply when nobody closes. */
  readonly ms: number;
  /** The status HAProxy answers with. */
  readonly status?: number;
  readonly known?: KnownDifference;
}

const BAD = 'HTTP/1.1 400 Bad request';
const BAD_GW = 'HTTP/1.1 502 Bad Gateway';
const ALL: readonly Aspect[] = ['reply', 'heads', 'bodies', 'conns', 'logs'];
const LLHTTP_METHOD =
  "node:http's parser (llhttp) knows a fixed list of methods and refuses any other token";
const LLHTTP_CTL = 'llhttp refuses control bytes in a header value that HAProxy 2.6 forwards';
const LLHTTP_CHUNK =
  'llhttp refuses this chunk-size line that HAProxy takes; halo then answers nothing';
const LLHTTP_RESPONSE = 'llhttp refuses this response head that HAProxy relays (halo: 502)';

/**
 * The documented differences, by case name (the README's "HTTP/1 differences from HAProxy
 * 2.6" lists the same): each case checks they still differ exactly there.
 */
export const KNOWN: Readonly<Record<string, KnownDifference>> = {
  'a body shorter than Content-Length': {
    differs: ['reply'],
    halo: 'HTTP/1.1 504 Gateway Time-out',
    reason: "HAProxy adds 'connection: close' to its 504 while the request body is unfinished",
  },
  'a lower-case method is another method: 200': { differs: ALL, halo: BAD, reason: LLHTTP_METHOD },
  'an unknown method: 200': { differs: ALL, halo: BAD, reason: LLHTTP_METHOD },
  'a method with token punctuation: 200': { differs: ALL, halo: BAD, reason: LLHTTP_METHOD },
  'HTTP/1.2': {
    differs: ALL,
    halo: BAD,
    reason: 'llhttp refuses HTTP/1.2; HAProxy takes any 1.x and forwards it as HTTP/1.1',
  },
  'HTTP/0.9 with a version': {
    differs: ['heads'],
    reason: "node's client speaks HTTP/1.1 or 1.0 only; HAProxy forwards 'HTTP/0.9' as sent",
  },
  'a NUL in a header value': { differs: ALL, halo: BAD, reason: LLHTTP_CTL },
  'a control byte in a header value': { differs: ALL, halo: BAD, reason: LLHTTP_CTL },
  'DEL in a header value': { differs: ALL, halo: BAD, reason: LLHTTP_CTL },
  'an escape byte in a header value': { differs: ALL, halo: BAD, reason: LLHTTP_CTL },
  'a Cookie header and its duplicates: 200': {
    differs: ['heads'],
    reason: "node's client joins repeated Cookie headers with '; '; HAProxy keeps the lines",
  },
  'Connection: close, foo: 200': {
    differs: ['heads'],
    reason: "halo drops the whole Connection header; HAProxy keeps its other tokens ('foo')",
  },
  'Connection naming another header: 200': {
    differs: ['heads'],
    reason: "halo drops the whole Connection header; HAProxy keeps its other tokens ('x-hop')",
  },
  'Upgrade: websocket the server declines: 200': {
    differs: ['heads'],
    reason: "no Upgrade support yet: halo sends 'connection: close' instead of 'Upgrade'",
  },
  'Upgrade: h2c the server declines: 200': {
    differs: ['heads'],
    reason: "no Upgrade support yet: halo sends 'connection: close' instead of the client's",
  },
  'blanks before a chunk extension': { differs: ALL, halo: '', reason: LLHTTP_CHUNK },
  'a blank after a chunk size': { differs: ALL, halo: '', reason: LLHTTP_CHUNK },
  'bare LF chunk lines': { differs: ALL, halo: '', reason: LLHTTP_CHUNK },
  'chunk sizes in upper and lower hex: 200': {
    differs: ['bodies'],
    reason: "HAProxy re-chunks a body (its chunks merged); halo's node:http sends them as read",
    varies: 'when both chunks arrive in one read, halo sends them as one chunk too',
  },
  'a trailer field: 200': {
    differs: ['bodies'],
    reason: 'node:http drops request trailers; HAProxy forwards them (names in lower case)',
  },
  'two trailer fields: 200': {
    differs: ['bodies'],
    reason: 'node:http drops request trailers; HAProxy forwards them (names in lower case)',
  },
  'server HTTP/1.0 response': {
    differs: ['reply'],
    halo: 'HTTP/1.1 200 OK',
    reason: "HAProxy relays the server's HTTP/1.0 status line; node:http writes HTTP/1.1",
  },
  'server HTTP/1.0 keep-alive response on keep-alive': {
    differs: ['reply'],
    halo: 'HTTP/1.1 200 OK',
    reason: "HAProxy relays the server's HTTP/1.0 status line; node:http writes HTTP/1.1",
  },
  'HEAD answered chunked without a body': {
    differs: ['logs'],
    reason: "the log's bytes_read of a bodyless chunked response is one byte more than HAProxy's",
  },
  'server status of two digits': {
    differs: ['reply', 'logs'],
    halo: BAD_GW,
    reason: LLHTTP_RESPONSE,
  },
  'server status of four digits': {
    differs: ['reply', 'logs'],
    halo: BAD_GW,
    reason: LLHTTP_RESPONSE,
  },
  'server HTTP/1.2 response': { differs: ['reply', 'logs'], halo: BAD_GW, reason: LLHTTP_RESPONSE },
  'server Content-Length twice, same value: 200': {
    differs: ['reply', 'logs'],
    halo: BAD_GW,
    reason: LLHTTP_RESPONSE,
  },
  'server Content-Length list: 200': {
    differs: ['reply', 'logs'],
    halo: BAD_GW,
    reason: LLHTTP_RESPONSE,
  },
  'server Transfer-Encoding and Content-Length: 200': {
    differs: ['reply', 'logs'],
    halo: BAD_GW,
    reason: LLHTTP_RESPONSE,
  },
  'server folded header line': {
    differs: ['reply', 'logs'],
    halo: BAD_GW,
    reason: LLHTTP_RESPONSE,
  },
  'server bare LF line ends: 200': {
    differs: ['reply', 'logs'],
    halo: BAD_GW,
    reason: LLHTTP_RESPONSE,
  },
  'server NUL in a header value': {
    differs: ['reply', 'logs'],
    halo: BAD_GW,
    reason: LLHTTP_RESPONSE,
  },
  'server control byte in a header value': {
    differs: ['reply', 'logs'],
    halo: BAD_GW,
    reason: LLHTTP_RESPONSE,
  },
  'server status line and no header': {
    differs: ['reply', 'logs'],
    halo: 'HTTP/1.1 200 OK',
    reason:
      "a close-delimited response body: node:http re-frames it chunked; HAProxy relays it with 'connection: close'",
  },
  'server body delimited by close: 200': {
    differs: ['reply', 'logs'],
    halo: 'HTTP/1.1 200 OK',
    reason:
      "a close-delimited response body: node:http re-frames it chunked; HAProxy relays it with 'connection: close'",
  },
  'server trailers: 200': {
    differs: ['reply', 'logs'],
    halo: 'HTTP/1.1 200 OK',
    reason: 'halo drops response trailers; HAProxy relays them',
  },
  'server chunk size in upper-case hex: 200': {
    differs: ['reply'],
    halo: 'HTTP/1.1 200 OK',
    reason: 'node:http re-chunks the response (lower-case hex); HAProxy keeps the size as sent',
  },
  'server chunked body cut before the last chunk': {
    differs: ['logs'],
    reason: "the log's bytes_read of a cut chunked response is one byte more than HAProxy's",
  },
  'server 204 with a Content-Length: 204': {
    differs: ['reply'],
    halo: 'HTTP/1.1 204 No Content',
    reason: "HAProxy drops a 204's content-length; halo relays it",
  },
  'server 100 Continue before the response': {
    differs: ['logs'],
    reason: "the log's bytes_read leaves out interim responses; HAProxy counts them",
  },
  'server 102 Processing before the response': {
    differs: ['logs'],
    reason: "the log's bytes_read leaves out interim responses; HAProxy counts them",
  },
  'authority-form CONNECT': {
    differs: ALL,
    halo: '',
    reason:
      'HAProxy forwards CONNECT and tunnels after a 2xx; node:http hands it to a handler halo does not have, so halo closes the connection at once with no answer',
  },
  'HEAD then GET pipelined: 200': {
    differs: ['conns'],
    reason:
      "halo may send a client's first request over another client's idle server connection; HAProxy's default http-reuse safe never does",
    varies: 'only when an earlier case left an idle server connection in the pool',
  },
  'server 101 to a request without Upgrade': {
    differs: ['logs'],
    reason: "the log's bytes_read leaves out the 101 head HAProxy counts before its 502",
  },
  'a PRI preface (HTTP/2 prior knowledge)': {
    differs: ['reply'],
    halo: '',
    reason:
      'HAProxy answers the HTTP/2 preface on any bind (h2 settings frame); halo has no HTTP/2',
  },
};

/** `n` distinct header lines. */
export function manyHeaders(n: number): string {
  let h = '';
  for (let i = 1; i <= n; i++) h += `X-H${i}: v\r\n`;
  return h;
}

const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: test\r\n${extra}\r\n`;
const close = 'Connection: close\r\n';
/** A POST on `/` with `extra` header lines and `body`. */
const post = (extra: string, body: string) =>
  `POST / HTTP/1.1\r\nHost: test\r\n${extra}\r\n${body}`;
const chunked = 'Transfer-Encoding: chunked\r\n';

type Opts = { ms?: number };

/** One case; the status comes from the name's `: NNN`, as the names say it. */
function c(name: string, port: Port, parts: HttpCase['parts'], opts: Opts = {}): HttpCase {
  const status = /: (\d{3})(?= |$)/.exec(name)?.[1];
  return {
    name,
    port,
    parts,
    ms: opts.ms ?? 1500,
    ...(status ? { status: Number(status) } : {}),
    ...(KNOWN[name] ? { known: KNOWN[name] } : {}),
  };
}

/** Server responses by path (the backend sends one and closes). */
export const RESPONSES: Record<string, string> = {
  // Found by proxy-http-response-fuzz.test.ts.
  '/r-101-headers': `HTTP/1.1 200 OK\r\nContent-Length: 3\r\n${manyHeaders(100)}\r\nok\n`,
  '/r-100-headers': `HTTP/1.1 200 OK\r\nContent-Length: 3\r\n${manyHeaders(99)}\r\nok\n`,
  '/r-big-head': `HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX-Long: ${'b'.repeat(15226)}\r\n\r\nok\n`,
  '/r-gzip-chunked':
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
  '/r-bad-chunk': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
  '/r-head-then-close': 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n',
  '/r-204-body': 'HTTP/1.1 204 No Content\r\n\r\nabc',
  '/r-interim':
    'HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 100 Continue\r\nContent-Length: 3\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc',
  '/r-reason-blanks': 'HTTP/1.1 200  OK\r\nContent-Length: 3\r\n\r\nabc',
  '/r-8bit-reason': 'HTTP/1.1 200 \xe9t\xe9\r\nX-A: \xe9\r\nContent-Length: 3\r\n\r\nabc',
  // Status line forms.
  '/r-http10': 'HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nabc',
  '/r-no-reason': 'HTTP/1.1 200\r\nContent-Length: 3\r\n\r\nabc',
  '/r-empty-reason': 'HTTP/1.1 200 \r\nContent-Length: 3\r\n\r\nabc',
  '/r-lower-version': 'http/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc',
  '/r-status-2digits': 'HTTP/1.1 20 OK\r\nContent-Length: 3\r\n\r\nabc',
  '/r-status-4digits': 'HTTP/1.1 2000 OK\r\nContent-Length: 3\r\n\r\nabc',
  '/r-status-999': 'HTTP/1.1 999 Odd\r\nContent-Length: 3\r\n\r\nabc',
  '/r-version-12': 'HTTP/1.2 200 OK\r\nContent-Length: 3\r\n\r\nabc',
  '/r-status-only': 'HTTP/1.1 200 OK\r\n\r\n',
  '/r-no-crlf': 'HTTP/1.1 200 OK',
  '/r-empty': '',
  // Framing.
  '/r-cl-twice': 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc',
  '/r-cl-differ': 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd',
  '/r-cl-list': 'HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\nabc',
  '/r-cl-plus': 'HTTP/1.1 200 OK\r\nContent-Length: +3\r\n\r\nabc',
  '/r-cl-huge': 'HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\nabc',
  '/r-cl-short': 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc',
  '/r-cl-long': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nabc',
  '/r-te-cl':
    'HTTP/1.1 200 OK\r\nContent-Length: 9\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
  '/r-te-identity': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\n\r\nabc',
  '/r-close-delimited': 'HTTP/1.1 200 OK\r\n\r\nabc',
  '/r-chunk-ext': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;a=b\r\nabc\r\n0\r\n\r\n',
  '/r-chunk-trailers':
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: v\r\n\r\n',
  '/r-chunk-bad-later':
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\nabc\r\n0\r\n\r\n',
  '/r-chunk-overflow':
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\nabc\r\n0\r\n\r\n',
  '/r-chunk-upper-hex':
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n',
  '/r-chunk-no-end': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n',
  // Bodyless statuses and interim responses.
  '/r-304-body': 'HTTP/1.1 304 Not Modified\r\nContent-Length: 3\r\n\r\nabc',
  '/r-204-cl': 'HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\n',
  '/r-100-then-200': 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc',
  '/r-102': 'HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc',
  '/r-101-unasked':
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: foo\r\nConnection: upgrade\r\n\r\n',
  // Header lines.
  '/r-folded': 'HTTP/1.1 200 OK\r\nX-F: a\r\n b\r\nContent-Length: 3\r\n\r\nabc',
  '/r-bare-lf': 'HTTP/1.1 200 OK\nContent-Length: 3\n\nabc',
  '/r-space-colon': 'HTTP/1.1 200 OK\r\nX-A : b\r\nContent-Length: 3\r\n\r\nabc',
  '/r-no-colon': 'HTTP/1.1 200 OK\r\nbroken\r\nContent-Length: 3\r\n\r\nabc',
  '/r-nul-value': 'HTTP/1.1 200 OK\r\nX-A: a\x00b\r\nContent-Length: 3\r\n\r\nabc',
  '/r-ctl-value': 'HTTP/1.1 200 OK\r\nX-A: a\x01b\r\nContent-Length: 3\r\n\r\nabc',
  '/r-set-cookies':
    'HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 3\r\n\r\nabc',
  '/r-connection-ka': 'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 3\r\n\r\nabc',
};

const existing: HttpCase[] = [
  c('200 with http-server-close and forwardfor', 'fe', [get('/', close)]),
  c('404 from the server, headers lower-cased', 'fe', [get('/404', close)]),
  c('502 on an invalid response', 'fe', [get('/bad', close)]),
  c('502 on a server that closes', 'fe', [get('/reset', close)]),
  c('504 on timeout server', 'fe', [get('/slow')]),
  c('chunked response', 'fe', [get('/chunked', close)]),
  c('keep-alive both sides, pipelined', 'ka', [get('/') + get('/404') + get('/', close)]),
  c('HTTP/1.0 client', 'ka', ['GET / HTTP/1.0\r\n\r\n']),
  c('HTTP/1.0 keep-alive client', 'ka', ['GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'], {
    ms: 400,
  }),
  c('POST body forwarded', 'ka', [
    'POST /p HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello',
  ]),
  c('400 on an unparsable request', 'fe', ['BLAH\x01 / HTTP/1.1\r\n\r\n']),
  c('408 on an incomplete request', 'fe', ['GET / HTTP/1.1\r\nHost: x\r\n'], { ms: 2000 }),
  c('503 when the only server refuses (retries, redispatch)', 'nosrv', [get('/', close)], {
    ms: 4000,
  }),
  c('tcp frontend on an http backend: HTTP client', 'tcp', [get('/a') + get('/404', close)]),
  c('tcp frontend on an http backend: TLS client', 'tcp', [
    Buffer.from([0x16, 3, 1, 0, 5, 1, 2, 3, 4, 5]),
  ]),
  c('forwardfor if-none with a header name, existing header', 'xff', [
    get('/', `X-Forwarded-For: 192.0.2.1\r\n${close}`),
  ]),
  c('forwardfor if-none with a header name, no header', 'xff', [
    get('/', `X-Real-IP: 192.0.2.1\r\n${close}`),
  ]),
  c('tcp frontend inheriting httplog falls back to tcplog', 'tcphttplog', [get('/', close)]),
  c('503 when every server is DOWN (checks)', 'down', [get('/', close)]),
  c('stats listen without servers: other URIs get 503', 'stats', [get('/foo', close)]),
  // Requests an attacker sends: each once crashed, fooled or swelled halo (issue 9).
  c('two different Host headers: 400', 'tcp', [get('/', 'Host: other\r\n')]),
  c('two different Host headers on an http frontend: 400', 'fe', [get('/', 'Host: b\r\n')]),
  c('the same Host twice is merged: 200', 'fe', [get('/', `Host: TEST\r\n${close}`)]),
  c('100 headers pass: 200', 'fe', [get('/', manyHeaders(98) + close)]),
  c('101 headers: 400 (tune.http.maxhdr)', 'fe', [get('/', manyHeaders(100))]),
  c('300 headers: 400', 'fe', [get('/', manyHeaders(299))]),
  c('HTTP/0.9 request: 400 at once', 'fe', ['GET /\r\n']),
  c('HTTP/1.0 GET with a payload: 413', 'fe', [
    'GET / HTTP/1.0\r\nHost: test\r\nContent-Length: 3\r\n\r\nabc',
  ]),
  c('a transfer coding before chunked: 422', 'fe', [
    'PUT / HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n',
  ]),
  c('bad chunk size: 400', 'fe', [post(chunked, 'zz\r\nabc\r\n0\r\n\r\n')]),
  c('Content-Length beside Transfer-Encoding is dropped: 200', 'fe', [
    post(`Content-Length: 3\r\n${chunked}${close}`, '3\r\nabc\r\n0\r\n\r\n'),
  ]),
  c('two different Content-Length: 400', 'fe', [
    post('Content-Length: 3\r\nContent-Length: 4\r\n', 'abcd'),
  ]),
  c('Content-Length list of one value: 200', 'fe', [
    post(`Content-Length: 3, 3\r\n${close}`, 'abc'),
  ]),
  c('Transfer-Encoding not ending in chunked: 400', 'fe', [
    post('Transfer-Encoding: chunked, gzip\r\n', '0\r\n\r\n'),
  ]),
  c('a line folded onto an empty value', 'fe', [get('/', `X-F:\r\n\tb\r\n${close}`)]),
  c('folded header line: 200', 'fe', [get('/', `X-F: a\r\n b\r\n${close}`)]),
  c('bare LF line ends: 200', 'fe', ['GET / HTTP/1.1\nHost: test\nConnection: close\n\n']),
  c('absolute URI naming another host: 400', 'fe', [
    'GET http://x/ HTTP/1.1\r\nHost: test\r\n\r\n',
  ]),
  c('a space in the URI: 400', 'fe', ['GET /a b HTTP/1.1\r\nHost: test\r\n\r\n']),
  c('request head at the buffer limit: 200', 'fe', [get(`/${'a'.repeat(15247)}`, close)]),
  // Found by proxy-http-fuzz.test.ts.
  c('tabs between the request line parts', 'fe', [
    'GET\t/\tHTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n',
  ]),
  c('a # in the URI: 400', 'fe', ['GET /a#b HTTP/1.1\r\nHost: test\r\n\r\n']),
  c('a CR without LF in a header: 400 at once', 'fe', ['GET / HTTP/1.1\r\nHost: test\r\r\n']),
  c('a trailer line without a colon: 400', 'fe', [post(chunked, '0\r\nbad trailer\r\n\r\n')]),
  c('invalid Content-Length beside Transfer-Encoding: 400', 'fe', [
    post(`${chunked}Content-Length: 0x3\r\n`, '0\r\n\r\n'),
  ]),
  c('two different Content-Length beside Transfer-Encoding: 400', 'fe', [
    post(`${chunked}Content-Length: 3\r\nContent-Length: 4\r\n`, '0\r\n\r\n'),
  ]),
  // A 200 at the URI limit is left out: halo's log line is not cut at HAProxy's 1024 bytes.
  c('URI one byte past the HTX limit: 400', 'fe', [get(`/${'a'.repeat(15248)}`)]),
  c('header value at the measured HTX limit', 'fe', [
    get('/', `X-Long: ${'b'.repeat(15233)}\r\n${close}`),
  ]),
  c('header value one byte past the HTX limit: 400', 'fe', [
    get('/', `X-Long: ${'b'.repeat(15234)}\r\n`),
  ]),
  c('request head one byte past the buffer limit: 400', 'fe', [
    get(`/${'a'.repeat(15248)}`, close),
  ]),
];

const existingResponses: HttpCase[] = [
  c('server response with 101 headers: 502', 'fe', [get('/r-101-headers')]),
  c('server response with 100 headers: 200', 'fe', [get('/r-100-headers')]),
  c('server response head past the buffer: 502', 'fe', [get('/r-big-head')]),
  c('server Transfer-Encoding gzip, chunked: 502', 'fe', [get('/r-gzip-chunked')]),
  c('server bad chunk size with the head: 502', 'fe', [get('/r-bad-chunk')]),
  c('server head then close: the head is relayed', 'fe', [get('/r-head-then-close')]),
  c('server 204 with a body: 204', 'fe', [get('/r-204-body')]),
  c('server reason after two spaces', 'fe', [get('/r-reason-blanks')]),
  c('server reason and header with 8-bit bytes', 'fe', [get('/r-8bit-reason')]),
];

/** CL.TE, TE.CL and TE.TE: the framing tricks of the request-smuggling literature. */
const smuggling: HttpCase[] = [
  c('CL.TE: chunked wins, the bytes after the last chunk start a request', 'fe', [
    post(`Content-Length: 6\r\n${chunked}${close}`, '0\r\n\r\nG'),
  ]),
  c('TE.CL: a short Content-Length is dropped for chunked: 200', 'fe', [
    post(`Content-Length: 3\r\n${chunked}${close}`, '8\r\nSMUGGLED\r\n0\r\n\r\n'),
  ]),
  c('TE then CL order: 200', 'fe', [
    post(`${chunked}Content-Length: 3\r\n${close}`, '3\r\nabc\r\n0\r\n\r\n'),
  ]),
  c('Transfer-Encoding: xchunked: 400', 'fe', [
    post('Transfer-Encoding: xchunked\r\n', '0\r\n\r\n'),
  ]),
  c('Transfer-Encoding: chunk: 400', 'fe', [post('Transfer-Encoding: chunk\r\n', '0\r\n\r\n')]),
  c('Transfer-Encoding with leading spaces: 200', 'fe', [
    post(`Transfer-Encoding:   chunked\r\n${close}`, '0\r\n\r\n'),
  ]),
  c('Transfer-Encoding after a tab: 200', 'fe', [
    post(`Transfer-Encoding:\tchunked\r\n${close}`, '0\r\n\r\n'),
  ]),
  c('Transfer-Encoding with trailing blanks: 200', 'fe', [
    post(`Transfer-Encoding: chunked \t\r\n${close}`, '0\r\n\r\n'),
  ]),
  c('Transfer-Encoding: CHUNKED upper case: 200', 'fe', [
    post(`Transfer-Encoding: CHUNKED\r\n${close}`, '3\r\nabc\r\n0\r\n\r\n'),
  ]),
  c('Transfer-Encoding: chunked, identity: 400', 'fe', [
    post('Transfer-Encoding: chunked, identity\r\n', '0\r\n\r\n'),
  ]),
  c('Transfer-Encoding: identity, chunked', 'fe', [
    post(`Transfer-Encoding: identity, chunked\r\n${close}`, '0\r\n\r\n'),
  ]),
  c('Transfer-Encoding: chunked, chunked: 400', 'fe', [
    post('Transfer-Encoding: chunked, chunked\r\n', '0\r\n\r\n'),
  ]),
  c('two Transfer-Encoding: chunked headers: 400', 'fe', [
    post(`${chunked}${chunked}`, '0\r\n\r\n'),
  ]),
  c('Transfer-Encoding chunked then gzip headers: 400', 'fe', [
    post(`${chunked}Transfer-Encoding: gzip\r\n`, '0\r\n\r\n'),
  ]),
  c('Transfer-Encoding gzip then chunked headers: 422', 'fe', [
    post(`Transfer-Encoding: gzip\r\n${chunked}`, '0\r\n\r\n'),
  ]),
  c('Transfer-Encoding with an empty list element', 'fe', [
    post(`Transfer-Encoding: ,chunked\r\n${close}`, '0\r\n\r\n'),
  ]),
  c('Transfer-Encoding: "chunked" quoted: 400', 'fe', [
    post('Transfer-Encoding: "chunked"\r\n', '0\r\n\r\n'),
  ]),
  c('Transfer-Encoding with a parameter', 'fe', [
    post(`Transfer-Encoding: chunked;q=1\r\n${close}`, '0\r\n\r\n'),
  ]),
  c('Transfer-Encoding value with a vertical tab', 'fe', [
    post(`Transfer-Encoding: chunked\x0b\r\n${close}`, '0\r\n\r\n'),
  ]),
  c('Transfer-Encoding value after a vertical tab', 'fe', [
    post(`Transfer-Encoding:\x0bchunked\r\n${close}`, '0\r\n\r\n'),
  ]),
  c('Transfer-Encoding folded onto the next line: 200', 'fe', [
    post(`Transfer-Encoding:\r\n chunked\r\n${close}`, '0\r\n\r\n'),
  ]),
  c('a space before the colon of Transfer-Encoding: 400', 'fe', [
    post('Transfer-Encoding : chunked\r\n', '0\r\n\r\n'),
  ]),
  c('Transfer_Encoding is another header: 200', 'fe', [
    post(`Transfer_Encoding: chunked\r\nContent-Length: 3\r\n${close}`, 'abc'),
  ]),
  c('Transfer-Encoding in an HTTP/1.0 request', 'fe', [
    'POST / HTTP/1.0\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
  ]),
  c('Transfer-Encoding and Content-Length in HTTP/1.0', 'fe', [
    'POST / HTTP/1.0\r\nHost: test\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
  ]),
  c('Transfer-Encoding on a GET: 200', 'fe', [
    `GET / HTTP/1.1\r\nHost: test\r\n${chunked}${close}\r\n3\r\nabc\r\n0\r\n\r\n`,
  ]),
];

const contentLength: HttpCase[] = [
  c('Content-Length: +3: 400', 'fe', [post('Content-Length: +3\r\n', 'abc')]),
  c('Content-Length: -1: 400', 'fe', [post('Content-Length: -1\r\n', 'abc')]),
  c('Content-Length with leading zeros: 200', 'fe', [
    post(`Content-Length: 003\r\n${close}`, 'abc'),
  ]),
  c('Content-Length: 0 with leading zeros: 200', 'fe', [
    post(`Content-Length: 00\r\n${close}`, ''),
  ]),
  c('Content-Length with blanks around: 200', 'fe', [
    post(`Content-Length:  3 \t\r\n${close}`, 'abc'),
  ]),
  c('Content-Length: 3,3 without a space: 200', 'fe', [
    post(`Content-Length: 3,3\r\n${close}`, 'abc'),
  ]),
  c('Content-Length: 3, 4: 400', 'fe', [post('Content-Length: 3, 4\r\n', 'abcd')]),
  c('Content-Length: 3, trailing comma: 400', 'fe', [post('Content-Length: 3,\r\n', 'abc')]),
  c('Content-Length with an empty list element: 400', 'fe', [
    post('Content-Length: 3,,3\r\n', 'abc'),
  ]),
  c('Content-Length: 3 3: 400', 'fe', [post('Content-Length: 3 3\r\n', 'abc')]),
  c('empty Content-Length: 400', 'fe', [post('Content-Length:\r\n', 'abc')]),
  c('Content-Length in hex: 400', 'fe', [post('Content-Length: 0x3\r\n', 'abc')]),
  c('Content-Length in exponent form: 400', 'fe', [post('Content-Length: 3e0\r\n', 'abc')]),
  c('Content-Length of 20 digits: 400', 'fe', [
    post('Content-Length: 99999999999999999999\r\n', 'abc'),
  ]),
  c('Content-Length twice, same value: 200', 'fe', [
    post(`Content-Length: 3\r\nContent-Length: 3\r\n${close}`, 'abc'),
  ]),
  c('Content-Length twice, zero-padded the second time: 200', 'fe', [
    post(`Content-Length: 3\r\nContent-Length: 03\r\n${close}`, 'abc'),
  ]),
  c('Content-Length: 0 on a GET: 200', 'fe', [get('/', `Content-Length: 0\r\n${close}`)]),
  c('a body longer than Content-Length, then close: 200', 'fe', [
    post(`Content-Length: 3\r\n${close}`, 'abcdef'),
  ]),
  c('a body shorter than Content-Length', 'fe', [post('Content-Length: 10\r\n', 'abc')], {
    ms: 2000,
  }),
  c('a body sent after a pause: 200', 'fe', [
    post(`Content-Length: 5\r\n${close}`, 'he'),
    200,
    'llo',
  ]),
  c('Content-Length name in capitals: 200', 'fe', [post(`CONTENT-LENGTH: 3\r\n${close}`, 'abc')]),
];

/** RFC 9112 section 3: request-line forms and versions. */
const requestLine: HttpCase[] = [
  c('absolute-form naming the Host: 200', 'fe', [
    'GET http://test/a?b HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n',
  ]),
  c('absolute-form with port 80 and a Host without: 200', 'fe', [
    'GET http://test:80/ HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n',
  ]),
  c('absolute-form without a Host header: 200', 'fe', [
    'GET http://test/ HTTP/1.1\r\nConnection: close\r\n\r\n',
  ]),
  c('absolute-form https naming the Host: 200', 'fe', [
    'GET https://test/ HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n',
  ]),
  c('absolute-form with userinfo', 'fe', [
    'GET http://u@test/ HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n',
  ]),
  c('absolute-form Host differing in case: 200', 'fe', [
    'GET http://TEST/ HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n',
  ]),
  c('authority-form on a GET', 'fe', [
    'GET test:80 HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n',
  ]),
  c('asterisk-form OPTIONS: 200', 'fe', [
    'OPTIONS * HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n',
  ]),
  c('asterisk-form on a GET', 'fe', ['GET * HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n']),
  c('origin-form with a query: 200', 'fe', [get('/a/b?c=d&e', close)]),
  c('percent-encoded bytes in the path: 200', 'fe', [get('/%00%2f%ff', close)]),
  c('a backslash and quotes in the path: 200', 'fe', [get('/a\\b"c', close)]),
  c('angle brackets and braces in the path: 200', 'fe', [get('/<a>{b}|^`', close)]),
  c('an 8-bit byte in the URI: 400', 'fe', ['GET /\xe9 HTTP/1.1\r\nHost: test\r\n\r\n']),
  c('DEL in the URI: 400', 'fe', ['GET /\x7f HTTP/1.1\r\nHost: test\r\n\r\n']),
  c('a control byte in the URI: 400', 'fe', ['GET /\x01 HTTP/1.1\r\nHost: test\r\n\r\n']),
  c('a lower-case method is another method: 200', 'fe', [
    'get / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n',
  ]),
  c('an unknown method: 200', 'fe', ['FOO / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n']),
  c('a method with token punctuation: 200', 'fe', [
    "M-_.!~*'+ / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
  ]),
  c('a ( in the method: 400', 'fe', ['GE(T / HTTP/1.1\r\nHost: test\r\n\r\n']),
  c('an 8-bit byte in the method: 400', 'fe', ['G\xc9T / HTTP/1.1\r\nHost: test\r\n\r\n']),
  c('a lower-case http/1.1: 400', 'fe', ['GET / http/1.1\r\nHost: test\r\n\r\n']),
  c('HTTP/1.2', 'fe', ['GET / HTTP/1.2\r\nHost: test\r\nConnection: close\r\n\r\n']),
  c('HTTP/2.0 on HTTP/1', 'fe', ['GET / HTTP/2.0\r\nHost: test\r\nConnection: close\r\n\r\n']),
  c('HTTP/1.10: 400', 'fe', ['GET / HTTP/1.10\r\nHost: test\r\n\r\n']),
  c('HTTP/1 without a minor version: 400', 'fe', ['GET / HTTP/1\r\nHost: test\r\n\r\n']),
  c('HTTP/0.9 with a version', 'fe', ['GET / HTTP/0.9\r\nHost: test\r\nConnection: close\r\n\r\n']),
  c('a trailing space after the version: 400', 'fe', ['GET / HTTP/1.1 \r\nHost: test\r\n\r\n']),
  c('two spaces between method and URI: 200', 'fe', [
    'GET  / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n',
  ]),
  c('a space before the method: 400', 'fe', [' GET / HTTP/1.1\r\nHost: test\r\n\r\n']),
  c('empty lines before the request line: 200', 'fe', [
    '\r\n\r\nGET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n',
  ]),
];

/** RFC 9112 section 5 and RFC 9110: header field lines, Host. */
const headerLines: HttpCase[] = [
  c('a space between a header name and its colon: 400', 'fe', [get('/', 'X-A : b\r\n')]),
  c('a tab between a header name and its colon: 400', 'fe', [get('/', 'X-A\t: b\r\n')]),
  c('an empty header name: 400', 'fe', [get('/', ': b\r\n')]),
  c('a header line without a colon: 400', 'fe', [get('/', 'just-a-name\r\n')]),
  c('a space inside a header name: 400', 'fe', [get('/', 'X A: b\r\n')]),
  c('an 8-bit byte in a header name: 400', 'fe', [get('/', 'X-\xe9: b\r\n')]),
  c('a NUL in a header value', 'fe', [get('/', `X-A: a\x00b\r\n${close}`)]),
  c('a control byte in a header value', 'fe', [get('/', `X-A: a\x01b\r\n${close}`)]),
  c('DEL in a header value', 'fe', [get('/', `X-A: a\x7fb\r\n${close}`)]),
  c('an escape byte in a header value', 'fe', [get('/', `X-A: a\x1bb\r\n${close}`)]),
  c('8-bit bytes in a header value: 200', 'fe', [get('/', `X-A: \xe9t\xe9\r\n${close}`)]),
  c('an empty header value: 200', 'fe', [get('/', `X-E:\r\n${close}`)]),
  c('a header value of blanks only: 200', 'fe', [get('/', `X-E:  \t \r\n${close}`)]),
  c('blanks inside a header value are kept: 200', 'fe', [get('/', `X-A: a  \t b\r\n${close}`)]),
  c('a header value without a space after the colon: 200', 'fe', [get('/', `X-A:b\r\n${close}`)]),
  c('mixed-case header names: 200', 'fe', [get('/', `X-MiXeD-CaSe: v\r\n${close}`)]),
  c('header names with token punctuation: 200', 'fe', [
    get('/', `X!#$%&'*+-.^_\`|~: v\r\n${close}`),
  ]),
  c('a header name of 255 bytes: 200', 'fe', [get('/', `X-${'n'.repeat(253)}: v\r\n${close}`)]),
  c('a header name of 256 bytes: 400', 'fe', [get('/', `X-${'n'.repeat(254)}: v\r\n`)]),
  c('a folded line before any header: 400', 'fe', [
    'GET / HTTP/1.1\r\n folded\r\nHost: test\r\n\r\n',
  ]),
  c('a line folded twice: 200', 'fe', [get('/', `X-F: a\r\n b\r\n\tc\r\n${close}`)]),
  c('a line folded with bare LF: 200', 'fe', [
    'GET / HTTP/1.1\nHost: test\nX-F: a\n b\nConnection: close\n\n',
  ]),
  c('bare LF and CRLF mixed: 200', 'fe', [
    'GET / HTTP/1.1\r\nHost: test\nX-A: b\r\nConnection: close\n\r\n',
  ]),
  c('a CR alone after the request line: 400', 'fe', ['GET / HTTP/1.1\rHost: test\r\n\r\n']),
  c('duplicate plain headers are kept: 200', 'fe', [get('/', `X-D: 1\r\nX-D: 2\r\n${close}`)]),
  c('a Cookie header and its duplicates: 200', 'fe', [
    get('/', `Cookie: a=1\r\nCookie: b=2\r\n${close}`),
  ]),
  c('an X-Forwarded-For already there gets another: 200', 'fe', [
    get('/', `X-Forwarded-For: 192.0.2.9\r\n${close}`),
  ]),
  c('HTTP/1.1 without a Host header: 200', 'fe', ['GET / HTTP/1.1\r\nConnection: close\r\n\r\n']),
  c('an empty Host header: 200', 'fe', ['GET / HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n']),
  c('a Host with a port: 200', 'fe', [
    'GET / HTTP/1.1\r\nHost: test:8080\r\nConnection: close\r\n\r\n',
  ]),
  c('a Host with a space inside', 'fe', [
    'GET / HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n',
  ]),
  c('an IPv6 literal Host: 200', 'fe', [
    'GET / HTTP/1.1\r\nHost: [::1]:80\r\nConnection: close\r\n\r\n',
  ]),
  c('Host and an absolute URI with another port: 400', 'fe', [
    'GET http://test:8080/ HTTP/1.1\r\nHost: test\r\n\r\n',
  ]),
  c('two Host headers differing in case only: 200', 'fe', [get('/', `host: Test\r\n${close}`)]),
];

/** Connection management, Expect and Upgrade. */
const connection: HttpCase[] = [
  c('Connection: keep-alive under http-server-close: 200', 'fe', [
    get('/', 'Connection: keep-alive\r\n'),
  ]),
  c('Connection: close, foo: 200', 'fe', [get('/', 'Connection: close, foo\r\nFoo: 1\r\n')]),
  c('Connection: CLOSE upper case: 200', 'ka', [get('/', 'Connection: CLOSE\r\n')]),
  c('Connection: close on a keep-alive frontend: 200', 'ka', [get('/', close)]),
  c('Connection naming another header: 200', 'ka', [
    get('/', `Connection: x-hop\r\nX-Hop: 1\r\n${close}`),
  ]),
  c('Upgrade: websocket without Sec-WebSocket-Key: 400', 'fe', [
    get('/', 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n'),
  ]),
  c('Upgrade: websocket the server declines: 200', 'fe', [
    get(
      '/',
      'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n',
    ),
  ]),
  c('Upgrade: h2c the server declines: 200', 'fe', [
    get(
      '/',
      'Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n',
    ),
  ]),
  c('Upgrade without Connection: upgrade: 200', 'fe', [get('/', `Upgrade: websocket\r\n${close}`)]),
  c('Expect: 100-continue with the body sent at once: 200', 'fe', [
    post(`Expect: 100-continue\r\nContent-Length: 3\r\n${close}`, 'abc'),
  ]),
  c('Expect: 100-continue with the body after a pause: 200', 'fe', [
    post(`Expect: 100-continue\r\nContent-Length: 3\r\n${close}`, ''),
    300,
    'abc',
  ]),
  c('Expect: 100-continue on a GET without a body: 200', 'fe', [
    get('/', `Expect: 100-continue\r\n${close}`),
  ]),
  c('an unknown Expect: 200', 'fe', [
    post(`Expect: something\r\nContent-Length: 3\r\n${close}`, 'abc'),
  ]),
  c('Expect: 100-continue on HTTP/1.0: 200', 'fe', [
    'POST / HTTP/1.0\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc',
  ]),
  c('HTTP/1.0 POST with a body: 200', 'fe', [
    'POST / HTTP/1.0\r\nHost: test\r\nContent-Length: 3\r\n\r\nabc',
  ]),
  c('HTTP/1.0 HEAD with a payload: 413', 'fe', [
    'HEAD / HTTP/1.0\r\nHost: test\r\nContent-Length: 3\r\n\r\nabc',
  ]),
  c('HTTP/1.0 DELETE with a payload: 413', 'fe', [
    'DELETE / HTTP/1.0\r\nHost: test\r\nContent-Length: 3\r\n\r\nabc',
  ]),
  c('HTTP/1.0 keep-alive, two requests pipelined: 200', 'ka', [
    'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /404 HTTP/1.0\r\n\r\n',
  ]),
  c('HEAD request: 200', 'fe', ['HEAD /r-head-then-close HTTP/1.1\r\nHost: test\r\n\r\n']),
];

/** RFC 9112 section 7: chunk sizes, extensions, trailers. */
const chunks: HttpCase[] = [
  c('chunk extensions: 200', 'fe', [
    post(`${chunked}${close}`, '3;foo=bar;baz\r\nabc\r\n0\r\n\r\n'),
  ]),
  c('a quoted chunk extension: 200', 'fe', [
    post(`${chunked}${close}`, '3;a="b;c"\r\nabc\r\n0\r\n\r\n'),
  ]),
  c('an extension on the last chunk: 200', 'fe', [post(`${chunked}${close}`, '0;x=y\r\n\r\n')]),
  c('blanks before a chunk extension', 'fe', [
    post(`${chunked}${close}`, '3 ;x\r\nabc\r\n0\r\n\r\n'),
  ]),
  c('a blank after a chunk size', 'fe', [post(`${chunked}${close}`, '3 \r\nabc\r\n0\r\n\r\n')]),
  c('a chunk size with leading zeros: 200', 'fe', [
    post(`${chunked}${close}`, '0003\r\nabc\r\n000\r\n\r\n'),
  ]),
  c('chunk sizes in upper and lower hex: 200', 'fe', [
    post(`${chunked}${close}`, `A\r\n${'x'.repeat(10)}\r\nb\r\n${'y'.repeat(11)}\r\n0\r\n\r\n`),
  ]),
  c('a chunk size that overflows: 400', 'fe', [
    post(chunked, 'fffffffffffffffffff\r\nabc\r\n0\r\n\r\n'),
  ]),
  c('a chunk size of 17 hex digits, leading zeros: 200', 'fe', [
    post(chunked, '00000000000000003\r\nabc\r\n0\r\n\r\n'),
  ]),
  c('a chunk size with 0x: 400', 'fe', [post(chunked, '0x3\r\nabc\r\n0\r\n\r\n')]),
  c('a negative chunk size: 400', 'fe', [post(chunked, '-3\r\nabc\r\n0\r\n\r\n')]),
  c('an empty chunk size line: 400', 'fe', [post(chunked, '\r\nabc\r\n0\r\n\r\n')]),
  c('chunk data longer than its size: 400', 'fe', [post(chunked, '3\r\nabcd\r\n0\r\n\r\n')]),
  c('bare LF chunk lines', 'fe', [post(`${chunked}${close}`, '3\nabc\n0\n\n')]),
  c('a trailer field: 200', 'fe', [post(`${chunked}${close}`, '3\r\nabc\r\n0\r\nX-T: v\r\n\r\n')]),
  c('two trailer fields: 200', 'fe', [post(`${chunked}${close}`, '0\r\nX-A: 1\r\nX-B: 2\r\n\r\n')]),
  // A trailer with a space before its colon is left out: HAProxy 2.6 itself answers it
  // 400 or 200 from run to run.
  c('a body in many chunks over pauses: 200', 'fe', [
    post(`${chunked}${close}`, '1\r\na\r\n'),
    100,
    '2\r\nbc\r\n',
    100,
    '0\r\n\r\n',
  ]),
  c('a chunk size split over two writes: 200', 'fe', [
    post(`${chunked}${close}`, '1'),
    100,
    '0\r\n0123456789abcdef\r\n0\r\n\r\n',
  ]),
];

/** Pipelining, and what follows a refused request. */
const pipelining: HttpCase[] = [
  c('a bad request after a good one on keep-alive', 'ka', [
    get('/') + 'BAD\x01 / HTTP/1.1\r\n\r\n',
  ]),
  c('a good request after a bad one is never read: 400', 'ka', [
    'BAD\x01 / HTTP/1.1\r\n\r\n' + get('/'),
  ]),
  c('a smuggled request after CL.TE on keep-alive', 'ka', [
    post(`Content-Length: 40\r\n${chunked}`, '0\r\n\r\n') + get('/404', close),
  ]),
  // On http-server-close: on keep-alive, whether HAProxy's server connection is back in its
  // pool for the second request depends on timing.
  c('two POSTs with bodies pipelined: 200', 'fe', [
    post('Content-Length: 3\r\n', 'abc') + post(`Content-Length: 2\r\n${close}`, 'de'),
  ]),
  c('a chunked POST then a GET pipelined: 200', 'fe', [
    post(chunked, '3\r\nabc\r\n0\r\n\r\n') + get('/404', close),
  ]),
  c('pipelined on http-server-close: 200', 'fe', [get('/') + get('/404', close)]),
  c('HEAD then GET pipelined: 200', 'ka', [
    `HEAD /head-keep HTTP/1.1\r\nHost: test\r\n\r\n${get('/', close)}`,
  ]),
  c('a request split in tiny writes: 200', 'fe', [
    'GE',
    50,
    'T / HTTP/1.1\r\nHo',
    50,
    'st: test\r\nConnection: close\r\n',
    50,
    '\r\n',
  ]),
];

/** Server responses: status line forms, framing, bodyless statuses, header lines. */
const responses: HttpCase[] = [
  c('server HTTP/1.0 response', 'fe', [get('/r-http10')]),
  c('server status line without a reason: 200', 'fe', [get('/r-no-reason')]),
  c('server status line with an empty reason: 200', 'fe', [get('/r-empty-reason')]),
  c('server lower-case version: 502', 'fe', [get('/r-lower-version')]),
  c('server status of two digits', 'fe', [get('/r-status-2digits')]),
  c('server status of four digits', 'fe', [get('/r-status-4digits')]),
  c('server status 999', 'fe', [get('/r-status-999')]),
  c('server HTTP/1.2 response', 'fe', [get('/r-version-12')]),
  c('server status line and no header', 'fe', [get('/r-status-only')]),
  c('server status line without a line end, then close: 502', 'fe', [get('/r-no-crlf')]),
  c('server closes without a byte: 502', 'fe', [get('/r-empty')]),
  c('server Content-Length twice, same value: 200', 'fe', [get('/r-cl-twice')]),
  c('server two different Content-Length: 502', 'fe', [get('/r-cl-differ')]),
  c('server Content-Length list: 200', 'fe', [get('/r-cl-list')]),
  c('server Content-Length: +3: 502', 'fe', [get('/r-cl-plus')]),
  c('server Content-Length of 20 digits: 502', 'fe', [get('/r-cl-huge')]),
  c('server body shorter than its Content-Length, then close', 'fe', [get('/r-cl-short')]),
  c('server body longer than its Content-Length: 200', 'fe', [get('/r-cl-long')]),
  c('server Transfer-Encoding and Content-Length: 200', 'fe', [get('/r-te-cl')]),
  c('server Transfer-Encoding: identity', 'fe', [get('/r-te-identity')]),
  c('server body delimited by close: 200', 'fe', [get('/r-close-delimited')]),
  c('server chunk extension: 200', 'fe', [get('/r-chunk-ext')]),
  c('server trailers: 200', 'fe', [get('/r-chunk-trailers')]),
  c('server bad chunk size after a good chunk', 'fe', [get('/r-chunk-bad-later')]),
  c('server chunk size that overflows: 502', 'fe', [get('/r-chunk-overflow')]),
  c('server chunk size in upper-case hex: 200', 'fe', [get('/r-chunk-upper-hex')]),
  c('server chunked body cut before the last chunk', 'fe', [get('/r-chunk-no-end')]),
  c('server 304 with a Content-Length and body: 304', 'fe', [get('/r-304-body')]),
  c('server 204 with a Content-Length: 204', 'fe', [get('/r-204-cl')]),
  c('server 100 Continue before the response', 'fe', [get('/r-100-then-200')]),
  c('server 102 Processing before the response', 'fe', [get('/r-102')]),
  c('server folded header line', 'fe', [get('/r-folded')]),
  c('server bare LF line ends: 200', 'fe', [get('/r-bare-lf')]),
  c('server space before a colon: 502', 'fe', [get('/r-space-colon')]),
  c('server header line without a colon: 502', 'fe', [get('/r-no-colon')]),
  c('server NUL in a header value', 'fe', [get('/r-nul-value')]),
  c('server control byte in a header value', 'fe', [get('/r-ctl-value')]),
  c('server two Set-Cookie: 200', 'fe', [get('/r-set-cookies')]),
  c('server HTTP/1.0 keep-alive response on keep-alive', 'ka', [get('/r-connection-ka')]),
  c('HEAD answered with a Content-Length and no body: 200', 'fe', [
    `HEAD /r-head-then-close HTTP/1.1\r\nHost: test\r\n${close}\r\n`,
  ]),
  c('HEAD answered chunked without a body', 'fe', [
    `HEAD /r-chunk-no-body HTTP/1.1\r\nHost: test\r\n${close}\r\n`,
  ]),
];

RESPONSES['/r-chunk-no-body'] = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';

/**
 * Cases after which halo still holds the client connection open for a while (they run last,
 * so their connection cannot show in a later case's actconn/feconn).
 */
const lingering: HttpCase[] = [
  c('authority-form CONNECT', 'fe', ['CONNECT test:443 HTTP/1.1\r\nHost: test:443\r\n\r\n'], {
    ms: 800,
  }),
  c('a PRI preface (HTTP/2 prior knowledge)', 'fe', ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n']),
  c('server 101 to a request without Upgrade', 'fe', [get('/r-101-unasked')], { ms: 800 }),
];

export const CORPUS: readonly { readonly topic: string; readonly cases: readonly HttpCase[] }[] = [
  { topic: 'engine and logs', cases: existing },
  { topic: 'server responses (fuzz findings)', cases: existingResponses },
  { topic: 'request smuggling: CL.TE, TE.CL, TE.TE', cases: smuggling },
  { topic: 'Content-Length forms', cases: contentLength },
  { topic: 'request line (RFC 9112 section 3)', cases: requestLine },
  { topic: 'header lines and Host', cases: headerLines },
  { topic: 'connection, Expect, Upgrade, HTTP/1.0', cases: connection },
  { topic: 'chunked bodies and trailers', cases: chunks },
  { topic: 'pipelining', cases: pipelining },
  { topic: 'server responses', cases: responses },
  { topic: 'left open by halo (run last)', cases: lingering },
];
