// A real consumer of HAProxy's stats reads halo's: Debian's prometheus-haproxy-exporter
// (0.14) scrapes the stats page's `;csv` over HTTP with basic auth, and `show info` +
// `show stat` over the unix stats socket. Every line must parse, and the metrics must say
// what the servers are doing (two UP, one DOWN). Skipped when the exporter is not installed.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ProxyDaemon } from '../../src/daemon/proxy-daemon.js';
import { MemoryLog } from '../../src/proxy/log/sinks.js';
import type { Backend } from './proxy-harness.js';
import { backend, freePort, parse, sleep } from './proxy-harness.js';

const EXPORTER = '/usr/bin/prometheus-haproxy-exporter';
const skip = existsSync(EXPORTER)
  ? undefined
  : `${EXPORTER} is not installed (apt-get install prometheus-haproxy-exporter)`;

function get(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

function metric(text: string, name: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(name));
}

describe('prometheus-haproxy-exporter reads halo', { skip }, () => {
  let dir: string;
  let servers: Backend[];
  let daemon: ProxyDaemon;
  const exporters: ChildProcess[] = [];
  let httpPort = 0;
  let unixPort = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'halo-stats-exporter-'));
    servers = [await backend('m1'), await backend('m2')];
    const dead = await freePort();
    const stats = await freePort();
    daemon = new ProxyDaemon({ files: [], env: {}, log: new MemoryLog(), notify: () => {} });
    await daemon.start(
      parse(`
global
    stats socket ${dir}/stats.sock
defaults
    timeout connect 1s
    timeout client 10s
    timeout server 10s
frontend apiserver
    bind 127.0.0.1:${await freePort()}
    mode tcp
    default_backend apiserver
backend apiserver
    mode tcp
    server k8s-master1 127.0.0.1:${servers[0]!.port} check inter 200
    server k8s-master2 127.0.0.1:${servers[1]!.port} check inter 200
    server k8s-master3 127.0.0.1:${dead} check inter 200
listen admin_stats
    bind 127.0.0.1:${stats}
    mode http
    stats uri /haproxy-status
    stats auth admin:admin123
`),
    );
    httpPort = await freePort();
    unixPort = await freePort();
    const run = (port: number, uri: string) => {
      const p = spawn(
        EXPORTER,
        [`--web.listen-address=127.0.0.1:${port}`, `--haproxy.scrape-uri=${uri}`],
        {
          stdio: 'ignore',
        },
      );
      exporters.push(p);
    };
    run(httpPort, `http://admin:admin123@127.0.0.1:${stats}/haproxy-status;csv`);
    run(unixPort, `unix:${dir}/stats.sock`);
    await sleep(1200); // checks settled (k8s-master3 DOWN), exporters listening
  });

  after(async () => {
    for (const p of exporters) p.kill('SIGTERM');
    await daemon.hardStop();
    for (const s of servers) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const via of ['the page (;csv over HTTP)', 'the stats socket (show info, show stat)']) {
    it(`parses everything from ${via}`, async () => {
      const port = via.startsWith('the page') ? httpPort : unixPort;
      const text = await get(port, '/metrics');
      assert.deepEqual(metric(text, 'haproxy_up '), ['haproxy_up 1']);
      assert.deepEqual(metric(text, 'haproxy_exporter_csv_parse_failures_total'), [
        'haproxy_exporter_csv_parse_failures_total 0',
      ]);
      assert.deepEqual(metric(text, 'haproxy_server_up{'), [
        'haproxy_server_up{backend="apiserver",server="k8s-master1"} 1',
        'haproxy_server_up{backend="apiserver",server="k8s-master2"} 1',
        'haproxy_server_up{backend="apiserver",server="k8s-master3"} 0',
      ]);
      assert.deepEqual(metric(text, 'haproxy_backend_up{backend="apiserver"}'), [
        'haproxy_backend_up{backend="apiserver"} 1',
      ]);
      if (port === unixPort)
        assert.match(
          text,
          /^haproxy_version_info\{release_date="\d{4}\/\d\d\/\d\d",version="2\.6-halo-/m,
        );
    });
  }
});
