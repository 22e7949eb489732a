// Diagnostics shared by every config parser: a position, a severity, a stable code and
// HAProxy/Keepalived-style wording. Rendered as `file:line: severity: message`.

export type Severity = 'error' | 'warning' | 'notice';

export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly col?: number;
}

export interface Diagnostic extends SourcePos {
  readonly severity: Severity;
  /** Stable identifier, e.g. `HAP_UNKNOWN_KEYWORD`, `HALO_MODE_TRAP`. Tests match on it. */
  readonly code: string;
  readonly message: string;
  /** For halo's own findings: what happens and how to fix it. */
  readonly hint?: string;
  /** Which real tool reports the same thing (`haproxy`, `keepalived`), or `halo` if only halo does. */
  readonly origin: Origin;
}

export type Origin = 'haproxy' | 'keepalived' | 'halo';

/** Collects all diagnostics of one run; the exit status comes from the worst severity. */
export class Diagnostics {
  readonly list: Diagnostic[] = [];

  add(d: Diagnostic): void {
    this.list.push(d);
  }

  error(pos: SourcePos, code: string, message: string, origin: Origin, hint?: string): void {
    this.push('error', pos, code, message, origin, hint);
  }

  warning(pos: SourcePos, code: string, message: string, origin: Origin, hint?: string): void {
    this.push('warning', pos, code, message, origin, hint);
  }

  notice(pos: SourcePos, code: string, message: string, origin: Origin, hint?: string): void {
    this.push('notice', pos, code, message, origin, hint);
  }

  private push(
    severity: Severity,
    pos: SourcePos,
    code: string,
    message: string,
    origin: Origin,
    hint: string | undefined,
  ): void {
    this.add({ ...pickPos(pos), severity, code, message, origin, ...(hint ? { hint } : {}) });
  }

  get errors(): number {
    return this.list.filter((d) => d.severity === 'error').length;
  }

  get warnings(): number {
    return this.list.filter((d) => d.severity === 'warning').length;
  }

  /** Diagnostics in file order, then line order (stable for equal positions). */
  sorted(): Diagnostic[] {
    return this.list
      .map((d, i) => ({ d, i }))
      .sort((a, b) =>
        a.d.file === b.d.file ? a.d.line - b.d.line || a.i - b.i : a.d.file < b.d.file ? -1 : 1,
      )
      .map((x) => x.d);
  }
}

function pickPos(pos: SourcePos): SourcePos {
  return pos.col === undefined
    ? { file: pos.file, line: pos.line }
    : { file: pos.file, line: pos.line, col: pos.col };
}

/** `haproxy.cfg:64: warning: 'option forwardfor' ignored ...` plus an indented hint line. */
export function formatDiagnostic(d: Diagnostic): string {
  const head = `${d.file}:${d.line}: ${d.severity}: ${d.message}`;
  return d.hint ? `${head}\n    ${d.hint}` : head;
}

/** Typed error with a stable code, for failures that are not config diagnostics. */
export class HaloError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HaloError';
  }
}
