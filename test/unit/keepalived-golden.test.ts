// Golden files: test/golden/keepalived/NAME.conf is parsed offline; the formatted
// diagnostics (with hints) must equal NAME.expected exactly.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatDiagnostic } from '../../src/config/diagnostics.js';
import { type KeepalivedHost, parseKeepalived } from '../../src/config/keepalived/index.js';

/** The golden directory, found from here both under test/ (tsx) and dist/test/ (built). */
function goldenDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'test', 'golden', 'keepalived');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('test/golden/keepalived not found');
}

const GOLDEN = goldenDir();

const host: KeepalivedHost = {
  readFile: (p) => readFileSync(join(GOLDEN, p), 'utf8'),
  glob: () => [],
};

function run(name: string) {
  const text = readFileSync(join(GOLDEN, name), 'utf8');
  return parseKeepalived({ path: name, text }, host, { offline: true });
}

describe('keepalived golden files (offline)', () => {
  const confs = readdirSync(GOLDEN).filter((f) => f.endsWith('.conf'));
  it('has the three seed configs', () => {
    for (const n of [1, 2, 3]) assert.ok(confs.includes(`keepalived-master${n}.conf`));
  });
  for (const conf of confs) {
    it(conf, () => {
      const expected = readFileSync(join(GOLDEN, conf.replace(/\.conf$/, '.expected')), 'utf8');
      const actual = run(conf).diagnostics.sorted().map(formatDiagnostic).join('\n');
      assert.equal(`${actual}\n`, expected);
    });
  }
});

describe('keepalived seed models', () => {
  const seeds = [
    { n: 1, priority: 100, state: 'MASTER' },
    { n: 2, priority: 99, state: 'BACKUP' },
    { n: 3, priority: 98, state: 'BACKUP' },
  ] as const;
  for (const s of seeds) {
    it(`keepalived-master${s.n}.conf`, () => {
      const { config, diagnostics } = run(`keepalived-master${s.n}.conf`);
      assert.equal(diagnostics.errors, 0);
      assert.ok(config);
      assert.equal(config.globalDefs.routerId, `192.168.217.${18 + s.n}`);
      const [vi, ...more] = config.instances;
      assert.ok(vi);
      assert.equal(more.length, 0);
      assert.equal(vi.name, 'VI_1');
      assert.equal(vi.initialState, s.state);
      assert.equal(vi.priority, s.priority);
      assert.equal(vi.virtualRouterId, 50);
      assert.equal(vi.interface, 'ens33');
      assert.equal(vi.advertInt, 1000);
      assert.equal(vi.version, 2);
      assert.equal(vi.auth?.type, 'PASS');
      assert.equal(vi.auth?.password, '123456');
      assert.deepEqual(
        vi.virtualIpaddress.map((a) => `${a.address}/${a.prefix}`),
        ['192.168.217.100/32'],
      );
      assert.deepEqual(
        vi.trackScript.map((t) => [t.name, t.weight]),
        [['check_haproxy', undefined]],
      );
      const [script] = config.scripts;
      assert.ok(script);
      assert.equal(script.name, 'check_haproxy');
      assert.equal(script.interval, 3000);
      assert.equal(script.weight, -2);
      assert.equal(script.fall, 3);
      assert.equal(script.rise, 3);
      assert.deepEqual(script.argv.slice(0, 2), ['bash', '-c']);
      assert.match(script.argv[2] ?? '', /grep 9443/);
    });
  }
});
