// The checks keepalived -t makes after reading the file: duplicate VRIDs (wording and
// conditions measured with Keepalived 2.2.7 in a namespace with halo0/halo1), vrrp_script
// programs on this host (through a fake fileAccessible), and include loops reached
// through another spelling of the entry path.

import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileAccessible } from '../../src/cli/host.js';
import type { Diagnostic } from '../../src/config/diagnostics.js';
import {
  type FileAccess,
  type KeepalivedHost,
  parseKeepalived,
} from '../../src/config/keepalived/index.js';

const PATH = '/etc/keepalived/keepalived.conf';

function host(opts: {
  files?: Record<string, string>;
  interfaces?: string[];
  access?: Record<string, FileAccess>;
  globs?: Record<string, string[]>;
}): KeepalivedHost & { looked: string[] } {
  const looked: string[] = [];
  const h: KeepalivedHost & { looked: string[] } = {
    looked,
    readFile(path) {
      const text = opts.files?.[path];
      if (text === undefined) throw new Error(`ENOENT ${path}`);
      return text;
    },
    glob: (pattern) => opts.globs?.[pattern] ?? [],
  };
  if (opts.interfaces) {
    const names = opts.interfaces;
    h.interfaceExists = (name) => names.includes(name);
  }
  if (opts.access) {
    const table = opts.access;
    h.fileAccessible = (path) => {
      looked.push(path);
      return table[path] ?? 'missing';
    };
  }
  return h;
}

function instance(name: string, iface: string, vrid: number, vip: string, extra = ''): string {
  return `vrrp_instance ${name} {
    state BACKUP
    interface ${iface}
    virtual_router_id ${vrid}
    priority 100
    virtual_ipaddress {
        ${vip}
    }
${extra}}
`;
}

const peer = (a: string) => `    unicast_peer {\n        ${a}\n    }\n`;
const src = (a: string) => `    unicast_src_ip ${a}\n`;

function check(text: string, h: KeepalivedHost, offline = false, scriptPath?: string) {
  return parseKeepalived({ path: PATH, text }, h, {
    offline,
    ...(scriptPath !== undefined ? { scriptPath } : {}),
  });
}

const seen = (list: readonly Diagnostic[]) =>
  list.map((d) => `${d.line}:${d.severity}:${d.message}`);

