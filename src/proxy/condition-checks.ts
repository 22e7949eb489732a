// What halo's ACL engine (acl.ts) can evaluate, checked against the conditions of a config
// before it runs, in `halo check` and at every start or reload. A criterion halo does not
// evaluate is taken as false, so a negated one is true. Where a condition grants something
// (`stats admin`: the admin form's actions) that is an error until halo evaluates it; where
// it only routes (`use_backend`) it is a warning that says what the condition becomes. HTTP
// rules (deny, header edits...) are refused when halo cannot evaluate their condition or a
// sample their arguments name.

import type { Diagnostics, SourcePos } from '../config/diagnostics.js';
import type { HttpRule, LogFormat } from '../config/haproxy/http-rule-model.js';
import { NOT_APPLIED_SECURITY } from '../config/haproxy/keywords/not-applied.js';
import type { Acl, Condition, HaproxyConfig } from '../config/haproxy/model.js';
import { compileCondition } from './acl.js';
import { supportedHash } from './http/basic-auth.js';
import { unevaluated } from './http/samples.js';
import { unfilledLogVars } from './log/custom-log.js';

const quoted = (names: readonly string[]) => [...new Set(names)].map((n) => `'${n}'`).join(', ');

/** Terms of `cond` that never match here: every criterion behind them goes unevaluated. */
function deadTerms(cond: Condition, acls: readonly Acl[], http: boolean): Set<string> {
  const dead = new Set<string>();
  for (const and of cond.terms)
    for (const { name, files } of and) {
      const one = compileCondition(
        {
          pos: cond.pos,
          negate: false,
          terms: [[{ name, negate: false, ...(files ? { files } : {}) }]],
        },
        acls,
      );
      const gaps = http ? one.unsupportedOnHttp : one.unsupported;
      const decls = acls.filter((a) => a.name === name).length || 1;
      if (gaps.length >= decls) dead.add(name);
    }
  return dead;
}

/** What `cond` comes to with its dead terms false: 'always', 'never' or 'depends'. */
export function reducedCondition(
  cond: Condition,
  dead: ReadonlySet<string>,
): 'always' | 'never' | 'depends' {
  let live = 0;
  let result: 'always' | 'never' | 'depends' = 'never';
  for (const and of cond.terms) {
    if (and.some((t) => !t.negate && dead.has(t.name))) continue; // this AND is false
    live++;
    if (and.every((t) => dead.has(t.name))) result = 'always'; // only `!dead`: true
  }
  if (result === 'never' && live > 0) result = 'depends';
  if (!cond.negate || result === 'depends') return result;
  return result === 'always' ? 'never' : 'always';
}

/** The log-format arguments of a rule. */
function formatsOf(rule: HttpRule): LogFormat[] {
  const a = rule.action;
  switch (a.type) {
    case 'deny':
    case 'tarpit':
    case 'return':
      return [
        ...a.reply.headers.map(([, f]) => f),
        ...(a.reply.body?.kind === 'lf' ? [a.reply.body.format] : []),
      ];
    case 'redirect':
      return [a.target];
    case 'set-header':
    case 'add-header':
      return [a.value];
    case 'replace-header':
    case 'replace-value':
    case 'replace-path':
    case 'replace-pathq':
    case 'replace-uri':
      return [a.replace];
    case 'set-path':
    case 'set-pathq':
    case 'set-query':
    case 'set-uri':
    case 'set-method':
      return [a.value];
    case 'set-var':
      return [[{ kind: 'sample', expr: a.expr }]];
    case 'track-sc':
      return [[{ kind: 'sample', expr: a.key }]];
    case 'set-var-fmt':
      return [a.format];
    default:
      return [];
  }
}

/**
 * HTTP rules halo cannot run as written are errors: a condition on a criterion halo does
 * not evaluate would make a deny never match (or an `unless` always), and a sample halo
 * does not evaluate would send '-' where the rule means a value.
 */
