// The tools people point at HAProxy and Keepalived, against `halo run` (two nodes on the
// lab bridge, master1 priority 100 MASTER, master2 99 BACKUP), started the way a user
// starts them: socat on the stats socket (`show info`, `show vrrp`), hatop in a tmux pane,
// Debian's prometheus-haproxy-exporter scraping through the socket, a Prometheus server
// scraping /metrics (`http-request use-service prometheus-exporter`) inside the node's
// namespace, promtool's parser on the scrape, and the stats page in chromium (run inside
// the namespace through a wrapper, so the page is the node's own), showing the VRRP block.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { labSkipReason } from './netns.js';
import { type RunGroup, runGroup, teardownRun, vipOnly } from './run-harness.js';

const STATS_PORT = 8404;
const PROM_PORT = 19090;
const STATS = `listen stats
    bind 127.0.0.1:${STATS_PORT}
    mode http
    stats enable
    stats uri /stats
    stats refresh 5s
    http-request use-service prometheus-exporter if { path /metrics }
`;

const TOOLS = {
  hatop: '/usr/bin/hatop',
  tmux: '/usr/bin/tmux',
  exporter: '/usr/bin/prometheus-haproxy-exporter',
  prometheus: '/usr/bin/prometheus',
  promtool: '/usr/bin/promtool',
  chromium: '/usr/bin/chromium',
};
function skipReason(): string | undefined {
  const lab = labSkipReason();
  if (lab) return lab;
  const missing = Object.values(TOOLS).filter((t) => !existsSync(t));
  try {
    createRequire(import.meta.url).resolve('playwright-core');
  } catch {
    missing.push('playwright-core (npm ci)');
  }
  return missing.length > 0 ? `not installed: ${missing.join(', ')}` : undefined;
}
const skip = skipReason();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TMUX = ['-L', `halo-run-tools-${process.pid}`];

function socat(sock: string, command: string): string {
  return execFileSync('socat', ['-', `UNIX-CONNECT:${sock}`], {
    input: `${command}\n`,
    encoding: 'utf8',
  });
}

function field(text: string, name: string): string | undefined {
  return new RegExp(`^${name}: (.*)$`, 'm').exec(text)?.[1];
}

async function until<T>(what: string, ms: number, f: () => T | undefined): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    let v: T | undefined;
    try {
      v = f();
    } catch {
      v = undefined;
    }
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(200);
  }
}