describe('keepalived: duplicate VRIDs', () => {
  const lab = { interfaces: ['lo', 'halo0', 'halo1'] };

  it('two multicast instances on one interface: an error at the later one', () => {
    const text =
      instance('VI_1', 'halo0', 50, '198.51.100.10') +
      instance('VI_2', 'halo0', 50, '198.51.100.11');
    const r = check(text, host(lab));
    assert.deepEqual(seen(r.diagnostics.sorted()), [
      '10:error:VI_1 and VI_2 both use VRID 50 with IPv4 on interface halo0',
    ]);
  });

  it('every pair of three is reported, as Keepalived does', () => {
    const text =
      instance('VI_1', 'halo0', 7, '198.51.100.10') +
      instance('VI_2', 'halo0', 7, '198.51.100.11') +
      instance('VI_3', 'halo0', 7, '198.51.100.12');
    const r = check(text, host(lab), true);
    assert.deepEqual(
      r.diagnostics.sorted().map((d) => d.message.split(' both')[0]),
      ['VI_1 and VI_2', 'VI_1 and VI_3', 'VI_2 and VI_3'],
    );
  });

  it('other interface, other family, other VRID or unicast next to multicast: no conflict', () => {
    const texts = [
      instance('VI_1', 'halo0', 50, '198.51.100.10') +
        instance('VI_2', 'halo1', 50, '203.0.113.10'),
      instance('VI_1', 'halo0', 50, '198.51.100.10') + instance('VI_2', 'halo0', 50, '2001:db8::1'),
      instance('VI_1', 'halo0', 50, '198.51.100.10') +
        instance('VI_2', 'halo0', 51, '198.51.100.11'),
      instance('VI_1', 'halo0', 50, '198.51.100.10', peer('198.51.100.2')) +
        instance('VI_2', 'halo0', 50, '198.51.100.11'),
    ];
    for (const text of texts) {
      const r = check(text, host(lab));
      assert.deepEqual(
        r.diagnostics.list.filter((d) => d.code.includes('VRID')),
        [],
        text,
      );
    }
  });

  it('is not reported for an interface this host lacks (that is its own error)', () => {
    const text =
      instance('VI_1', 'ens33', 50, '198.51.100.10') +
      instance('VI_2', 'ens33', 50, '198.51.100.11');
    const online = check(text, host(lab));
    assert.deepEqual(
      online.diagnostics.list.map((d) => d.code),
      ['KA_INTERFACE_NOT_FOUND', 'KA_INTERFACE_NOT_FOUND'],
    );
    const offline = check(text, host(lab), true);
    assert.deepEqual(
      offline.diagnostics.list.map((d) => d.code),
      ['KA_DUPLICATE_VRID'],
    );
  });

  it('unicast: same source and a common peer conflict; different peers do not', () => {
    const same =
      instance('VI_1', 'halo0', 50, '198.51.100.10', peer('198.51.100.2')) +
      instance('VI_2', 'halo0', 50, '198.51.100.11', peer('198.51.100.2'));
    assert.deepEqual(seen(check(same, host(lab)).diagnostics.sorted()), [
      '13:error:(VI_1) duplicate VRID conflict with VI_2 VRID 50',
    ]);
    const withSrc =
      instance('VI_1', 'halo0', 50, '198.51.100.10', src('198.51.100.1') + peer('198.51.100.2')) +
      instance('VI_2', 'halo0', 50, '198.51.100.11', src('198.51.100.1') + peer('198.51.100.2'));
    assert.equal(check(withSrc, host(lab)).diagnostics.errors, 1);
    const otherSrc = withSrc.replace(
      /unicast_src_ip 198\.51\.100\.1\n([\s\S]*)unicast_src_ip 198\.51\.100\.1/,
      'unicast_src_ip 198.51.100.1\n$1unicast_src_ip 198.51.100.5',
    );
    assert.equal(check(otherSrc, host(lab)).diagnostics.list.length, 0);
    const otherPeer =
      instance('VI_1', 'halo0', 50, '198.51.100.10', peer('198.51.100.2')) +
      instance('VI_2', 'halo0', 50, '198.51.100.11', peer('198.51.100.3'));
    assert.equal(check(otherPeer, host(lab)).diagnostics.list.length, 0);
  });

  it('unicast with unicast_src_ip on one side only: a warning, halo cannot see the address', () => {
    const text =
      instance('VI_1', 'halo0', 50, '198.51.100.10', src('198.51.100.1') + peer('198.51.100.2')) +
      instance('VI_2', 'halo0', 50, '198.51.100.11', peer('198.51.100.2'));
    const r = check(text, host(lab));
    assert.equal(r.diagnostics.errors, 0);
    assert.deepEqual(
      r.diagnostics.list.map((d) => `${d.severity}:${d.code}`),
      ['warning:HALO_POSSIBLE_DUPLICATE_VRID'],
    );
  });
});

