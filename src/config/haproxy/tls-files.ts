// The files TLS lines name, read at start-up as HAProxy 2.6 reads them: `crt FILE|DIR`
// (certificate, chain and key in one PEM, else the key in FILE.key; a directory loads
// every file in name order), `crt-list FILE`, and `ca-file` on binds and servers. A file
// that is missing or holds no certificate or key is an error with the bind's line, worded
// as HAProxy's, so `halo check` fails where `haproxy -c` does. What a bind's TLS options
// say (versions, ciphers, verify, alpn) is collected here into Bind.tls for the runtime.

import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join } from 'node:path';
import type { Diagnostics } from '../diagnostics.js';
import type { GlobalDraft, ProxyDraft } from './draft.js';
import { refuseUnapplied } from './keywords/not-applied.js';
import type { Bind, BindTls, TlsCertificate, TlsVersion } from './model.js';
import type { ParsedConfig } from './parser.js';

const CERT_RE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const KEY_RE =
  /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----[\s\S]+?-----END (?:[A-Z]+ )?PRIVATE KEY-----/;
/** Files of a `crt DIR` HAProxy does not load as certificates (they sit beside them). */
const SIDE_FILES = /\.(key|ocsp|issuer|sctl)$/;

/** Debian's OpenSSL default certificate file (X509_get_default_cert_file, via /usr/lib/ssl). */
const SYSTEM_CA_FILE = '/etc/ssl/certs/ca-certificates.crt';

const VERSIONS: Readonly<Record<string, TlsVersion | 'SSLv3'>> = {
  SSLv3: 'SSLv3',
  'TLSv1.0': 'TLSv1',
  'TLSv1.1': 'TLSv1.1',
  'TLSv1.2': 'TLSv1.2',
  'TLSv1.3': 'TLSv1.3',
};
const ORDER: readonly TlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const NO_FLAGS: Readonly<Record<string, TlsVersion>> = {
  'no-tlsv10': 'TLSv1',
  'no-tlsv11': 'TLSv1.1',
  'no-tlsv12': 'TLSv1.2',
  'no-tlsv13': 'TLSv1.3',
};

type Fail = (message: string) => void;

function readText(path: string): string | { error: string } {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    return { error: errText(err) };
  }
}

function errText(err: unknown): string {
  const code = (err as { code?: string }).code;
  if (code === 'ENOENT') return 'No such file or directory';
  if (code === 'EACCES') return 'Permission denied';
  return (err as Error).message;
}

/** CN and DNS subjectAltNames, lowercase: what SNI picks a certificate by. */
export function certificateNames(pem: string): string[] {
  const names = new Set<string>();
  try {
    const x = new X509Certificate(pem);
    for (const part of (x.subjectAltName ?? '').split(', ')) {
      if (part.startsWith('DNS:')) names.add(part.slice(4).toLowerCase());
    }
    const cn = /(?:^|\n)CN=([^\n]+)/.exec(x.subject)?.[1];
    if (cn) names.add(cn.toLowerCase());
  } catch {
    // An unreadable certificate is reported by the caller; it has no names.
  }
  return [...names];
}

function keyMatches(cert: string, key: string): boolean {
  try {
    return new X509Certificate(cert).checkPrivateKey(createPrivateKey(key));
  } catch {
    return false;
  }
}

/** Whether OpenSSL takes a cipher list (TLS <= 1.2) or TLS 1.3 suite list as written. */
function ciphersValid(list: string, suites: boolean): boolean {
  const tls = createRequire(import.meta.url)('node:tls') as typeof import('node:tls');
  try {
    // A list of suites only: Node sends TLS_* names to the 1.3 setting, the rest to the other.
    tls.createSecureContext({ ciphers: suites ? list : `${list}:TLS_AES_128_GCM_SHA256` });
    return !suites || list.split(':').every((c) => c.startsWith('TLS_'));
  } catch {
    return false;
  }
}

/** One PEM file of `crt`: certificate (+chain) and key, else the key in FILE.key. */
function loadCertFile(file: string, fail: Fail, filters?: string[]): TlsCertificate | undefined {
  const text = readText(file);
  if (typeof text !== 'string') {
    fail(`unable to stat SSL certificate from file '${file}' : ${text.error}.`);
    return undefined;
  }
  const certs = text.match(CERT_RE);
  if (!certs) {
    fail(`unable to load certificate from file '${file}'.`);
    return undefined;
  }
  let key = KEY_RE.exec(text)?.[0];
  if (!key) {
    const side = readText(`${file}.key`);
    key = typeof side === 'string' ? KEY_RE.exec(side)?.[0] : undefined;
    if (!key) {
      fail(`No Private Key found in '${file}.key'.`);
      return undefined;
    }
  }
  if (!keyMatches(certs[0] as string, key)) {
    fail(`inconsistencies between private key and certificate loaded '${file}'.`);
    return undefined;
  }
  const own = certificateNames(certs[0] as string);
  const plus = filters?.filter((f) => !f.startsWith('!')).map((f) => f.toLowerCase()) ?? [];
  const minus = new Set(filters?.filter((f) => f.startsWith('!')).map((f) => f.slice(1)));
  const names = (plus.length > 0 ? plus : own).filter((n) => !minus.has(n));
  return { file, cert: certs.join('\n'), key, names };
}

