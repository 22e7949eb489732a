// Options of `server` and `default-server` lines (check, inter, rise, fall, weight, ssl...).
// Like HAProxy, the first bad option stops the line: one error per server line.

import { isHostName, isIPv4, isIPv6, parseServerAddress } from '../address.js';
import type { DefaultServer, LineCtx } from '../draft.js';
import { parseTime } from '../units.js';

export type ServerOpts = DefaultServer;

/** Returns an error message (without the `'server px/name' : ` prefix) or undefined. */
type OptParse = (s: ServerOpts, v: string, kw: string) => string | undefined;

const positive =
  (field: 'rise' | 'fall'): OptParse =>
  (s, v, kw) => {
    if (!v) return `'${kw}' expects an integer argument.`;
    const n = Number.parseInt(v, 10) || 0;
    if (n <= 0) return `'${kw}' has to be > 0.`;
    s[field] = n;
    return undefined;
  };

const delay =
  (field: 'inter' | 'fastinter' | 'downinter', name: string): OptParse =>
  (s, v, kw) => {
    if (!v) return `'${kw}' expects a delay as argument.`;
    const r = parseTime(v);
    if (!r.ok && r.reason === 'char')
      return `unexpected character '${r.char}' in 'agent-inter' argument of server ${name}.`;
    if (!r.ok) return `timer ${r.reason} in argument '${v}' to '${kw}' of server ${name}.`;
    if (r.value === 0) return `server ${name} has an invalid ${kw} value '${v}'.`;
    s[field] = r.value;
    return undefined;
  };

const intOpt =
  (field: 'maxconn' | 'maxqueue'): OptParse =>
  (s, v, kw) => {
    if (!v) return `'${kw}' expects an integer argument.`;
    s[field] = Number.parseInt(v, 10) || 0;
    return undefined;
  };

const oneOf =
  <K extends keyof ServerOpts>(
    field: K,
    allowed: readonly string[],
    msg: (v: string) => string,
  ): OptParse =>
  (s, v) => {
    if (!allowed.includes(v)) return msg(v);
    (s as Record<string, unknown>)[field] = v;
    return undefined;
  };

const flag = (
  apply: (s: ServerOpts) => void,
): { takesValue: false; parse: (s: ServerOpts) => undefined } => ({
  takesValue: false,
  parse: (s) => {
    apply(s);
    return undefined;
  },
});

type Entry =
  | { takesValue: true; parse: OptParse }
  | { takesValue: false; parse: (s: ServerOpts) => undefined };

const valued = (parse: OptParse): Entry => ({ takesValue: true, parse });

