// A tcp frontend whose backend is in http mode: HAProxy upgrades the stream to HTTP. A
// client that does not speak HTTP (a TLS ClientHello from kubectl) gets HAProxy's 400
// error page and the log line says `PR`. halo reproduces that; a client that does speak
// HTTP is relayed as TCP (halo has no HTTP mode yet), which the start-up warning says.

/** HAProxy 2.6's built-in 400 response, byte for byte. */
export const HTTP_400 = Buffer.from(
  'HTTP/1.1 400 Bad request\r\nContent-length: 90\r\nCache-Control: no-cache\r\n' +
    'Connection: close\r\nContent-Type: text/html\r\n\r\n' +
    '<html><body><h1>400 Bad request</h1>\nYour browser sent an invalid request.\n</body></html>\n',
);

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
