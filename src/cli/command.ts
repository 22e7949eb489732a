// The shape of a `halo` subcommand. Commands get argv and their I/O streams and return an
// exit status; only cli/main.ts calls process.exit.
import type { NameResolver } from '../config/haproxy/resolve-names.js';

export interface CommandIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /**
   * Called by a command once it runs for long (a proxy, VRRP, the demo's story): from then
   * on an uncaught error is reported through `report` and counted instead of ending the
   * process, and output nobody reads is dropped and counted instead of ending or growing
   * it. Before that, a reader that goes away ends the command quietly (`halo check | head`).
   */
  readonly serving?: (report?: (message: string) => void) => void;
  /** Host-name lookups (server and bind names); tests inject a fake, the default is getaddrinfo. */
  readonly resolver?: NameResolver;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /** Resolves to the exit status. Long-running commands resolve when they stop. */
  run(argv: string[], io: CommandIO): Promise<number>;
}
