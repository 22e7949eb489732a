import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Diagnostic } from '../../src/config/diagnostics.js';
import { type KeepalivedHost, parseKeepalived } from '../../src/config/keepalived/index.js';
import type { KeepalivedConfig } from '../../src/config/keepalived/model.js';

/** In-memory files; glob supports `*` and `?` in the last path segment. */
function fakeHost(files: Record<string, string>, interfaces?: string[]): KeepalivedHost {
  const host: KeepalivedHost = {
    readFile(path) {
      const text = files[path];
      if (text === undefined) throw new Error(`ENOENT ${path}`);
      return text;
    },
    glob(pattern, cwd) {
      const full = pattern.startsWith('/') ? pattern : `${cwd.replace(/\/$/, '')}/${pattern}`;
      const re = new RegExp(
        `^${full
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '[^/]*')
          .replace(/\?/g, '[^/]')}$`,
      );
      return Object.keys(files).filter((f) => re.test(f));
    },
  };
  if (interfaces) host.interfaceExists = (name) => interfaces.includes(name);
  return host;
}

function parse(text: string, opts: { interfaces?: string[]; offline?: boolean } = {}) {
  const path = '/etc/keepalived/keepalived.conf';
  return parseKeepalived({ path, text }, fakeHost({ [path]: text }, opts.interfaces), {
    offline: opts.offline ?? false,
  });
}

const codes = (list: Diagnostic[]): string[] => list.map((d) => `${d.line}:${d.code}`);

/** A minimal valid instance, with extra lines spliced in. */
function instance(extra: string, head = ''): string {
  return `${head}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 50
${extra}
    virtual_ipaddress {
        192.0.2.100
    }
}
`;
}

interface Case {
  readonly name: string;
  readonly text: string;
  /** `line:CODE` of every diagnostic, in file order. */
  readonly codes: string[];
  readonly check?: (c: KeepalivedConfig, d: Diagnostic[]) => void;
}

const inst = (c: KeepalivedConfig) => {
  const i = c.instances[0];
  assert.ok(i, 'instance resolved');
  return i;
};

