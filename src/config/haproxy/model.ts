// The resolved haproxy.cfg model: what the proxy runs. Every node keeps the position of the
// line that defined it, so errors found later (an unknown backend) still point at a line.
// Durations are in milliseconds, sizes in bytes. `undefined` means "not set" (HAProxy's
// own default applies at run time, documented next to the field).

import type { SourcePos } from '../diagnostics.js';
import type { HttpReplySpec, HttpRules, LogFormat } from './http-rule-model.js';

export type ProxyMode = 'tcp' | 'http';

export type BindAddress =
  | { kind: 'inet'; family: 4 | 6 | 'any'; host: string; port: number; portEnd?: number }
  | { kind: 'unix'; path: string }
  | { kind: 'fd'; fd: number };

export interface Bind {
  readonly pos: SourcePos;
  /** The text as written, e.g. `*:9443`. */
  readonly spec: string;
  readonly addresses: BindAddress[];
  readonly options: Record<string, string | true>;
  /** `ssl`: what tls-files.ts loaded at start-up for this bind (absent on plain binds). */
  tls?: BindTls;
}

/** One certificate of a `crt`/`crt-list`, read from disk: cert (+chain) and key in PEM. */
export interface TlsCertificate {
  readonly file: string;
  readonly cert: string;
  readonly key: string;
  /** Lowercase names SNI picks it by: CN and DNS SANs, or the crt-list's filters. */
  readonly names: readonly string[];
}

export type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

/** A `bind ... ssl` line's TLS settings, files loaded. The first certificate is the default. */
export interface BindTls {
  readonly certs: readonly TlsCertificate[];
  /** `ca-file` contents: CAs that verify client certificates. */
  readonly ca?: string;
  readonly verify: 'none' | 'optional' | 'required';
  readonly alpn?: readonly string[];
  readonly minVersion?: TlsVersion;
  readonly maxVersion?: TlsVersion;
  readonly ciphers?: string;
  readonly ciphersuites?: string;
}

export type BalanceAlgorithm =
  | 'roundrobin'
  | 'static-rr'
  | 'leastconn'
  | 'first'
  | 'source'
  | 'random';

export interface Balance {
  readonly pos?: SourcePos;
  readonly algorithm: BalanceAlgorithm;
  /** `random(N)`: number of draws (power of N choices). Default 2. */
  readonly draws?: number;
}

export type OnError = 'fastinter' | 'fail-check' | 'sudden-death' | 'mark-down';

export interface Server {
  readonly pos: SourcePos;
  readonly name: string;
  /** Host as written (IPv4, IPv6 or name) and port; port undefined means "same as client dst". */
  readonly host: string;
  readonly port?: number;
  readonly check: boolean;
  readonly inter: number; // default 2000
  readonly fastinter?: number; // default = inter
  readonly downinter?: number; // default = inter
  readonly rise: number; // default 2
  readonly fall: number; // default 3
  readonly weight: number; // default 1
  readonly maxconn?: number;
  readonly maxqueue?: number;
  readonly backup: boolean;
  readonly disabled: boolean;
  readonly checkPort?: number;
  readonly checkAddr?: string;
  /** The port of `addr HOST:PORT` (checks use it unless `port` is given). */
  readonly checkAddrPort?: number;
  readonly ssl: boolean;
  readonly checkSsl: boolean;
  readonly verify?: 'none' | 'required';
  /** `ca-file`: CAs that verify the server's certificate (`@system-ca` for the system's). */
  readonly caFile?: string;
  /** The contents of `ca-file`, read at start-up (tls-files.ts). */
  caPem?: string;
  /** `ssl-server-verify` of the global section, for a line without `verify`. */
  verifyDefault?: 'none' | 'required';
  readonly sni?: string;
  /** `alpn` towards the server, comma-separated as written. */
  readonly alpn?: string;
  readonly observe?: 'layer4' | 'layer7';
  readonly errorLimit: number; // default 10
  readonly onError: OnError; // default fail-check
  readonly onMarkedDown?: 'shutdown-sessions';
  readonly onMarkedUp?: 'shutdown-backup-sessions';
  readonly sendProxy?: 'v1' | 'v2';
  /** `check-send-proxy`: checks send the PROXY header even with `port`/`addr` set. */
  readonly checkSendProxy?: boolean;
  /** `server s 10.0.0.1:+1000`: destination port = client's destination port + offset. */
  readonly portOffset?: number;
  /** `init-addr` as written (`last,libc,none`, an IP): what to do when the name does not resolve. */
  readonly initAddr?: string;
}

