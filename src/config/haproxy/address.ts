// Socket addresses as HAProxy 2.6 reads them for `bind`, `server`, `log` and `stats socket`:
// `*:9443`, `:::9443`, `[::]:9443`, `ipv4@`/`ipv6@`/`unix@`/`fd@` prefixes, absolute unix
// paths, port ranges. No DNS: host names are accepted as written (resolved at start).

import type { BindAddress } from './model.js';
import type { Env } from './tokenizer.js';

export type AddrResult<T> = { ok: true; value: T } | { ok: false; message: string };

const PREFIXES = new Set([
  'ipv4',
  'ipv6',
  'unix',
  'abns',
  'fd',
  'sockpair',
  'tcp',
  'tcp4',
  'tcp6',
  'udp',
  'udp4',
  'udp6',
  'quic4',
  'quic6',
  'uxst',
  'uxdg',
]);

/**
 * HAProxy's env_expand(), which str2sa_range() applies to every address it reads: `$VAR`
 * and `${VAR}` are replaced wherever they appear, quoted or not (the tokenizer expands
 * only inside double quotes). An unset variable is empty; there is no `${VAR-default}`
 * form here, so `-default}` stays in the text as HAProxy leaves it.
 */
export function envExpand(text: string, env: Env): string {
  if (!text.includes('$')) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    let start = dollar + 1;
    const brace = text[start] === '{';
    if (brace) start++;
    let end = start;
    while (end < text.length && /[A-Za-z0-9_]/.test(text[end] as string)) end++;
    const name = text.slice(start, end);
    out += (Object.hasOwn(env, name) ? env[name] : undefined) ?? '';
    i = brace && text[end] === '}' ? end + 1 : end;
  }
  return out;
}

export function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^[0-9]{1,3}$/.test(p) && Number(p) <= 255);
}

export function isIPv6(s: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(s) || !s.includes(':')) return false;
  const dbl = s.split('::');
  if (dbl.length > 2) return false;
  const groups = (x: string) => (x === '' ? [] : x.split(':'));
  const all = [...groups(dbl[0] as string), ...groups(dbl[1] ?? '')];
  let count = 0;
  for (const [i, g] of all.entries()) {
    if (g.includes('.')) {
      if (i !== all.length - 1 || !isIPv4(g)) return false;
      count += 2;
    } else if (/^[0-9A-Fa-f]{1,4}$/.test(g)) count++;
    else return false;
  }
  return dbl.length === 2 ? count < 8 : count === 8;
}

/** A DNS name: letters somewhere (so `999.1.1.1` is not taken as a name). */
export function isHostName(s: string): boolean {
  return /^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$/.test(s) && /[A-Za-z_]/.test(s);
}

interface Split {
  prefix?: string;
  rest: string;
}

function splitPrefix(spec: string, written: string): AddrResult<Split> {
  const at = spec.indexOf('@');
  if (at < 0) return { ok: true, value: { rest: spec } };
  const prefix = spec.slice(0, at);
  if (!PREFIXES.has(prefix)) {
    return { ok: false, message: `invalid address: '${spec.slice(0, at + 1)}' in '${written}'` };
  }
  return { ok: true, value: { prefix, rest: spec.slice(at + 1) } };
}

function splitHostPort(rest: string): { host: string; port?: string } {
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close > 0) {
      const after = rest.slice(close + 1);
      const host = rest.slice(1, close);
      return after.startsWith(':') ? { host, port: after.slice(1) } : { host };
    }
  }
  const colon = rest.lastIndexOf(':');
  if (colon < 0) return { host: rest };
  return { host: rest.slice(0, colon), port: rest.slice(colon + 1) };
}

function checkHost(
  host: string,
  prefix: string | undefined,
  written: string,
  loose = false,
): AddrResult<{ host: string; family: 4 | 6 | 'any' }> {
  const want = prefix?.endsWith('6') ? 6 : prefix?.endsWith('4') ? 4 : undefined;
  const bad = { ok: false as const, message: `invalid address: '${host}' in '${written}'` };
  if (host === '' || host === '*') {
    return { ok: true, value: { host: want === 6 ? '::' : '0.0.0.0', family: want ?? 'any' } };
  }
  if (isIPv4(host)) return want === 6 ? bad : { ok: true, value: { host, family: 4 } };
  if (isIPv6(host)) return want === 4 ? bad : { ok: true, value: { host, family: 6 } };
  if (isHostName(host)) return { ok: true, value: { host, family: want ?? 'any' } };
  // Server addresses go to the resolver at start-up, so `haproxy -c` accepts any name-like text.
  if (loose && /^[A-Za-z0-9_.-]+$/.test(host))
    return { ok: true, value: { host, family: want ?? 'any' } };
  return bad;
}