/** Server options halo models, keyed by name. `name` is the server's name for messages. */
export function serverOptionTable(name: string): Record<string, Entry> {
  return {
    // Kept for the start-up name resolution (resolve-names.ts): `none` or an IP lets a
    // server whose name does not resolve start disabled instead of failing the config.
    'init-addr': valued((s, v) => {
      s.initAddr = v;
      return undefined;
    }),
    check: flag((s) => {
      s.check = true;
    }),
    'no-check': flag((s) => {
      s.check = false;
    }),
    inter: valued(delay('inter', name)),
    fastinter: valued(delay('fastinter', name)),
    downinter: valued(delay('downinter', name)),
    rise: valued(positive('rise')),
    fall: valued(positive('fall')),
    weight: valued((s, v) => {
      const n = Number.parseInt(v, 10) || 0;
      if (n < 0 || n > 256) return `weight of server ${name} is not within 0 and 256 (${n}).`;
      s.weight = n;
      return undefined;
    }),
    maxconn: valued(intOpt('maxconn')),
    maxqueue: valued(intOpt('maxqueue')),
    backup: flag((s) => {
      s.backup = true;
    }),
    'no-backup': flag((s) => {
      s.backup = false;
    }),
    disabled: flag((s) => {
      s.disabled = true;
    }),
    enabled: flag((s) => {
      s.disabled = false;
    }),
    port: valued((s, v, kw) => {
      if (!v) return `'${kw}' expects a port number as argument.`;
      s.checkPort = Number.parseInt(v, 10) || 0;
      return undefined;
    }),
    // `addr HOST[:PORT]`: the checks go there; a port counts unless `port` names one (as
    // HAProxy 2.6 does, seen by capture).
    addr: valued((s, v) => {
      if (isIPv4(v) || isIPv6(v) || isHostName(v)) {
        s.checkAddr = v;
        return undefined;
      }
      const a = parseServerAddress(v, "'addr'");
      if (!a.ok || a.value.unixPath !== undefined || a.value.portOffset !== undefined)
        return `'addr' : invalid address: '${v}' in '${v}'`;
      s.checkAddr = a.value.host;
      if (a.value.port !== undefined) s.checkAddrPort = a.value.port;
      return undefined;
    }),
    ssl: flag((s) => {
      s.ssl = true;
    }),
    'no-ssl': flag((s) => {
      s.ssl = false;
    }),
    'check-ssl': flag((s) => {
      s.checkSsl = true;
    }),
    'no-check-ssl': flag((s) => {
      s.checkSsl = false;
    }),
    verify: valued(
      oneOf(
        'verify',
        ['none', 'required'],
        (v) => `'verify' : unknown verify method '${v}', only 'none' and 'required' are supported`,
      ),
    ),
    'ca-file': valued((s, v, kw) => {
      if (!v) return `'${kw}' expects an argument.`;
      s.caFile = v;
      return undefined;
    }),
    alpn: valued((s, v, kw) => {
      if (!v) return `'${kw}' : missing value`;
      s.alpn = v;
      return undefined;
    }),
    sni: valued((s, v, kw) => {
      if (!v) return `'${kw}' : missing sni expression`;
      s.sni = v;
      return undefined;
    }),
    observe: valued((s, v) => {
      if (!['none', 'layer4', 'layer7'].includes(v)) {
        return `'observe' expects one of 'none', 'layer4', 'layer7' but got '${v}'`;
      }
      if (v === 'none') delete s.observe;
      else s.observe = v as 'layer4' | 'layer7';
      return undefined;
    }),
    'error-limit': valued((s, v, kw) => {
      if (!v) return `'${kw}' expects an integer argument.`;
      const n = Number.parseInt(v, 10) || 0;
      if (n <= 0) return 'error-limit has to be > 0.';
      s.errorLimit = n;
      return undefined;
    }),
    'on-error': valued(
      oneOf(
        'onError',
        ['fastinter', 'fail-check', 'sudden-death', 'mark-down'],
        (v) =>
          `'on-error' expects one of 'fastinter', 'fail-check', 'sudden-death' or 'mark-down' but got '${v}'`,
      ),
    ),
    'on-marked-down': valued(
      oneOf(
        'onMarkedDown',
        ['shutdown-sessions'],
        (v) => `'on-marked-down' expects 'shutdown-sessions' but got '${v}'`,
      ),
    ),
    'on-marked-up': valued(
      oneOf(
        'onMarkedUp',
        ['shutdown-backup-sessions'],
        (v) => `'on-marked-up' expects 'shutdown-backup-sessions' but got '${v}'`,
      ),
    ),
    'send-proxy': flag((s) => {
      s.sendProxy = 'v1';
    }),
    'send-proxy-v2': flag((s) => {
      s.sendProxy = 'v2';
    }),
    'no-send-proxy': flag((s) => {
      delete s.sendProxy;
    }),
    'no-send-proxy-v2': flag((s) => {
      delete s.sendProxy;
    }),
    'check-send-proxy': flag((s) => {
      s.checkSendProxy = true;
    }),
  };
}

