// Turns parsed drafts into the resolved model and runs the checks HAProxy 2.6 makes after
// parsing (check_config_validity): backend references, mode compatibility, missing
// timeouts, duplicate servers, HTTP-only settings in TCP proxies.

import type { Diagnostics, SourcePos } from '../diagnostics.js';
import type { GlobalDraft, ProxyDraft } from './draft.js';
import { FLAG_OPTIONS } from './keywords/options.js';
import { kindWord } from './keywords/timeout.js';
import type {
  GlobalConfig,
  HaproxyConfig,
  HealthCheckConfig,
  LogTarget,
  Proxy as ProxyModel,
  StatsConfig,
} from './model.js';
import type { ParsedConfig } from './parser.js';

const isFe = (p: ProxyDraft) => p.kind === 'frontend' || p.kind === 'listen';
const isBe = (p: ProxyDraft) => p.kind === 'backend' || p.kind === 'listen';
const where = (p: SourcePos) => `${p.file}:${p.line}`;

export function resolve(parsed: ParsedConfig, files: string[], diags: Diagnostics): HaproxyConfig {
  const global = resolveGlobal(parsed.global);
  const drafts = parsed.proxies;
  // References resolve to the first backend of a name, looked up once (a scan per
  // reference made large configs quadratic).
  const backends = new Map<string, ProxyDraft>();
  for (const p of drafts) if (isBe(p) && !backends.has(p.name)) backends.set(p.name, p);
  // A proxy without a name already failed to parse (HAProxy stops there); skip its checks.
  for (const px of drafts) if (!px.disabled && px.name) checkProxy(px, backends, diags);
  const proxies = drafts.map((d) => buildProxy(d, global.logs));
  return { files, global, proxies, userlists: parsed.userlists };
}

function modeOf(p: ProxyDraft): 'tcp' | 'http' {
  return p.mode?.value ?? 'tcp';
}

function checkProxy(
  px: ProxyDraft,
  backends: ReadonlyMap<string, ProxyDraft>,
  diags: Diagnostics,
): void {
  const warn = (pos: SourcePos, code: string, msg: string) =>
    diags.warning(pos, code, msg, 'haproxy');
  const err = (pos: SourcePos, code: string, msg: string) => diags.error(pos, code, msg, 'haproxy');
  const kind = kindWord(px);
  const mode = modeOf(px);
  if (mode === 'tcp') checkNoHttp(px, diags);
  if (isFe(px) && px.binds.length === 0 && !px.bindLines) {
    warn(
      px.pos,
      'HAP_NO_BIND',
      `${kind} '${px.name}' has no 'bind' directive. Please declare it as a backend if this was intended.`,
    );
  }
  if (isFe(px)) checkBackendRefs(px, backends, diags);
  if (isBe(px) && px.checkRules.length > 0 && px.check?.value !== 'http') {
    warn(
      px.pos,
      'HAP_CHECK_RULES_IGNORED',
      `${kind} '${px.name}' uses http-check rules without 'option httpchk', so the rules are ignored.`,
    );
  }
  const t = px.timeouts;
  if (
    (isFe(px) && !t.client) ||
    (isBe(px) &&
      px.servers.length > 0 &&
      (!t.connect || (!t.server && (mode === 'http' || !t.tunnel))))
  ) {
    warn(
      px.pos,
      'HAP_MISSING_TIMEOUTS',
      `missing timeouts for ${kind} '${px.name}'. | While not properly invalid, you will certainly encounter various problems with such a configuration. | To fix this, please ensure that all following timeouts are set to a non-zero value: 'client', 'connect', 'server'.`,
    );
  }
  if (isBe(px)) {
    const seen = new Map<string, (typeof px.servers)[number]>();
    for (const s of px.servers) {
      const first = seen.get(s.name);
      if (!first) seen.set(s.name, s);
      else {
        err(
          s.pos,
          'HAP_DUPLICATE_SERVER',
          `${kind} '${px.name}', another server named '${s.name}' was already defined at line ${first.pos.line}, please use distinct names.`,
        );
      }
    }
  }
  if (isFe(px) && px.logs.length === 0 && px.logFormat) {
    warn(
      px.pos,
      'HAP_LOGFORMAT_NO_LOG',
      `log format ignored for ${kind} '${px.name}' since it has no log address.`,
    );
  }
  if (mode === 'tcp') checkHttpOnly(px, diags);
}

