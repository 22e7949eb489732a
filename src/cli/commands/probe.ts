// `halo probe HOST:PORT`: a client of the VIP, as kubectl or a kubelet is. Opens a new TLS
// (or TCP) connection every interval, prints each blackout as it ends (how long the client
// saw errors, which errors) and a summary when stopped (Ctrl-C, SIGTERM or --for). Failover
// is measured where users feel it, on the client, not from the VRRP state.

import { type Attempt, blackouts } from '../../probe/blackout.js';
import { VipProbe } from '../../probe/vip-probe.js';
import type { Command, CommandIO } from '../command.js';

const USAGE = `Usage: halo probe HOST:PORT [--tcp] [--interval MS] [--timeout MS] [--for SECONDS] [--json]

Connects to HOST:PORT every interval (default 10 ms) with a TLS handshake (--tcp: a TCP
connect only); an attempt fails on an error or when not done within the timeout (default
1000 ms). Prints each blackout (first failed attempt to the next success) as it ends, and a
summary on Ctrl-C, SIGTERM or after --for seconds. --json prints one JSON object per line
(each failed attempt, each blackout, then the summary). Exit 0, or 1 when the last attempt
failed (the series ended inside a blackout), 2 on bad usage.`;

interface ProbeArgs {
  host: string;
  port: number;
  tls: boolean;
  intervalMs: number;
  timeoutMs: number;
  forSeconds?: number;
  json: boolean;
}

function positive(v: string | undefined): number | undefined {
  const n = Number(v);
  return v !== undefined && Number.isFinite(n) && n > 0 ? n : undefined;
}

export function parseProbeArgs(argv: readonly string[]): ProbeArgs | string {
  let target: string | undefined;
  const o = { tls: true, intervalMs: 10, timeoutMs: 1000, json: false } as Partial<ProbeArgs> & {
    tls: boolean;
    intervalMs: number;
    timeoutMs: number;
    json: boolean;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--tcp') o.tls = false;
    else if (a === '--json') o.json = true;
    else if (a === '--interval' || a === '--timeout' || a === '--for') {
      const n = positive(argv[++i]);
      if (n === undefined) return `option '${a}' needs a positive number`;
      if (a === '--interval') o.intervalMs = n;
      else if (a === '--timeout') o.timeoutMs = n;
      else o.forSeconds = n;
    } else if (a.startsWith('-')) return `unknown option '${a}'`;
    else if (target === undefined) target = a;
    else return `unexpected argument '${a}'`;
  }
  if (target === undefined) return 'no HOST:PORT given';
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(target);
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || port < 1 || port > 65535) return `'${target}' is not HOST:PORT`;
  return { ...o, host: m[1]!, port };
}

export const probeCommand: Command = {
  name: 'probe',
  summary: 'connect to HOST:PORT every 10 ms as a client would and print each blackout',
  usage: USAGE,
  async run(argv: string[], io: CommandIO): Promise<number> {
    const o = parseProbeArgs(argv);
    if (typeof o === 'string') {
      io.stderr(`halo probe: ${o}\n${USAGE}\n`);
      return 2;
    }
    io.serving?.();
    let failing: Attempt[] = [];
    const probe = new VipProbe({
      host: o.host,
      port: o.port,
      tls: o.tls,
      intervalMs: o.intervalMs,
      timeoutMs: o.timeoutMs,
      onAttempt: (a) => {
        if (o.json && !a.ok) io.stdout(`${JSON.stringify({ attempt: a })}\n`);
        if (!a.ok) failing.push(a);
        else if (failing.length > 0) {
          const [b] = blackouts([...failing, a]);
          failing = [];
          if (b === undefined) return;
          if (o.json) io.stdout(`${JSON.stringify({ blackout: b })}\n`);
          else
            io.stdout(
              `blackout ${b.ms.toFixed(0)} ms: ${b.failures} failed connection(s) (${b.errors.join(', ')})\n`,
            );
        }
      },
    });
    const target = `${o.host.includes(':') ? `[${o.host}]` : o.host}:${o.port}`;
    if (!o.json)
      io.stdout(
        `probing ${target} (${o.tls ? 'TLS' : 'TCP'}) every ${o.intervalMs} ms, timeout ${o.timeoutMs} ms\n`,
      );
    probe.start();
    await new Promise<void>((resolve) => {
      const done = () => {
        process.off('SIGINT', done);
        process.off('SIGTERM', done);
        clearTimeout(t);
        resolve();
      };
      process.on('SIGINT', done);
      process.on('SIGTERM', done);
      const t = o.forSeconds !== undefined ? setTimeout(done, o.forSeconds * 1000) : undefined;
    });
    const s = await probe.stop();
    if (o.json) io.stdout(`${JSON.stringify({ summary: { ...s, blackouts: undefined } })}\n`);
    else
      io.stdout(
        `${s.attempts} attempts, ${s.failures} failed; ${s.blackouts.length} blackout(s), longest ${s.longestMs.toFixed(0)} ms${s.blackouts.at(-1)?.open ? ' (still failing at the end)' : ''}\n`,
      );
    return s.blackouts.at(-1)?.open ? 1 : 0;
  },
};
