// HAProxy 2.6's built-in error replies, captured from the real binary (2.6.12).
//
// Two shapes reach the client. 400 and 408 are written by the HTTP/1 layer before any
// request exists, byte for byte as HAProxy keeps them (capitalised names, `Connection:
// close`), and the connection closes; the log counts 0 bytes. The others (403, 500, 502,
// 503, 504) go through the normal response path: header names in lower case, no
// Connection header, the client connection stays usable, and the log counts them as any
// response (htxResponseSize).

export interface ErrorReply {
  readonly status: number;
  readonly reason: string;
  /** Lower-case header pairs, in HAProxy's order. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
}

/** The HTML body of every HAProxy built-in error page. */
export function errorPage(status: number, reason: string, text: string): string {
  return `<html><body><h1>${status} ${reason}</h1>\n${text}\n</body></html>\n`;
}

function reply(status: number, reason: string, text: string): ErrorReply {
  const body = errorPage(status, reason, text);
  return {
    status,
    reason,
    headers: [
      ['content-length', String(Buffer.byteLength(body))],
      ['cache-control', 'no-cache'],
      ['content-type', 'text/html'],
    ],
    body,
  };
}

export const HTTP_ERRORS = {
  403: reply(403, 'Forbidden', 'Request forbidden by administrative rules.'),
  /** A request body that did not arrive in time (the head had): the normal path, not RAW_408. */
  408: reply(408, 'Request Time-out', "Your browser didn't send a complete request in time."),
  500: reply(500, 'Internal Server Error', 'An internal server error occurred.'),
  502: reply(502, 'Bad Gateway', 'The server returned an invalid or incomplete response.'),
  503: reply(503, 'Service Unavailable', 'No server is available to handle this request.'),
  504: reply(504, 'Gateway Time-out', "The server didn't respond in time."),
} as const;

function raw(status: number, reason: string, text: string, close = true): Buffer {
  const body = errorPage(status, reason, text);
  return Buffer.from(
    `HTTP/1.1 ${status} ${reason}\r\nContent-length: ${Buffer.byteLength(body)}\r\n` +
      `Cache-Control: no-cache\r\n${close ? 'Connection: close\r\n' : ''}` +
      `Content-Type: text/html\r\n\r\n${body}`,
  );
}

/** A request that cannot be parsed (also what a TLS client gets on an HTTP port). */
export const RAW_400 = raw(400, 'Bad request', 'Your browser sent an invalid request.');
/** No complete request within `timeout http-request`. */
export const RAW_408 = raw(
  408,
  'Request Time-out',
  "Your browser didn't send a complete request in time.",
);
/** A payload HTTP/1.0 does not allow (GET, HEAD, DELETE); HAProxy's bytes have no Connection line. */
export const RAW_413 = raw(
  413,
  'Payload Too Large',
  'The request entity exceeds the maximum allowed.',
  false,
);
/** A transfer coding other than chunked; no Connection line either, as HAProxy sends it. */
export const RAW_422 = raw(
  422,
  'Unprocessable Content',
  'The server cannot process the contained instructions.',
  false,
);

/** The raw replies by status. */
export const RAW_REPLIES = { 400: RAW_400, 408: RAW_408, 413: RAW_413, 422: RAW_422 } as const;