/** proxy_cfg_ensure_no_http(): `option httplog` in a TCP proxy falls back to tcplog. */
function checkNoHttp(px: ProxyDraft, diags: Diagnostics): void {
  const lf = px.logFormat;
  if (lf && (lf.value === 'httplog' || lf.value === 'httpslog')) {
    diags.warning(
      lf.pos,
      'HAP_HTTPLOG_FALLBACK',
      `'option ${lf.value}' not usable with ${kindWord(px)} '${px.name}' (needs 'mode http'). Falling back to 'option tcplog'.`,
      'haproxy',
    );
    px.logFormat = { ...lf, value: 'tcplog' };
  }
}

function checkHttpOnly(px: ProxyDraft, diags: Diagnostics): void {
  const kind = kindWord(px);
  const ignored = (what: string, pos: SourcePos = px.pos) =>
    diags.warning(
      pos,
      'HAP_HTTP_ONLY_IGNORED',
      `${what} ignored for ${kind} '${px.name}' as it requires HTTP mode.`,
      'haproxy',
    );
  if (px.stats) {
    ignored("'stats' statement");
    px.stats = undefined;
  }
  if (px.monitorUri && px.kind !== 'backend') {
    // HAProxy's message names no line; halo points at the monitor-uri line.
    diags.warning(
      px.monitorUri.pos,
      'HAP_HTTP_ONLY_IGNORED',
      `monitor-uri will be ignored for ${kind} '${px.name}' (needs 'mode http').`,
      'haproxy',
    );
    px.monitorUri = undefined;
  }
  const seen = new Set<string>();
  for (const h of px.httpOnly) {
    if (seen.has(h.what)) continue;
    seen.add(h.what);
    const rules = h.what === 'capture' ? "'capture' statement" : `'${h.what}' rules`;
    const verb = h.what === 'capture' ? 'it requires' : 'they require';
    diags.warning(
      px.pos,
      'HAP_HTTP_ONLY_IGNORED',
      `${rules} ignored for ${kind} '${px.name}' as ${verb} HTTP mode.`,
      'haproxy',
    );
  }
  if (px.forwardfor && px.options.forwardfor?.on) {
    // HAProxy prints this one without a line; halo puts it on the section line and names
    // the line the option came from (often a `defaults` section).
    const origin = px.forwardfor.inherited
      ? `inherited from the defaults section at ${where(px.forwardfor.pos)}`
      : `set at ${where(px.forwardfor.pos)}`;
    diags.warning(
      px.pos,
      'HAP_HTTP_ONLY_IGNORED',
      `'option forwardfor' ignored for ${kind} '${px.name}' as it requires HTTP mode.`,
      'haproxy',
      `The option is ${origin}; a mode tcp proxy adds no X-Forwarded-For header. Move 'option forwardfor' into the HTTP proxies, or give TCP proxies their own defaults section.`,
    );
    px.forwardfor = undefined;
    delete px.options.forwardfor;
  }
  for (const [name, o] of Object.entries(px.options)) {
    const f = FLAG_OPTIONS[name];
    if (!f?.http || !o.on) continue;
    if (f.cap !== 'both' && !(f.cap === 'fe' ? isFe(px) : isBe(px))) continue;
    ignored(`'option ${name}'`);
    delete px.options[name];
  }
}

