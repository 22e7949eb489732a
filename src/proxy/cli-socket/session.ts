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
  /** Returns false when the transport's output is backed up: no command runs until feed(''). */
  write(text: string): boolean | undefined;
  end(): void;
  /** Longest command with its delimiter (cliCommandLimit); MAX_CLI_COMMAND by default. */
  readonly maxCommand?: number;
  /** A command longer than `maxCommand` arrived; the session closes right after. */
  tooLong?(): void;
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
    } else if (c === '\\') {
      // A backslash that ends the command escapes nothing: HAProxy drops it.
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

/**
 * The longest command HAProxy's CLI accepts: it reads each command (up to an unescaped `;` or
 * a newline) into one `tune.bufsize` chunk (16384 by default) and keeps a byte for the NUL,
 * so 16383 bytes with the delimiter. A longer one closes the connection with no answer.
 */
export const MAX_CLI_COMMAND = 16383;

/** The command limit for a configured `tune.bufsize` (measured on HAProxy 2.6: bufsize - 1). */
export function cliCommandLimit(tune?: { readonly bufsize?: number }): number {
  return tune?.bufsize === undefined ? MAX_CLI_COMMAND : tune.bufsize - 1;
}

export class CliSession {
  private buffer = '';
  /** Where the delimiter search resumes in `buffer` (what precedes it holds none). */
  private scanned = 0;
  /** Set while the transport's output is backed up: commands wait, unread, in `buffer`. */
  private blocked = false;
  /** The client's input ended while commands were held back: end once they are answered. */
  private endAfterDrain = false;
  private interactive = false;
  private closed = false;
  private level: Level;
  private readonly maxCommand: number;

  constructor(private readonly opts: CliSessionOptions) {
    this.level = opts.level;
    this.maxCommand = opts.maxCommand ?? MAX_CLI_COMMAND;
  }

  /**
   * Text from the client (empty to resume after the output drained). Runs every command
   * that ended with `;` or a newline, as HAProxy does, so a long `;` list is served one
   * command at a time instead of being held until its newline.
   */
  feed(text: string): void {
    if (this.closed) return;
    this.buffer += text;
    this.blocked = false;
    let start = 0;
    let answered = false;
    let i = this.scanned;
    while (!this.closed && !this.blocked) {
      while (i < this.buffer.length) {
        const c = this.buffer.charCodeAt(i);
        if (c === 0x5c /* \\ */) {
          if (i + 1 >= this.buffer.length) break; // its escaped byte is still to come
          i += 2;
        } else if (c === 0x0a /* \n */ || c === 0x3b /* ; */) break;
        else i++;
      }
      if (i >= this.buffer.length || this.buffer.charCodeAt(i) === 0x5c) break;
      if (i - start + 1 > this.maxCommand) {
        this.tooLong();
        return;
      }
      const endsLine = this.buffer.charCodeAt(i) === 0x0a;
      let piece = this.buffer.slice(start, i);
      if (endsLine && piece.endsWith('\r')) piece = piece.slice(0, -1);
      start = ++i;
      answered = true;
      this.runPiece(piece);
    }
    if (this.closed) return;
    this.buffer = this.buffer.slice(start);
    this.scanned = i - start;
    if (!this.blocked && this.buffer.length >= this.maxCommand) this.tooLong();
    else if (answered && !this.interactive && this.buffer === '') this.close();
    else if (this.endAfterDrain && !this.blocked) this.close();
  }

  /**
   * The client finished sending. A command without its `;` or newline is not run (HAProxy
   * drops it too); commands held back by a full output still are, then the session ends.
   */
  inputEnded(): void {
    if (this.closed) return;
    if (this.blocked) {
      this.endAfterDrain = true;
      return;
    }
    // What is left ends with an escaped newline (`\\` + LF): HAProxy runs it at the end of
    // input as a command of its own, the newline dropped.
    if (this.buffer.endsWith('\n')) this.runPiece(this.buffer.slice(0, -1));
    this.close();
  }

  private tooLong(): void {
    this.buffer = '';
    this.opts.tooLong?.();
    this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.buffer = '';
    this.opts.end();
  }

  /** One command; in prompt mode each answer ends with `> `, even inside a `;` list. */
  private runPiece(piece: string): void {
    const words = splitCommands(piece)[0] ?? [];
    const r = this.runCommand(words);
    if (this.closed) return;
    if (this.opts.write(`${r}\n${this.interactive ? '> ' : ''}`) === false) this.blocked = true;
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
    write: () => true,
    end: () => {},
  });
  s.feed(`${words.map((w) => w.replace(/([\\; \t])/g, '\\$1')).join(' ')}\n`);
}

/**
 * One runtime-API line run at admin level, its whole answer as text: what the master CLI's
 * `@1 <command>` forwards to a worker. Every command answers synchronously.
 */
export function answerLine(
  engine: () => ProxyEngine | undefined,
  snapshot: (engine: ProxyEngine) => StatsSnapshot,
  version: string,
  line: string,
  relay?: (words: string[]) => void,
): string {
  let out = '';
  const s = new CliSession({
    level: 'admin',
    engine,
    snapshot,
    version,
    write: (t) => {
      out += t;
      return true;
    },
    end: () => {},
    ...(relay ? { relay } : {}),
  });
  s.feed(`${line}\n`);
  s.inputEnded();
  return out;
}
