// One runtime-API command to a running halo (or HAProxy) node, as socat sends it: connect
// to the stats socket (a unix path, or HOST:PORT / ipv4@HOST:PORT for a TCP `stats socket`),
// write the line, read until the node closes. Bounded in time. Used by `halo handover` and
// `halo drill`.

import { createConnection, type Socket } from 'node:net';

/** Sends `command` and resolves to the answer; rejects on error or after `timeoutMs`. */
export function runtimeCommand(socket: string, command: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const addr = socket.replace(/^(ipv4|ipv6|unix)@/, '');
    const tcp = /^\[?([^\]/]*?)\]?:(\d{1,5})$/.exec(addr);
    const s: Socket = tcp
      ? createConnection({ host: tcp[1] || '127.0.0.1', port: Number(tcp[2]) })
      : createConnection({ path: addr });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`${socket}: no answer to '${command}' within ${timeoutMs} ms`));
    }, timeoutMs);
    s.on('connect', () => s.end(`${command}\n`));
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${socket}: ${e.message}`));
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}