describe('keepalived: vrrp_script programs on this host', () => {
  const script = (cmd: string, name = 'chk') =>
    `global_defs {\n    script_user root\n    enable_script_security\n}\nvrrp_script ${name} {\n    script "${cmd}"\n}\n`;
  const tracked = instance(
    'VI_1',
    'halo0',
    50,
    '198.51.100.10',
    '    track_script {\n        chk\n    }\n',
  );
  const interfaces = ['halo0'];

  it('a missing absolute path is an error at the script line; the script leaves the model', () => {
    const h = host({ interfaces, access: {} });
    const r = check(script('/usr/local/bin/halo-no-such-script --x') + tracked, h);
    assert.deepEqual(seen(r.diagnostics.sorted()), [
      '6:error:Disabling track script chk since not found/accessible',
    ]);
    assert.deepEqual(h.looked, ['/usr/local/bin/halo-no-such-script']);
    assert.deepEqual(r.config?.scripts, []);
    assert.deepEqual(r.config?.instances[0]?.trackScript, []);
  });

  it('is skipped offline and when the host cannot look', () => {
    const text = script('/usr/local/bin/halo-no-such-script') + tracked;
    const offline = host({ interfaces, access: {} });
    assert.equal(check(text, offline, true).diagnostics.list.length, 0);
    assert.deepEqual(offline.looked, []);
    assert.equal(check(text, host({ interfaces })).diagnostics.list.length, 0);
  });

  it('a bare name is searched in PATH in order, like execvp', () => {
    const h = host({
      interfaces,
      access: { '/usr/bin/bash': 'ok', '/bin/bash': 'not-executable' },
    });
    const r = check(script("bash -c 'exit 0'") + tracked, h, false, '/sbin:/usr/bin:/bin');
    assert.equal(r.diagnostics.list.length, 0);
    assert.deepEqual(h.looked, ['/sbin/bash', '/usr/bin/bash']);
    assert.equal(r.config?.scripts[0]?.name, 'chk');
  });

  it('a bare name found nowhere executable is not found (a directory or a plain file too)', () => {
    const h = host({
      interfaces,
      access: { '/a/check': 'not-a-file', '/b/check': 'not-executable' },
    });
    const r = check(script('check') + tracked, h, false, '/a:/b/');
    assert.deepEqual(h.looked, ['/a/check', '/b/check']);
    assert.deepEqual(
      r.diagnostics.list.map((d) => d.code),
      ['KA_SCRIPT_NOT_FOUND'],
    );
  });

  it("without a scriptPath, PATH is glibc's default /bin:/usr/bin", () => {
    const h = host({ interfaces, access: {} });
    check(script('true') + tracked, h);
    assert.deepEqual(h.looked, ['/bin/true', '/usr/bin/true']);
  });

  it('a relative path with a slash is looked up as written (the host resolves it)', () => {
    const h = host({ interfaces, access: { './check.sh': 'ok' } });
    assert.equal(check(script('./check.sh') + tracked, h).diagnostics.list.length, 0);
    assert.deepEqual(h.looked, ['./check.sh']);
  });

  it('a file without execute permission: a warning, keepalived -t stays quiet', () => {
    const h = host({ interfaces, access: { '/etc/keepalived/check.sh': 'not-executable' } });
    const r = check(script('/etc/keepalived/check.sh') + tracked, h);
    assert.equal(r.diagnostics.errors, 0);
    assert.deepEqual(
      r.diagnostics.list.map((d) => `${d.line}:${d.severity}:${d.code}`),
      ['6:warning:HALO_SCRIPT_NOT_EXECUTABLE'],
    );
    assert.deepEqual(r.config?.instances[0]?.trackScript, []);
  });

  it('a directory is disabled as insecure', () => {
    const h = host({ interfaces, access: { '/tmp': 'not-a-file' } });
    const r = check(script('/tmp') + tracked, h);
    assert.deepEqual(
      r.diagnostics.list.map((d) => d.message),
      ['Disabling track script chk due to insecure'],
    );
  });

  it('a path others may change: insecure with script security for a root script, else run', () => {
    const access = { '/home/ops/check.sh': 'unsafe' as const };
    const text = script('/home/ops/check.sh') + tracked;
    const secure = check(text, host({ interfaces, access }));
    assert.deepEqual(
      secure.diagnostics.list.map((d) => `${d.line}:${d.code}:${d.message}`),
      ['6:KA_SCRIPT_INSECURE:Disabling track script chk due to insecure'],
    );
    assert.deepEqual(secure.config?.scripts, []);
    const nobody = check(
      text.replace('script_user root', 'script_user nobody'),
      host({ interfaces, access }),
    );
    assert.equal(nobody.diagnostics.errors, 0);
    assert.equal(nobody.config?.scripts.length, 1);
    const perScript = check(
      text
        .replace('script_user root', 'script_user nobody')
        .replace('script "', 'user root\n    script "'),
      host({ interfaces, access }),
    );
    assert.equal(perScript.diagnostics.errors, 1, 'a vrrp_script `user root` runs as root');
    const noSecurity = check(
      text.replace('    enable_script_security\n', ''),
      host({ interfaces, access }),
    );
    assert.equal(noSecurity.diagnostics.errors, 0);
  });

  it('a bare name found unsafe in PATH stops the search there', () => {
    const h = host({ interfaces, access: { '/a/check': 'unsafe', '/b/check': 'ok' } });
    const r = check(script('check') + tracked, h, false, '/a:/b');
    assert.deepEqual(h.looked, ['/a/check']);
    assert.deepEqual(
      r.diagnostics.list.map((d) => d.code),
      ['KA_SCRIPT_INSECURE'],
    );
  });

  it("a directory is run (and fails later) when the script is not root's", () => {
    const h = host({ interfaces, access: { '/tmp': 'not-a-file' } });
    const r = check(
      (script('/tmp') + tracked).replace('script_user root', 'script_user nobody'),
      h,
    );
    assert.equal(r.diagnostics.errors, 0);
  });

  it('`</path` only tests a file, nothing is run or looked up', () => {
    const h = host({ interfaces, access: {} });
    assert.equal(check(script('</etc/nothing-here') + tracked, h).diagnostics.list.length, 0);
    assert.deepEqual(h.looked, []);
  });

  it('nothing is checked in a file without vrrp_instance', () => {
    const h = host({ interfaces, access: {} });
    check(script('/usr/local/bin/halo-no-such-script'), h);
    assert.deepEqual(h.looked, []);
  });
});

