// halo's own findings: configurations HAProxy accepts silently but that break the
// Kubernetes control-plane use case (the article's tcp frontend / http backend trap...).

import type { Diagnostics, SourcePos } from '../diagnostics.js';
import type { ProxyDraft } from './draft.js';
import type { HaproxyConfig, Proxy as ProxyModel } from './model.js';

const where = (p: SourcePos) => `${p.file}:${p.line}`;
const HOUR = 3_600_000;

const WEAK_PASSWORDS = new Set([
  'admin',
  'admin123',
  'password',
  'passw0rd',
  '123456',
  '12345678',
  '123456789',
  'haproxy',
  'changeme',
  'secret',
  'root',
  'test',
  'qwerty',
  'letmein',
  'stats',
  'default',
]);

function fmtMs(ms: number): string {
  if (ms % HOUR === 0) return `${ms / HOUR}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** Enabled proxies with backend sides by name (the first of a name), and drafts by position. */
interface Index {
  backends: Map<string, ProxyModel>;
  drafts: Map<ProxyDraft['pos'], ProxyDraft>;
}

function backendsOf(p: ProxyModel, index: Index): ProxyModel[] {
  const names = [p.defaultBackend?.name, ...p.useBackends.map((u) => u.backend)].filter(
    (n): n is string => n !== undefined,
  );
  const out = new Set<ProxyModel>();
  for (const n of names) {
    const b = index.backends.get(n);
    if (b && b !== p) out.add(b);
  }
  return [...out];
}

export function haloChecks(cfg: HaproxyConfig, drafts: ProxyDraft[], diags: Diagnostics): void {
  const all = cfg.proxies.filter((p) => !p.disabled);
  const index: Index = { backends: new Map(), drafts: new Map() };
  for (const p of all)
    if ((p.kind === 'backend' || p.kind === 'listen') && !index.backends.has(p.name))
      index.backends.set(p.name, p);
  for (const d of drafts) if (!index.drafts.has(d.pos)) index.drafts.set(d.pos, d);
  for (const fe of all) {
    if (fe.kind === 'backend' || fe.mode !== 'tcp') continue;
    for (const be of backendsOf(fe, index)) modeTrap(fe, be, diags);
    tunnelTimeout(fe, index, diags);
  }
  for (const p of all) {
    if (p.kind !== 'frontend') checkOverridden(p, index, diags);
    if (p.stats) statsChecks(p, index, diags);
  }
}

function modeTrap(fe: ProxyModel, be: ProxyModel, diags: Diagnostics): void {
  if (be.mode !== 'http' || !be.modeInherited) return;
  diags.warning(
    be.pos,
    'HALO_MODE_TRAP',
    `backend '${be.name}' inherits 'mode http' from the defaults section at ${where(be.modePos)}, but tcp ${fe.kind === 'listen' ? 'proxy' : 'frontend'} '${fe.name}' (${where(fe.pos)}) sends its connections to it`,
    'halo',
    `HAProxy then upgrades the TCP streams to HTTP: TLS clients such as kubectl get a plain-text HTTP 400 instead of a TLS handshake (curl: 'wrong version number'). Add 'mode tcp' to backend '${be.name}'.`,
  );
}

function tunnelTimeout(fe: ProxyModel, index: Index, diags: Diagnostics): void {
  const targets =
    fe.kind === 'listen' && fe.servers.length > 0
      ? [fe, ...backendsOf(fe, index)]
      : backendsOf(fe, index);
  for (const be of targets) {
    if (be.timeouts.tunnel) continue;
    const client = fe.timeouts.client;
    const server = be.timeouts.server;
    const idle = [client, server].filter((v): v is number => v !== undefined && v > 0);
    if (idle.length === 0) continue;
    const min = Math.min(...idle);
    if (min > HOUR) continue;
    const pair = be === fe ? `proxy '${fe.name}'` : `frontend '${fe.name}' / backend '${be.name}'`;
    diags.warning(
      fe.pos,
      'HALO_TUNNEL_TIMEOUT',
      `tcp ${pair} closes idle connections after ${fmtMs(min)} (timeout client ${!client ? 'unset' : fmtMs(client)}, timeout server ${!server ? 'unset' : fmtMs(server)}) and sets no 'timeout tunnel'`,
      'halo',
      `Long-lived API streams ('kubectl logs -f', 'kubectl get -w', watches of kubelets and controllers) stay silent longer than that and are cut. Add 'timeout tunnel 1h' (or more) to ${be.kind === 'listen' ? 'proxy' : 'backend'} '${be.name}'.`,
    );
  }
}

function checkOverridden(p: ProxyModel, index: Index, diags: Diagnostics): void {
  const httpchk = p.options.httpchk;
  const hello = p.options['ssl-hello-chk'];
  if (!httpchk?.on || !hello?.on) return;
  const d = index.drafts.get(p.pos);
  const lastIsHttp = d?.check?.value === 'http';
  const [winner, loser] = lastIsHttp
    ? ['option httpchk', 'option ssl-hello-chk']
    : ['option ssl-hello-chk', 'option httpchk'];
  const winPos = lastIsHttp ? httpchk.pos : hello.pos;
  const losePos = lastIsHttp ? hello.pos : httpchk.pos;
  diags.warning(
    p.pos,
    'HALO_CHECK_OVERRIDDEN',
    `${p.kind === 'listen' ? 'proxy' : 'backend'} '${p.name}' sets both 'option httpchk' and 'option ssl-hello-chk': only '${winner}' (${where(winPos)}) is used, '${loser}' (${where(losePos)}) is ignored`,
    'halo',
    lastIsHttp
      ? `The SSL hello check never runs. Remove '${loser}'.`
      : `The HTTP check${p.healthCheck.uri ? '' : ''} (e.g. GET /healthz) never runs: servers are only checked for a TLS hello. Remove 'option ssl-hello-chk' (use 'check-ssl' on the servers for HTTPS checks).`,
  );
}

function statsChecks(p: ProxyModel, index: Index, diags: Diagnostics): void {
  for (const a of p.stats?.auth ?? []) {
    const weak =
      a.password.length < 8 ||
      a.password === a.user ||
      WEAK_PASSWORDS.has(a.password.toLowerCase());
    if (!weak) continue;
    const why =
      a.password === a.user
        ? 'the password equals the user name'
        : WEAK_PASSWORDS.has(a.password.toLowerCase())
          ? 'a well-known default password'
          : 'a password shorter than 8 characters';
    diags.warning(
      a.pos,
      'HALO_WEAK_STATS_AUTH',
      `'stats auth ${a.user}:...' uses ${why}`,
      'halo',
      `Anyone who reaches the stats page can log in${p.stats?.admin ? ' and, with stats admin, drain or disable servers' : ''}. Use a long random password (or a userlist with a hashed one).`,
    );
  }
  const d = index.drafts.get(p.pos);
  const realm = d?.stats?.realm;
  const words = d?.stats?.realmWords;
  if (realm && !realm.inherited && words && words.length > 1) {
    const full = words.join(' ');
    diags.warning(
      realm.pos,
      'HALO_REALM_WORDS',
      `'stats realm' takes one word: the realm is '${words[0]}' and '${words.slice(1).join(' ')}' is dropped without a warning`,
      'halo',
      `The login prompt reads '${words[0]}' (WWW-Authenticate: Basic realm="${words[0]}"). Quote the realm to keep every word: stats realm "${full}"`,
    );
  }
}
