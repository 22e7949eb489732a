// An applet answers HTTP requests inside halo instead of a server: the stats page is one
// (HAProxy's "<STATS>" in logs). An HTTP-mode proxy asks its applets, in order, whether a
// request is theirs before it picks a backend server.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConnectionFacts } from '../acl.js';

export interface HttpApplet {
  /** The name HAProxy logs in place of the server (`<STATS>`). */
  readonly logName: string;
  /**
   * Whether this request is the applet's (checked before any backend is chosen); `facts`
   * gives what an `if`/`unless` condition of the rule that names the applet reads.
   */
  matches(req: IncomingMessage, facts: () => ConnectionFacts): boolean;
  /** Answers the request completely (status, headers, body); never throws. */
  serve(req: IncomingMessage, res: ServerResponse): void;
}
