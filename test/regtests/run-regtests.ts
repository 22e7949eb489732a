// HAProxy's own regression tests (reg-tests/, run by VTest) against halo and the real
// HAProxy side by side. Fetches nothing: give it a VTest binary and an HAProxy source tree
// (e.g. tag v2.6.0). The selection is the real HAProxy's (select.ts, from its -vv), so both
// columns run the same tests; halo runs through a two-line wrapper as HAPROXY_PROGRAM.
//
//   npm run build && node dist/test/regtests/run-regtests.js --vtest PATH/vtest \
//     --tree PATH/haproxy [--only SUBSTRING] [--timeout 30] [--json FILE]
//
// Each test is `vtest -b 2M -k -t T FILE` with HAPROXY_PROGRAM and HAPROXY_ARGS=-dM, as
// scripts/run-regtests.sh runs it; a run is bounded (T + 30 s, then killed). Exit 0 when
// it ran, whatever the results; 2 on bad usage.

import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { programInfo, skipReason } from './select.js';

const HAPROXY = '/usr/sbin/haproxy';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

type Outcome = 'pass' | 'fail' | 'skip';
interface Result {
  outcome: Outcome;
  ms: number;
  /** For a failure: the first line that says why (an alert, a halo error, vtest's). */
  why: string;
}

function usage(msg: string): never {
  process.stderr.write(
    `${msg}\nusage: node dist/test/regtests/run-regtests.js --vtest PATH --tree PATH [--only SUBSTRING] [--timeout S] [--json FILE]\n`,
  );
  process.exit(2);
}

function parseArgs(argv: string[]) {
  const o: { vtest?: string; tree?: string; only: string[]; timeout: number; json?: string } = {
    only: [],
    timeout: 30,
  };
  for (let i = 0; i < argv.length; i++) {
    const v = () => argv[++i] ?? usage(`${argv[i - 1]} needs a value`);
    switch (argv[i]) {
      case '--vtest':
        o.vtest = resolve(v());
        break;
      case '--tree':
        o.tree = resolve(v());
        break;
      case '--only':
        o.only.push(v());
        break;
      case '--timeout':
        o.timeout = Number(v());
        break;
      case '--json':
        o.json = resolve(v());
        break;
      default:
        usage(`unknown argument '${argv[i]}'`);
    }
  }
  if (!o.vtest || !o.tree) usage('--vtest and --tree are needed');
  if (!(o.timeout > 0 && o.timeout <= 300)) usage('--timeout takes 1 to 300 seconds');
  return o as typeof o & { vtest: string; tree: string };
}

function vtcFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...vtcFiles(p));
    else if (e.name.endsWith('.vtc')) out.push(p);
  }
  return out.sort();
}

/** The line of vtest's output that best says why a test failed. */
function firstReason(text: string): string {
  const lines = text.split('\n');
  const pick =
    lines.find((l) => /\[ALERT\]|: error: |halo refuses/.test(l)) ??
    lines.find((l) => /----\s+\S+\s+/.test(l)) ??
    lines.find((l) => /FAIL|failed/i.test(l)) ??
    '';
  return pick
    .replace(/^\*+\s+\S+\s+\d+(\.\d+)?\s+/, '')
    .trim()
    .slice(0, 160);
}

function runOne(vtest: string, file: string, program: string, timeout: number, tmp: string) {
  return new Promise<Result>((done) => {
    const started = Date.now();
    const child = spawn(vtest, ['-b', String(2 << 20), '-k', '-t', String(timeout), file], {
      cwd: dirname(file),
      env: { ...process.env, HAPROXY_PROGRAM: program, HAPROXY_ARGS: '-dM', TMPDIR: tmp },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const keep = (d: Buffer) => {
      if (out.length < 1 << 20) out += d.toString('latin1');
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const killer = setTimeout(() => child.kill('SIGKILL'), (timeout + 30) * 1000);
    child.on('close', (code) => {
      clearTimeout(killer);
      const ms = Date.now() - started;
      // vtest: 0 passed, 77 skipped (a `feature` line did not hold), anything else failed.
      if (code === 0) done({ outcome: 'pass', ms, why: '' });
      else if (code === 77) done({ outcome: 'skip', ms, why: firstReason(out) || 'skipped' });
      else done({ outcome: 'fail', ms, why: firstReason(out) || `exit ${code}` });
    });
  });
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const vv = spawnSync(HAPROXY, ['-vv'], { encoding: 'utf8' });
  if (vv.status !== 0) usage(`${HAPROXY} -vv failed: the selection follows the real HAProxy`);
  const info = programInfo(vv.stdout);
  const tests = vtcFiles(join(o.tree, 'reg-tests')).filter(
    (f) => o.only.length === 0 || o.only.some((s) => f.includes(s)),
  );
  const selected: string[] = [];
  let left = 0;
  for (const f of tests) {
    if (skipReason(readFileSync(f, 'utf8'), info) === undefined) selected.push(f);
    else left++;
  }
  // Short: HAProxy limits unix socket paths to 97 characters.
  const tmp = mkdtempSync('/tmp/rt-');
  const wrapper = join(tmp, 'halo-haproxy');
  writeFileSync(
    wrapper,
    `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'dist', 'bundle', 'main.js')}" proxy "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  console.log(
    `# ${selected.length} reg-tests selected by HAProxy ${info.version}'s features (${left} left out), vtest -t ${o.timeout}`,
  );
  const rows: { test: string; haproxy: Result; halo: Result }[] = [];
  try {
    for (const f of selected) {
      const name = relative(join(o.tree, 'reg-tests'), f);
      const haproxy = await runOne(o.vtest, f, HAPROXY, o.timeout, tmp);
      const halo = await runOne(o.vtest, f, wrapper, o.timeout, tmp);
      rows.push({ test: name, haproxy, halo });
      console.log(
        `${haproxy.outcome.padEnd(5)} ${halo.outcome.padEnd(5)} ${name}${halo.outcome === 'pass' ? '' : `  # halo: ${halo.why}`}`,
      );
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const count = (side: 'haproxy' | 'halo', what: Outcome) =>
    rows.filter((r) => r[side].outcome === what).length;
  console.log('# totals      pass  fail  skip');
  for (const side of ['haproxy', 'halo'] as const)
    console.log(
      `# ${side.padEnd(10)} ${String(count(side, 'pass')).padStart(5)} ${String(count(side, 'fail')).padStart(5)} ${String(count(side, 'skip')).padStart(5)}`,
    );
  const both = rows.filter((r) => r.haproxy.outcome === 'pass' && r.halo.outcome === 'pass');
  console.log(`# halo passes ${both.length} of the ${count('haproxy', 'pass')} HAProxy passes`);
  if (o.json)
    writeFileSync(
      o.json,
      `${JSON.stringify({ info: { ...info, features: [...info.features], services: [...info.services] }, rows }, null, 1)}\n`,
    );
}

await main();
