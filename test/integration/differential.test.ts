// Differential test: over the config corpus, `halo check` must reach the verdict of the
// real `haproxy -c -f` and `keepalived -t -f` (valid vs invalid), unless the case's
// `.expect` documents a deliberate difference (`differs:`, listed in DIFFERENCES.md).
// Both tools run inside a scratch network namespace holding only `lo` and a veth pair
// halo0/halo1, so Keepalived finds the corpus' interfaces and nothing a tool resolves or
// sends can leave the namespace. Needs root, `ip netns`, /usr/sbin/haproxy and keepalived.

import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  type CorpusCase,
  corpusDir,
  expectedHaloVerdict,
  loadCorpus,
  repoRoot,
  toolVerdict,
  type Verdict,
} from '../unit/corpus-expect.js';

const HAPROXY = '/usr/sbin/haproxy';
const KEEPALIVED = '/usr/sbin/keepalived';
const NETNS = `halo-diff-${process.pid}`;

function skipReason(): string | undefined {
  if (!existsSync(HAPROXY)) return `${HAPROXY} is not installed (apt-get install haproxy)`;
  if (!existsSync(KEEPALIVED)) return `${KEEPALIVED} is not installed (apt-get install keepalived)`;
  if (process.getuid?.() !== 0) return 'needs root to create a network namespace for the tools';
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
  } catch {
    return "'ip netns' is not available";
  }
  return undefined;
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly output: string;
}

function run(cmd: string, args: string[], cwd: string, env: Record<string, string>): Promise<Run> {
  return new Promise((done) => {
    execFile(
      cmd,
      args,
      { cwd, env: { ...process.env, ...env }, timeout: 30_000, maxBuffer: 8 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        done({ code, stdout, output: `${stdout}${stderr}` });
      },
    );
  });
}

/** Runs `jobs` with at most `width` in flight. */
async function pool<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, worker));
  return out;
}

/** `node dist/src/cli/main.js` when running compiled, `node --import tsx src/cli/main.ts` from source. */
function haloCommand(): string[] {
  const root = repoRoot();
  if (fileURLToPath(import.meta.url).endsWith('.ts')) {
    return ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts')];
  }
  return [join(root, 'dist', 'src', 'cli', 'main.js')];
}

interface Outcome {
  readonly tool: Run;
  readonly halo: Run;
  readonly haloValid: boolean | undefined;
}

async function checkCase(c: CorpusCase, halo: string[]): Promise<Outcome> {
  const file = basename(c.path);
  const tool = c.kind === 'haproxy' ? [HAPROXY, '-c', '-f', file] : [KEEPALIVED, '-t', '-f', file];
  const inNs = ['netns', 'exec', NETNS];
  const [toolRun, haloRun] = await Promise.all([
    run('ip', [...inNs, ...tool], c.dir, c.expect.env),
    run(
      'ip',
      [...inNs, process.execPath, ...halo, 'check', '--json', '-f', file],
      c.dir,
      c.expect.env,
    ),
  ]);
  let haloValid: boolean | undefined;
  try {
    haloValid = (JSON.parse(haloRun.stdout) as { valid: boolean }).valid;
  } catch {
    haloValid = undefined;
  }
  return { tool: toolRun, halo: haloRun, haloValid };
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

const reason = skipReason();
const cases = loadCorpus();

describe('differential: halo check vs haproxy -c and keepalived -t', { skip: reason }, () => {
  const outcomes = new Map<string, Outcome>();

  before(async () => {
    after(() => {
      try {
        execFileSync('ip', ['netns', 'del', NETNS], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    });
    const ip = (...args: string[]) => execFileSync('ip', ['-n', NETNS, ...args]);
    execFileSync('ip', ['netns', 'add', NETNS]);
    ip('link', 'add', 'halo0', 'type', 'veth', 'peer', 'name', 'halo1');
    ip('addr', 'add', '198.51.100.1/24', 'dev', 'halo0');
    ip('addr', 'add', '203.0.113.1/24', 'dev', 'halo1');
    for (const dev of ['lo', 'halo0', 'halo1']) ip('link', 'set', dev, 'up');
    const halo = haloCommand();
    const results = await pool(
      cases.map((c) => () => checkCase(c, halo)),
      Math.max(4, cpus().length),
    );
    for (const [i, c] of cases.entries()) outcomes.set(c.id, results[i]!);
  });

  test('every documented difference is listed in DIFFERENCES.md', () => {
    const doc = readFileSync(join(corpusDir(), 'DIFFERENCES.md'), 'utf8');
    for (const c of cases.filter((x) => x.expect.differs !== undefined)) {
      assert.ok(doc.includes(c.id), `${c.id} has 'differs:' but DIFFERENCES.md does not list it`);
    }
  });

  for (const c of cases) {
    test(c.id, () => {
      const o = outcomes.get(c.id);
      assert.ok(o, `${c.id} was not run`);
      const tool = c.kind === 'haproxy' ? 'haproxy -c' : 'keepalived -t';
      const report =
        `\n  ${tool} exit ${o.tool.code}:\n${indent(o.tool.output)}` +
        `\n  halo check exit ${o.halo.code}:\n${indent(o.halo.output)}`;
      assert.equal(
        o.tool.code,
        c.expect.exit,
        `${c.id}: ${tool} exit code changed since it was measured; re-measure the .expect${report}`,
      );
      assert.notEqual(
        o.haloValid,
        undefined,
        `${c.id}: halo check --json printed no JSON${report}`,
      );
      assert.equal(
        o.halo.code,
        o.haloValid ? 0 : 1,
        `${c.id}: halo's exit code disagrees with its own verdict${report}`,
      );
      const toolSays = toolVerdict(c.kind, o.tool.code, o.tool.output);
      const haloSays: Verdict = o.haloValid ? 'valid' : 'invalid';
      if (c.expect.differs === undefined) {
        assert.equal(
          haloSays,
          toolSays,
          `${c.id}: halo says ${haloSays}, ${tool} says ${toolSays}${report}`,
        );
      } else {
        assert.notEqual(
          haloSays,
          toolSays,
          `${c.id}: documented difference (${c.expect.differs}) is gone; remove 'differs:'${report}`,
        );
        assert.equal(
          haloSays,
          expectedHaloVerdict(c.expect),
          `${c.id}: halo says ${haloSays}${report}`,
        );
      }
    });
  }
});
