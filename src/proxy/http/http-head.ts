// Message heads that HTTP rules edit: a request (method, target, version, headers) or a
// response (status, reason, headers), with header names in lower case as HAProxy's HTX
// keeps them. What the rules change here is what goes on the wire and what later rules
// and ACLs see. Pure: no `node:` import.

import type { Sample } from '../sample/sample.js';
import type { HttpRequestFacts, HttpResponseFacts } from './http-fetches.js';

/** Header lines in order, names in lower case. */
export class HeaderList {
  constructor(readonly lines: [string, string][] = []) {}

  /** From node's rawHeaders ([name, value, name, value...]). */
  static fromRaw(raw: readonly string[]): HeaderList {
    const lines: [string, string][] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) lines.push([raw[i]!.toLowerCase(), raw[i + 1]!]);
    return new HeaderList(lines);
  }

  /** Every value of `name` (lower case), in order. */
  values(name: string): string[] {
    const out: string[] = [];
    for (const [n, v] of this.lines) if (n === name) out.push(v);
    return out;
  }

  add(name: string, value: string): void {
    this.lines.push([name, value]);
  }

  /** Removes every `name` line, then appends one: HAProxy's set-header. */
  set(name: string, value: string): void {
    this.delete((n) => n === name);
    this.lines.push([name, value]);
  }

  delete(match: (name: string) => boolean): void {
    let w = 0;
    for (const l of this.lines) if (!match(l[0])) this.lines[w++] = l;
    this.lines.length = w;
  }

  /** Rewrites the value of each `name` line through `edit`. */
  map(name: string, edit: (value: string) => string): void {
    for (const l of this.lines) if (l[0] === name) l[1] = edit(l[1]);
  }

  /** Back to node's flat form. */
  toRaw(): string[] {
    const out: string[] = [];
    for (const [n, v] of this.lines) out.push(n, v);
    return out;
  }
}

/** `scheme://authority` of an absolute-form target, or ''. */
function authorityPrefix(url: string): string {
  return /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(url)?.[0] ?? '';
}

/** A request head as rules see and edit it (an HttpRequestFacts for ACLs). */
export class RequestHead implements HttpRequestFacts {
  constructor(
    public method: string,
    public url: string,
    readonly version: string,
    readonly headers: HeaderList,
  ) {}

  /** Set once the response head is in, for response rules' ACLs. */
  response: ResponseHead | undefined;
  /** The request's variables (`set-var`, `var()`), made with its head. */
  vars: VarStore | undefined;

  header(name: string): readonly string[] {
    return this.headers.values(name);
  }

  /** The path: no scheme or authority, no query string. */
  get path(): string {
    const rest = this.url.slice(authorityPrefix(this.url).length);
    const q = rest.indexOf('?');
    const p = q < 0 ? rest : rest.slice(0, q);
    return p === '' && rest !== this.url ? '/' : p;
  }

  /** The query string without its '?', or undefined when there is none. */
  get query(): string | undefined {
    const q = this.url.indexOf('?');
    return q < 0 ? undefined : this.url.slice(q + 1);
  }

  setPath(path: string): void {
    const q = this.query;
    this.url = authorityPrefix(this.url) + path + (q === undefined ? '' : `?${q}`);
  }

  /** set-pathq: path and query together, the authority kept. */
  setPathQuery(pq: string): void {
    this.url = authorityPrefix(this.url) + pq;
  }

  setQuery(query: string): void {
    const q = this.url.indexOf('?');
    const base = q < 0 ? this.url : this.url.slice(0, q);
    this.url = query === '' ? base : `${base}?${query}`;
  }
}

/** A response head as rules see and edit it. */
export class ResponseHead implements HttpResponseFacts {
  constructor(
    public status: number,
    public reason: string,
    readonly headers: HeaderList,
  ) {}

  header(name: string): readonly string[] {
    return this.headers.values(name);
  }
}

/**
 * What ACLs of response rules see: the response, and of the request only its method
 * (HAProxy keeps it with the transaction; its header and URL fetches find nothing there).
 */
export class ResponseView implements HttpRequestFacts {
  readonly url = '';
  readonly version = '';
  constructor(
    readonly response: ResponseHead,
    readonly vars: VarStore | undefined,
    readonly method = '',
  ) {}
  header(): readonly string[] {
    return [];
  }
}

/**
 * HAProxy's variables of one request: `txn.` live with the request, `req.` while it is
 * processed (response rules no longer see them), `res.` with its response, `sess.` with
 * its connection, `proc.` with the process. Values keep their sample type (a string, an
 * integer, an address...), as HAProxy's do.
 */
export class VarStore {
  private readonly txn = new Map<string, Sample>();
  private readonly req = new Map<string, Sample>();
  private readonly res = new Map<string, Sample>();
  constructor(
    private readonly sess: Map<string, Sample>,
    private readonly proc: Map<string, Sample>,
  ) {}

  private mapOf(name: string): Map<string, Sample> | undefined {
    const scope = name.slice(0, name.indexOf('.'));
    if (scope === 'sess') return this.sess;
    if (scope === 'proc') return this.proc;
    if (scope === 'txn') return this.txn;
    if (scope === 'req') return this.req;
    if (scope === 'res') return this.res;
    return undefined;
  }

  /** The request is processed: its `req.` variables are gone, as in HAProxy. */
  endRequest(): void {
    this.req.clear();
  }

  get(name: string): Sample | undefined {
    return this.mapOf(name)?.get(name);
  }

  set(name: string, value: Sample): void {
    this.mapOf(name)?.set(name, value);
  }

  unset(name: string): void {
    this.mapOf(name)?.delete(name);
  }
}
