// The stats page in a real browser (Debian's chromium driven by playwright-core), for the
// article's haproxy.cfg on loopback: a wrong password gets 401 with realm `welcome`; the
// right one shows frontend `apiserver` and the three masters UP; a killed master shows
// DOWN after `fall` checks; the admin form puts a master in MAINT, the page says so and no
// new connection reaches it. Skipped with the reason when chromium is not installed.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import type { Apiserver } from '../../src/cli/demo/article-lab.js';
import {
  makeWorkDir,
  rewriteArticleConfig,
  startApiserver,
  stopApiserver,
} from '../../src/cli/demo/article-lab.js';
import { freePort } from './proxy-harness.js';
import { StatsTarget } from './stats-target.js';

const CHROMIUM = '/usr/bin/chromium';
function skipReason(): string | undefined {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is not installed (apt-get install chromium)`;
  try {
    createRequire(import.meta.url).resolve('playwright-core');
  } catch {
    return 'playwright-core is not installed (npm ci)';
  }
  return undefined;
}
const skip = skipReason();

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

describe('stats page in chromium', { skip }, () => {
  let browser: Browser;
  let target: StatsTarget;
  const work = makeWorkDir();
  const masters: Apiserver[] = ['k8s-master1', 'k8s-master2', 'k8s-master3'].map((name) => ({
    name,
    port: 0,
  }));
  const accepted = new Map<string, number>();
  const sockets = new Set<Socket>();
  let url = '';

  before(async () => {
    for (const m of masters) {
      await startApiserver(m);
      accepted.set(m.name, 0);
      m.server!.on('connection', (c: Socket) => {
        accepted.set(m.name, accepted.get(m.name)! + 1);
        sockets.add(c);
        c.on('close', () => sockets.delete(c));
      });
    }
    const ports = {
      frontend: await freePort(),
      stats: await freePort(),
      syslog: await freePort(),
      servers: masters.map((m) => m.port),
    };
    const article = readFileSync(join(repoRoot(), 'examples', 'article', 'haproxy.cfg'), 'utf8');
    target = await StatsTarget.start(
      rewriteArticleConfig(article, ports, work.dir),
      work.dir,
      ports,
    );
    url = `http://127.0.0.1:${ports.stats}/haproxy-status`;
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  after(async () => {
    await browser?.close();
    await target?.stop();
    for (const c of sockets) c.destroy();
    for (const m of masters) await stopApiserver(m);
    work.cleanup();
  });

  it('a wrong password gets 401 with realm "welcome"', async () => {
    const ctx = await browser.newContext({
      httpCredentials: { username: 'admin', password: 'wrong' },
    });
    const page = await ctx.newPage();
    const res = await page.goto(url);
    assert.equal(res?.status(), 401);
    assert.equal(res?.headers()['www-authenticate'], 'Basic realm="welcome"');
    await ctx.close();
  });

  it('shows the proxies, the masters UP, DOWN after fall, and MAINT from the admin form', async () => {
    const ctx = await browser.newContext({
      httpCredentials: { username: 'admin', password: 'admin123' },
    });
    const page = await ctx.newPage();
    const res = await page.goto(url);
    assert.equal(res?.status(), 200);
    assert.equal(res?.headers().refresh, '30');
    assert.ok((await page.locator('a.px', { hasText: 'apiserver' }).count()) >= 1);
    assert.equal(await page.locator('a.px', { hasText: 'admin_stats' }).count(), 1);
    assert.ok((await page.locator('tr.frontend').count()) >= 1);
    const row = (name: string) => page.locator(`tr[data-server="${name}"]`);
    for (const m of masters)
      assert.match((await row(m.name).getAttribute('class')) ?? '', /^active_(up|going_down)$/);

    // The article's checks: inter 2s, fall 3. Stop master2 and wait for its third failure.
    await stopApiserver(masters[1]!);
    const deadline = Date.now() + 15_000;
    let cls = '';
    while (Date.now() < deadline) {
      await page.reload();
      cls = (await row('k8s-master2').getAttribute('class')) ?? '';
      if (cls === 'active_down') break;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal(cls, 'active_down');
    assert.match((await row('k8s-master2').locator('td.status').textContent()) ?? '', /DOWN/);

    // Admin form: check master1, MAINT, Apply.
    await row('k8s-master1').locator('input[type=checkbox]').check();
    const form = page.locator('form', { has: row('k8s-master1') });
    await form.locator('select[name=action]').selectOption('maint');
    await Promise.all([page.waitForURL(/;st=DONE/), form.locator('input[type=submit]').click()]);
    assert.match(
      (await page.locator('div.banner').textContent()) ?? '',
      /Action processed successfully\./,
    );
    assert.equal(await row('k8s-master1').getAttribute('class'), 'maintain');
    assert.match((await row('k8s-master1').locator('td.status').textContent()) ?? '', /MAINT/);
    await page.screenshot({
      path: join(process.env.HALO_SCREENSHOT_DIR ?? work.dir, 'stats-page.png'),
      fullPage: true,
    });

    const before1 = accepted.get('k8s-master1')!;
    const before3 = accepted.get('k8s-master3')!;
    for (let i = 0; i < 5; i++) await target.connectThrough();
    assert.equal(accepted.get('k8s-master1'), before1, 'no new connection to the server in MAINT');
    assert.ok(
      accepted.get('k8s-master3')! - before3 >= 5,
      'master2 is DOWN, master1 in MAINT: all to master3',
    );
    await ctx.close();
  });
});
