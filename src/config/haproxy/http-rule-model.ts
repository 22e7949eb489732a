// The model of `http-request`, `http-response` and `http-after-response` rules and of the
// log-format strings their arguments are: what the parser (keywords/http-rules.ts) builds
// and the HTTP engine (proxy/http/http-rules.ts) runs.

import type { SourcePos } from '../diagnostics.js';
import type { Acl, Condition, ErrorFileReply } from './model.js';

/** One `%[fetch(args),conv(args)...]` sample expression, arguments unquoted. */
export interface SampleExpr {
  readonly fetch: string;
  readonly args: readonly string[];
  readonly convs: readonly SampleConv[];
  /** The expression as written, for messages. */
  readonly text: string;
}

/** One converter of an expression; `map` holds the file a map converter read at parse time. */
export interface SampleConv {
  readonly name: string;
  readonly args: readonly string[];
  readonly map?: MapFile;
}

/** A map file's `key value` lines as HAProxy reads them (comments and blank lines gone). */
export interface MapFile {
  readonly path: string;
  readonly entries: readonly MapEntry[];
}

export interface MapEntry {
  readonly key: string;
  readonly value: string;
  readonly line: number;
}

export type LogFormatNode =
  | { readonly kind: 'text'; readonly text: string }
  /** `quote`: the `%{+Q}` flag, the value written in double quotes. */
  | { readonly kind: 'sample'; readonly expr: SampleExpr; readonly quote?: boolean }
  /** `%ci`, `%fp`, `%b`...: a log variable by its short name. */
  | { readonly kind: 'var'; readonly name: string; readonly quote?: boolean };

/** A log-format string, parsed: text, samples and variables in order. */
export type LogFormat = readonly LogFormatNode[];

/** The payload of an http-reply. */
export type HttpReplyBody =
  /** `string STR`, or `file FILE` (read at start-up): sent as is. */
  | { readonly kind: 'string'; readonly text: string }
  /** `lf-string FMT`, or `lf-file FILE`: a log-format string evaluated per reply. */
  | { readonly kind: 'lf'; readonly format: LogFormat }
  /**
   * `errorfile FILE`, or a file an `errorfiles` section holds for the status: the whole
   * reply as written. `file` undefined: an empty file (HAProxy sends nothing and closes).
   */
  | { readonly kind: 'errorfile'; readonly file: ErrorFileReply | undefined };

/**
 * What `deny`, `tarpit`, `return` and `http-error` answer with (HAProxy's http-reply
 * arguments), files already read.
 */
export interface HttpReplySpec {
  readonly status: number;
  /** Set with `content-type`; HAProxy requires it with a non-empty payload. */
  readonly contentType?: string;
  readonly body?: HttpReplyBody;
  /** `hdr NAME FMT`, in order. */
  readonly headers: readonly (readonly [string, LogFormat])[];
  /**
   * The proxy's own reply for `status` (an errorfile, an http-error), else HAProxy's page:
   * `default-errorfiles`, or a deny or tarpit with no argument but `deny_status`.
   */
  readonly errorPage: boolean;
  /**
   * `errorfiles NAME`: the http-errors section whose file for `status` is the reply,
   * looked up once every section is read (error-files.ts sets `body` then; a section
   * without that status leaves the reply empty, as HAProxy does).
   */
  readonly section?: string;
}

export type HttpRuleAction =
  | { readonly type: 'allow' }
  /** `http-request reject`: the connection closed at once, nothing sent. */
  | { readonly type: 'reject' }
  | { readonly type: 'deny' | 'tarpit' | 'return'; readonly reply: HttpReplySpec }
  | {
      readonly type: 'redirect';
      readonly how: 'location' | 'prefix' | 'scheme';
      readonly target: LogFormat;
      readonly code: number;
      readonly dropQuery: boolean;
      readonly appendSlash: boolean;
    }
  | { readonly type: 'set-header' | 'add-header'; readonly name: string; readonly value: LogFormat }
  | {
      readonly type: 'del-header';
      readonly name: string;
      readonly match: 'str' | 'beg' | 'end' | 'sub' | 'reg';
    }
  | {
      readonly type: 'replace-header' | 'replace-value';
      readonly name: string;
      readonly regex: string;
      readonly replace: LogFormat;
    }
  | {
      readonly type: 'set-path' | 'set-pathq' | 'set-query' | 'set-uri' | 'set-method';
      readonly value: LogFormat;
    }
  /** `replace-path|replace-pathq|replace-uri REGEX FMT`: the whole part, `\1`.. from the match. */
  | {
      readonly type: 'replace-path' | 'replace-pathq' | 'replace-uri';
      readonly regex: string;
      readonly replace: LogFormat;
    }
  | { readonly type: 'set-status'; readonly status: number; readonly reason?: string }
  /** `set-var(NAME) EXPR`, `set-var-fmt(NAME) FMT`, `unset-var(NAME)`: NAME is `txn.x`... */
  | { readonly type: 'set-var'; readonly name: string; readonly expr: SampleExpr }
  | { readonly type: 'set-var-fmt'; readonly name: string; readonly format: LogFormat }
  | { readonly type: 'unset-var'; readonly name: string }
  /** `track-scN KEY [table NAME]`: count this request in a stick-table entry. */
  | {
      readonly type: 'track-sc';
      readonly slot: number;
      readonly key: SampleExpr;
      readonly table?: string;
    }
  /** `auth [realm REALM]`: a 401 asking for Basic credentials (realm: the proxy's name). */
  | { readonly type: 'auth'; readonly realm: string }
  /**
   * `http-request set-src|set-dst EXPR` (an address; the port kept), `set-src-port|set-dst-port
   * EXPR` (a port): the connection's addresses as every later rule, log and server sees them.
   */
  | {
      readonly type: 'set-src' | 'set-dst' | 'set-src-port' | 'set-dst-port';
      readonly expr: SampleExpr;
    }
  /** `http-request|http-response capture EXPR len N|id N`: the value into capture slot `slot`. */
  | { readonly type: 'capture'; readonly expr: SampleExpr; readonly slot: number };

export type HttpRuleKeyword = 'http-request' | 'http-response' | 'http-after-response' | 'redirect';

export interface HttpRule {
  readonly pos: SourcePos;
  readonly keyword: HttpRuleKeyword;
  readonly action: HttpRuleAction;
  readonly cond?: Condition;
  /**
   * A rule of a named defaults section run by a proxy that uses it: the defaults' ACLs,
   * the only ones its condition sees (the proxy's own are not visible to it).
   */
  readonly acls?: readonly Acl[];
}

/** A proxy's rules by keyword, in file order. */
export interface HttpRules {
  readonly request: readonly HttpRule[];
  /** `redirect` rules: after the http-request ones, even when `allow` ended those. */
  readonly redirect: readonly HttpRule[];
  readonly response: readonly HttpRule[];
  readonly afterResponse: readonly HttpRule[];
}