/** `crt FILE|DIR`. */
function loadCrt(path: string, fail: Fail, out: TlsCertificate[]): void {
  let dir = false;
  try {
    dir = statSync(path).isDirectory();
  } catch {
    // loadCertFile reports the missing file in HAProxy's words.
  }
  if (!dir) {
    const c = loadCertFile(path, fail);
    if (c) out.push(c);
    return;
  }
  for (const name of readdirSync(path).sort()) {
    if (name.startsWith('.') || SIDE_FILES.test(name)) continue;
    const c = loadCertFile(join(path, name), fail);
    if (c) out.push(c);
  }
}

/** `crt-list FILE`: `certfile [[ssl options]] [sni filters]` per line, `#` comments. */
function loadCrtList(ctx: BindCtx, list: string, out: TlsCertificate[]): void {
  const text = readText(list);
  if (typeof text !== 'string') {
    ctx.fail(`failed to open crt-list '${list}' : ${text.error}.`);
    return;
  }
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const m = /^(\S+)\s*(?:\[([^\]]*)\])?\s*(.*)$/.exec(line);
    if (!m) return;
    const file = m[1] as string;
    if (m[2]?.trim()) {
      refuseUnapplied(
        ctx.diags,
        ctx.bind.pos,
        `the ssl options '[${m[2].trim()}]' of line ${i + 1} of crt-list '${list}'`,
        "halo does not apply per-certificate options yet, so that certificate would be served with the bind line's settings instead (a verify or a version floor would be lost)",
      );
    }
    const filters = (m[3] ?? '').split(/\s+/).filter((f) => f !== '');
    const c = loadCertFile(under(ctx.crtBase, file), ctx.fail, filters);
    if (c) out.push(c);
  });
}

interface BindCtx {
  readonly bind: Bind;
  readonly crtBase: string | undefined;
  readonly diags: Diagnostics;
  readonly fail: Fail;
}

/** ssl-min-ver/ssl-max-ver and no-tlsvXX into the range Node is given. */
function versionRange(o: Bind['options'], fail: Fail): { min?: TlsVersion; max?: TlsVersion } {
  const pick = (kw: string): TlsVersion | undefined => {
    const v = o[kw];
    if (typeof v !== 'string') return undefined;
    const t = VERSIONS[v];
    if (!t) {
      fail(`'${kw}' : unknown ssl/tls version '${v}'.`);
      return undefined;
    }
    // Node's OpenSSL has no SSLv3: a floor of SSLv3 is TLSv1, the lowest it speaks.
    return t === 'SSLv3' ? 'TLSv1' : t;
  };
  let min = pick('ssl-min-ver');
  let max = pick('ssl-max-ver');
  const off = ORDER.filter((v) => Object.entries(NO_FLAGS).some(([f, t]) => t === v && o[f]));
  if (off.length > 0) {
    // HAProxy keeps the longest run of versions left; the lowest run at the edges will do.
    const on = ORDER.filter((v) => !off.includes(v));
    if (on.length > 0) {
      min ??= on[0];
      max ??= on[on.length - 1];
    }
  }
  return { ...(min ? { min } : {}), ...(max ? { max } : {}) };
}

