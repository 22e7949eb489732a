#!/usr/bin/env node
// The `halo` command: a table of subcommands; `help` is generated from it.

import { LastResort } from '../daemon/last-resort.js';
import { stdio } from '../proxy/log/stdio.js';
import type { CommandIO } from './command.js';
import { commands } from './command-table.js';
import { VERSION } from './version.js';

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
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    io.stderr(`halo: unknown command '${name}'. Run 'halo help'.\n`);
    return 2;
  }
  const command = await entry.load();
  if (rest.includes('--help')) {
    io.stdout(`${command.usage}\n`);
    return 0;
  }
  return command.run(rest, io);
}

// Until a command says it serves, a reader that goes away (`halo check ... | head`) ends the
// output and the process, quietly. A serving process drops and counts what it cannot write.
let serving = false;
const out = stdio();
for (const [stream, bounded] of [
  [process.stdout, out.stdout],
  [process.stderr, out.stderr],
] as const)
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (serving) bounded.readerGone();
    else if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    else throw err;
  });

const io: CommandIO = {
  stdout: (t) => (serving ? out.stdout.write(t) : process.stdout.write(t)),
  stderr: (t) => (serving ? out.stderr.write(t) : process.stderr.write(t)),
  env: process.env,
  cwd: process.cwd(),
  serving: (report) => {
    if (serving) return;
    serving = true;
    const alert = (m: string) => out.stderr.write(`[ALERT]    (${process.pid}) : ${m}\n`);
    new LastResort({ report: report ?? alert }).install();
  },
};

/** How long a stopped daemon may take to let its last handles go before it exits anyway. */
const EXIT_GRACE_MS = 1500;

main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
    // A daemon that stopped exits even if some handle was left open (unref'd: a clean stop
    // exits at once, as before).
    if (serving) setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
  },
  (err: unknown) => {
    process.stderr.write(
      `halo: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(70);
  },
);
