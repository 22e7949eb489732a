// The master CLI (`-S`): what HAProxy's master process answers on its own socket. It knows
// the processes (`show proc`), reloads, and forwards a command prefixed with `@<n>` (worker
// n, from 1), `@!<pid>` or `@master` to that process's runtime API, answering with its
// text. Pure: the processes, the forwarding and the reload come through a port; the socket
// adapter (master-socket.ts) feeds lines in.

/** One process as `show proc` lists it. */
export interface MasterCliProcess {
  readonly pid: number;
  readonly reloads: number;
  /** Wall-clock ms it started (the worker: since its current configuration serves). */
  readonly startedAt: number;
  readonly version: string;
}

export interface MasterCliPort {
  master(): MasterCliProcess & { readonly failedReloads: number };
  /** Current workers, worker 1 first (`@1`). */
  workers(): readonly MasterCliProcess[];
  /** Runs one runtime-API command line in that worker; resolves to its whole answer. */
  forward(worker: MasterCliProcess, command: string): Promise<string>;
  reload(): void;
  now(): number;
}

interface MasterCommand {
  readonly words: readonly string[];
  readonly usage: string;
  readonly help: string;
}

const MASTER_COMMANDS: readonly MasterCommand[] = [
  { words: ['@!<pid>'], usage: '@!<pid>', help: 'send a command to the <pid> process' },
  {
    words: ['@<relative pid>'],
    usage: '@<relative pid>',
    help: 'send a command to the <relative pid> process',
  },
  { words: ['@master'], usage: '@master', help: 'send a command to the master process' },
  { words: ['reload'], usage: 'reload', help: 'reload haproxy' },
  { words: ['show', 'proc'], usage: 'show proc', help: 'show processes status' },
  {
    words: ['show', 'version'],
    usage: 'show version',
    help: 'show version of the current process',
  },
  { words: ['help'], usage: 'help [<command>]', help: 'list matching or all commands' },
  { words: ['prompt'], usage: 'prompt', help: 'toggle interactive mode with prompt' },
  { words: ['quit'], usage: 'quit', help: 'disconnect' },
];

function helpLines(list: readonly MasterCommand[]): string {
  return list.map((c) => `  ${c.usage.padEnd(40)}: ${c.help}\n`).join('');
}

/** Splits a line on unescaped `;`, keeping each piece's text (escapes and all) for forwarding. */
export function splitPieces(line: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\\') i++;
    else if (line[i] === ';') {
      out.push(line.slice(start, i));
      start = i + 1;
    }
  }
  out.push(line.slice(start));
  return out;
}

/** `0d00h00m05s`, as `show proc` prints uptimes. */
export function procUptime(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const two = (n: number) => String(n).padStart(2, '0');
  return `${Math.floor(s / 86400)}d${two(Math.floor((s % 86400) / 3600))}h${two(Math.floor((s % 3600) / 60))}m${two(s % 60)}s`;
}

const col = (v: string | number) => String(v).padEnd(15);

export function renderShowProc(port: MasterCliPort): string {
  const now = port.now();
  const m = port.master();
  let s = `#${'<PID>'.padEnd(14)} ${col('<type>')} ${col('<reloads>')} ${col('<uptime>')} ${col('<version>')}\n`;
  s += `${col(m.pid)} ${col('master')} ${col(`${m.reloads} [failed: ${m.failedReloads}]`)} ${col(procUptime(now - m.startedAt))} ${col(m.version)}\n`;
  s += '# workers\n';
  for (const w of port.workers())
    s += `${col(w.pid)} ${col('worker')} ${col(w.reloads)} ${col(procUptime(now - w.startedAt))} ${col(w.version)}\n`;
  return `${s}# programs\n`;
}

/** The process a `@...` prefix names, `master`, or an error text. */
function target(prefix: string, port: MasterCliPort): MasterCliProcess | 'master' | string {
  if (prefix === '@master' || prefix === '@0') return 'master';
  const workers = port.workers();
  const bang = /^@!(\d+)$/.exec(prefix);
  const rel = /^@(\d+)$/.exec(prefix);
  const found = bang
    ? workers.find((w) => w.pid === Number(bang[1]))
    : rel
      ? workers[Number(rel[1]) - 1]
      : undefined;
  return found ?? `Can't find the target PID matching the prefix '${prefix}'\n`;
}

/** A master CLI connection: `prompt` mode and the default target that a bare `@n` sets. */
export class MasterCliSession {
  interactive = false;
  closed = false;
  private defaultTarget = '@master';

  constructor(private readonly port: MasterCliPort) {}

  /** One line from the client; resolves to the text to send (each answer ends with `\n`). */
  async line(text: string): Promise<string> {
    let out = '';
    for (const piece of splitPieces(text.replace(/\r$/, ''))) {
      if (this.closed) break;
      out += await this.piece(piece.trim());
    }
    return out;
  }

  private prompt(): string {
    return this.interactive
      ? `${this.defaultTarget === '@master' ? 'master' : this.defaultTarget.slice(1)}> `
      : '';
  }

  private async piece(cmd: string): Promise<string> {
    let prefix = this.defaultTarget;
    let rest = cmd;
    const m = /^(@\S*)\s*(.*)$/.exec(cmd);
    if (m) {
      prefix = m[1]!;
      rest = m[2]!;
      if (rest === '' && this.interactive) {
        // A bare prefix in prompt mode makes it the target of the next commands.
        const t = target(prefix, this.port);
        if (typeof t === 'string' && t !== 'master') return `${t}${this.prompt()}`;
        this.defaultTarget = prefix;
        return this.prompt();
      }
    }
    const t = target(prefix, this.port);
    // HAProxy answers `reload` with nothing at all, and an unknown target without the
    // empty line that ends other answers.
    if (t === 'master' && rest === 'reload') return `${this.master(rest)}${this.prompt()}`;
    if (typeof t === 'string' && t !== 'master') return `${t}${this.prompt()}`;
    if (t === 'master' || rest === 'prompt' || rest === 'quit') {
      const out = this.master(rest);
      return this.closed ? '' : `${out}\n${this.prompt()}`;
    }
    // The worker's answer already ends with the runtime API's empty line.
    return `${await this.port.forward(t, rest)}${this.prompt()}`;
  }

  private master(cmd: string): string {
    const words = cmd.split(/\s+/).filter(Boolean);
    const is = (...w: string[]) => w.length === words.length && w.every((x, i) => words[i] === x);
    if (is('show', 'proc')) return renderShowProc(this.port);
    if (is('show', 'version')) return `${this.port.master().version}\n`;
    if (is('reload')) {
      this.port.reload();
      return '';
    }
    if (is('prompt')) {
      this.interactive = !this.interactive;
      return '';
    }
    if (is('quit')) {
      this.closed = true;
      return '';
    }
    if (words[0] === 'help' || words.length === 0)
      return `The following commands are valid at this level:\n${helpLines(MASTER_COMMANDS)}`;
    const close = MASTER_COMMANDS.filter((c) => c.words.some((w) => words.includes(w)));
    return `Unknown command, but maybe one of the following ones is a better match:\n${helpLines(close.length > 0 ? close : MASTER_COMMANDS)}`;
  }
}
