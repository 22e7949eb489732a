// `halo proxy`: placeholder until the proxy engine lands; it refuses to run rather than pretend.
import type { Command } from '../command.js';

export const proxyCommand: Command = {
  name: 'proxy',
  summary: 'not available yet in this build',
  usage: 'halo proxy -f FILE (not available yet in this build)',
  async run(_argv, io) {
    io.stderr('halo proxy: not available yet in this build\n');
    return 1;
  },
};
