// `halo run` on the article's own files, one node in a namespace: only the addresses (to
// 198.51.100.0/24), the interface and the root-owned paths (stats socket, pidfile) are
// rewritten, each on its own line, so every diagnostic keeps the article's line number.
// At start the diagnostics of both files are printed once and briefly (HAProxy's warning,
// the mode trap's runtime warning, one summary pointing at halo check), by the supervisor
// only; a reload prints them again only when the files changed what they say. SIGURG
// (Keepalived's SIGUSR1 dump under halo run) writes the VRRP state as JSON to --data-file.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_RUN_DATA_FILE } from '../../src/cli/commands/run.js';
import type { VrrpDump } from '../../src/daemon/vrrp-daemon.js';
import { Lab, labSkipReason, OutputWatcher } from './netns.js';
import { haloCommand, until, VIP } from './vrrp-harness.js';

const skip = labSkipReason();

// dist/test/lab or test/lab: the first examples/article/ above.
const ARTICLE = [2, 3]
  .map((up) => join(import.meta.dirname, ...Array<string>(up).fill('..'), 'examples', 'article'))
  .find((d) => existsSync(d))!;

function haproxyFile(dir: string): string {
  let t = readFileSync(join(ARTICLE, 'haproxy.cfg'), 'utf8');
  ['19', '20', '21'].forEach((h, i) => {
    t = t.replace(`192.168.217.${h}:6443`, `198.51.100.${11 + i}:6443`);
  });
  return t
    .replace('/var/lib/haproxy/stats', join(dir, 'stats.sock'))
    .replace('/var/run/haproxy.pid', join(dir, 'haproxy.pid'));
}

function keepalivedFile(): string {
  return readFileSync(join(ARTICLE, 'keepalived-master1.conf'), 'utf8')
    .replaceAll('192.168.217.100', VIP)
    .replaceAll('192.168.217.19', '198.51.100.11')
    .replaceAll('ens33', 'eth0');
}

const lines = (text: string) => text.split('\n');
const count = (text: string, s: string) => lines(text).filter((l) => l.includes(s)).length;

test('README: the SIGURG state dump goes to --data-file, default as the code has it', () => {
  const readme = readFileSync(join(ARTICLE, '..', '..', 'README.md'), 'utf8').replace(/\s+/g, ' ');
  assert.ok(
    readme.includes(
      "Keepalived's state dump (its USR1) is on URG, written as JSON to `--data-file` " +
        `(default ${DEFAULT_RUN_DATA_FILE})`,
    ),
  );
});

