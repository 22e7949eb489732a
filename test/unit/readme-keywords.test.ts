// Holds the README's keyword table to the truth: each example goes into a minimal config in
// its section, and the parser must give the stated status on the example's line. A row
// marked supported (or warned at start) names the run-time test that shows it, as
// `integration/FILE.test.ts: test name`; that file must exist under test/ and declare a
// test whose name contains the given text.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from '../../src/config/diagnostics.js';
import { parseHaproxy } from '../../src/config/haproxy/index.js';
import { parseKeepalived } from '../../src/config/keepalived/index.js';
import { makeLabCert } from '../../src/lab/lab-cert.js';

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

interface Row {
  file: string;
  section: string;
  keyword: string;
  example: string;
  status: string;
  /** `integration/proxy-relay.test.ts: timeout tunnel replaces ...`, or '' when none. */
  runtimeTest: string;
}

function readmeRows(): Row[] {
  const text = readFileSync(join(repoRoot(), 'README.md'), 'utf8');
  const rows: Row[] = [];
  for (const line of text.split('\n')) {
    // Column widths vary: the formatter aligns the table.
    const m =
      /^\|\s*(haproxy|keepalived)\s*\|\s*(\S+)\s*\|\s*`([^`]+)`\s*\|\s*`(.+)`\s*\|\s*([a-z ]+?)\s*\|\s*(.*?)\s*\|$/.exec(
        line,
      );
    if (m) {
      rows.push({
        file: m[1]!,
        section: m[2]!,
        keyword: m[3]!,
        example: m[4]!.replaceAll('\\|', '|'),
        status: m[5]!,
        runtimeTest: m[6]!,
      });
    }
  }
  return rows;
}

// TLS examples name /etc/haproxy/site.pem and ca.pem: halo check reads them, as haproxy -c
// does, so they are made here (the lab's certificate, key appended as HAProxy loads it).
const tlsDir = mkdtempSync(join(tmpdir(), 'halo-readme-tls-'));
const labCert = makeLabCert(tlsDir);
writeFileSync(
  join(tlsDir, 'site.pem'),
  readFileSync(labCert.cert, 'utf8') + readFileSync(labCert.key, 'utf8'),
);
writeFileSync(join(tlsDir, 'ca.pem'), readFileSync(labCert.cert, 'utf8'));
process.on('exit', () => rmSync(tlsDir, { recursive: true, force: true }));
const withTlsFiles = (example: string) =>
  example
    .replaceAll('/etc/haproxy/site.pem', join(tlsDir, 'site.pem'))
    .replaceAll('/etc/haproxy/ca.pem', join(tlsDir, 'ca.pem'));

/** A minimal valid haproxy.cfg with the example line in the row's section; returns its line. */
function haproxyConfig(section: string, example: string): { text: string; line: number } {
  const parts: Record<string, string[]> = {
    global: ['global'],
    defaults: [
      'defaults',
      '    mode tcp',
      '    timeout client 1m',
      '    timeout server 1m',
      '    timeout connect 5s',
    ],
    frontend: ['frontend fe', '    bind 127.0.0.1:18080', '    mode tcp', '    default_backend be'],
    backend: ['backend be', '    mode tcp', '    server s1 127.0.0.1:16443 verify none'],
    http: ['listen stats', '    bind 127.0.0.1:19188', '    mode http'],
  };
  const order = ['global', 'defaults', 'frontend', 'backend', 'http'];
  const lines: string[] = [];
  let at = 0;
  for (const s of order) {
    lines.push(...parts[s]!);
    if (s === section) {
      lines.push(`    ${withTlsFiles(example)}`);
      at = lines.length;
    }
  }
  return { text: `${lines.join('\n')}\n`, line: at };
}

function keepalivedConfig(section: string, example: string): { text: string; line: number } {
  const body = example.split('⏎');
  const blocks: Record<string, string[]> = {
    global_defs: ['global_defs {', '    router_id test', '}'],
    vrrp_script: ['vrrp_script chk {', '    script "/bin/true"', '}'],
    vrrp_instance: [
      'vrrp_instance VI_1 {',
      '    interface eth0',
      '    virtual_router_id 50',
      '    priority 100',
      '    virtual_ipaddress {',
      '        198.51.100.100',
      '    }',
      '}',
    ],
  };
  const lines: string[] = ['vrrp_track_file ready {', '    file /run/halo-ready', '}'];
  let at = 0;
  for (const s of ['global_defs', 'vrrp_script', 'vrrp_instance']) {
    const b = blocks[s]!;
    if (s === section) {
      lines.push(...b.slice(0, -1));
      at = lines.length + 1;
      lines.push(...body.map((l) => `    ${l}`), b.at(-1)!);
    } else lines.push(...b);
  }
  return { text: `${lines.join('\n')}\n`, line: at };
}

/** The diagnostics of a config holding the row's example, and the lines the example spans. */
function diagnose(row: Row): { line: number; span: number; diagnostics: Diagnostic[] } {
  if (row.file === 'haproxy') {
    const c = haproxyConfig(row.section, row.example);
    const diagnostics = parseHaproxy([{ path: 't.cfg', text: c.text }]).diagnostics.list;
    return { line: c.line, span: 1, diagnostics };
  }
  const c = keepalivedConfig(row.section, row.example);
  const host = { readFile: () => '', glob: () => [] };
  const r = parseKeepalived({ path: 't.conf', text: c.text }, host, { offline: true });
  return { line: c.line, span: row.example.split('⏎').length, diagnostics: r.diagnostics.list };
}

const rows = readmeRows();

/** Statuses that claim run-time behaviour, so their rows must name a run-time test. */
const NEEDS_TEST = new Set(['supported', 'warned at start']);
/** Tests of the config reader only: they cannot show that the proxy applies a keyword. */
const CONFIG_ONLY =
  /^unit\/(readme-keywords|corpus|haproxy-parse|haproxy-checks|keepalived-parse|check-cli)/;

/** Problems with a row's run-time test reference, or [] when it names a declared test. */
function runtimeTestProblems(row: Row): string[] {
  if (!row.runtimeTest) return [`'${row.example}' is ${row.status} but names no run-time test`];
  const m = /^((?:integration|lab|unit)\/[\w.-]+\.test\.ts): (.+)$/.exec(row.runtimeTest);
  if (!m) return [`'${row.runtimeTest}' is not 'integration|lab/FILE.test.ts: test name'`];
  const [, file, name] = m as unknown as [string, string, string];
  if (CONFIG_ONLY.test(file)) return [`${file} only reads configs; it shows nothing at run time`];
  const path = join(repoRoot(), 'test', file);
  if (!existsSync(path)) return [`test/${file} does not exist`];
  const text = readFileSync(path, 'utf8');
  // A declared test: it(...)/test(...) whose name holds the text, or a table-driven test
  // (\`it(alg, ...)\`) whose table holds it as a quoted key, or (\`it(k.name, ...)\`) as a
  // case's \`name: '...'\`.
  const declared = text.split('\n').some((l) => /\b(it|test)\(/.test(l) && l.includes(name));
  const tableDriven =
    /\b(it|test)\([a-z]\w*,/.test(text) && new RegExp(`\\b'?${name}'?:`).test(text);
  const namedCases = /\b(it|test)\([a-z]\w*\.name,/.test(text) && text.includes(`name: '${name}'`);
  return declared || tableDriven || namedCases
    ? []
    : [`test/${file} declares no test named '${name}'`];
}

test('every supported row names a run-time test that exists', () => {
  const problems = rows.filter((r) => NEEDS_TEST.has(r.status)).flatMap(runtimeTestProblems);
  assert.deepEqual(problems, []);
});

test('the run-time test check fails on a row without a test, or with a missing one', () => {
  const row: Row = {
    file: 'haproxy',
    section: 'global',
    keyword: 'x',
    example: 'x',
    status: 'supported',
    runtimeTest: '',
  };
  assert.equal(runtimeTestProblems(row).length, 1);
  const named = (runtimeTest: string) => runtimeTestProblems({ ...row, runtimeTest });
  assert.match(named('integration/proxy-relay.test.ts: no such test')[0] ?? '', /declares no test/);
  assert.match(named('integration/no-such-file.test.ts: x')[0] ?? '', /does not exist/);
  assert.match(named('unit/haproxy-parse.test.ts: x')[0] ?? '', /only reads configs/);
  assert.deepEqual(named('integration/proxy-relay.test.ts: timeout tunnel replaces'), []);
  assert.deepEqual(named('integration/proxy-http-rules.test.ts: set-pathq'), []);
  assert.match(named('integration/proxy-http-rules.test.ts: set-nothing')[0] ?? '', /declares no/);
});

test('the README keyword table lists the keywords of the issue', () => {
  assert.ok(rows.length >= 100, `only ${rows.length} rows parsed from README.md`);
  for (const s of ['supported', 'accepted with a warning', 'refused until applied', 'rejected'])
    assert.ok(
      rows.some((r) => r.status === s),
      `no row with status '${s}'`,
    );
});

for (const row of rows) {
  test(`README: ${row.file} ${row.section} '${row.example}' is ${row.status}`, () => {
    const { line, span, diagnostics } = diagnose(row);
    const own = diagnostics.filter((d) => d.line >= line && d.line < line + span);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    const show = () => diagnostics.map((d) => `${d.line}: ${d.severity}: ${d.message}`).join('\n');
    if (['supported', 'untested at run time', 'warned at start'].includes(row.status)) {
      assert.deepEqual(errors, [], show());
      assert.ok(
        !own.some((d) => /UNSUPPORTED|IGNORED|REMOVED/.test(d.code)),
        `'${row.example}' is said to be unsupported:\n${show()}`,
      );
    } else if (row.status === 'accepted with a warning') {
      assert.deepEqual(errors, [], show());
      assert.ok(
        own.some((d) => d.severity === 'warning'),
        `no warning on line ${line}:\n${show()}`,
      );
    } else if (row.status === 'refused until applied') {
      assert.ok(
        own.some((d) => d.code === 'HALO_NOT_APPLIED_SECURITY' && d.severity === 'error'),
        `no HALO_NOT_APPLIED_SECURITY error on line ${line}:\n${show()}`,
      );
    } else if (row.status === 'rejected') {
      assert.ok(
        own.some((d) => d.severity === 'error'),
        `no error on line ${line}:\n${show()}`,
      );
    } else assert.fail(`unknown status '${row.status}'`);
  });
}
