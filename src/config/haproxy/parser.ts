// Reads haproxy.cfg files line by line as HAProxy 2.6's readcfgfile() does: tokenize,
// handle `.if`/`.warning` directives and `no`/`default` modifiers, detect section headers,
// then dispatch each line to its section's keyword table. Errors never stop the run.

import type { Diagnostics, SourcePos } from '../diagnostics.js';
import { type CondStack, evalDirective } from './directives.js';
import {
  type GlobalDraft,
  type LineCtx,
  type LineFiles,
  makeLineCtx,
  NO_FILES,
  newGlobalDraft,
  newProxyDraft,
  type ProxyDraft,
} from './draft.js';
import type { HttpErrorsSection } from './error-files.js';
import { httpErrorsLine, openHttpErrors, resolveErrorReplies } from './error-files.js';
import { checkCaptureIds } from './keywords/captures.js';
import { GLOBAL_KEYWORDS } from './keywords/global.js';
import { type Cap, type ProxyEnv, type ProxyKeyword, proxyKeywords } from './keywords/proxy.js';
import { kindWord } from './keywords/timeout.js';
import type { Userlist } from './model.js';
import {
  type DefaultsRegistry,
  OTHER_SECTIONS,
  openProxySection,
  PROXY_SECTIONS,
} from './sections.js';
import { didYouMean } from './suggest.js';
import { type Env, splitLines, tokenizeLine } from './tokenizer.js';
import type { UserlistDraft } from './userlist.js';
import { openUserlist, resolveUserlists, userlistLine } from './userlist.js';

export interface ParsedConfig {
  readonly global: GlobalDraft;
  readonly globalSeen: boolean;
  readonly proxies: ProxyDraft[];
  /** Sections halo accepts without modelling them (`peers`, `log-forward`...), by name. */
  readonly otherSections: ReadonlySet<string>;
  readonly userlists: ReadonlyMap<string, Userlist>;
}

type Section =
  | { type: 'none' }
  | { type: 'global' }
  | { type: 'proxy'; draft: ProxyDraft }
  | { type: 'other'; name: string }
  | { type: 'userlist'; list: UserlistDraft }
  | { type: 'http-errors'; section: HttpErrorsSection | undefined };

const NEGATABLE = new Set([
  'option',
  'log',
  'busy-polling',
  'set-dumpable',
  'strict-limits',
  'insecure-fork-wanted',
  'numa-cpu-mapping',
]);
const MAX_WORDS = 64;
/** Section names HAProxy adds to its did-you-mean candidates (common_kw_list). */
const GLOBAL_EXTRA_CANDIDATES = ['defaults', 'listen', 'frontend', 'backend', 'peers', 'resolvers'];
const PROXY_EXTRA_CANDIDATES = ['listen', 'frontend', 'backend', 'defaults'];
const MAX_FATAL = 50;

const TOKEN_ERRORS = {
  quote: ['HAP_UNMATCHED_QUOTE', 'unmatched quote'],
  brace: ['HAP_UNMATCHED_BRACE', 'unmatched brace in environment variable name'],
  varname: ['HAP_BAD_VARNAME', 'forbidden first char in environment variable name'],
  hex: ['HAP_BAD_HEX', 'truncated or invalid hexadecimal sequence'],
  expand: ['HAP_BAD_EXPAND', 'truncated or invalid word expansion sequence'],
} as const;

export function hasCapability(kind: ProxyDraft['kind'], cap: Cap): boolean {
  if (kind === 'defaults' || kind === 'listen' || cap === 'both') return true;
  return cap === 'fe' ? kind === 'frontend' : kind === 'backend';
}

function makeEnv(): ProxyEnv {
  return {
    hasCap(ctx, px, cap, what) {
      if (hasCapability(px.kind, cap)) return true;
      ctx.warning(
        'HAP_CAPABILITY_IGNORED',
        `'${what}' ignored because ${kindWord(px)} '${px.name}' has no ${cap === 'be' ? 'backend' : 'frontend'} capability.`,
      );
      return false;
    },
    suggest: (w, c) => didYouMean(w, c),
  };
}