describe("halo run on the article's files (lab, one node)", { skip }, () => {
  let lab: Lab | undefined;
  let dir = '';
  let child: ChildProcess | undefined;
  let out: OutputWatcher | undefined;
  let pid = 0;
  let h = '';
  let k = '';

  before(async () => {
    lab = new Lab('hrart');
    const [m1] = lab.bridgedNodes(['m1']);
    dir = mkdtempSync(join(tmpdir(), 'halo-run-article-'));
    h = join(dir, 'haproxy.cfg');
    k = join(dir, 'keepalived.conf');
    writeFileSync(h, haproxyFile(dir));
    writeFileSync(k, keepalivedFile());
    const args = ['run', '-f', h, '-f', k, '--data-file', dataFile()];
    child = lab.spawn(m1!.ns, process.execPath, [...haloCommand(), ...args]);
    out = new OutputWatcher(child);
    await out.waitFor(/halo run serving: proxy workers \d+, VRRP in \d+/, 20_000);
    pid = Number(/VRRP in (\d+)/.exec(out.text)![1]);
  });
  after(async () => {
    await lab?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const dataFile = () => join(dir, 'halo-run.json');

  const upgrade =
    "tcp frontend 'apiserver' uses backend 'apiserver' which is in mode http: as HAProxy does, " +
    "halo upgrades its connections to HTTP, so clients that do not speak HTTP (TLS, e.g. kubectl) get '400 Bad request' " +
    "and HTTP clients get the backend's HTTP processing (X-Forwarded-For, connection close). " +
    "Fix: add 'mode tcp' to backend 'apiserver'.";

  test('the start-up diagnostics: once, one line each and a summary, from the supervisor', () => {
    const text = out!.text;
    const start = lines(text).findIndex((l) => l.includes(': Starting halo run '));
    assert.ok(start >= 0, text);
    assert.deepEqual(lines(text).slice(0, start), [
      `[WARNING]  (${pid}) : config : parsing [${h}:63] : 'option forwardfor' ignored for frontend 'apiserver' as it requires HTTP mode.`,
      `[NOTICE]   (${pid}) : config : halo check has 7 more findings for this configuration; run 'halo check -f ${h} -f ${k}' for details.`,
      `[WARNING]  (${pid}) : ${upgrade}`,
    ]);
    // Nothing of it again later, neither by the worker nor as halo check's long text.
    assert.equal(count(text, 'halo upgrades its connections to HTTP'), 1, text);
    assert.equal(count(text, `${h}:`), 1, text);
    assert.equal(count(text, `${k}:`), 0, text);
    assert.doesNotMatch(text, /Long-lived API streams|well-known default password|12\.61 s/);
    // Keepalived's own warning, logged once when the scripts are set up, as Keepalived does.
    assert.equal(
      count(
        text,
        'SECURITY VIOLATION - scripts are being executed but script_security not enabled.',
      ),
      1,
      text,
    );
  });

  test('a reload with the same files prints nothing again; changed diagnostics are printed', async () => {
    let since = out!.text.length;
    child!.kill('SIGHUP');
    await out!.waitFor(/Reload done/, 20_000, since);
    assert.doesNotMatch(out!.text.slice(since), /\[(WARNING|NOTICE)\] +\(\d+\) : (config|tcp) /);

    // The mode trap fixed: the upgrade warning and one finding go, HAProxy's warning for
    // 'option forwardfor' in the now tcp backend comes.
    writeFileSync(h, haproxyFile(dir).replace(/^backend apiserver$/m, '$&\n    mode tcp'));
    since = out!.text.length;
    child!.kill('SIGHUP');
    await out!.waitFor(/Reload done/, 20_000, since);
    assert.deepEqual(
      lines(out!.text.slice(since)).filter((l) => l.includes(`(${pid}) : config`)),
      [
        `[WARNING]  (${pid}) : config : parsing [${h}:63] : 'option forwardfor' ignored for frontend 'apiserver' as it requires HTTP mode.`,
        `[WARNING]  (${pid}) : config : parsing [${h}:72] : 'option forwardfor' ignored for backend 'apiserver' as it requires HTTP mode.`,
        `[NOTICE]   (${pid}) : config : halo check has 6 more findings for this configuration; run 'halo check -f ${h} -f ${k}' for details.`,
      ],
    );
    assert.equal(count(out!.text.slice(since), 'halo upgrades its connections'), 0);
  });

  test('SIGURG: the VRRP state as JSON in --data-file; halo run keeps running', async () => {
    await out!.waitFor(/\(VI_1\) Entering MASTER STATE/, 10_000);
    const dump = async (): Promise<VrrpDump> => {
      rmSync(dataFile(), { force: true });
      child!.kill('SIGURG');
      await until(() => existsSync(dataFile()), 3000);
      return JSON.parse(readFileSync(dataFile(), 'utf8')) as VrrpDump;
    };
    const first = await dump();
    assert.equal(first.pid, pid);
    assert.equal(first.instances.length, 1);
    const vi = first.instances[0]!;
    assert.equal(vi.name, 'VI_1');
    assert.equal(vi.vrid, 50);
    assert.equal(vi.state, 'MASTER');
    assert.equal(vi.basePriority, 100);
    assert.equal(vi.effectivePriority, 100);
    assert.equal(vi.interface, 'eth0');
    assert.deepEqual(vi.vips, [VIP]);
    assert.equal(vi.vipsSet, true);
    assert.deepEqual(vi.trackScripts, [{ name: 'check_haproxy', status: 'good', weight: -2 }]);
    assert.deepEqual(
      vi.history.map((t) => [t.from, t.to, t.reason]),
      [
        ['INIT', 'BACKUP', 'init'],
        ['BACKUP', 'MASTER', 'master down timer'],
      ],
    );
    // Again: a fresh file with more adverts sent; the process neither stopped nor reloaded.
    await new Promise((r) => setTimeout(r, 1100));
    const second = await dump();
    assert.ok(second.instances[0]!.counters.advertSent > vi.counters.advertSent);
    assert.ok(Date.parse(second.time) > Date.parse(first.time));
    assert.equal(statSync(dataFile()).isFile(), true);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith('.tmp')),
      [],
    );
    assert.equal(child!.exitCode, null);
    assert.doesNotMatch(out!.text, /Stopping/);
  });
});