function httpRuleChecks(
  px: HaproxyConfig['proxies'][number],
  diags: Diagnostics,
  userlists: HaproxyConfig['userlists'],
): void {
  const r = px.httpRules;
  if (!r || px.mode !== 'http') return;
  for (const rule of [...r.request, ...r.redirect, ...r.response, ...r.afterResponse]) {
    const what = `'${rule.keyword} ${rule.action.type}' in ${px.kind} '${px.name}'`;
    if (rule.cond) {
      const gaps = compileCondition(rule.cond, rule.acls ?? px.acls, userlists).unsupportedOnHttp;
      if (gaps.length > 0)
        diags.error(
          rule.pos,
          NOT_APPLIED_SECURITY,
          `halo refuses ${what}: halo does not evaluate ${quoted(gaps)} on an HTTP request and would take it as false, so the rule would apply to other requests than it names`,
          'halo',
          "Write the condition with what halo evaluates (see the README's ACL conditions), or run this config under HAProxy.",
        );
    }
    const missing = formatsOf(rule).flatMap(unevaluated);
    if (missing.length > 0)
      diags.error(
        rule.pos,
        NOT_APPLIED_SECURITY,
        `halo refuses ${what}: halo does not evaluate ${quoted(missing)} in a log-format argument yet, so the rule would write '-' where it means a value`,
        'halo',
        "Use the fetches and converters halo evaluates (see the README's HTTP rules), or run this config under HAProxy.",
      );
  }
}

/**
 * `http_auth(LIST)`, `http_auth_group(LIST)`: the list must exist (HAProxy's error), and
 * its hashed passwords must be of a scheme halo verifies, or no one could log in with them
 * (refused, with the user's line).
 */
function authChecks(
  px: HaproxyConfig['proxies'][number],
  diags: Diagnostics,
  userlists: HaproxyConfig['userlists'],
): void {
  for (const acl of px.acls) {
    const m = /^(http_auth|http_auth_group)\(([^)]*)\)$/.exec(acl.criterion);
    if (!m) continue;
    const list = userlists.get(m[2]!.trim());
    if (!list) {
      diags.error(
        acl.pos,
        'HAP_UNKNOWN_USERLIST',
        `unable to find userlist '${m[2]}' referenced in arg 1 of ACL keyword '${m[1]}' in proxy '${px.name}'.`,
        'haproxy',
      );
      continue;
    }
    for (const u of list.users) {
      if (u.password.kind !== 'crypt' || u.password.value === '' || supportedHash(u.password.value))
        continue;
      diags.error(
        u.pos,
        NOT_APPLIED_SECURITY,
        `halo refuses the password of user '${u.name}' in userlist '${list.name}': halo verifies SHA-256 and SHA-512 crypt hashes ($5$, $6$) and insecure-password, not '${u.password.value.slice(0, 3)}...' yet, so this user could never log in through '${acl.criterion}'`,
        'halo',
        "Hash it with 'mkpasswd -m sha-512' (or 'openssl passwd -6'), or run this config under HAProxy.",
      );
    }
  }
}

/**
 * `track-scN KEY [table T]`: T (else the proxy's own) must have a `stick-table` (HAProxy's
 * error); on a connection, halo takes the connection's addresses as keys.
 */
function trackChecks(
  config: HaproxyConfig,
  px: HaproxyConfig['proxies'][number],
  diags: Diagnostics,
): void {
  const hasTable = (name: string) => config.proxies.some((p) => p.name === name && p.stickTable);
  const tracks: { pos: SourcePos; slot: number; table?: string; key: string; tcp: boolean }[] = [];
  for (const r of [...(px.tcpRules?.connection ?? []), ...(px.tcpRules?.content ?? [])])
    if (r.track) tracks.push({ pos: r.pos, ...r.track, key: r.track.key.text, tcp: true });
  for (const r of px.httpRules?.request ?? [])
    if (r.action.type === 'track-sc')
      tracks.push({ pos: r.pos, ...r.action, key: r.action.key.text, tcp: false });
  for (const t of tracks) {
    const table = t.table ?? px.name;
    if (!hasTable(table))
      diags.error(
        t.pos,
        'HAP_UNKNOWN_TABLE',
        `Proxy '${px.name}': unable to find table '${table}' referenced by track-sc${t.slot}.`,
        'haproxy',
      );
    if (t.tcp && t.key !== 'src' && t.key !== 'dst')
      diags.error(
        t.pos,
        NOT_APPLIED_SECURITY,
        `halo refuses 'tcp-request track-sc${t.slot} ${t.key}' in ${px.kind} '${px.name}': halo tracks tcp-request rules by 'src' or 'dst' only yet, so the limits on this table would count nothing`,
        'halo',
        "Track by 'src', or run this config under HAProxy.",
      );
  }
}

