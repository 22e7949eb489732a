// One runtime-API connection, as HAProxy's CLI applet runs it: lines of `;`-separated
// commands (`\;` and `\ ` escape), each answer followed by an empty line. Without `prompt`
// the connection closes once the lines received so far are answered; with it, each answer
// ends with the `> ` prompt and the connection stays until `quit` or the idle timeout.
// Transport-free: the socket adapter feeds text in and takes text out.

import type { ProxyEngine } from '../engine.js';
import type { StatsSnapshot } from '../stats/snapshot.js';
import type { CliContext, Level } from './commands.js';
import { findCommand, LEVELS, PERMISSION_DENIED, unknownCommand } from './commands.js';

export interface CliSessionOptions {
  readonly level: Level;
  /** The engine serving now (it changes on reload). */
  readonly engine: () => ProxyEngine | undefined;
  readonly snapshot: (engine: ProxyEngine) => StatsSnapshot;
  readonly version: string;
  write(text: string): void;
  end(): void;
  /** Told about every state change that succeeded (a worker repeats it in the others). */
  relay?(words: string[]): void;
}

/** Splits a line into commands on unescaped `;`, each into words on unescaped blanks. */
export function splitCommands(line: string): string[][] {
  const out: string[][] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  const endWord = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (c === ';') {
      endWord();
      out.push(words);
      words = [];
    } else if (c === ' ' || c === '\t') {
      endWord();
    } else {
      word += c;
      inWord = true;
    }
  }
  endWord();
  out.push(words);
  return out;
}

export class CliSession {
  private buffer = '';
  private interactive = false;
  private closed = false;
  private level: Level;

  constructor(private readonly opts: CliSessionOptions) {
    this.level = opts.level;
  }

  /** Text from the client; answers every complete line. */
  feed(text: string): void {
    if (this.closed) return;
    this.buffer += text;
    let answered = 0;
    let nl = this.buffer.indexOf('\n');
    while (nl >= 0 && !this.closed) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '');
      this.buffer = this.buffer.slice(nl + 1);
      this.runLine(line);
      answered++;
      nl = this.buffer.indexOf('\n');
    }
    if (answered > 0 && !this.interactive) this.close();
  }

  /** The client finished sending: a last line without a newline still counts. */
  inputEnded(): void {
    if (this.closed) return;
    if (this.buffer.trim() !== '') this.runLine(this.buffer);
    this.buffer = '';
    this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.opts.end();
  }

  private runLine(line: string): void {
    if (this.interactive && line.trim() === '') {
      this.opts.write('> ');
      return;
    }
    let out = '';
    for (const words of splitCommands(line)) {
      if (this.closed) return;
      if (words.length === 0 && line.includes(';')) continue;
      const r = this.runCommand(words);
      if (this.closed) return;
      out += `${r}\n`;
    }
    if (this.interactive) out += '> ';
    this.opts.write(out);
  }

  private runCommand(words: string[]): string {
    const cmd = findCommand(words);
    if (!cmd) return unknownCommand(words);
    if (LEVELS.indexOf(cmd.level) > LEVELS.indexOf(this.level)) return PERMISSION_DENIED;
    const engine = this.opts.engine();
    if (!engine) return 'No configuration is running.\n';
    if (cmd.words[0] === 'prompt') {
      this.interactive = !this.interactive;
      return '';
    }
    const session = this;
    const ctx: CliContext = {
      engine,
      snapshot: () => this.opts.snapshot(engine),
      get level() {
        return session.level;
      },
      set level(l: Level) {
        // A session may only lower its level (HAProxy's `operator` / `user`).
        if (LEVELS.indexOf(l) < LEVELS.indexOf(session.level)) session.level = l;
      },
      togglePrompt: () => (this.interactive = !this.interactive),
      quit: () => this.close(),
      version: this.opts.version,
    };
    const out = cmd.run(words.slice(cmd.words.length), ctx);
    if (cmd.changes && out === '') this.opts.relay?.(words);
    return out;
  }
}

/** Runs a state change relayed from another worker's runtime API, at admin level. */
export function applyRelayed(engine: ProxyEngine, words: string[]): void {
  const s = new CliSession({
    level: 'admin',
    engine: () => engine,
    snapshot: () => {
      throw new Error('a relayed command shows nothing');
    },
    version: '',
    write: () => {},
    end: () => {},
  });
  s.feed(`${words.map((w) => w.replace(/([\\; \t])/g, '\\$1')).join(' ')}\n`);
}
