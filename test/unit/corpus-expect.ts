// Reads the config corpus (test/corpus) and its `.expect` sidecars, and matches halo's
// diagnostics against them. Shared by the corpus unit test and the differential test;
// the format is described in test/corpus/README.md.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type CorpusKind = 'haproxy' | 'keepalived';
export type Verdict = 'valid' | 'invalid';

export interface ExpectedDiagnostic {
  /** The `.expect` line as written, for messages. */
  readonly raw: string;
  /** Absolute path of the file the diagnostic is in (the case itself unless prefixed). */
  readonly file: string;
  /** Lines it may be on; `undefined` means any line. */
  readonly lines: readonly number[] | undefined;
  readonly severity: 'error' | 'warning' | 'notice' | 'hint';
  /** `error?`: permitted, not required. */
  readonly optional: boolean;
  readonly text: string;
}

export interface Expectation {
  /** The real tool's exit code, as measured. */
  readonly exit: number;
  readonly env: Readonly<Record<string, string>>;
  /** Keepalived: check interfaces on the host instead of `offline`. */
  readonly online: boolean;
  /** Why halo's verdict deliberately differs from the real tool's. */
  readonly differs: string | undefined;
  readonly diagnostics: readonly ExpectedDiagnostic[];
}

export interface CorpusCase {
  readonly kind: CorpusKind;
  /** `haproxy/typo-balance.cfg` */
  readonly id: string;
  readonly path: string;
  readonly dir: string;
  readonly text: string;
  readonly expect: Expectation;
}

/** Only the parts of a halo Diagnostic the matcher needs (also what `--json` prints). */
export interface SeenDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly severity: string;
  readonly message: string;
  readonly hint?: string | undefined;
}

/** The repository root: the nearest directory above this file holding package.json. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above the corpus helper');
    dir = up;
  }
  return dir;
}

export function corpusDir(): string {
  return join(repoRoot(), 'test', 'corpus');
}

const EXTENSION: Record<CorpusKind, string> = { haproxy: '.cfg', keepalived: '.conf' };

/** Every case of both kinds, in name order. Throws when a case has no `.expect`. */
export function loadCorpus(): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (const kind of ['haproxy', 'keepalived'] as const) {
    const dir = join(corpusDir(), kind);
    const names = readdirSync(dir)
      .filter((n) => n.endsWith(EXTENSION[kind]))
      .sort();
    for (const name of names) {
      const path = join(dir, name);
      const base = name.slice(0, -EXTENSION[kind].length);
      const expectPath = join(dir, `${base}.expect`);
      if (!existsSync(expectPath)) throw new Error(`${kind}/${name} has no ${base}.expect`);
      const expect = parseExpect(readFileSync(expectPath, 'utf8'), expectPath, path);
      cases.push({
        kind,
        id: `${kind}/${name}`,
        path,
        dir,
        text: readFileSync(path, 'utf8'),
        expect,
      });
    }
  }
  return cases;
}

const DIAG_LINE =
  /^(?:([^\s:]+):)?(\*|\d+(?:[-,]\d+)*):\s*(error|warning|notice|hint)(\?)?:\s?(.*)$/;

/** Parses one `.expect` file; `casePath` is the config it describes. */
export function parseExpect(text: string, expectPath: string, casePath: string): Expectation {
  let exit: number | undefined;
  let online = false;
  let differs: string | undefined;
  const env: Record<string, string> = {};
  const diagnostics: ExpectedDiagnostic[] = [];
  text.split('\n').forEach((rawLine, i) => {
    const line = rawLine.trim();
    const where = `${expectPath}:${i + 1}`;
    if (line === '' || line.startsWith('#')) return;
    if (line === 'online') online = true;
    else if (line.startsWith('exit:')) exit = Number.parseInt(line.slice(5).trim(), 10);
    else if (line.startsWith('differs:')) differs = line.slice(8).trim();
    else if (line.startsWith('env:')) {
      const [name, ...value] = line.slice(4).trim().split('=');
      if (!name || value.length === 0) throw new Error(`${where}: env needs NAME=VALUE`);
      env[name] = value.join('=');
    } else {
      const m = DIAG_LINE.exec(line);
      if (!m) throw new Error(`${where}: cannot read '${line}'`);
      const [, file, lineSpec, severity, optional, message] = m;
      diagnostics.push({
        raw: line,
        file: file ? resolve(dirname(casePath), file) : resolve(casePath),
        lines: parseLines(lineSpec!),
        severity: severity as ExpectedDiagnostic['severity'],
        optional: optional === '?',
        text: (message ?? '').trim(),
      });
    }
  });
  if (exit === undefined || Number.isNaN(exit)) throw new Error(`${expectPath}: no 'exit:' line`);
  if (differs === '') throw new Error(`${expectPath}: 'differs:' needs a reason`);
  return { exit, env, online, differs, diagnostics };
}