describe('keepalived: include loops under another spelling of the path', () => {
  const text = `include include-itself.conf\n${instance('VI_1', 'halo0', 50, '198.51.100.10')}`;
  const abs = '/srv/conf/include-itself.conf';
  const h = host({
    files: { [abs]: text },
    globs: { 'include-itself.conf': [abs] },
  });

  it('a relative entry path with cwd stops at the first include', () => {
    const r = parseKeepalived({ path: 'include-itself.conf', text }, h, {
      offline: true,
      cwd: '/srv/conf',
    });
    assert.deepEqual(
      r.diagnostics.list.map((d) => `${d.file}:${d.line}:${d.code}`),
      ['include-itself.conf:1:HALO_INCLUDE_LOOP'],
    );
    assert.equal(r.config?.instances.length, 1);
  });

  it('`./` and `..` are normalised too', () => {
    const r = parseKeepalived({ path: '/srv/x/../conf/./include-itself.conf', text }, h, {
      offline: true,
    });
    assert.deepEqual(
      r.diagnostics.list.map((d) => d.code),
      ['HALO_INCLUDE_LOOP'],
    );
  });
});

describe('fileAccessible (the real host of halo check)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'halo-script-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, mode: number): string => {
    const p = join(dir, name);
    writeFileSync(p, '#!/bin/sh\nexit 0\n');
    chmodSync(p, mode);
    return p;
  };

  it('tells missing, dangling, directory and non-executable apart', () => {
    assert.equal(fileAccessible(join(dir, 'none')), 'missing');
    symlinkSync(join(dir, 'none'), join(dir, 'dangling'));
    assert.equal(fileAccessible(join(dir, 'dangling')), 'missing');
    assert.equal(fileAccessible(dir), 'not-a-file');
    const plain = file('plain.sh', 0o644);
    if (process.getuid?.() !== 0) return; // root may read anything; others see their own files
    assert.equal(fileAccessible(plain), 'not-executable');
  });

  it('a root-owned executable in a root-owned path is ok; a writable directory makes it unsafe', {
    skip: process.getuid?.() !== 0 ? 'needs root: files must be owned by root' : false,
  }, () => {
    chmodSync(dir, 0o755);
    assert.equal(fileAccessible('/bin/sh'), 'ok');
    assert.equal(fileAccessible(file('ok.sh', 0o755)), 'ok');
    const sub = join(dir, 'open');
    mkdirSync(sub);
    chmodSync(sub, 0o777);
    writeFileSync(join(sub, 'x.sh'), '#!/bin/sh\n');
    chmodSync(join(sub, 'x.sh'), 0o755);
    assert.equal(fileAccessible(join(sub, 'x.sh')), 'unsafe');
    chmodSync(sub, 0o1777);
    assert.equal(fileAccessible(join(sub, 'x.sh')), 'ok', 'sticky directories are allowed');
    assert.equal(fileAccessible(file('w.sh', 0o757)), 'unsafe', 'world-writable file');
  });
});
