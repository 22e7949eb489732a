#!/usr/bin/env node
// The `halo` command: a table of subcommands; `help` is generated from it.

import './preflight.js'; // first: checks the Node.js internals before the proxy binds them
import type { Command, CommandIO } from './command.js';
import { checkCommand } from './commands/check.js';
import { demoCommand } from './commands/demo.js';
import { proxyCommand } from './commands/proxy.js';
import { vrrpCommand } from './commands/vrrp.js';
import { VERSION } from './version.js';

const commands: readonly Command[] = [checkCommand, proxyCommand, vrrpCommand, demoCommand];

function help(io: CommandIO): number {
  const width = Math.max(...commands.map((c) => c.name.length));
  io.stdout(
    `halo ${VERSION}: HAProxy + Keepalived for the Kubernetes control plane\n\nUsage: halo <command> [options]\n\nCommands:\n`,
  );
  for (const c of commands) io.stdout(`  ${c.name.padEnd(width)}  ${c.summary}\n`);
  io.stdout(`\nRun 'halo <command> --help' for a command's options.\n`);
  return 0;
}

export async function main(argv: string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') return help(io);
  if (name === '--version' || name === 'version') {
    io.stdout(`halo ${VERSION}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr(`halo: unknown command '${name}'. Run 'halo help'.\n`);
    return 2;
  }
  if (rest.includes('--help')) {
    io.stdout(`${command.usage}\n`);
    return 0;
  }
  return command.run(rest, io);
}

// A reader that goes away (`halo check ... | head`) ends the output, not the process with a trace.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });

const io: CommandIO = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  cwd: process.cwd(),
};

main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `halo: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(70);
  },
);