export interface LogTarget {
  readonly pos: SourcePos;
  /** `global` is resolved away: a proxy's `log global` copies the global targets. */
  readonly target:
    | { kind: 'udp'; host: string; port: number }
    | { kind: 'unix'; path: string }
    | { kind: 'stdout' | 'stderr' };
  readonly facility: string;
  readonly level?: string; // max level, e.g. 'err'
  readonly minLevel?: string;
  readonly format?: 'rfc3164' | 'rfc5424' | 'raw' | 'short' | 'iso' | 'timed' | 'priority';
  /** `len`: longest line sent, header included (HAProxy's default: 1024). */
  readonly len?: number;
  /** `log-tag` of the proxy (else the global one): the syslog header's tag, else `haproxy`. */
  readonly tag?: string;
}

export interface Timeouts {
  client?: number;
  server?: number;
  connect?: number;
  queue?: number;
  check?: number;
  tunnel?: number;
  clientFin?: number;
  serverFin?: number;
  httpRequest?: number;
  httpKeepAlive?: number;
  tarpit?: number;
}

export interface Forwardfor {
  readonly pos: SourcePos;
  readonly except?: string; // network, e.g. 127.0.0.0/8
  readonly header: string; // default X-Forwarded-For
  readonly ifNone: boolean;
}

export type HttpCheckRule =
  | { pos: SourcePos; kind: 'connect'; port?: number; ssl?: boolean; sni?: string; alpn?: string }
  | {
      pos: SourcePos;
      kind: 'send';
      method?: string;
      uri?: string;
      version?: string;
      headers: [string, string][];
      body?: string;
    }
  | {
      pos: SourcePos;
      kind: 'expect';
      negate: boolean;
      matcher: 'status' | 'rstatus' | 'string' | 'rstring';
      pattern: string;
    };

export interface HealthCheckConfig {
  /** Which probe runs: TCP connect, HTTP, or an SSLv3 hello. The last `option` line wins. */
  readonly type: 'tcp' | 'http' | 'ssl-hello';
  readonly pos?: SourcePos;
  /** `option httpchk [METH] [URI] [VER]` */
  readonly method?: string;
  readonly uri?: string;
  readonly version?: string;
  readonly rules: HttpCheckRule[];
}

export interface Acl {
  readonly pos: SourcePos;
  readonly name: string;
  readonly criterion: string;
  readonly values: string[];
  /** The map files the criterion's converters name, read when the line was (latin1). */
  readonly files?: Readonly<Record<string, string>>;
}

export interface Condition {
  readonly pos: SourcePos;
  readonly negate: boolean; // unless
  /** Disjunction of conjunctions of (possibly negated) ACL names or `TRUE`/`FALSE`. */
  readonly terms: {
    name: string;
    negate: boolean;
    /** An anonymous ACL's map files, as Acl.files. */
    files?: Readonly<Record<string, string>>;
  }[][];
}

export interface UseBackend {
  readonly pos: SourcePos;
  readonly backend: string;
  readonly cond?: Condition;
}

/** `tcp-request connection expect-proxy layer4 [if|unless COND]`: read a PROXY header first. */
export interface ExpectProxy {
  readonly pos: SourcePos;
  readonly cond?: Condition;
}