/** Accepted, not modelled. The boolean says whether the option takes a value. */
export const OTHER_SERVER_OPTIONS: Readonly<Record<string, boolean>> = {
  id: true,
  cookie: true,
  slowstart: true,
  resolvers: true,
  'resolve-prefer': true,
  'resolve-opts': true,
  'resolve-net': true,
  'agent-check': false,
  'agent-port': true,
  'agent-inter': true,
  'agent-addr': true,
  'agent-send': true,
  'check-alpn': true,
  proto: true,
  'check-proto': true,
  track: true,
  source: true,
  tfo: false,
  'pool-max-conn': true,
  'pool-purge-delay': true,
  'pool-low-conn': true,
  'max-reuse': true,
  namespace: true,
  ws: true,
  'ssl-min-ver': true,
  'ssl-max-ver': true,
  'no-sslv3': false,
  'no-tlsv10': false,
  'no-tlsv11': false,
  'no-tlsv12': false,
  'no-tlsv13': false,
  'force-tlsv12': false,
  ciphers: true,
  ciphersuites: true,
  crt: true,
  'crl-file': true,
  verifyhost: true,
  'check-sni': true,
  'send-proxy-v2-ssl': false,
  'send-proxy-v2-ssl-cn': false,
  'proxy-v2-options': true,
  'check-via-socks4': false,
  socks4: true,
  'non-stick': false,
  stick: false,
  redir: true,
  minconn: true,
  'allow-0rtt': false,
  'no-tls-tickets': false,
  'tls-tickets': false,
  npn: true,
  'log-proto': true,
  'tcp-ut': true,
  'agent-disabled': false,
  'no-agent-check': false,
  'disable-on-404': false,
  shard: true,
  'set-proxy-v2-tlv-fmt': true,
  curves: true,
  sigalgs: true,
  'client-sigalgs': true,
};

export const SERVER_OPTION_NAMES: readonly string[] = [
  ...Object.keys(serverOptionTable('')),
  ...Object.keys(OTHER_SERVER_OPTIONS),
];

/** Applies options from word `from`; returns the first error message or undefined. */
export function applyServerOptions(
  s: ServerOpts,
  words: string[],
  from: number,
  name: string,
  unknown: (kw: string) => string,
): string | undefined {
  const t = serverOptionTable(name);
  for (let i = from; i < words.length; i++) {
    const kw = words[i] as string;
    const e = t[kw];
    if (e) {
      const err = e.takesValue ? e.parse(s, words[i + 1] ?? '', kw) : e.parse(s);
      if (err) return err;
      if (e.takesValue) i++;
      continue;
    }
    const other = OTHER_SERVER_OPTIONS[kw];
    if (other === undefined) return unknown(kw);
    if (other) {
      if (words[i + 1] === undefined) return `'${kw}' expects an argument.`;
      i++;
    }
  }
  return undefined;
}

/** The option names of a server line from word `from`, skipping values (a valid line). */
export function serverOptionWords(words: string[], from: number): string[] {
  const t = serverOptionTable('');
  const names: string[] = [];
  for (let i = from; i < words.length; i++) {
    const kw = words[i] as string;
    names.push(kw);
    if (t[kw]?.takesValue || OTHER_SERVER_OPTIONS[kw] === true) i++;
  }
  return names;
}

/** `maxconn`/`maxqueue` on a server line: HAProxy takes `lots` (0) and `-5` silently. */
export function warnServerLimits(ctx: LineCtx, name: string): void {
  for (let i = 3; i < ctx.words.length - 1; i++) {
    const kw = ctx.words[i] as string;
    if (kw !== 'maxconn' && kw !== 'maxqueue') continue;
    const text = ctx.words[++i] as string;
    const v = Number.parseInt(text, 10) || 0;
    if (/^\+?[0-9]+$/.test(text)) continue;
    ctx.diags.warning(
      ctx.pos,
      'HALO_SERVER_LIMIT',
      `server '${name}' has ${kw} '${text}', which HAProxy accepts without a word and reads as ${v <= 0 ? 'no limit' : v}`,
      'halo',
      `Use 0 for no limit, or the number of ${kw === 'maxconn' ? 'concurrent connections the server takes' : 'connections that may wait for this server'}.`,
    );
  }
}
