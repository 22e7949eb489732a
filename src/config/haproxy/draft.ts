// Mutable state while reading haproxy.cfg: one draft per section. A proxy draft starts as a
// deep copy of its defaults section (HAProxy copies the defaults proxy when a proxy section
// opens), so inheritance is exact: later changes to a defaults section do not leak back.

import type { Diagnostics, SourcePos } from '../diagnostics.js';
import type { HttpReplySpec, HttpRule, LogFormat } from './http-rule-model.js';
import type {
  Acl,
  Balance,
  Bind,
  CaptureSlot,
  ErrorFileReply,
  ExpectProxy,
  Forwardfor,
  HttpCheckRule,
  LogTarget,
  ProxyMode,
  Server,
  StickTableConfig,
  TcpRules,
  Timeouts,
  UseBackend,
  UseService,
} from './model.js';
import type { Env } from './tokenizer.js';

export type DraftKind = 'defaults' | 'frontend' | 'backend' | 'listen';

export interface Located<T> {
  value: T;
  pos: SourcePos;
  /** Set when the value came from a `defaults` section. */
  inherited?: boolean;
}

export type LogEntry = { kind: 'global'; pos: SourcePos } | { kind: 'target'; target: LogTarget };

export interface StatsDraft {
  enabled: boolean;
  uri?: string;
  realm?: Located<string>;
  realmWords?: string[];
  auth: { user: string; password: string; pos: SourcePos }[];
  refresh?: number;
  hideVersion: boolean;
  admin?: UseBackend['cond'];
  showLegends: boolean;
  showNode?: string | true;
  /** `stats scope NAME|.`: the only proxies the page, CSV and JSON show. */
  scope?: string[];
  pos?: SourcePos;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export type DefaultServer = Partial<Mutable<Omit<Server, 'pos' | 'name' | 'host'>>> & {
  pos?: SourcePos;
};

/**
 * A server line as parsed. `sslFromDefaults`: a `default-server` line had set `ssl` when this
 * server copied it; HAProxy 2.6 then prepares (and checks) the server's TLS context even if
 * the server line says `no-ssl`.
 */
export type DraftServer = Server & { portOffset?: number; sslFromDefaults?: true };

export interface ProxyDraft {
  kind: DraftKind;
  name: string;
  pos: SourcePos;
  /** The defaults section this proxy copied, if any. */
  defaultsName?: string;
  defaultsPos?: SourcePos;
  mode?: Located<ProxyMode>;
  binds: Bind[];
  /** `bind` lines seen, parsed or not (a bad one should not also yield "no bind"). */
  bindLines?: number;
  balance?: Balance;
  servers: DraftServer[];
  defaultServer: DefaultServer;
  maxconn?: Located<number>;
  backlog?: Located<number>;
  /** `monitor-uri`: the URI answered 200 by the frontend itself (last one wins). */
  monitorUri?: Located<string>;
  retries?: number;
  timeouts: Timeouts;
  timeoutPos: Partial<Record<keyof Timeouts, SourcePos>>;
  /** Timeouts set in this very section (for HAProxy's "overwriting" warning). */
  timeoutOwn?: Partial<Record<keyof Timeouts, true>>;
  options: Record<string, { on: boolean; pos: SourcePos; inherited?: boolean }>;
  forwardfor?: Forwardfor & { inherited?: boolean };
  /** `option http-restrict-req-hdr-names preserve|delete|reject`. */
  restrictHdrNames?: 'preserve' | 'delete' | 'reject';
  /** `option originalto` (the same shape: header, except; never if-none). */
  originalto?: Forwardfor;
  check: Located<'tcp' | 'http' | 'ssl-hello' | 'tcp-check' | 'other'> | undefined;
  httpchk?: { method?: string; uri?: string; version?: string; pos: SourcePos };
  checkRules: HttpCheckRule[];
  logFormat?: Located<'httplog' | 'httpslog' | 'tcplog' | 'custom'>;
  stickTable?: StickTableConfig;
  /** Capture slots (see model.ts Captures); a named defaults' come first. */
  captures?: { request: CaptureSlot[]; response: CaptureSlot[] };
  /** `errorfile`, `errorfiles` and `http-error` lines in file order, the defaults' first. */
  errorEntries?: ErrorEntry[];
  /** What those lines come to once every http-errors section is known (error-files.ts). */
  errorReplies?: Record<number, HttpReplySpec>;
  /** The `log-format` string, while logFormat is 'custom'. */
  customLogFormat?: { format: LogFormat; pos: SourcePos };
  logs: LogEntry[];
  acls: Acl[];
  defaultBackend?: { name: string; pos: SourcePos };
  useBackends: UseBackend[];
  stats?: StatsDraft;
  services?: UseService[];
  expectProxy?: ExpectProxy[];
  tcpRules?: TcpRules;
  /** `http-request`, `http-response`, `http-after-response` rules halo runs. */
  httpRules?: {
    request: HttpRule[];
    redirect: HttpRule[];
    response: HttpRule[];
    afterResponse: HttpRule[];
  };
  disabled: boolean;
  /** `log-tag`: the syslog tag of this proxy's log lines. */
  logTag?: string;
  /** A defaults section with rules: the kind of proxy that uses it (one kind only). */
  rulesUsedBy?: 'frontend' | 'backend';
  /** Keywords seen that halo accepts but does not model (HTTP rules, captures...). */
  httpOnly: { what: string; pos: SourcePos }[];
}

export function newProxyDraft(kind: DraftKind, name: string, pos: SourcePos): ProxyDraft {
  return {
    kind,
    name,
    pos,
    binds: [],
    servers: [],
    defaultServer: {},
    timeouts: {},
    timeoutPos: {},
    options: {},
    check: undefined,
    checkRules: [],
    logs: [],
    acls: [],
    useBackends: [],
    disabled: false,
    httpOnly: [],
  };
}

/** A new proxy section: a deep copy of `defaults`, with inherited values marked. */
export function inheritDraft(
  def: ProxyDraft,
  kind: DraftKind,
  name: string,
  pos: SourcePos,
): ProxyDraft {
  const d = structuredClone(def);
  const out: ProxyDraft = {
    ...d,
    kind,
    name,
    pos,
    defaultsName: def.name,
    defaultsPos: def.pos,
    binds: [],
    servers: [],
    acls: [],
    useBackends: [],
    httpOnly: [],
    disabled: false,
    timeoutOwn: {},
  };
  delete out.rulesUsedBy;
  // A named defaults' rules run first, each seeing the defaults' ACLs only.
  if (out.httpRules) {
    const mine = (list: HttpRule[]) => list.map((r) => ({ ...r, acls: r.acls ?? def.acls }));
    const h = out.httpRules;
    out.httpRules = {
      request: mine(h.request),
      redirect: mine(h.redirect),
      response: mine(h.response),
      afterResponse: mine(h.afterResponse),
    };
  }
  if (out.mode) out.mode.inherited = true;
  for (const o of Object.values(out.options)) o.inherited = true;
  if (out.forwardfor) out.forwardfor.inherited = true;
  // HAProxy copies the log format only into proxies with a frontend side.
  if (kind === 'backend') {
    delete out.logFormat;
    delete out.customLogFormat;
  }
  if (out.logFormat) out.logFormat.inherited = true;
  if (out.check) out.check.inherited = true;
  if (out.stats?.realm) out.stats.realm.inherited = true;
  return out;
}

export interface GlobalDraft {
  pos?: SourcePos;
  logs: LogTarget[];
  /** `log-tag`: the syslog tag of every log line, unless a proxy sets its own. */
  logTag?: string;
  chroot?: { path: string; pos: SourcePos };
  pidfile?: { path: string; pos: SourcePos };
  maxconn?: number;
  user?: { name: string; pos: SourcePos };
  group?: { name: string; pos: SourcePos };
  uid?: number;
  gid?: number;
  daemon: boolean;
  noReusePort?: boolean;
  masterWorker: boolean;
  nbthread?: number;
  ulimitN?: number;
  statsSockets: {
    pos: SourcePos;
    address: import('./model.js').BindAddress;
    options: Record<string, string | true>;
  }[];
  statsTimeout?: number;
  statsMaxconn?: number;
  hardStopAfter?: number;
  sslServerVerify?: 'none' | 'required';
  /** `ssl-default-bind-options`/`-ciphers`/`-ciphersuites`: what every `ssl` bind starts from. */
  sslDefaultBind?: import('../haproxy/tls-files.js').BindDefaults;
  /** `crt-base`/`ca-base`: where relative `crt`/`ca-file` names are read from. */
  crtBase?: string;
  caBase?: string;
  tune?: TuneSizes;
}

/** `tune.bufsize`, `tune.maxrewrite`, `tune.http.maxhdr`. */
export interface TuneSizes {
  readonly bufsize?: number;
  readonly maxrewrite?: number;
  readonly httpMaxhdr?: number;
}

export function newGlobalDraft(): GlobalDraft {
  return { logs: [], daemon: false, masterWorker: false, statsSockets: [] };
}

/**
 * One `errorfile CODE FILE` or `http-error status CODE ...` (`reply`; undefined for
 * `default-errorfiles`: back to HAProxy's page), or one `errorfiles NAME [CODE...]` (`section`;
 * `codes` undefined: every status the section has). Applied in order, later ones winning.
 */
export type ErrorEntry =
  | { kind: 'reply'; code: number; reply: HttpReplySpec | undefined; pos: SourcePos }
  | { kind: 'section'; name: string; codes: number[] | undefined; pos: SourcePos };

/** The files lines name (error files, reply payloads), read as the line is parsed. */
export interface LineFiles {
  /** The file's bytes, or undefined when it does not open. */
  read(path: string): Buffer | undefined;
  /** `tune.bufsize` as set so far: the largest payload file HAProxy takes. */
  readonly bufsize: number;
}

/** No file opens: for callers that parse text alone. */
export const NO_FILES: LineFiles = { read: () => undefined, bufsize: 16384 };

/** What a keyword's parse function sees: the line's words and where to report. */
export interface LineCtx {
  readonly diags: Diagnostics;
  readonly pos: SourcePos;
  /** All words of the line; `words[0]` is the keyword (after `no`/`default`). */
  readonly words: string[];
  /** `no option X` / `default option X`. */
  readonly modifier: 'std' | 'no' | 'default';
  /** The environment, for the places HAProxy expands `$VAR` outside quotes (addresses). */
  readonly env: Env;
  readonly files: LineFiles;
  /** HAProxy reads missing words as empty strings; so does `arg(i)`. */
  arg(i: number): string;
  error(code: string, message: string): void;
  warning(code: string, message: string): void;
}

export function makeLineCtx(
  diags: Diagnostics,
  pos: SourcePos,
  words: string[],
  modifier: LineCtx['modifier'],
  env: Env = {},
  files: LineFiles = NO_FILES,
): LineCtx {
  return {
    diags,
    pos,
    words,
    modifier,
    env,
    files,
    arg: (i) => words[i] ?? '',
    error: (code, message) => diags.error(pos, code, message, 'haproxy'),
    warning: (code, message) => diags.warning(pos, code, message, 'haproxy'),
  };
}