/** One address of a `bind` line (comma lists are split by the caller). */
export function parseBindAddress(
  written: string,
  kw = 'bind',
  env: Env = {},
): AddrResult<BindAddress> {
  // Messages quote the address as written, before expansion, as HAProxy does.
  const spec = envExpand(written, env);
  const sp = splitPrefix(spec, written);
  if (!sp.ok) return { ok: false, message: `'${kw}' : ${sp.message}` };
  const { prefix, rest } = sp.value;
  if (prefix === 'fd' || prefix === 'sockpair') {
    if (!/^[0-9]+$/.test(rest)) {
      return {
        ok: false,
        message: `'${kw}' : invalid ${prefix} address '${rest}' in '${written}'`,
      };
    }
    return { ok: true, value: { kind: 'fd', fd: Number(rest) } };
  }
  if (prefix === 'unix' || prefix === 'abns' || prefix === 'uxst' || prefix === 'uxdg') {
    if (rest === '')
      return { ok: false, message: `'${kw}' : invalid empty unix path in '${written}'` };
    return { ok: true, value: { kind: 'unix', path: rest } };
  }
  if (prefix === undefined && rest.startsWith('/'))
    return { ok: true, value: { kind: 'unix', path: rest } };
  const { host, port } = splitHostPort(rest);
  const h = checkHost(host, prefix, written);
  if (!h.ok) return { ok: false, message: `'${kw}' : ${h.message}` };
  if (port === undefined || port === '') {
    return { ok: false, message: `'${kw}' : missing port specification in '${written}'` };
  }
  const m = /^([0-9]+)(?:-([0-9]+))?$/.exec(port);
  if (!m) {
    const bad = [...port].find((c) => !/[0-9-]/.test(c)) ?? '-';
    return {
      ok: false,
      message: `'${kw}' : invalid character '${bad}' in port number '${port}' in '${written}'`,
    };
  }
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? undefined : Number(m[2]);
  if (hi !== undefined) {
    if (lo > 65535 || hi > 65535) {
      return { ok: false, message: `'${kw}' : invalid port '${lo > 65535 ? lo : hi}'` };
    }
    if (lo < 1 || hi < 1 || hi < lo) {
      return { ok: false, message: `'${kw}' : invalid port range '${port}'` };
    }
    return {
      ok: true,
      value: { kind: 'inet', family: h.value.family, host: h.value.host, port: lo, portEnd: hi },
    };
  }
  if (lo < 1 || lo > 65535) return { ok: false, message: `'${kw}' : invalid port '${port}'` };
  return {
    ok: true,
    value: { kind: 'inet', family: h.value.family, host: h.value.host, port: lo },
  };
}

export interface ServerAddress {
  readonly host: string;
  readonly port?: number;
  /** `+N`/`-N`: the port is the client's destination port plus this offset. */
  readonly portOffset?: number;
  readonly unixPath?: string;
}

/** A `server` address: `host[:port]`, `host:+N`, `unix@path`, `/path`. */
export function parseServerAddress(
  written: string,
  where: string,
  env: Env = {},
): AddrResult<ServerAddress> {
  const spec = envExpand(written, env);
  const sp = splitPrefix(spec, written);
  if (!sp.ok) return { ok: false, message: `${where} : ${sp.message}` };
  const { prefix, rest } = sp.value;
  if (prefix === 'unix' || prefix === 'abns' || (prefix === undefined && rest.startsWith('/'))) {
    return { ok: true, value: { host: rest, unixPath: rest } };
  }
  const { host, port } = splitHostPort(rest);
  const h = checkHost(host, prefix, written);
  // HAProxy resolves server addresses while checking; what cannot be an address fails there.
  if (!h.ok) return { ok: false, message: `${where} : could not resolve address '${host}'.` };
  if (port === undefined || port === '') return { ok: true, value: { host: h.value.host } };
  if (/^[0-9]+-[0-9]+$/.test(port)) {
    return { ok: false, message: `${where} : port range not permitted here in '${written}'` };
  }
  const m = /^([+-]?)([0-9]+)$/.exec(port);
  if (!m) {
    const bad = [...port].find((c) => !/[0-9+-]/.test(c)) ?? '-';
    return {
      ok: false,
      message: `${where} : invalid character '${bad}' in port number '${port}' in '${written}'`,
    };
  }
  const n = Number(m[2]);
  if (n > 65535) return { ok: false, message: `${where} : invalid port '${port}'` };
  if (m[1] !== '') {
    return { ok: true, value: { host: h.value.host, portOffset: m[1] === '-' ? -n : n } };
  }
  return { ok: true, value: { host: h.value.host, port: n } };
}
