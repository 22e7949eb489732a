// systemd's side of sd_notify(3) for tests: a python3 unix-datagram receiver (Node has no
// AF_UNIX datagram sockets) on a path or an abstract `@name`; each message is recorded
// with, for READY=1, whether a TCP port accepted when it arrived.

import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import net from 'node:net';

const RECEIVER = `
import json, os, socket, sys
p = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('\\0' + p[1:] if p.startswith('@') else p)
if not p.startswith('@'):
    os.chmod(p, 0o777)  # as systemd's /run/systemd/notify: any user may send
print('bound', flush=True)
while True:
    print(json.dumps(s.recv(4096).decode()), flush=True)
`;

/** systemd's side: every datagram on `address`, with whether `port` accepted on arrival. */
export class NotifyReceiver {
  readonly messages: { text: string; accepting?: boolean }[] = [];
  private readonly child: ChildProcess;
  readonly bound: Promise<void>;

  constructor(
    readonly address: string,
    private readonly port: () => number | undefined,
  ) {
    this.child = spawn('python3', ['-c', RECEIVER, address], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buf = '';
    this.bound = new Promise((resolve) => {
      this.child.stdout!.on('data', (d: Buffer) => {
        buf += d;
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line === 'bound') resolve();
          else this.arrived(JSON.parse(line) as string);
        }
      });
    });
  }

  private arrived(text: string): void {
    const m: { text: string; accepting?: boolean } = { text };
    this.messages.push(m);
    const port = this.port();
    if (text.startsWith('READY=1') && port !== undefined)
      void accepts(port).then((ok) => {
        m.accepting = ok;
      });
  }

  texts(): string[] {
    return this.messages.map((m) => m.text.split('\n')[0]!);
  }

  stop(): void {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
  }
}

export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    c.on('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.on('error', () => resolve(false));
  });
}
