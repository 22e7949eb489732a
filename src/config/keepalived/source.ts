// Reads the entry file and its `include`s (globs, relative to the including file's
// directory) through the injected host, applies `$NAME=value` definitions, and returns the
// lexed items of every line in reading order. File access is the host's; this is pure.

import { posix } from 'node:path';
import type { Diagnostics } from '../diagnostics.js';
import { KEEPALIVED_MAX_LINE, MAX_CONFIG_BYTES } from '../limits.js';
import { type LexItem, lexLine, stripComment } from './lexer.js';

export interface SourceHost {
  readFile(path: string): string;
  glob(pattern: string, cwd: string): string[];
}

export interface SourceItem {
  readonly file: string;
  readonly line: number;
  readonly item: LexItem;
}

const MAX_INCLUDE_DEPTH = 32;
const MAX_DEFINITION_ROUNDS = 16;
/** Keepalived reads lines into a fixed buffer; this bounds self-referencing definitions. */
const MAX_EXPANDED_LENGTH = 16384;

export function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  if (i < 0) return '.';
  return i === 0 ? '/' : path.slice(0, i);
}

export function joinPath(dir: string, rel: string): string {
  if (rel.startsWith('/')) return rel;
  if (dir === '.' || dir === '') return rel;
  return dir.endsWith('/') ? dir + rel : `${dir}/${rel}`;
}

interface ReadState {
  readonly host: SourceHost;
  readonly diags: Diagnostics;
  readonly out: SourceItem[];
  readonly files: string[];
  readonly defs: Map<string, string>;
  /** Canonical paths of the files being read, outermost first (include-loop check). */
  readonly stack: string[];
  readonly cwd: string | undefined;
  /** Characters read so far over every file: includes may fan out (a glob, a file twice). */
  total: number;
}

/**
 * The path a file is known by for the include-loop check: absolute against `cwd` when
 * one is known, with `.`, `..` and repeated slashes removed, so `x.conf`, `./x.conf` and
 * `/etc/keepalived/x.conf` are the same file.
 */
export function canonicalPath(path: string, cwd: string | undefined): string {
  return cwd === undefined ? posix.normalize(path) : posix.resolve(cwd, path);
}

/** Reads `entry` and everything it includes; diagnostics for unreadable includes. */
export function readSources(
  entry: { path: string; text: string },
  host: SourceHost,
  diags: Diagnostics,
  cwd?: string,
): { items: SourceItem[]; files: string[] } {
  const st: ReadState = {
    host,
    diags,
    out: [],
    files: [],
    defs: new Map(),
    stack: [],
    cwd,
    total: 0,
  };
  readText(st, entry.path, entry.text);
  return { items: st.out, files: st.files };
}

function readText(st: ReadState, file: string, text: string): void {
  st.files.push(file);
  st.stack.push(canonicalPath(file, st.cwd));
  st.total += text.length;
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const physical = (lines[n] ?? '').replace(/\r+$/, '');
    if (physical.length > KEEPALIVED_MAX_LINE) {
      st.diags.error(
        { file, line: n + 1 },
        'HALO_LINE_TOO_LONG',
        `line too long: ${physical.length} characters, Keepalived reads ${KEEPALIVED_MAX_LINE} and parses the rest as another line`,
        'halo',
        'Split the values over several lines (a block such as virtual_ipaddress takes one per line).',
      );
      continue;
    }
    const { text: kept, unmatchedQuote } = stripComment(physical);
    let line = kept.trim();
    if (!line) continue;
    if (line.startsWith('$') && defineVariable(st, line)) continue;
    line = expand(st, line);
    const pos = { file, line: n + 1 };
    if (/^include\s/.test(line)) {
      include(st, file, pos.line, line.slice(8).trim());
      continue;
    }
    const lexed = lexLine(kept.includes('$') ? padTo(kept, line) : kept);
    if (unmatchedQuote || lexed.unmatchedQuote) {
      st.diags.error(pos, 'KA_UNMATCHED_QUOTE', `Unmatched quote: '${line}'`, 'keepalived');
    }
    for (const item of lexed.items) st.out.push({ ...pos, item });
  }
  st.stack.pop();
}

/** Keeps the original indentation so columns still point into the physical line. */
function padTo(original: string, expanded: string): string {
  const lead = original.length - original.trimStart().length;
  return ' '.repeat(lead) + expanded;
}

function defineVariable(st: ReadState, line: string): boolean {
  const m = /^\$([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
  if (!m) return false;
  st.defs.set(m[1] ?? '', (m[2] ?? '').trim());
  return true;
}

/** Replaces `$NAME` and `${NAME}` for defined names; anything else (`$(cmd)`) is left as is. */
function expand(st: ReadState, line: string): string {
  if (st.defs.size === 0 || !line.includes('$')) return line;
  let out = line;
  for (let round = 0; round < MAX_DEFINITION_ROUNDS; round++) {
    if (out.length > MAX_EXPANDED_LENGTH) return out.slice(0, MAX_EXPANDED_LENGTH);
    const next = out.replace(
      /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
      (whole, braced?: string, bare?: string) => st.defs.get(braced ?? bare ?? '') ?? whole,
    );
    if (next === out) break;
    out = next;
  }
  return out;
}

function include(st: ReadState, file: string, line: number, pattern: string): void {
  const pos = { file, line };
  if (!pattern) {
    st.diags.error(pos, 'KA_INCLUDE_MISSING_FILE', 'include requires a file name', 'keepalived');
    return;
  }
  const cwd = dirOf(file);
  let matches: string[] = [];
  try {
    matches = [...st.host.glob(pattern, cwd)].sort();
  } catch {
    matches = [];
  }
  if (matches.length === 0) {
    st.diags.warning(
      pos,
      'KA_INCLUDE_NOT_FOUND',
      `Config files missing '${pattern}'.`,
      'keepalived',
    );
    return;
  }
  for (const m of matches) {
    const path = joinPath(cwd, m);
    if (st.stack.includes(canonicalPath(path, st.cwd)) || st.stack.length >= MAX_INCLUDE_DEPTH) {
      st.diags.error(
        pos,
        'HALO_INCLUDE_LOOP',
        `include of '${path}' loops back on itself - ignoring`,
        'halo',
      );
      continue;
    }
    if (st.total > MAX_CONFIG_BYTES) {
      st.diags.error(
        pos,
        'HALO_CONFIG_LIMIT',
        `include of '${path}' skipped: the files read so far exceed ${MAX_CONFIG_BYTES} bytes (halo's bound on a configuration)`,
        'halo',
      );
      return;
    }
    let text: string;
    try {
      text = st.host.readFile(path);
    } catch (err) {
      const limit = err as { code?: string; path?: string; line?: number; message?: string };
      if (limit.code === 'HALO_CONFIG_LIMIT') {
        st.diags.error(
          { file: limit.path ?? path, line: limit.line ?? 1 },
          'HALO_CONFIG_LIMIT',
          limit.message ?? 'configuration bound crossed',
          'halo',
        );
        continue;
      }
      st.diags.warning(
        pos,
        'KA_INCLUDE_NOT_FOUND',
        `Config files missing '${path}'.`,
        'keepalived',
      );
      continue;
    }
    readText(st, path, text);
  }
}
