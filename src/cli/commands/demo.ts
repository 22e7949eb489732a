// `halo demo` (what `npm start` runs): needs no root. Today it checks the article's configs
// (examples/article/) and shows what halo finds in them that HAProxy and Keepalived don't say.

import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDiagnostic } from '../../config/diagnostics.js';
import type { Command } from '../command.js';
import { checkFiles } from './check.js';

/** examples/article, found from this file whether run from src/ (tsx) or dist/src/. */
function articleDir(cwd: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++, dir = dirname(dir)) {
    const candidate = join(dir, 'examples', 'article');
    if (existsSync(candidate)) return candidate;
  }
  return join(cwd, 'examples', 'article');
}

export const demoCommand: Command = {
  name: 'demo',
  summary: "check the article's haproxy.cfg and keepalived.conf files (npm start)",
  usage:
    'halo demo\n\nChecks examples/article/ (the configs of the article halo comes from) offline.',
  async run(_argv, io) {
    const dir = articleDir(io.cwd);
    const files = [
      'haproxy.cfg',
      'keepalived-master1.conf',
      'keepalived-master2.conf',
      'keepalived-master3.conf',
    ];
    io.stdout(
      `halo demo: the proxy and VRRP engines are not in this build yet, so this demo runs\n` +
        `'halo check --offline' on the article's configs (${relative(io.cwd, dir) || dir}).\n\n`,
    );
    let status = 0;
    for (const f of files) {
      const path = relative(io.cwd, join(dir, f));
      const r = checkFiles([path], io.cwd, io.env, true);
      io.stdout(`== ${path}: ${r.valid ? 'valid' : 'INVALID'}\n`);
      for (const d of r.diagnostics) io.stdout(`${formatDiagnostic(d)}\n`);
      io.stdout('\n');
      if (!r.valid) status = 1;
    }
    io.stdout(
      `Run it yourself: npx halo check --offline -f ${join(relative(io.cwd, dir) || dir, 'haproxy.cfg')}\n`,
    );
    return status;
  },
};