function bindTls(
  px: ProxyDraft,
  bind: Bind,
  diags: Diagnostics,
  defaults: BindDefaults,
  bases: Bases,
): void {
  const o = { ...defaults.options, ...bind.options };
  const section = px.kind === 'listen' ? 'listen' : px.kind;
  const fail: Fail = (message) =>
    diags.error(
      bind.pos,
      'HAP_SSL_FILE',
      `'bind ${bind.spec}' in section '${section}' : ${message}`,
      'haproxy',
    );
  const ctx: BindCtx = { bind, diags, fail, crtBase: bases.crt };
  const certs: TlsCertificate[] = [];
  // Several `crt`/`crt-list` are one per line (bind-options.ts), loaded in line order.
  for (const kw of ['crt', 'crt-list'] as const) {
    const v = o[kw];
    if (typeof v !== 'string') continue;
    for (const path of v.split('\n')) {
      if (kw === 'crt') loadCrt(under(bases.crt, path), fail, certs);
      else loadCrtList(ctx, under(bases.crt, path), certs);
    }
  }
  let ca: string | undefined;
  if (typeof o['ca-file'] === 'string') {
    const text = readText(under(bases.ca, o['ca-file']));
    if (typeof text === 'string' && CERT_RE.test(text)) ca = text;
    else fail(`'ca-file' : unable to load ${o['ca-file']}`);
    CERT_RE.lastIndex = 0;
  }
  const verify = (o.verify as BindTls['verify'] | undefined) ?? 'none';
  if (!['none', 'optional', 'required'].includes(verify)) {
    fail(
      `'verify' : unknown verify method '${verify}', only 'none', 'optional', and 'required' are supported`,
    );
  }
  const { min, max } = versionRange(o, fail);
  const alpn = typeof o.alpn === 'string' ? alpnList(o.alpn, bind, diags) : undefined;
  const cipherList = o.ciphers ?? defaults.ciphers;
  const suites = o.ciphersuites ?? defaults.ciphersuites;
  const px2 = `Proxy '${px.name}'`;
  const at = `for bind '${bind.spec}' at [${bind.pos.file}:${bind.pos.line}].`;
  if (typeof cipherList === 'string' && !ciphersValid(cipherList, false))
    diags.error(
      bind.pos,
      'HAP_SSL_CIPHERS',
      `${px2}: unable to set SSL cipher list to '${cipherList}' ${at}`,
      'haproxy',
    );
  if (typeof suites === 'string' && !ciphersValid(suites, true))
    diags.error(
      bind.pos,
      'HAP_SSL_CIPHERS',
      `${px2}: unable to set TLS 1.3 cipher suites to '${suites}' ${at}`,
      'haproxy',
    );
  bind.tls = {
    certs,
    verify,
    ...(ca !== undefined ? { ca } : {}),
    ...(alpn ? { alpn } : {}),
    ...(min ? { minVersion: min } : {}),
    ...(max ? { maxVersion: max } : {}),
    ...(typeof cipherList === 'string' ? { ciphers: cipherList } : {}),
    ...(typeof suites === 'string' ? { ciphersuites: suites } : {}),
  };
}

/** `alpn`: HTTP/2 is out of halo's scope, so `h2` is not offered (clients fall back). */
function alpnList(value: string, bind: Bind, diags: Diagnostics): string[] {
  const all = value.split(',').filter((p) => p !== '');
  const kept = all.filter((p) => p !== 'h2');
  if (kept.length < all.length) {
    diags.warning(
      bind.pos,
      'HALO_NO_H2',
      `halo does not speak HTTP/2: 'alpn ${value}' offers ${kept.length > 0 ? kept.join(',') : 'nothing'} instead, so clients that would pick h2 use HTTP/1.1`,
      'halo',
      "HAProxy negotiates h2 here; under halo clients get HTTP/1.1. Write 'alpn http/1.1' to silence this.",
    );
  }
  return kept;
}

/** Global `ssl-default-bind-*` lines, as Bind options every `ssl` bind starts from. */
export interface BindDefaults {
  readonly options: Bind['options'];
  readonly ciphers?: string;
  readonly ciphersuites?: string;
}

function serverCa(px: ProxyDraft, diags: Diagnostics, bases: Bases, g: GlobalDraft): void {
  for (const s of px.servers) {
    if (g.sslServerVerify) s.verifyDefault = g.sslServerVerify;
    if (s.caFile === undefined) continue;
    // `@system-ca`: OpenSSL's default CA file, as HAProxy loads it (Node's own list is
    // Mozilla's, not the system's).
    const path = s.caFile === '@system-ca' ? SYSTEM_CA_FILE : under(bases.ca, s.caFile);
    const text = readText(path);
    if (typeof text === 'string' && CERT_RE.test(text)) s.caPem = text;
    else {
      const why = typeof text === 'string' ? 'no certificate found' : text.error;
      diags.error(
        s.pos,
        'HAP_SSL_FILE',
        `'server ${px.name}/${s.name}' : Couldn't open the ca-file '${s.caFile}' (${why}).`,
        'haproxy',
      );
    }
    CERT_RE.lastIndex = 0;
  }
}

/** Loads every TLS file of the config into its bind or server; errors name the line. */
export function loadTlsFiles(parsed: ParsedConfig, diags: Diagnostics): void {
  const g = parsed.global;
  const defaults = g.sslDefaultBind ?? { options: {} };
  const bases: Bases = { crt: g.crtBase, ca: g.caBase };
  for (const px of parsed.proxies) {
    for (const b of px.binds) if (b.options.ssl) bindTls(px, b, diags, defaults, bases);
    if (px.kind !== 'frontend') serverCa(px, diags, bases, g);
  }
}

interface Bases {
  readonly crt: GlobalDraft['crtBase'];
  readonly ca: GlobalDraft['caBase'];
}

/** A relative name under `crt-base`/`ca-base`, as HAProxy joins them. */
function under(base: string | undefined, path: string): string {
  return base === undefined || isAbsolute(path) ? path : join(base, path);
}