export function parseSources(
  sources: readonly { path: string; text: string }[],
  env: Env,
  diags: Diagnostics,
  read: LineFiles['read'] = NO_FILES.read,
): ParsedConfig {
  const global = newGlobalDraft();
  const reg: DefaultsRegistry = {
    current: newProxyDraft('defaults', '', { file: '', line: 0 }),
    byName: new Map(),
    proxiesByName: new Map(),
  };
  const proxies: ProxyDraft[] = [];
  const penv = makeEnv();
  const table = new Map<string, ProxyKeyword>(proxyKeywords(penv).map((k) => [k.name, k]));
  const otherSections = new Set<string>();
  const userlists = new Map<string, UserlistDraft>();
  const httpErrors = new Map<string, HttpErrorsSection>();
  const files: LineFiles = {
    read,
    get bufsize() {
      return global.tune?.bufsize ?? 16384;
    },
  };
  const state = {
    global,
    globalSeen: false,
    reg,
    proxies,
    table,
    penv,
    otherSections,
    userlists,
    httpErrors,
    files,
  };
  for (const src of sources) parseFile(src, env, diags, state);
  resolveErrorReplies(proxies, httpErrors, diags);
  checkCaptureIds(proxies, diags);
  return {
    global,
    globalSeen: state.globalSeen,
    proxies,
    otherSections,
    userlists: resolveUserlists(userlists),
  };
}

interface State {
  global: GlobalDraft;
  globalSeen: boolean;
  reg: DefaultsRegistry;
  proxies: ProxyDraft[];
  table: Map<string, ProxyKeyword>;
  penv: ProxyEnv;
  otherSections: Set<string>;
  userlists: Map<string, UserlistDraft>;
  httpErrors: Map<string, HttpErrorsSection>;
  files: LineFiles;
}

function parseFile(
  src: { path: string; text: string },
  env: Env,
  diags: Diagnostics,
  st: State,
): void {
  let section: Section = { type: 'none' };
  const conds: CondStack = [];
  const startErrors = diags.errors;
  const lines = splitLines(src.text);
  let last = 0;
  for (const raw of lines) {
    const pos: SourcePos = { file: src.path, line: raw.line };
    last = raw.line;
    if (diags.errors - startErrors >= MAX_FATAL) {
      diags.error(
        pos,
        'HAP_TOO_MANY_ERRORS',
        `too many fatal errors (${MAX_FATAL}), stopping now.`,
        'haproxy',
      );
      return;
    }
    const line = raw.text.replace(/^[ \t\v\f\r]+/, '');
    if (!line.startsWith('[')) {
      const tok = tokenizeLine(raw.text, env);
      if (tok.error) {
        const [code, what] = TOKEN_ERRORS[tok.error.kind];
        diags.error(
          { ...pos, col: tok.error.col },
          code,
          `${what} at position ${tok.error.col}`,
          'haproxy',
        );
      } else if (tok.words.length > MAX_WORDS) {
        diags.error(
          pos,
          'HAP_TOO_MANY_WORDS',
          `too many words, truncating after word ${MAX_WORDS}`,
          'haproxy',
        );
      } else {
        const words = tok.words.map((w) => w.text);
        if (words[0]) section = handleLine(words, pos, section, conds, env, diags, st);
      }
    }
    if (raw.nulAt !== undefined) {
      const msg =
        raw.line === lines.length
          ? `Missing LF on last line, file might have been truncated at position ${raw.nulAt}.`
          : `Stray NUL character at position ${raw.nulAt}.`;
      diags.error(
        pos,
        raw.line === lines.length ? 'HAP_MISSING_LF' : 'HAP_STRAY_NUL',
        msg,
        'haproxy',
      );
      if (raw.line !== lines.length) return;
    } else if (raw.missingLf) {
      diags.error(
        pos,
        'HAP_MISSING_LF',
        `Missing LF on last line, file might have been truncated at position ${raw.text.length + 1}.`,
        'haproxy',
      );
    }
  }
  if (conds.length > 0) {
    diags.error(
      { file: src.path, line: last },
      'HAP_DIRECTIVE',
      `non-terminated '.if' block.`,
      'haproxy',
    );
  }
}

