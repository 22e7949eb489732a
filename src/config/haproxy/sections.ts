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
  'http-errors',
  'ring',
  'cache',
  'fcgi-app',
  'log-forward',
] as const;

export interface DefaultsRegistry {
  /** The defaults a proxy without `from` copies: the last `defaults` section so far. */
  current: ProxyDraft;
  byName: Map<string, ProxyDraft>;
}

const NAME_RE = /^[A-Za-z0-9_.:-]+$/;

export function isCapOverlap(a: DraftKind, b: DraftKind): boolean {
  const fe = (k: DraftKind) => k === 'frontend' || k === 'listen';
  const be = (k: DraftKind) => k === 'backend' || k === 'listen';
  return (fe(a) && fe(b)) || (be(a) && be(b));
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
    const clash = proxies.find((p) => p.name === name && isCapOverlap(p.kind, kind));
    if (clash) {
      ctx.error(
        'HAP_DUPLICATE_PROXY',
        `${kindWord(px)} '${name}' has the same name as ${kindWord(clash)} '${name}' declared at ${clash.pos.file}:${clash.pos.line}.`,
      );
    }
  }
  proxies.push(px);
  return px;
}

function unmarkInherited(d: ProxyDraft): void {
  if (d.mode) d.mode.inherited = false;
  for (const o of Object.values(d.options)) o.inherited = false;
  if (d.forwardfor) d.forwardfor.inherited = false;
  if (d.logFormat) d.logFormat.inherited = false;
  if (d.check) d.check.inherited = false;
}