function parseLines(spec: string): number[] | undefined {
  if (spec === '*') return undefined;
  const out: number[] = [];
  for (const part of spec.split(',')) {
    const [from, to] = part.split('-').map((n) => Number.parseInt(n, 10));
    for (let n = from!; n <= (to ?? from!); n++) out.push(n);
  }
  return out;
}

/** What halo must conclude: invalid exactly when a required error is expected. */
export function expectedHaloVerdict(e: Expectation): Verdict {
  return e.diagnostics.some((d) => d.severity === 'error' && !d.optional) ? 'invalid' : 'valid';
}

/**
 * The real tool's verdict from its exit code and output. haproxy: 0 valid, 1 errors,
 * 2 no listener. keepalived: 0 valid, 5 errors; 6 is the script-security warning, which
 * takes precedence over 5, so 6 is "valid with a warning" only when Keepalived printed
 * nothing but that warning.
 */
export function toolVerdict(kind: CorpusKind, exit: number, output: string): Verdict {
  if (exit === 0) return 'valid';
  if (kind === 'haproxy' || exit !== 6) return 'invalid';
  const lines = output.split('\n').filter((l) => l.trim() !== '');
  return lines.every((l) => l.startsWith('SECURITY VIOLATION')) ? 'valid' : 'invalid';
}

/** A case is "broken" when halo must report at least one required error or warning. */
export function isBroken(c: CorpusCase): boolean {
  return c.expect.diagnostics.some((d) => !d.optional && d.severity !== 'hint');
}

function samePlace(e: ExpectedDiagnostic, d: SeenDiagnostic, caseDir: string): boolean {
  if (resolve(caseDir, d.file) !== e.file) return false;
  return e.lines === undefined || e.lines.includes(d.line);
}

function textMatches(e: ExpectedDiagnostic, d: SeenDiagnostic): boolean {
  const want = e.text.toLowerCase();
  if (e.severity === 'hint') return `${d.hint ?? ''}\n${d.message}`.toLowerCase().includes(want);
  return d.severity === e.severity && d.message.toLowerCase().includes(want);
}

export function formatSeen(d: SeenDiagnostic): string {
  const hint = d.hint ? ` [hint: ${d.hint}]` : '';
  return `${d.file}:${d.line}: ${d.severity}: ${d.message}${hint}`;
}

/**
 * Problems with halo's diagnostics for one case: an expected diagnostic missing, or an
 * error that no expected line permits. Empty when halo says what the `.expect` says.
 */
export function diagnosticProblems(c: CorpusCase, seen: readonly SeenDiagnostic[]): string[] {
  const problems: string[] = [];
  for (const e of c.expect.diagnostics) {
    if (e.optional) continue;
    if (!seen.some((d) => samePlace(e, d, c.dir) && textMatches(e, d))) {
      problems.push(`missing   ${e.raw}`);
    }
  }
  for (const d of seen) {
    if (d.severity !== 'error') continue;
    const allowed = c.expect.diagnostics.some(
      (e) => e.severity === 'error' && samePlace(e, d, c.dir) && textMatches(e, d),
    );
    if (!allowed) problems.push(`unexpected ${formatSeen(d)}`);
  }
  return problems;
}