/** `tcp-request connection|content accept|reject|track-scN [if|unless COND]`. */
export interface TcpRule {
  readonly pos: SourcePos;
  readonly action: 'accept' | 'reject' | 'track-sc';
  readonly track?: TrackSpec;
  readonly cond?: Condition;
}

/** `track-scN KEY [table NAME]`: a stick-table entry this session or request counts in. */
export interface TrackSpec {
  readonly slot: number;
  readonly key: import('./http-rule-model.js').SampleExpr;
  /** Another proxy's table; the rule's own proxy's when absent. */
  readonly table?: string;
}

/** `stick-table`: what halo's tracking counters keep (proxy/stick/stick-table.ts). */
export interface StickTableConfig {
  readonly pos: SourcePos;
  readonly type: 'ip' | 'ipv6' | 'integer' | 'string' | 'binary';
  readonly size: number;
  /** ms after the last use; entries never expire without it. */
  readonly expire?: number;
  readonly store: readonly { readonly name: string; readonly period?: number }[];
}

/** A frontend's tcp-request rules halo runs, in file order per kind. */
export interface TcpRules {
  readonly connection: TcpRule[];
  readonly content: TcpRule[];
}

/** `http-request use-service NAME [if|unless COND]`: an applet answers instead of a server. */
export interface UseService {
  readonly pos: SourcePos;
  /** The only service halo has: `prometheus-exporter`. */
  readonly service: 'prometheus-exporter';
  readonly cond?: Condition;
}

export interface StatsConfig {
  readonly enabled: boolean;
  readonly uri: string; // default /haproxy?stats
  readonly realm?: string;
  readonly auth: { user: string; password: string; pos: SourcePos }[];
  readonly refresh?: number;
  readonly hideVersion: boolean;
  readonly admin?: Condition;
  readonly pos?: SourcePos;
  readonly showLegends?: boolean;
  /** `stats show-node [NAME]`: true means the global node name. */
  readonly showNode?: string | true;
  /** `stats scope NAME|.`: only these proxies are shown (`.`: the stats section itself). */
  readonly scope?: readonly string[];
}

export type ProxyKind = 'frontend' | 'backend' | 'listen';

/** A frontend, backend or listen section after `defaults` were applied. */
export interface Proxy {
  readonly pos: SourcePos;
  readonly kind: ProxyKind;
  readonly name: string;
  readonly mode: ProxyMode;
  /** Where `mode` came from: this section's line, or the defaults section it inherited from. */
  readonly modePos: SourcePos;
  readonly modeInherited: boolean;
  readonly binds: Bind[];
  readonly balance: Balance;
  readonly servers: Server[];
  readonly defaultServer: Partial<Server>;
  readonly maxconn?: number;
  /** Frontend `backlog`: the accept queue's size when the bind line sets none. */
  readonly backlog?: number;
  /** `monitor-uri` (mode http frontends): answered 200 without a server, and not logged. */
  readonly monitorUri?: string;
  readonly retries: number; // default 3
  readonly timeouts: Timeouts;
  readonly timeoutPos: Partial<Record<keyof Timeouts, SourcePos>>;
  /** Options set with `option X` / `no option X`; value true = on. */
  readonly options: Record<string, { on: boolean; pos: SourcePos }>;
  readonly forwardfor?: Forwardfor;
  /** `option http-restrict-req-hdr-names`: request headers whose names have other characters than letters, digits and '-'. */
  readonly restrictHdrNames?: 'delete' | 'reject';
  /** `option originalto`: X-Original-To with the destination address. */
  readonly originalto?: Forwardfor;
  readonly healthCheck: HealthCheckConfig;
  readonly logs: LogTarget[];
  readonly acls: Acl[];
  readonly defaultBackend?: { name: string; pos: SourcePos };
  readonly useBackends: UseBackend[];
  readonly stats?: StatsConfig;
  /** `http-request use-service` rules, in order (frontend and listen sections). */
  readonly services?: UseService[];
  /** `tcp-request connection expect-proxy layer4` rules, in order (frontend and listen). */
  readonly expectProxy?: ExpectProxy[];
  /** `stick-table`: this proxy's table of tracking counters. */
  readonly stickTable?: StickTableConfig;
  /** Capture slots (frontend and listen): what `%hr`/`%hs` and `capture.req|res.hdr(N)` show. */
  readonly captures?: Captures;
  /**
   * What replaces HAProxy's own page for a status (`errorfile`, `errorfiles`, `http-error`):
   * the backend's, else the frontend's, else HAProxy's.
   */
  readonly errorFiles?: Readonly<Record<number, HttpReplySpec>>;
  /** `log-format` (frontend and listen): the format of its log lines, replacing httplog/tcplog. */
  readonly logFormatCustom?: { readonly format: LogFormat; readonly pos: SourcePos };
  /** `tcp-request connection|content accept|reject` rules (frontend and listen). */
  readonly tcpRules?: TcpRules;
  /** HTTP rules halo runs (mode http), in file order per keyword. */
  readonly httpRules?: HttpRules;
  readonly disabled: boolean;
  /** The `defaults` section this proxy copied its settings from (name may be ''). */
  readonly defaultsPos?: SourcePos;
}

