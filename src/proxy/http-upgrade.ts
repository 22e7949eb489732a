// A tcp frontend whose backend is in http mode: HAProxy 2.6 upgrades the stream to HTTP.
// The frontend hands such connections to its HTTP side (http/http-frontend.ts): a client
// that does not speak HTTP (a TLS ClientHello from kubectl) gets HAProxy's 400 error page
// and the tcplog line says `PR`; an HTTP client gets the backend's HTTP processing. What
// remains here is the 400 itself and the first-chunk test TcpSession's sniffing mode uses
// (no frontend starts a session in that mode any more).

import { RAW_400 } from './http/errors.js';

/** HAProxy 2.6's built-in 400 response, byte for byte. */
export const HTTP_400 = RAW_400;

/** RFC 9110 token characters, which a request method is made of. */
function isTokenChar(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    "!#$%&'*+-.^_`|~".includes(String.fromCharCode(c))
  );
}

/** Whether the first bytes can start an HTTP/1 request line (`METHOD SP ...`). */
export function looksLikeHttpRequest(chunk: Buffer): boolean {
  let i = 0;
  while (i < chunk.length && isTokenChar(chunk[i]!)) i++;
  if (i === 0) return false;
  return i === chunk.length || chunk[i] === 0x20;
}
