// Property tests: no input makes the keepalived.conf front end fail internally, and every
// diagnostic points at an existing line of a file that was read.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type KeepalivedHost, parseKeepalived } from '../../src/config/keepalived/index.js';

const SEED = `! Configuration File for keepalived
global_defs {
   router_id 192.168.217.19
}
vrrp_script check_haproxy {
    script "bash -c 'if [ $(ss -alnupt |grep 9443|wc -l) -eq 0 ];then exit 1;fi'"
    interval 3
    weight -2
    fall 3
    rise 3
}
vrrp_instance VI_1 {
    state MASTER
    interface ens33
    virtual_router_id 50
    priority 100
    authentication {
        auth_type PASS
        auth_pass 123456
    }
    virtual_ipaddress {
        192.168.217.100
    }
    track_script {
        check_haproxy weight 2 reverse
    }
}
vrrp_sync_group G { group { VI_1 } }
`;

const WORDS = [
  '{',
  '}',
  '"',
  "'",
  '!',
  '#',
  '\\',
  '$X',
  '$X=1',
  'include',
  'include sub/*.conf',
  'vrrp_instance',
  'vrrp_script',
  'global_defs',
  'authentication',
  'auth_type',
  'auth_pass',
  'virtual_ipaddress',
  'track_script',
  'track_interface',
  'track_file',
  'vrrp_sync_group',
  'group',
  'state',
  'MASTER',
  'BACKUP',
  'priority',
  'nopreempt',
  'advert_int',
  '0.001',
  '1.5',
  '256',
  '-1',
  '0',
  'weight',
  'reverse',
  'interval',
  'fall',
  'rise',
  'version',
  '3',
  'unicast_peer',
  '10.0.0.1',
  '::1',
  '192.0.2.1/33',
  'dev',
  'brd',
  'label',
  'scope',
  'PASS',
  'AH',
  'interface',
  'eth0',
  'lo',
  'notify',
  'preempt_delay',
  '\n',
  '\n',
  ' ',
  '\t',
];

const FILES: Record<string, string> = { '/k/sub/a.conf': SEED, '/k/sub/b.conf': '}\n{\n' };

function host(extra: Record<string, string>): KeepalivedHost {
  const all = { ...FILES, ...extra };
  return {
    readFile(p) {
      const t = all[p];
      if (t === undefined) throw new Error(`ENOENT ${p}`);
      return t;
    },
    glob: (pattern, cwd) => {
      const full = pattern.startsWith('/') ? pattern : `${cwd}/${pattern}`;
      const prefix = full.split('*')[0] ?? full;
      return Object.keys(all).filter((f) => f.startsWith(prefix));
    },
    interfaceExists: (name) => name === 'eth0',
  };
}

function check(text: string, offline: boolean): void {
  const path = '/k/keepalived.conf';
  const r = parseKeepalived({ path, text }, host({ [path]: text }), { offline });
  const lines = (file: string): number =>
    (file === path ? text : (FILES[file] ?? '')).split('\n').length;
  for (const d of r.diagnostics.list) {
    assert.notEqual(d.code, 'HALO_INTERNAL', d.message);
    assert.ok(Number.isInteger(d.line) && d.line >= 1, `line ${d.line} of ${d.code}`);
    assert.ok(d.line <= lines(d.file), `${d.file}:${d.line} beyond end (${d.code})`);
    assert.ok(d.message.length > 0);
  }
  assert.ok(r.config, 'a config is always returned');
}

const mutated = fc
  .array(
    fc.record({
      at: fc.nat(),
      del: fc.nat(4),
      ins: fc.array(fc.constantFrom(...WORDS), { maxLength: 4 }),
    }),
    { minLength: 1, maxLength: 8 },
  )
  .map((edits) => {
    const tokens = SEED.split(/(\s+)/);
    for (const e of edits) {
      const i = e.at % (tokens.length + 1);
      tokens.splice(i, e.del, ...e.ins.map((w) => ` ${w} `));
    }
    return tokens.join('');
  });

describe('keepalived parser fuzz', () => {
  it('random strings never break it', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.boolean(), (s, off) => check(s, off)),
      { numRuns: 400 },
    );
  });

  it('random bytes never break it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) =>
        check(new TextDecoder().decode(bytes), true),
      ),
      { numRuns: 300 },
    );
  });

  it('word soup from the keepalived vocabulary never breaks it', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...WORDS), { maxLength: 80 }), fc.boolean(), (w, off) =>
        check(w.join(' '), off),
      ),
      { numRuns: 400 },
    );
  });

  it('mutated valid configs never break it', () => {
    fc.assert(
      fc.property(mutated, fc.boolean(), (s, off) => check(s, off)),
      { numRuns: 500 },
    );
  });

  it('the fuzz seed itself parses with only the expected findings', () => {
    const path = '/k/keepalived.conf';
    const r = parseKeepalived({ path, text: SEED }, host({ [path]: SEED }), { offline: true });
    assert.deepEqual(
      r.diagnostics.sorted().map((d) => `${d.line}:${d.code}`),
      [
        '5:KA_SCRIPT_SECURITY',
        '18:HALO_AUTH_PASS_CLEARTEXT',
        '25:HALO_SLOW_FAILOVER',
        '25:HALO_BUILTIN_TRACKER',
        '28:KA_SYNC_GROUP',
      ],
    );
    assert.deepEqual(r.config?.syncGroups[0]?.group, ['VI_1']);
  });
});
