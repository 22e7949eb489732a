// deploy/: the systemd units pass `systemd-analyze verify` with no warning (an unknown key
// is only a warning there, so stderr must be empty) with halo's bin in place of
// /usr/local/bin/halo, and their command lines are ones halo accepts; the static-pod
// manifest is a valid v1 Pod by the Kubernetes schema (kubernetes-models' validator for
// types, enums and required fields, and a TypeScript excess-property check of the same
// object against its IPod type for misspelt fields, which the JSON schema allows).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { parse } from 'yaml';
import { haloArgv, repoRoot } from '../halo-cli.js';

const DEPLOY = join(repoRoot, 'deploy');
/** The package's bin (what npm installs as /usr/local/bin/halo). */
const HALO_BIN = join(repoRoot, 'dist', 'bundle', 'main.js');
const UNITS = ['halo.service', 'halo-proxy.service', 'halo-vrrp.service'];
const analyze = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find(existsSync);

describe('deploy/ systemd units', { skip: analyze ? undefined : 'no systemd-analyze' }, () => {
  for (const unit of UNITS) {
    it(`${unit}: systemd-analyze verify, no warning`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'halo-units-'));
      try {
        const text = readFileSync(join(DEPLOY, 'systemd', unit), 'utf8');
        assert.match(text, /\/usr\/local\/bin\/halo /);
        writeFileSync(join(dir, unit), text.replaceAll('/usr/local/bin/halo', HALO_BIN));
        const r = spawnSync(analyze!, ['verify', join(dir, unit)], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stderr.trim(), '', 'no warning');
        assert.match(text, /^Type=notify$/m);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it("the units' halo command lines are accepted by halo's option parsers", () => {
    const lines = UNITS.flatMap((u) =>
      readFileSync(join(DEPLOY, 'systemd', u), 'utf8')
        .split('\n')
        .filter((l) => /^Exec(Start|Reload)=\/usr\/local\/bin\/halo /.test(l)),
    );
    assert.equal(lines.length, 5, lines.join('\n'));
    for (const line of lines) {
      const unit = UNITS.find((u) =>
        readFileSync(join(DEPLOY, 'systemd', u), 'utf8').includes(line),
      )!;
      // Variables as systemd would expand them with the unit's own defaults.
      const extra = /"EXTRAOPTS=([^"]*)"/.exec(readFileSync(join(DEPLOY, 'systemd', unit), 'utf8'));
      const argv = line
        .replace(/^Exec\w+=\/usr\/local\/bin\/halo /, '')
        .replaceAll('${HAPROXY_CONFIG}', '/nonexistent/haproxy.cfg')
        .replaceAll('${KEEPALIVED_CONFIG}', '/nonexistent/keepalived.conf')
        .replaceAll('${PIDFILE}', '/nonexistent/halo.pid')
        .replaceAll('$CONFIG', '/nonexistent/haproxy.cfg')
        .replaceAll('$PIDFILE', '/nonexistent/haproxy.pid')
        .replaceAll('$EXTRAOPTS', extra ? extra[1]!.replace('/run/', '/nonexistent/') : '')
        .replaceAll('$DAEMON_ARGS', '-f /nonexistent/keepalived.conf')
        .split(/\s+/)
        .filter((a) => a !== '');
      const r = spawnSync(process.execPath, [...haloArgv, ...argv], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      // A missing file is exit 1 with the file named; bad usage would be exit 2.
      assert.notEqual(r.status, 2, `${line}\n${r.stderr}`);
      assert.match(r.stderr + r.stdout, /nonexistent/, line);
    }
  });
});

describe('deploy/kubernetes/halo.yaml', () => {
  const manifest = parse(readFileSync(join(DEPLOY, 'kubernetes', 'halo.yaml'), 'utf8'));

  it('is a valid v1 Pod by the schema', async () => {
    const { Pod } = await import('kubernetes-models/v1');
    new Pod(manifest).validate();
    assert.equal(manifest.kind, 'Pod');
    assert.equal(manifest.spec.hostNetwork, true);
    // The control: the same validator refuses a wrong type.
    const bad = structuredClone(manifest);
    bad.spec.containers[0].livenessProbe.httpGet.port = [9188];
    assert.throws(() => new Pod(bad).validate());
  });

  it('has no field the Pod type does not know (TypeScript excess-property check)', () => {
    const check = (pod: unknown) => {
      const dir = mkdtempSync(join(tmpdir(), 'halo-pod-'));
      try {
        const file = join(dir, 'pod.ts');
        const types = dirname(createRequire(import.meta.url).resolve('kubernetes-models/v1'));
        writeFileSync(
          file,
          `import type { IPod } from ${JSON.stringify(join(types, 'Pod.js'))};\n` +
            `export const pod: IPod = ${JSON.stringify(pod)};\n`,
        );
        const program = ts.createProgram([file], {
          strict: true,
          noEmit: true,
          module: ts.ModuleKind.NodeNext,
          moduleResolution: ts.ModuleResolutionKind.NodeNext,
          skipLibCheck: true,
        });
        return ts
          .getPreEmitDiagnostics(program)
          .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    assert.deepEqual(check(manifest), []);
    const misspelt = structuredClone(manifest);
    misspelt.spec.hostNetwrok = true;
    assert.match(check(misspelt).join('\n'), /hostNetwrok/);
  });

  it('runs halo run on the files the README says to put in /etc/kubernetes/halo', () => {
    const c = manifest.spec.containers[0];
    assert.deepEqual(c.command, [
      'halo',
      'run',
      '-f',
      '/etc/halo/haproxy.cfg',
      '-f',
      '/etc/halo/keepalived.conf',
    ]);
    assert.equal(manifest.spec.volumes[0].hostPath.path, '/etc/kubernetes/halo');
    const readme = readFileSync(join(DEPLOY, 'README.md'), 'utf8');
    assert.match(readme, /\/etc\/kubernetes\/halo/);
    assert.match(readme, /\/etc\/kubernetes\/manifests\/halo\.yaml/);
  });
});
