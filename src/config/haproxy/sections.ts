// Section headers: `global`, `defaults [NAME] [from DEF]`, `frontend|backend|listen NAME
// [from DEF]`, and the sections halo skips (userlist, peers, resolvers...).

import type { SourcePos } from '../diagnostics.js';
import type { DraftKind, LineCtx, ProxyDraft } from './draft.js';
import { inheritDraft, newProxyDraft } from './draft.js';
import { kindWord } from './keywords/timeout.js';

export const PROXY_SECTIONS = ['defaults', 'frontend', 'backend', 'listen'] as const;

/** Sections HAProxy knows that halo does not model; their lines are accepted as is. */
export const OTHER_SECTIONS = [
  'userlist',
  'peers',
  'resolvers',
  'mailers',
  'program',
  'ring',
  'cache',
  'fcgi-app',
  'log-forward',
] as const;

export interface DefaultsRegistry {
  /** The defaults a proxy without `from` copies: the last `defaults` section so far. */
  current: ProxyDraft;
  byName: Map<string, ProxyDraft>;
  /** Proxies declared so far by name, for the duplicate-name checks (a scan was quadratic). */
  proxiesByName: Map<string, ProxyDraft[]>;
}

const NAME_RE = /^[A-Za-z0-9_.:-]+$/;

const hasFe = (k: DraftKind) => k === 'frontend' || k === 'listen';
const hasBe = (k: DraftKind) => k === 'backend' || k === 'listen';

/**
 * Does a new `kind` section clash with an earlier one of kind `earlier` by the same name?
 * HAProxy 2.6 looks the name up among frontends when the new section has a frontend side
 * (frontend, listen), and among backends only for a backend. So a `listen` after a
 * `backend` of the same name is accepted, and a `backend` after a `listen` is not.
 */
export function clashes(kind: DraftKind, earlier: DraftKind): boolean {
  return hasFe(kind) ? hasFe(earlier) : hasBe(earlier);
}

/** Opens a proxy or defaults section; returns the new draft (never undefined, to keep going). */
export function openProxySection(
  ctx: LineCtx,
  kind: DraftKind,
  reg: DefaultsRegistry,
  proxies: ProxyDraft[],
): ProxyDraft {
  const w = ctx.words;
  let name = w[1] ?? '';
  let fromIdx = 2;
  if (kind === 'defaults' && name === 'from') {
    name = '';
    fromIdx = 1;
  }
  if (kind !== 'defaults' && !name) {
    ctx.error('HAP_MISSING_ARG', `'${kind}' expects an <id> argument`);
  } else if (name && !NAME_RE.test(name)) {
    const bad = [...name].find((c) => !/[A-Za-z0-9_.:-]/.test(c));
    ctx.error('HAP_BAD_NAME', `character '${bad}' is not permitted in '${kind}' name '${name}'.`);
  }
  let base = reg.current;
  let explicit = false;
  if (w[fromIdx] !== undefined) {
    if (w[fromIdx] !== 'from' || !w[fromIdx + 1]) {
      ctx.error('HAP_EXTRA_ARG', `'${kind}' cannot handle unexpected argument '${w[fromIdx]}'.`);
    } else {
      const def = reg.byName.get(w[fromIdx + 1] as string);
      const px = { kind, name } as ProxyDraft;
      if (!def) {
        ctx.error(
          'HAP_UNKNOWN_DEFAULTS',
          `defaults section '${w[fromIdx + 1]}' not found for ${kindWord(px)} '${name}'.`,
        );
      } else {
        base = def;
        explicit = true;
      }
    }
  }
  const pos: SourcePos = ctx.pos;
  // A defaults section without `from` starts afresh: it inherits nothing.
  if (kind !== 'defaults' || explicit) {
    rulesInheritance(ctx, kind, base);
    capturesInheritance(ctx, kind, base);
  }
  if (kind === 'defaults') {
    // A defaults section resets everything, unless it names one to start from.
    const fresh = explicit
      ? inheritDraft(base, 'defaults', name, pos)
      : newProxyDraft('defaults', name, pos);
    // Values a defaults section inherits are its own values for the proxies that use it.
    unmarkInherited(fresh);
    reg.current = fresh;
    if (name) reg.byName.set(name, fresh);
    return fresh;
  }
  const px = inheritDraft(base, kind, name, pos);
  if (name) {
    const same = reg.proxiesByName.get(name) ?? [];
    const clash = same.find((p) => clashes(kind, p.kind));
    const shadowed = same.find((p) => hasBe(p.kind) && hasBe(kind));
    if (clash) {
      ctx.error(
        'HAP_DUPLICATE_PROXY',
        `${kindWord(px)} '${name}' has the same name as ${kindWord(clash)} '${name}' declared at ${clash.pos.file}:${clash.pos.line}.`,
      );
    } else if (shadowed) {
      ctx.diags.warning(
        ctx.pos,
        'HALO_SHADOWED_BACKEND',
        `${kindWord(px)} '${name}' has the same name as ${kindWord(shadowed)} '${name}' declared at ${shadowed.pos.file}:${shadowed.pos.line}; HAProxy accepts it, but both are backends named '${name}'`,
        'halo',
        `'default_backend ${name}' and 'use_backend ${name}' always pick the one declared first (${shadowed.pos.file}:${shadowed.pos.line}), so this one only serves its own 'bind' lines; stats and logs show two proxies named '${name}'. Rename one of them.`,
      );
    }
  }
  proxies.push(px);
  const list = reg.proxiesByName.get(name);
  if (list) list.push(px);
  else reg.proxiesByName.set(name, [px]);
  return px;
}