const CASES: Case[] = [
  {
    name: 'defaults: BACKUP, priority 100, advert 1 s, v2',
    text: instance(''),
    codes: [],
    check: (c) => {
      const i = inst(c);
      assert.equal(i.initialState, 'BACKUP');
      assert.equal(i.priority, 100);
      assert.equal(i.advertInt, 1000);
      assert.equal(i.version, 2);
      assert.equal(i.nopreempt, false);
      assert.equal(c.globalDefs.garpMasterDelay, 5);
    },
  },
  {
    name: 'state MASTER without priority becomes the address owner (255)',
    text: instance('    state MASTER'),
    codes: ['2:HALO_OWNER_PRIORITY'],
    check: (c) => assert.equal(inst(c).priority, 255),
  },
  {
    name: 'priority 255 without state starts as MASTER',
    text: instance('    priority 255'),
    codes: [],
    check: (c) => assert.equal(inst(c).initialState, 'MASTER'),
  },
  {
    name: 'virtual_router_id out of range is an error and drops the instance',
    text: instance('').replace('virtual_router_id 50', 'virtual_router_id 256'),
    codes: ['2:KA_VRID_MISSING', '4:KA_VRID_RANGE'],
    check: (c) => assert.equal(c.instances.length, 0),
  },
  {
    name: 'priority out of range falls back to 100',
    text: instance('    priority 300'),
    codes: ['5:KA_PRIORITY_RANGE'],
    check: (c) => assert.equal(inst(c).priority, 100),
  },
  {
    name: 'auth_pass longer than 8 characters is truncated',
    text: instance(
      '    authentication {\n        auth_type PASS\n        auth_pass 1234567890\n    }',
    ),
    codes: ['6:HALO_AUTH_PASS_CLEARTEXT', '7:KA_AUTH_PASS_TRUNCATED'],
    check: (c) => assert.deepEqual(inst(c).auth?.password, '12345678'),
  },
  {
    name: 'one-line authentication block: halo reads the password and warns',
    text: instance('    authentication { auth_type PASS auth_pass 123456 }'),
    codes: ['5:HALO_ONE_LINE_AUTH', '5:HALO_AUTH_PASS_CLEARTEXT'],
    check: (c) => assert.deepEqual(inst(c).auth?.password, '123456'),
  },
  {
    name: 'advert_int is rounded to whole seconds for VRRPv2',
    text: instance('    advert_int 1.5'),
    codes: ['5:KA_ADVERT_INT_ROUNDED'],
    check: (c, d) => {
      assert.equal(inst(c).advertInt, 2000);
      assert.match(
        d[0]?.message ?? '',
        /VRRPv2 advertisement interval 1\.500000s must be an integer/,
      );
    },
  },
  {
    name: 'advert_int is rounded to centiseconds for VRRPv3',
    text: instance('    version 3\n    advert_int 0.555'),
    codes: ['6:KA_ADVERT_INT_ROUNDED'],
    check: (c) => assert.equal(inst(c).advertInt, 560),
  },
  {
    name: 'nopreempt with state MASTER is cleared',
    text: instance('    state MASTER\n    priority 100\n    nopreempt'),
    codes: ['7:KA_NOPREEMPT_MASTER'],
    check: (c) => assert.equal(inst(c).nopreempt, false),
  },
  {
    name: 'nopreempt with BACKUP is kept',
    text: instance('    nopreempt'),
    codes: [],
    check: (c) => assert.equal(inst(c).nopreempt, true),
  },
  {
    name: 'missing interface drops the instance',
    text: instance('').replace('    interface eth0\n', ''),
    codes: ['2:KA_NO_INTERFACE'],
    check: (c) => assert.equal(c.instances.length, 0),
  },
  {
    name: 'track_script naming an undefined script, with did-you-mean',
    text: instance(
      '    track_script {\n        chk_haproxi\n    }',
      'vrrp_script chk_haproxy {\n    script "/bin/true"\n}',
    ),
    codes: ['1:KA_SCRIPT_SECURITY', '8:KA_TRACK_SCRIPT_NOT_FOUND'],
    check: (c, d) => {
      assert.equal(inst(c).trackScript.length, 0);
      assert.equal(d[1]?.hint, "did you mean 'chk_haproxy'?");
    },
  },
  {
    name: 'track_script before its vrrp_script is not found, as in Keepalived',
    text: `${instance('    track_script {\n        chk\n    }')}vrrp_script chk {\n    script "/bin/true"\n}\n`,
    codes: ['6:KA_TRACK_SCRIPT_NOT_FOUND', '12:KA_SCRIPT_SECURITY'],
  },
  {
    name: 'per-item track weight and reverse',
    text: instance(
      '    track_script {\n        chk weight -20 reverse\n    }',
      'global_defs {\n    enable_script_security\n    script_user nobody\n}\nvrrp_script chk {\n    script "/bin/true"\n    interval 2\n    weight 5\n}',
    ),
    // interval 2 s × fall 1 + 3 × 1 s + skew 0.61 s = 5.61 s > 5 s
    codes: ['14:HALO_SLOW_FAILOVER'],
    check: (c) => {
      assert.deepEqual(
        inst(c).trackScript.map((t) => [t.name, t.weight, t.reverse]),
        [['chk', -20, true]],
      );
      assert.equal(c.scripts[0]?.interval, 2000);
      assert.equal(c.scripts[0]?.timeout, 2000);
    },
  },
  {
    name: 'unknown keyword with did-you-mean',
    text: instance('    priorty 90'),
    codes: ['5:KA_UNKNOWN_KEYWORD'],
    check: (_c, d) => assert.equal(d[0]?.hint, "did you mean 'priority'?"),
  },
  {
    name: 'a real Keepalived keyword halo does not implement is a warning',
    text: instance('    use_vmac'),
    codes: ['5:HALO_UNSUPPORTED_KEYWORD'],
  },
  {
    name: 'full virtual address syntax',
    text: instance('').replace(
      '192.0.2.100',
      '192.0.2.100/24 brd 192.0.2.255 dev eth0 scope global label eth0:vip\n        192.0.2.101 -nodad',
    ),
    codes: [],
    check: (c) => {
      assert.deepEqual(
        inst(c).virtualIpaddress.map(({ pos: _, ...a }) => a),
        [
          {
            family: 4,
            address: '192.0.2.100',
            prefix: 24,
            brd: '192.0.2.255',
            dev: 'eth0',
            scope: 'global',
            label: 'eth0:vip',
          },
          { family: 4, address: '192.0.2.101', prefix: 32, noDad: true },
        ],
      );
    },
  },
  {
    name: 'invalid VIP, bad prefix and unknown option',
    text: instance('').replace('192.0.2.100', '192.0.2.300\n        192.0.2.1/40 no_dad'),
    codes: ['7:KA_VIP_INVALID', '8:KA_VIP_PREFIX', '8:KA_VIP_UNKNOWN_OPTION'],
    check: (c) => assert.equal(inst(c).virtualIpaddress[0]?.prefix, 32),
  },
  {
    name: 'brace errors',
    text: `${instance('')}}\nvrrp_instance VI_2 {\n    interface eth0\n`,
    codes: ['10:KA_EXTRA_EOB', '11:KA_MISSING_EOB', '11:KA_VRID_MISSING'],
  },
  {
    name: 'missing parameter',
    text: instance('    priority'),
    codes: ['5:KA_MISSING_PARAMETER'],
  },
  {
    name: 'script security: script_user without enable_script_security still warns',
    text: instance(
      '',
      'global_defs {\n    script_user nobody\n}\nvrrp_script s {\n    script /bin/true\n}',
    ),
    codes: ['4:KA_SCRIPT_SECURITY'],
  },
  {
    name: 'slow failover notice from the track_script settings',
    text: instance(
      '    priority 100\n    track_script {\n        chk\n    }',
      'global_defs {\n    enable_script_security\n    script_user nobody\n}\nvrrp_script chk {\n    script /bin/true\n    interval 3\n    fall 3\n    weight -2\n}',
    ),
    codes: ['16:HALO_SLOW_FAILOVER'],
    check: (_c, d) => assert.match(d[0]?.message ?? '', /up to 12\.61 s/),
  },
  {
    name: 'sync group members must exist',
    text: `${instance('')}vrrp_sync_group G {\n    group {\n        VI_1 VI_X\n    }\n}\n`,
    codes: ['11:KA_SYNC_GROUP', '11:KA_SYNC_GROUP'],
    check: (c) => assert.deepEqual(c.syncGroups[0]?.group, ['VI_1']),
  },
  {
    name: 'one-line vrrp_script: halo splits keywords and warns',
    text: instance(
      '',
      'global_defs {\n    enable_script_security\n    script_user nobody\n}\nvrrp_script chk { script "/bin/echo a b" interval 2 }',
    ),
    codes: ['5:HALO_ONE_LINE_BLOCK'],
    check: (c) => {
      assert.deepEqual(c.scripts[0]?.argv, ['/bin/echo', 'a', 'b']);
      assert.equal(c.scripts[0]?.interval, 2000);
    },
  },
  {
    name: '$VAR definitions are expanded',
    text: instance('    priority $PRIO', '$PRIO=42'),
    codes: [],
    check: (c) => assert.equal(inst(c).priority, 42),
  },
  {
    name: 'global_defs keywords',
    text: instance(
      '',
      'global_defs {\n  router_id lb1\n  vrrp_version 3\n  vrrp_garp_master_delay 1\n  vrrp_garp_master_repeat 2\n  vrrp_garp_master_refresh 60\n  vrrp_garp_master_refresh_repeat 3\n  vrrp_garp_interval 0.01\n  vrrp_mcast_group4 224.0.0.19\n  notification_email {\n    ops@example.com\n  }\n  smtp_server 127.0.0.1\n}',
    ),
    codes: [],
    check: (c) => {
      const g = c.globalDefs;
      assert.equal(g.routerId, 'lb1');
      assert.equal(inst(c).version, 3);
      assert.deepEqual(
        [g.garpMasterDelay, g.garpMasterRepeat, g.garpMasterRefresh, g.garpMasterRefreshRepeat],
        [1, 2, 60, 3],
      );
      assert.equal(g.garpInterval, 10);
      assert.equal(g.vrrpMcastGroup4, '224.0.0.19');
      assert.deepEqual(g.notificationEmail, ['ops@example.com']);
      assert.equal(inst(c).garpMasterDelay, 1);
    },
  },
];

