// Options of `bind` lines after the address list (ssl crt, name, accept-proxy, v4v6...).

/** Option name -> whether it takes a value. Flags map to `true` in the model. */
export const BIND_OPTIONS: Readonly<Record<string, boolean>> = {
  ssl: false,
  crt: true,
  'crt-list': true,
  'ca-file': true,
  'crl-file': true,
  alpn: true,
  npn: true,
  name: true,
  id: true,
  'accept-proxy': false,
  'accept-netscaler-cip': true,
  v4v6: false,
  v6only: false,
  transparent: false,
  interface: true,
  namespace: true,
  'defer-accept': false,
  tfo: false,
  maxconn: true,
  backlog: true,
  mode: true,
  user: true,
  group: true,
  uid: true,
  gid: true,
  level: true,
  'severity-output': true,
  process: true,
  thread: true,
  nice: true,
  mss: true,
  'tcp-ut': true,
  'expose-fd': true,
  ciphers: true,
  ciphersuites: true,
  curves: true,
  ecdhe: true,
  verify: true,
  'no-sslv3': false,
  'no-tlsv10': false,
  'no-tlsv11': false,
  'no-tlsv12': false,
  'no-tlsv13': false,
  'ssl-min-ver': true,
  'ssl-max-ver': true,
  'strict-sni': false,
  'allow-0rtt': false,
  'generate-certificates': false,
  'prefer-client-ciphers': false,
  'no-ca-names': false,
  'ca-sign-file': true,
  'ca-sign-pass': true,
  'crt-ignore-err': true,
  'ca-ignore-err': true,
  'force-tlsv12': false,
  'force-tlsv13': false,
  'no-tls-tickets': false,
  'tls-tickets': false,
  'quic-force-retry': false,
  proto: true,
  shards: true,
  sigalgs: true,
  'client-sigalgs': true,
  'ca-verify-file': true,
  'no-alpn': false,
};

const REPEATABLE = new Set(['crt', 'crt-list']);

export const BIND_OPTION_NAMES: readonly string[] = Object.keys(BIND_OPTIONS);

/**
 * Parses options from word `from` of a bind line. Returns the options or the message part
 * after HAProxy's `'bind ADDR' in section 'frontend'` prefix.
 */
export function parseBindOptions(
  words: string[],
  from: number,
  unknown: (kw: string) => string,
): { ok: true; options: Record<string, string | true> } | { ok: false; message: string } {
  const options: Record<string, string | true> = {};
  for (let i = from; i < words.length; i++) {
    const kw = words[i] as string;
    const takes = BIND_OPTIONS[kw];
    if (takes === undefined) return { ok: false, message: unknown(kw) };
    if (takes) {
      const v = words[i + 1];
      if (v === undefined || v === '')
        return { ok: false, message: ` : '${kw}' : missing ${kw === 'name' ? 'name' : 'value'}` };
      // `crt` and `crt-list` may repeat (each loads more certificates): kept in order,
      // one per line, which no word of a config line can hold.
      const prev = options[kw];
      options[kw] = REPEATABLE.has(kw) && typeof prev === 'string' ? `${prev}\n${v}` : v;
      i++;
    } else {
      options[kw] = true;
    }
  }
  return { ok: true, options };
}
