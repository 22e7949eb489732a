// The master CLI's socket (`halo proxy -S <address>[,<option>,<value>...]`, as Debian's
// haproxy.service passes `-S /run/haproxy-master.sock`): a unix path or ip:port with the
// `stats socket` options `mode`, `uid`/`gid`, `user`/`group`. Each connection runs a
// MasterCliSession; without `prompt` it closes once the lines it got are answered.

import net from 'node:net';
import { parseBindAddress } from '../../config/haproxy/address.js';
import type { BindAddress } from '../../config/haproxy/model.js';
import type { MasterCliPort } from './master-cli.js';
import { MasterCliSession } from './master-cli.js';
import { applyUnixOptions, DEFAULT_STATS_TIMEOUT, listenOn } from './stats-socket.js';

export interface MasterSocketSpec {
  readonly address: BindAddress;
  readonly options: Record<string, string | true>;
}

/** `-S` argument: `<address>[,<option>,<value>]*`; a string says what is wrong. */
export function parseMasterSocketArg(arg: string): MasterSocketSpec | string {
  const [spec, ...rest] = arg.split(',');
  const addr = parseBindAddress(spec ?? '', '-S');
  if (!addr.ok) return addr.message;
  const options: Record<string, string | true> = {};
  for (let i = 0; i < rest.length; i += 2) {
    const name = rest[i]!;
    if (!['mode', 'uid', 'gid', 'user', 'group', 'level'].includes(name))
      return `'-S' : unsupported option '${name}' (halo takes mode, uid, gid, user, group)`;
    const value = rest[i + 1];
    if (value === undefined) return `'-S' : option '${name}' expects a value`;
    // Forwarded commands run at admin level: a lower level asked for must not be ignored.
    if (name === 'level' && value !== 'admin')
      return `'-S' : halo does not apply 'level ${value}' to the master CLI yet (it forwards every command at admin level); restrict the socket with 'mode', 'user', 'group' instead`;
    options[name] = value;
  }
  return { address: addr.value, options };
}

export class MasterSocket {
  private server: net.Server | undefined;
  private readonly conns = new Set<net.Socket>();

  constructor(
    private readonly spec: MasterSocketSpec,
    private readonly port: MasterCliPort,
  ) {}

  async start(): Promise<void> {
    const server = net.createServer({ allowHalfOpen: true }, (c) => this.serve(c));
    await listenOn(server, this.spec.address);
    this.server = server;
    if (this.spec.address.kind === 'unix')
      applyUnixOptions(this.spec.address.path, this.spec.options);
  }

  private serve(c: net.Socket): void {
    this.conns.add(c);
    c.setEncoding('latin1');
    c.on('error', () => c.destroy());
    c.on('close', () => this.conns.delete(c));
    c.setTimeout(DEFAULT_STATS_TIMEOUT, () => c.destroy());
    const session = new MasterCliSession(this.port);
    let buffer = '';
    let busy = false;
    let ended = false;
    // Lines are answered one after the other: a forwarded command waits for its worker.
    const pump = async () => {
      if (busy) return;
      busy = true;
      let answered = false;
      for (let nl = buffer.indexOf('\n'); nl >= 0 && !session.closed; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const out = await session.line(line).catch((e: Error) => `${e.message}\n`);
        if (!c.destroyed && out !== '') c.write(out);
        answered = true;
      }
      busy = false;
      const done = session.closed || ended || (answered && !session.interactive && buffer === '');
      if (done && !c.destroyed) c.end(() => c.destroy());
    };
    c.on('data', (d: string) => {
      buffer += d;
      if (buffer.length > 65536) c.destroy();
      else void pump();
    });
    c.on('end', () => {
      ended = true;
      if (!buffer.endsWith('\n') && buffer !== '') buffer += '\n';
      void pump();
    });
  }

  close(): void {
    this.server?.close();
    this.server = undefined;
    for (const c of this.conns) c.destroy();
  }
}