describe('parseKeepalived: table', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const r = parse(c.text, { offline: true });
      const list = r.diagnostics.sorted();
      assert.deepEqual(codes(list), c.codes);
      assert.ok(r.config);
      c.check?.(r.config, list);
    });
  }
});

describe('parseKeepalived: interfaces', () => {
  const text = instance('    track_interface {\n        eth9\n    }').replace('eth0', 'ens33');
  it('reports a missing interface as an error when online', () => {
    const r = parse(text, { interfaces: ['eth0'] });
    assert.deepEqual(codes(r.diagnostics.sorted()), [
      '3:KA_INTERFACE_NOT_FOUND',
      '6:KA_INTERFACE_NOT_FOUND',
    ]);
    // Keepalived's wording without its 'WARNING - ' prefix: the severity says it.
    assert.equal(
      r.diagnostics.list[0]?.message,
      "interface ens33 for vrrp_instance VI_1 doesn't exist",
    );
    assert.equal(r.diagnostics.list[0]?.severity, 'error');
  });
  it('skips the check offline, or without a lookup', () => {
    assert.equal(parse(text, { interfaces: ['eth0'], offline: true }).diagnostics.list.length, 0);
    assert.equal(parse(text).diagnostics.list.length, 0);
  });
});

describe('parseKeepalived: include', () => {
  const files = {
    '/etc/keepalived/keepalived.conf': 'include conf.d/*.conf\ninclude /abs/missing.conf\n',
    '/etc/keepalived/conf.d/10-script.conf':
      'vrrp_script chk {\n    script "/bin/true"\n    intervl 2\n}\n',
    '/etc/keepalived/conf.d/20-vi.conf': instance('    track_script {\n        chk\n    }'),
    '/etc/keepalived/conf.d/skip.txt': 'garbage\n',
  };
  const r = parseKeepalived(
    { path: '/etc/keepalived/keepalived.conf', text: files['/etc/keepalived/keepalived.conf'] },
    fakeHost(files),
    { offline: true },
  );
  it('reads globbed files in order, relative to the including file', () => {
    assert.deepEqual(r.config?.files, [
      '/etc/keepalived/keepalived.conf',
      '/etc/keepalived/conf.d/10-script.conf',
      '/etc/keepalived/conf.d/20-vi.conf',
    ]);
    assert.deepEqual(
      r.config?.instances[0]?.trackScript.map((t) => t.name),
      ['chk'],
    );
  });
  it('points diagnostics at the included file and line', () => {
    const d = r.diagnostics.list.find((x) => x.code === 'KA_UNKNOWN_KEYWORD');
    assert.equal(d?.file, '/etc/keepalived/conf.d/10-script.conf');
    assert.equal(d?.line, 3);
    assert.equal(d?.hint, "did you mean 'interval'?");
  });
  it('warns about an include that matches nothing', () => {
    const d = r.diagnostics.list.find((x) => x.code === 'KA_INCLUDE_NOT_FOUND');
    assert.equal(d?.severity, 'warning');
    assert.equal(d?.line, 2);
  });
  it('stops an include loop', () => {
    const loop = { '/a.conf': 'include a.conf\n' };
    const res = parseKeepalived({ path: '/a.conf', text: loop['/a.conf'] }, fakeHost(loop));
    assert.deepEqual(codes(res.diagnostics.list), ['1:HALO_INCLUDE_LOOP']);
  });
});
