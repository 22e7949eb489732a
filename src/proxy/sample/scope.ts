// What a sample expression may read for one request (and its response): the connection's
// addresses and TLS facts, the heads as rules left them, the proxies' names, and the
// process facts some fetches report (`env`, `hostname`, `date`, `rand`, `nbsrv`), all
// passed in so that the fetches stay pure.

import type { StickFacts } from '../acl.js';
import type { CaptureValues } from '../http/captures.js';
import type { RequestHead, ResponseHead } from '../http/http-head.js';
import type { SslFacts } from '../tls/ssl-fetches.js';

export interface SampleScope {
  readonly conn: {
    readonly clientIp: string;
    readonly clientPort: number;
    readonly localIp: string;
    readonly localPort: number;
  };
  readonly ssl: SslFacts | undefined;
  readonly req: RequestHead;
  readonly res?: ResponseHead;
  readonly frontend: string;
  /** `~` after the frontend name on a TLS connection (`%ft`). */
  readonly frontendTls: boolean;
  readonly backend: string;
  /** The server the request went to (`srv_name`), once one was picked. */
  readonly server?: string;
  /** Stick tables and what the request tracks, for `sc_*`/`src_*`. */
  readonly stick?: StickFacts;
  /** Usable servers of a backend (`nbsrv(be)`), -1 when there is none. */
  readonly nbsrv?: (backend: string) => number;
  /** The process environment (`env(NAME)`). */
  readonly env?: (name: string) => string | undefined;
  /** The host name (`hostname`, `%H`). */
  readonly hostname?: string;
  /** The time, ms since the epoch (`date`). */
  readonly now?: () => number;
  /** Seconds east of UTC of local time at an epoch time (`ltime`). */
  readonly localOffset?: (secs: bigint) => number | undefined;
  /** A uniform 32-bit unsigned random number (`rand`). */
  readonly random?: () => number;
  /** Whether this is the connection's first request (`http_first_req`). */
  readonly firstRequest?: boolean;
  /** The request's capture slots (`capture.req.hdr(N)`, `http-request capture`). */
  readonly captures?: CaptureValues;
}