function unmarkInherited(d: ProxyDraft): void {
  if (d.mode) d.mode.inherited = false;
  for (const o of Object.values(d.options)) o.inherited = false;
  if (d.forwardfor) d.forwardfor.inherited = false;
  if (d.logFormat) d.logFormat.inherited = false;
  if (d.check) d.check.inherited = false;
}

/** Whether a defaults section has HTTP or TCP rules (which its users run before their own). */
function hasRules(def: ProxyDraft): boolean {
  const r = def.httpRules;
  const t = def.tcpRules;
  return (
    (r !== undefined &&
      r.request.length + r.redirect.length + r.response.length + r.afterResponse.length > 0) ||
    (t !== undefined && t.connection.length + t.content.length > 0)
  );
}

/**
 * HAProxy 2.6's rules for using a defaults section that has rules: not by another defaults
 * section, not by a listen section, and by frontends or by backends, not both.
 */
function rulesInheritance(ctx: LineCtx, kind: DraftKind, def: ProxyDraft): void {
  if (!hasRules(def)) return;
  const at = `(defaults section at ${def.pos.file}:${def.pos.line})`;
  if (kind === 'defaults') {
    ctx.error(
      'HAP_DEFAULTS_RULES',
      `a defaults section cannot inherit from a defaults section defining TCP/HTTP rules ${at}.`,
    );
  } else if (kind === 'listen') {
    ctx.error(
      'HAP_DEFAULTS_RULES',
      'a listen section cannot inherit from a defaults section defining TCP/HTTP rules.',
    );
  } else if (def.rulesUsedBy && def.rulesUsedBy !== kind) {
    ctx.error(
      'HAP_DEFAULTS_RULES',
      `frontends and backends cannot inherit from the same defaults section if it defines TCP/HTTP rules ${at}.`,
    );
  } else def.rulesUsedBy = kind;
}

/** Capture slots of a defaults section go to frontends only (HAProxy's misspelling kept). */
function capturesInheritance(ctx: LineCtx, kind: DraftKind, def: ProxyDraft): void {
  const c = def.captures;
  if (!c || c.request.length + c.response.length === 0 || kind === 'frontend') return;
  ctx.error(
    'HAP_DEFAULTS_CAPTURES',
    `backend or defaults sections cannot inherit from a defaults section defining capptures (defaults section at ${def.pos.file}:${def.pos.line}).`,
  );
}