function checkBackendRefs(
  px: ProxyDraft,
  backends: ReadonlyMap<string, ProxyDraft>,
  diags: Diagnostics,
): void {
  const find = (name: string) => backends.get(name);
  const refs: { name: string; pos: SourcePos; rule: 'default_backend' | 'use_backend' }[] = [
    ...(px.defaultBackend ? [{ ...px.defaultBackend, rule: 'default_backend' as const }] : []),
    ...px.useBackends
      .filter((u) => !u.backend.includes('%['))
      .map((u) => ({ name: u.backend, pos: u.pos, rule: 'use_backend' as const })),
  ];
  for (const r of refs) {
    const target = find(r.name);
    if (!target) {
      diags.error(
        r.pos,
        'HAP_UNKNOWN_BACKEND',
        `Proxy '${px.name}': unable to find required ${r.rule}: '${r.name}'.`,
        'haproxy',
      );
    } else if (target === px) {
      diags.error(
        r.pos,
        'HAP_BACKEND_LOOP',
        `Proxy '${px.name}': loop detected for ${r.rule}: '${r.name}'.`,
        'haproxy',
      );
    } else if (
      modeOf(target) !== modeOf(px) &&
      !(modeOf(px) === 'tcp' && modeOf(target) === 'http')
    ) {
      const as =
        r.rule === 'default_backend' ? 'as its default backend' : "in a 'use_backend' rule";
      diags.error(
        r.pos,
        'HAP_MODE_INCOMPATIBLE',
        `${modeOf(px)} ${kindWord(px)} '${px.name}' (${where(px.pos)}) tries to use incompatible ${modeOf(target)} ${kindWord(target)} '${target.name}' (${where(target.pos)}) ${as} (see 'mode').`,
        'haproxy',
      );
    } else if (r.rule === 'default_backend' && px.servers.length > 0) {
      diags.warning(
        r.pos,
        'HAP_DEFAULT_BACKEND_SERVERS',
        `In proxy '${px.name}', the 'default_backend' rule always has precedence over the servers, which will never be used.`,
        'haproxy',
      );
    }
  }
}

function resolveGlobal(g: GlobalDraft): GlobalConfig {
  const opt = <K extends string, V>(k: K, v: V | undefined) =>
    v === undefined ? {} : ({ [k]: v } as Record<K, V>);
  return {
    logs: g.logTag === undefined ? g.logs : g.logs.map((t) => ({ ...t, tag: g.logTag })),
    daemon: g.daemon,
    ...(g.noReusePort ? { noReusePort: true } : {}),
    statsSockets: g.statsSockets,
    masterWorker: g.masterWorker,
    ...opt('chroot', g.chroot),
    ...opt('pidfile', g.pidfile),
    ...opt('maxconn', g.maxconn),
    ...opt('user', g.user),
    ...opt('group', g.group),
    ...opt('uid', g.uid),
    ...opt('gid', g.gid),
    ...opt('nbthread', g.nbthread),
    ...opt('ulimitN', g.ulimitN),
    ...opt('statsTimeout', g.statsTimeout),
    ...opt('statsMaxconn', g.statsMaxconn),
    ...opt('hardStopAfter', g.hardStopAfter),
    ...opt('sslServerVerify', g.sslServerVerify),
    ...opt('tune', g.tune),
  };
}

function buildHealthCheck(d: ProxyDraft): HealthCheckConfig {
  const type =
    d.check?.value === 'http' ? 'http' : d.check?.value === 'ssl-hello' ? 'ssl-hello' : 'tcp';
  const h = d.httpchk;
  return {
    type,
    rules: d.checkRules,
    ...(d.check ? { pos: d.check.pos } : {}),
    ...(type === 'http'
      ? { method: h?.method ?? 'OPTIONS', uri: h?.uri ?? '/', version: h?.version ?? 'HTTP/1.0' }
      : {}),
  };
}

function buildStats(d: ProxyDraft): StatsConfig | undefined {
  const s = d.stats;
  if (!s) return undefined;
  return {
    enabled: s.enabled,
    uri: s.uri ?? '/haproxy?stats',
    auth: s.auth,
    hideVersion: s.hideVersion,
    showLegends: s.showLegends,
    ...(s.realm ? { realm: s.realm.value } : {}),
    ...(s.refresh !== undefined ? { refresh: s.refresh } : {}),
    ...(s.admin ? { admin: s.admin } : {}),
    ...(s.pos ? { pos: s.pos } : {}),
    ...(s.showNode !== undefined ? { showNode: s.showNode } : {}),
    ...(s.scope ? { scope: s.scope } : {}),
  };
}