/** `log-format` variables and samples halo writes as '-' for now: a warning, not a refusal. */
function logFormatChecks(px: HaproxyConfig['proxies'][number], diags: Diagnostics): void {
  const lf = px.logFormatCustom;
  if (!lf) return;
  const missing = [...unfilledLogVars(lf.format), ...unevaluated(lf.format)];
  if (missing.length > 0)
    diags.warning(
      lf.pos,
      'HALO_LOGFORMAT_UNFILLED',
      `halo does not fill ${quoted(missing)} in the log-format of ${px.kind} '${px.name}' yet: its log lines show '-' there`,
      'halo',
      "See the README's log-format section for what halo fills.",
    );
}

export function conditionChecks(config: HaproxyConfig, diags: Diagnostics): void {
  for (const px of config.proxies) {
    if (px.disabled) continue;
    httpRuleChecks(px, diags, config.userlists);
    logFormatChecks(px, diags);
    authChecks(px, diags, config.userlists);
    trackChecks(config, px, diags);
    const admin = px.stats?.enabled ? px.stats.admin : undefined;
    if (admin) {
      // The stats applet evaluates its condition on the connection only (socketFacts).
      const gaps = compileCondition(admin, px.acls).unsupported;
      if (gaps.length > 0)
        diags.error(
          admin.pos,
          NOT_APPLIED_SECURITY,
          `halo refuses 'stats admin ${admin.negate ? 'unless' : 'if'} ...' in ${px.kind} '${px.name}': halo does not evaluate ${quoted(gaps)} there and would take it as false, so a negated term or 'unless' would grant the admin actions to every client that passes 'stats auth'`,
          'halo',
          'Write the condition with what halo evaluates on a stats connection (src, dst, src_port, dst_port, nbsrv, TRUE, FALSE, LOCALHOST), or run this config under HAProxy.',
        );
    }
    if (px.kind === 'backend') continue;
    const http = px.mode === 'http';
    for (const r of [...(px.tcpRules?.connection ?? []), ...(px.tcpRules?.content ?? [])]) {
      if (!r.cond) continue;
      const gaps = compileCondition(r.cond, px.acls).unsupported;
      if (gaps.length > 0)
        diags.error(
          r.pos,
          NOT_APPLIED_SECURITY,
          `halo refuses 'tcp-request ... ${r.action}' in ${px.kind} '${px.name}': halo does not evaluate ${quoted(gaps)} on a TCP connection and would take it as false, so the rule would ${r.action === 'reject' ? 'let through' : 'refuse'} other connections than it names`,
          'halo',
          'Write the condition with what halo evaluates on a TCP connection (src, dst, src_port, dst_port, nbsrv, TRUE, FALSE, LOCALHOST), or run this config under HAProxy.',
        );
    }
    for (const e of px.expectProxy ?? []) {
      if (!e.cond) continue;
      const gaps = compileCondition(e.cond, px.acls).unsupported;
      if (gaps.length > 0)
        diags.error(
          e.pos,
          NOT_APPLIED_SECURITY,
          `halo refuses 'tcp-request connection expect-proxy' in ${px.kind} '${px.name}': halo does not evaluate ${quoted(gaps)} on a TCP connection, so the connections this rule covers could pass a PROXY header to the server as data, or be served without one`,
          'halo',
          'Write the condition with what halo evaluates on a TCP connection (src, dst, src_port, dst_port, nbsrv, TRUE, FALSE, LOCALHOST), or run this config under HAProxy.',
        );
    }
    for (const u of px.useBackends) {
      if (!u.cond) continue;
      const c = compileCondition(u.cond, px.acls, config.userlists);
      const gaps = http ? c.unsupportedOnHttp : c.unsupported;
      if (gaps.length === 0) continue;
      const dead = deadTerms(u.cond, px.acls, http);
      const effect = reducedCondition(u.cond, dead);
      const rule = `'use_backend ${u.backend}'`;
      const outcome =
        effect === 'always'
          ? `so the rule always applies: every ${http ? 'request' : 'connection'} that reaches it goes to '${u.backend}'`
          : effect === 'never'
            ? 'so the rule never applies'
            : 'and the rule applies as the rest of its condition decides';
      diags.warning(
        u.pos,
        'HALO_CONDITION_NOT_EVALUATED',
        `${rule} in ${px.kind} '${px.name}': halo does not evaluate ${quoted(gaps)} ${http ? 'on an HTTP request' : 'on a TCP connection'}; it is taken as false (a negated one as true), ${outcome}`,
        'halo',
        "Route on what halo evaluates (see the README's ACL conditions), or run this config under HAProxy.",
      );
    }
  }
}
