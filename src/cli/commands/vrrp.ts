// `halo vrrp`: placeholder until the vrrp engine lands; it refuses to run rather than pretend.
import type { Command } from '../command.js';

export const vrrpCommand: Command = {
  name: 'vrrp',
  summary: 'not available yet in this build',
  usage: 'halo vrrp -f FILE (not available yet in this build)',
  async run(_argv, io) {
    io.stderr('halo vrrp: not available yet in this build\n');
    return 1;
  },
};