function buildProxy(d: ProxyDraft, globalLogs: LogTarget[]): ProxyModel {
  const tagged = (t: LogTarget): LogTarget => {
    const tag = d.logTag ?? t.tag;
    return tag === undefined ? t : { ...t, tag };
  };
  const logs: LogTarget[] = d.logs.flatMap((l) =>
    (l.kind === 'global' ? globalLogs : [l.target]).map(tagged),
  );
  const stats = buildStats(d);
  const options: ProxyModel['options'] = {};
  for (const [k, v] of Object.entries(d.options)) options[k] = { on: v.on, pos: v.pos };
  const isFront = d.kind === 'frontend';
  const isBack = d.kind === 'backend';
  return {
    pos: d.pos,
    kind: d.kind as ProxyModel['kind'],
    name: d.name,
    mode: modeOf(d),
    modePos: d.mode?.pos ?? d.pos,
    modeInherited: d.mode?.inherited ?? false,
    binds: isBack ? [] : d.binds,
    balance: d.balance ?? { algorithm: 'roundrobin' },
    servers: isFront ? [] : d.servers.map(({ sslFromDefaults: _, ...s }) => s),
    defaultServer: stripPos(d.defaultServer),
    retries: d.retries ?? 3,
    timeouts: d.timeouts,
    timeoutPos: d.timeoutPos,
    options,
    healthCheck: buildHealthCheck(d),
    logs,
    acls: d.acls,
    useBackends: isBack ? [] : d.useBackends,
    ...(d.services && !isBack ? { services: d.services } : {}),
    ...(d.expectProxy && !isBack ? { expectProxy: d.expectProxy } : {}),
    ...(d.httpRules ? { httpRules: d.httpRules } : {}),
    ...(d.tcpRules && !isBack ? { tcpRules: d.tcpRules } : {}),
    ...(d.errorReplies ? { errorFiles: d.errorReplies } : {}),
    ...(d.stickTable ? { stickTable: d.stickTable } : {}),
    ...(d.captures ? { captures: d.captures } : {}),
    ...(d.customLogFormat && d.logFormat?.value === 'custom' && !isBack
      ? { logFormatCustom: d.customLogFormat }
      : {}),
    disabled: d.disabled,
    ...(d.maxconn && !isBack ? { maxconn: d.maxconn.value } : {}),
    ...(d.backlog && !isBack ? { backlog: d.backlog.value } : {}),
    ...(d.monitorUri && !isBack ? { monitorUri: d.monitorUri.value } : {}),
    ...(d.forwardfor
      ? {
          forwardfor: {
            pos: d.forwardfor.pos,
            header: d.forwardfor.header,
            ifNone: d.forwardfor.ifNone,
            ...(d.forwardfor.except ? { except: d.forwardfor.except } : {}),
          },
        }
      : {}),
    ...(d.defaultBackend && !isBack ? { defaultBackend: d.defaultBackend } : {}),
    ...(d.originalto && d.options.originalto?.on !== false ? { originalto: d.originalto } : {}),
    ...((d.restrictHdrNames === 'delete' || d.restrictHdrNames === 'reject') &&
    d.options['http-restrict-req-hdr-names']?.on !== false
      ? { restrictHdrNames: d.restrictHdrNames }
      : {}),
    ...(stats ? { stats } : {}),
    ...(d.defaultsPos && d.defaultsPos.line > 0 ? { defaultsPos: d.defaultsPos } : {}),
  };
}

function stripPos<T extends { pos?: SourcePos }>(o: T): Omit<T, 'pos'> {
  const { pos: _pos, ...rest } = o;
  return rest;
}