describe('tools against halo run (lab)', { skip }, () => {
  let g: RunGroup | undefined;
  const host: ChildProcess[] = [];

  const curl = (node: number, path: string) =>
    g!.lab.exec(g!.nodes[node]!.node.ns, 'curl', [
      '-s',
      '--max-time',
      '5',
      `http://127.0.0.1:${STATS_PORT}${path}`,
    ]);

  before(async () => {
    g = runGroup('htools', [
      { priority: 100, haproxyExtra: STATS },
      { priority: 99, haproxyExtra: STATS },
    ]);
    for (const n of g.nodes) await n.startBackend();
    g.nodes[0]!.start();
    await vipOnly(g, 'master1', 15_000);
    g.nodes[1]!.start();
    await g.nodes[1]!.out!.waitFor(/INIT -> BACKUP/, 10_000);
    await sleep(1500); // the backup has master1's adverts; the workers have the status
  });

  after(async () => {
    spawnSync('tmux', [...TMUX, 'kill-server'], { timeout: 5000 });
    for (const c of host) if (c.exitCode === null && c.pid) c.kill('SIGTERM');
    await teardownRun(g);
  });

  test('socat: show info as HAProxy prints it (Release_date, derived Maxconn), show vrrp', () => {
    const [m1] = g!.nodes;
    const info = socat(m1!.sock, 'show info');
    assert.equal(field(info, 'Name'), 'HAProxy');
    assert.match(field(info, 'Release_date') ?? '', /^\d{4}\/\d\d\/\d\d$/);
    // HAProxy 2.6's rule (src/proxy/maxconn.ts): 3 listeners (bind, stats socket, stats
    // listen), 1 check, nbthread = CPUs (nbthread is not set).
    const cpus = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
    const ulimit = Number(field(info, 'Ulimit-n'));
    assert.ok(ulimit > 0, info);
    const want = Math.floor((ulimit - 20 - 3 - 1 - 3 * cpus) / 2);
    assert.equal(Number(field(info, 'Maxconn')), want, info);
    assert.equal(Number(field(info, 'Hard_maxconn')), want, info);
    const vrrp = socat(m1!.sock, 'show vrrp');
    assert.match(vrrp, /^VI_1 MASTER 61 eth0 100 100 198\.51\.100\.11 100 198\.51\.100\.100$/m);
    assert.match(socat(g!.nodes[1]!.sock, 'show vrrp'), /^VI_1 BACKUP 61 eth0 99 99 /m);
  });

  test('hatop in tmux shows the proxy and its server UP', async () => {
    const name = 'm1';
    spawnSync(
      'tmux',
      [
        ...TMUX,
        'new-session',
        '-d',
        '-s',
        name,
        '-x',
        '160',
        '-y',
        '40',
        `${TOOLS.hatop} -s ${g!.nodes[0]!.sock} -i 1; echo "hatop exited: $?"; sleep 60`,
      ],
      { timeout: 5000 },
    );
    const screen = await until('hatop screen', 10_000, () => {
      const s = spawnSync('tmux', [...TMUX, 'capture-pane', '-p', '-t', name], {
        encoding: 'utf8',
        timeout: 5000,
      }).stdout;
      return /s1\s+1 UP/.test(s) || /hatop exited/.test(s) ? s : undefined;
    });
    assert.doesNotMatch(screen, /hatop exited|runtime error/, screen);
    assert.match(screen, />>> apiserver/, screen);
    assert.match(screen, /s1\s+1 UP\s+L4OK/, screen);
  });

  test('prometheus-haproxy-exporter scrapes halo run through the stats socket', async () => {
    const port = 19101;
    const p = spawn(
      TOOLS.exporter,
      [`--web.listen-address=127.0.0.1:${port}`, `--haproxy.scrape-uri=unix:${g!.nodes[0]!.sock}`],
      { stdio: 'ignore' },
    );
    host.push(p);
    const text = await until('exporter answers', 10_000, () => {
      const r = spawnSync('curl', ['-s', '--max-time', '5', `http://127.0.0.1:${port}/metrics`], {
        encoding: 'utf8',
      });
      return r.status === 0 && r.stdout.includes('haproxy_up') ? r.stdout : undefined;
    });
    const lines = text.split('\n');
    assert.ok(lines.includes('haproxy_up 1'), text);
    assert.ok(lines.includes('haproxy_exporter_csv_parse_failures_total 0'), text);
    assert.ok(
      lines.includes('haproxy_server_up{backend="kubernetes-apiserver",server="s1"} 1'),
      text,
    );
  });

  test('/metrics: promtool parses it; halo_vrrp_* say MASTER on master1, BACKUP on master2', () => {
    const m1 = curl(0, '/metrics');
    const m2 = curl(1, '/metrics');
    for (const text of [m1, m2]) {
      const r = spawnSync(TOOLS.promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
      assert.equal(`${r.stdout}${r.stderr}`.trim(), '', 'promtool finds nothing');
      assert.equal(r.status, 0);
    }
    const id = 'vrrp_instance="VI_1",vrid="61",interface="eth0"';
    const has = (text: string, line: string) =>
      assert.ok(text.split('\n').includes(line), `${line}\n${text.slice(-3000)}`);
    has(m1, `halo_vrrp_state{${id},state="MASTER"} 1`);
    has(m2, `halo_vrrp_state{${id},state="BACKUP"} 1`);
    has(m1, `halo_vrrp_effective_priority{${id}} 100`);
    has(m2, `halo_vrrp_base_priority{${id}} 99`);
    has(m1, `halo_vrrp_vips_set{${id}} 1`);
    has(m1, 'halo_vrrp_tracker_up{vrrp_instance="VI_1",tracker="worker"} 1');
    has(m1, 'halo_vrrp_tracker_priority_part{vrrp_instance="VI_1",tracker="worker"} 0');
    has(m1, 'haproxy_server_status{proxy="kubernetes-apiserver",server="s1",state="UP"} 1');
    const counter = (text: string, name: string) =>
      Number(new RegExp(`^${name}\\{${id}\\} (\\d+)$`, 'm').exec(text)?.[1] ?? -1);
    assert.ok(counter(m1, 'halo_vrrp_adverts_sent_total') > 0);
    assert.ok(counter(m2, 'halo_vrrp_adverts_received_total') > 0);
    assert.equal(counter(m1, 'halo_vrrp_become_master_total'), 1);
    assert.ok(counter(m1, 'halo_vrrp_transitions_total') >= 2);
    assert.ok(counter(m2, 'halo_vrrp_master_changes_total') >= 1);
  });

  test('a Prometheus server scrapes /metrics and answers queries on halo_vrrp_state', async () => {
    const n = g!.nodes[0]!;
    const cfg = join(g!.dir, 'prometheus.yml');
    writeFileSync(
      cfg,
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: halo\n    static_configs:\n      - targets: ['127.0.0.1:${STATS_PORT}']\n`,
    );
    g!.lab.spawn(n.node.ns, TOOLS.prometheus, [
      `--config.file=${cfg}`,
      `--storage.tsdb.path=${join(g!.dir, 'prometheus-data')}`,
      `--web.listen-address=127.0.0.1:${PROM_PORT}`,
    ]);
    const query = (q: string) =>
      g!.lab.exec(n.node.ns, 'curl', [
        '-s',
        '--max-time',
        '5',
        `http://127.0.0.1:${PROM_PORT}/api/v1/query?query=${encodeURIComponent(q)}`,
      ]);
    const r = await until('Prometheus has the sample', 30_000, () => {
      const out = JSON.parse(query('halo_vrrp_state{state="MASTER"}'));
      return out.data?.result?.length > 0 ? out : undefined;
    });
    assert.equal(r.status, 'success');
    assert.equal(r.data.result[0].metric.vrrp_instance, 'VI_1');
    assert.equal(r.data.result[0].metric.job, 'halo');
    assert.equal(r.data.result[0].value[1], '1');
    const up = JSON.parse(query('up{job="halo"}'));
    assert.equal(up.data.result[0].value[1], '1', 'the scrape succeeded');
  });

  test('the stats page in chromium shows the VRRP block above the proxies', async () => {
    const n = g!.nodes[0]!;
    const wrapper = join(g!.dir, 'chromium-in-ns.sh');
    writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${n.node.ns} ${TOOLS.chromium} "$@"\n`);
    chmodSync(wrapper, 0o755);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: wrapper,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    try {
      const page = await browser.newPage();
      const res = await page.goto(`http://127.0.0.1:${STATS_PORT}/stats`);
      assert.equal(res?.status(), 200);
      const cells = async (table: string) =>
        page.$$eval(`table.${table} tr`, (rows) =>
          rows.map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent ?? '').join('|')),
        );
      const inst = await cells('vrrp-instances');
      assert.ok(
        inst.includes('VI_1|MASTER|61|eth0|100|100|198.51.100.11|100|198.51.100.100'),
        inst.join('\n'),
      );
      const trackers = await cells('vrrp-trackers');
      assert.ok(trackers.includes('VI_1|worker|good|0|0'), trackers.join('\n'));
      assert.ok(
        trackers.includes('VI_1|backend kubernetes-apiserver min_up 1|good|0|0'),
        trackers.join('\n'),
      );
      const transitions = await cells('vrrp-transitions');
      assert.ok(
        transitions.some((t) =>
          /^VI_1\|\d{4}-\d\d-\d\dT.*Z\|BACKUP\|MASTER\|master down timer$/.test(t),
        ),
        transitions.join('\n'),
      );
      const order = await page.evaluate(() => {
        const v = document.querySelector('#vrrp');
        const px = document.querySelector('table.px');
        return v && px ? v.compareDocumentPosition(px) & Node.DOCUMENT_POSITION_FOLLOWING : 0;
      });
      assert.ok(order > 0, 'the VRRP block comes before the first proxy');
    } finally {
      await browser.close();
    }
  });
});