export interface GlobalConfig {
  readonly logs: LogTarget[];
  readonly chroot?: { path: string; pos: SourcePos };
  readonly pidfile?: { path: string; pos: SourcePos };
  readonly maxconn?: number;
  readonly user?: { name: string; pos: SourcePos };
  readonly group?: { name: string; pos: SourcePos };
  readonly daemon: boolean;
  readonly nbthread?: number;
  readonly statsSockets: {
    pos: SourcePos;
    address: BindAddress;
    options: Record<string, string | true>;
  }[];
  readonly statsTimeout?: number;
  readonly hardStopAfter?: number;
  readonly uid?: number;
  readonly gid?: number;
  readonly ulimitN?: number;
  /** `noreuseport`: listening sockets without SO_REUSEPORT (`-sf` then pauses the old process). */
  readonly noReusePort?: boolean;
  readonly masterWorker?: boolean;
  readonly statsMaxconn?: number;
  /** `ssl-server-verify`: the default of servers' `verify` (HAProxy's default: required). */
  readonly sslServerVerify?: 'none' | 'required';
  readonly tune?: import('./draft.js').TuneSizes;
}

export interface HaproxyConfig {
  readonly files: string[];
  readonly global: GlobalConfig;
  /** Frontends, backends and listens in file order. Defaults sections are resolved away. */
  readonly proxies: Proxy[];
  /** `userlist` sections by name (for `http_auth`, `http_auth_group`). */
  readonly userlists: ReadonlyMap<string, Userlist>;
}

/** An `errorfile`'s reply: the file's status line, headers (lower-case names) and payload. */
export interface ErrorFileReply {
  readonly version: string;
  readonly status: number;
  readonly reason: string;
  readonly headers: readonly (readonly [string, string])[];
  /** The payload, latin1. */
  readonly body: string;
}

/** A `userlist` section: its users with their password and groups. */
export interface Userlist {
  readonly pos: SourcePos;
  readonly name: string;
  readonly users: readonly UserlistUser[];
}

export interface UserlistUser {
  readonly pos: SourcePos;
  readonly name: string;
  /** `password HASH` (crypt(3)) or `insecure-password TEXT`. */
  readonly password: { readonly kind: 'crypt' | 'insecure'; readonly value: string };
  /** The user's groups: its own `groups` list and the `group ... users` lines naming it. */
  readonly groups: readonly string[];
}

/**
 * One capture slot: `capture request|response header NAME len N` (`header`, lower case),
 * `declare capture request|response len N` or `http-request capture EXPR len N`.
 */
export interface CaptureSlot {
  readonly len: number;
  readonly header?: string;
}

/** A frontend's capture slots, by index, in declaration order. */
export interface Captures {
  readonly request: readonly CaptureSlot[];
  readonly response: readonly CaptureSlot[];
}