function handleLine(
  words: string[],
  pos: SourcePos,
  section: Section,
  conds: CondStack,
  env: Env,
  diags: Diagnostics,
  st: State,
): Section {
  if ((words[0] as string).startsWith('.')) {
    evalDirective(words, pos, conds, env, diags);
    return section;
  }
  if (conds.some((c) => !c.active)) return section;
  let modifier: LineCtx['modifier'] = 'std';
  if (words[0] === 'no' || words[0] === 'default') {
    modifier = words[0] === 'no' ? 'no' : 'default';
    words = words.slice(1);
    if (!NEGATABLE.has(words[0] ?? '')) {
      diags.error(
        pos,
        'HAP_NEGATION_UNSUPPORTED',
        'negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping.',
        'haproxy',
      );
      return section;
    }
  }
  const kw = words[0] ?? '';
  const ctx = makeLineCtx(diags, pos, words, modifier, env, st.files);
  if (kw === 'global') {
    st.globalSeen = true;
    st.global.pos ??= pos;
    return { type: 'global' };
  }
  if ((PROXY_SECTIONS as readonly string[]).includes(kw)) {
    const draft = openProxySection(ctx, kw as ProxyDraft['kind'], st.reg, st.proxies);
    return { type: 'proxy', draft };
  }
  if (kw === 'userlist') {
    st.otherSections.add(kw);
    const list = openUserlist(ctx, st.userlists);
    return list ? { type: 'userlist', list } : { type: 'other', name: kw };
  }
  if (kw === 'http-errors') {
    st.otherSections.add(kw);
    return { type: 'http-errors', section: openHttpErrors(ctx, st.httpErrors) };
  }
  if ((OTHER_SECTIONS as readonly string[]).includes(kw)) {
    st.otherSections.add(kw);
    return { type: 'other', name: kw };
  }
  switch (section.type) {
    case 'none':
      ctx.error('HAP_OUT_OF_SECTION', `unknown keyword '${kw}' out of section.`);
      break;
    case 'global':
      globalLine(ctx, st.global);
      break;
    case 'proxy':
      proxyLine(ctx, section.draft, st);
      break;
    case 'userlist':
      userlistLine(ctx, section.list);
      break;
    case 'http-errors':
      if (section.section) httpErrorsLine(ctx, section.section);
      break;
    case 'other':
      break;
  }
  return section;
}

function globalLine(ctx: LineCtx, g: GlobalDraft): void {
  const kw = ctx.words[0] as string;
  const k = GLOBAL_KEYWORDS.get(kw);
  if (k) {
    k.parse(ctx, g);
    return;
  }
  // tune.* knobs change performance only; accept them all.
  if (kw.startsWith('tune.') || kw.startsWith('ssl-') || kw.startsWith('h2-')) return;
  ctx.error(
    'HAP_UNKNOWN_KEYWORD',
    `unknown keyword '${kw}' in 'global' section${didYouMean(kw, [...GLOBAL_KEYWORDS.keys(), ...GLOBAL_EXTRA_CANDIDATES])}`,
  );
}

function proxyLine(ctx: LineCtx, px: ProxyDraft, st: State): void {
  const kw = ctx.words[0] as string;
  const k = st.table.get(kw);
  const sectionName = px.kind;
  if (!k) {
    ctx.error(
      'HAP_UNKNOWN_KEYWORD',
      `unknown keyword '${kw}' in '${sectionName}' section${didYouMean(kw, [...st.table.keys(), ...PROXY_EXTRA_CANDIDATES])}`,
    );
    return;
  }
  if (px.kind === 'defaults') {
    if (k.inDefaults === 'no') {
      ctx.error('HAP_NOT_ALLOWED', `'${kw}' not allowed in 'defaults' section.`);
      return;
    }
    if (k.inDefaults === 'named' && !px.name) {
      ctx.error('HAP_NOT_ALLOWED', `'${kw}' not allowed in anonymous 'defaults' section.`);
      return;
    }
  } else if (!hasCapability(px.kind, k.cap)) {
    const side = k.cap === 'be' ? 'backend' : 'frontend';
    if (k.capIsError) {
      ctx.error(
        'HAP_NOT_ALLOWED',
        `'${kw}' not allowed because ${kindWord(px)} '${px.name}' has no ${side} capability.`,
      );
      return;
    }
    ctx.warning(
      'HAP_CAPABILITY_IGNORED',
      `'${kw}' ignored because ${kindWord(px)} '${px.name}' has no ${side} capability.${k.capHint ?? ''}`,
    );
    // HAProxy still parses an ignored `bind` (its address and TLS settings are checked).
    if (kw === 'default_backend' || kw === 'use_backend') return;
  }
  k.parse(ctx, px);
}
