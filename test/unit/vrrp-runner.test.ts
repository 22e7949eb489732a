// The VRRP daemon over fake host ports and a manual clock: the order on the wire when
// becoming MASTER (advert, VIPs, gratuitous ARPs), script results changing the advertised
// priority, notify arguments, shutdown (priority 0, VIPs removed), reload without a state
// change, link events from the monitor, track files on real files, and script security /
// user selection.

import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseKeepalived } from '../../src/config/keepalived/index.js';
import type { KeepalivedConfig } from '../../src/config/keepalived/model.js';
import { VrrpDaemon } from '../../src/daemon/vrrp-daemon.js';
import { createVrrpLog, ctime } from '../../src/daemon/vrrp-log.js';
import type { RunOptions } from '../../src/daemon/vrrp-scripts.js';
import { insecurePath, lookupUser, spawnScript } from '../../src/daemon/vrrp-scripts.js';
import { planScripts } from '../../src/daemon/vrrp-track.js';
import type { ScriptOutcome } from '../../src/vrrp/index.js';
import {
  FakeAddresses,
  FakeFrames,
  FakeLinks,
  FakeTransport,
  type Journal,
  link,
  ManualClock,
} from '../fakes/vrrp-host.js';

const MASTER1 = `global_defs {
   router_id lab1
}
vrrp_script check_haproxy {
    script "/bin/true"
    interval 1
    weight -2
    fall 3
    rise 3
}
vrrp_instance VI_1 {
    state MASTER
    interface ens33
    virtual_router_id 50
    priority PRIO
    authentication {
        auth_type PASS
        auth_pass 123456
    }
    virtual_ipaddress {
        198.51.100.100
    }
    track_script {
        check_haproxy
    }
    notify "/usr/local/bin/notify.sh"
    notify_master "/usr/local/bin/master.sh arg1"
}
`;

function parse(prio = 100, text = MASTER1.replace('PRIO', String(prio))): KeepalivedConfig {
  const host = { readFile: () => text, glob: () => [] };
  const { config, diagnostics } = parseKeepalived({ path: 'k.conf', text }, host, {
    offline: true,
  });
  assert.ok(config, JSON.stringify(diagnostics.list));
  return config;
}

const tick = () => new Promise<void>((r) => setImmediate(r));

async function run(clock: ManualClock, ms: number, step = 50): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    await tick();
    await tick();
  }
}

function setup() {
  const journal: Journal = [];
  const clock = new ManualClock();
  const transports: FakeTransport[] = [];
  const execs: { argv: readonly string[]; opts: RunOptions }[] = [];
  let checkStatus = 0;
  const lines: string[] = [];
  const links = new FakeLinks(new Map([['ens33', link('ens33', 2)]]));
  const own = [
    {
      family: 4 as const,
      address: '198.51.100.1',
      prefix: 24,
      ifindex: 2,
      scope: 0,
      secondary: false,
      tentative: false,
    },
  ];
  const daemon = new VrrpDaemon({
    host: {
      addresses: new FakeAddresses(journal, own),
      links,
      frames: new FakeFrames(journal),
      openTransport: (o) => {
        const t = new FakeTransport(o, journal);
        transports.push(t);
        return t;
      },
    },
    log: createVrrpLog([(text) => lines.push(text)], true),
    exec: async (argv, opts): Promise<ScriptOutcome> => {
      execs.push({ argv, opts });
      return argv[0] === '/bin/true'
        ? { kind: 'exit', status: checkStatus }
        : { kind: 'exit', status: 0 };
    },
    scriptEnv: { path: '/usr/bin:/bin', root: false },
    clock: clock.clock,
    timers: clock.timers,
  });
  return {
    journal,
    clock,
    transports,
    execs,
    lines,
    links,
    daemon,
    setCheck: (s: number) => {
      checkStatus = s;
    },
  };
}

describe('VrrpDaemon over fake ports', () => {
  it('becomes MASTER: advert first, then the VIP, then 5 gratuitous ARPs; notify gets Keepalived arguments', async () => {
    const h = setup();
    await h.daemon.start(parse());
    assert.equal(h.transports.length, 1);
    assert.equal(h.transports[0]!.options.multicastGroup, '224.0.0.18');
    assert.equal(h.transports[0]!.sourceAddress, '198.51.100.1');
    await run(h.clock, 4000);
    const state = h.daemon.dump().instances[0]!;
    assert.equal(state.state, 'MASTER');
    const j = h.journal;
    const add = j.indexOf('add 198.51.100.100/32 dev ens33');
    assert.ok(add > 0, j.join('\n'));
    assert.equal(j[add - 1], 'advert prio=100 to=group', 'the advert goes out before the VIP');
    assert.deepEqual(j.slice(add + 1, add + 6), Array(5).fill('garp ens33 198.51.100.100'));
    assert.equal(j.indexOf('remove 198.51.100.100'), 0, 'leftover VIPs are removed at start');
    const notify = h.execs.filter((e) => e.argv[0] !== '/bin/true').map((e) => e.argv.join(' '));
    assert.ok(
      notify.includes('/usr/local/bin/notify.sh INSTANCE VI_1 BACKUP 100'),
      notify.join('\n'),
    );
    assert.ok(notify.includes('/usr/local/bin/master.sh arg1'));
    assert.ok(notify.includes('/usr/local/bin/notify.sh INSTANCE VI_1 MASTER 100'));
    assert.ok(h.lines.includes('(VI_1) Entering MASTER STATE'));
    assert.ok(h.lines.includes('Sending gratuitous ARP on ens33 for 198.51.100.100'));
    await h.daemon.stop();
  });

  it('a failing check lowers the advertised priority after `fall` runs; stop sends priority 0 and removes the VIP', async () => {
    const h = setup();
    await h.daemon.start(parse());
    await run(h.clock, 4000);
    h.setCheck(1);
    await run(h.clock, 4000);
    assert.ok(
      h.lines.includes('(VI_1) Changing effective priority from 100 to 98'),
      h.lines.join('\n'),
    );
    assert.ok(h.lines.includes('VRRP_Script(check_haproxy) failed (exited with status 1)'));
    const sent = h.transports[0]!.sent;
    assert.equal(sent[sent.length - 1]!.bytes[2], 98);
    const t = h.transports[0]!;
    await h.daemon.stop();
    assert.equal(t.sent[t.sent.length - 1]!.bytes[2], 0, 'priority 0 on the way out');
    assert.equal(h.journal[h.journal.length - 1], 'remove 198.51.100.100');
    assert.equal(t.closed, true);
    const notify = h.execs.map((e) => e.argv.join(' '));
    assert.ok(notify.includes('/usr/local/bin/notify.sh INSTANCE VI_1 STOP 98'), notify.join('\n'));
  });

  it('reload with the same file changes nothing; a changed instance restarts', async () => {
    const h = setup();
    await h.daemon.start(parse());
    await run(h.clock, 4000);
    const runner = h.daemon.runner('VI_1');
    const history = h.daemon.dump().instances[0]!.history.length;
    await h.daemon.reload(parse());
    await run(h.clock, 2000);
    assert.equal(h.daemon.runner('VI_1'), runner, 'same runner');
    assert.equal(h.daemon.dump().instances[0]!.history.length, history, 'no transition');
    assert.equal(h.daemon.dump().instances[0]!.state, 'MASTER');
    assert.equal(h.daemon.dump().instances[0]!.trackScripts[0]!.status, 'good');
    await h.daemon.reload(parse(90));
    assert.notEqual(h.daemon.runner('VI_1'), runner);
    assert.equal(h.transports[0]!.closed, true);
    assert.equal(h.daemon.dump().instances[0]!.basePriority, 90);
    await h.daemon.stop();
  });

  it('netlink link down sends the instance to FAULT with a priority-0 advert, link up back to BACKUP', async () => {
    const h = setup();
    await h.daemon.start(parse());
    await run(h.clock, 4000);
    h.links.set('ens33', false);
    assert.ok(h.lines.includes('Netlink reports ens33 down'));
    assert.ok(h.lines.includes('(VI_1) Entering FAULT STATE'));
    assert.equal(h.daemon.dump().instances[0]!.state, 'FAULT');
    assert.equal(h.transports[0]!.sent.at(-1)!.bytes[2], 0, 'priority 0 on entering FAULT');
    await tick();
    assert.equal(h.journal.at(-1), 'remove 198.51.100.100');
    h.links.set('ens33', true);
    assert.ok(h.lines.includes('Netlink reports ens33 up'));
    assert.equal(h.daemon.dump().instances[0]!.state, 'BACKUP');
    await h.daemon.stop();
  });
});

/** MASTER1 with its check replaced by track files in `dir` (tf: weight -10, zero: weight 0). */
function trackFileConfig(dir: string, extra = ''): string {
  return MASTER1.replace('PRIO', '100')
    .replace(
      /vrrp_script check_haproxy \{[^}]*\}/,
      `track_file tf {
    file ${dir}/tf
    weight -10
    init_file 0
}
track_file zero {
    file ${dir}/zero
    weight 0
}
track_file gone {
    file ${dir}/nodir/gone
}
${extra}`,
    )
    .replace(
      /track_script \{[^}]*\}/,
      'track_file {\n        tf\n        zero\n        gone\n    }',
    );
}

async function until(fn: () => boolean, what: string, ms = 3000): Promise<void> {
  const t0 = Date.now();
  while (!fn()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('VrrpDaemon track_file on real files', () => {
  it('init_file, value x weight on change, weight 0 FAULT, delete counts as 0, nothing after stop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'halo-tf-'));
    try {
      const h = setup();
      await h.daemon.start(parse(100, trackFileConfig(dir)));
      assert.equal(readFileSync(join(dir, 'tf'), 'utf8'), '0\n', 'init_file wrote 0');
      assert.equal(existsSync(join(dir, 'zero')), false, 'no init_file: not created');
      assert.ok(h.lines.includes('Track file directory for gone does not exist - removing'));
      await run(h.clock, 4000);
      const vi = () => h.daemon.dump().instances[0]!;
      assert.equal(vi().state, 'MASTER');
      assert.deepEqual(
        vi().trackFiles.map((t) => [t.name, t.value, t.weight]),
        [
          ['tf', 0, -10],
          ['zero', 0, 0],
        ],
      );
      writeFileSync(join(dir, 'tf'), '3\n');
      await until(() => vi().effectivePriority === 70, 'priority 70');
      assert.ok(h.lines.includes('(VI_1) Changing effective priority from 100 to 70'));
      await run(h.clock, 1000);
      assert.equal(h.transports[0]!.sent.at(-1)!.bytes[2], 70, 'adverts carry 70');
      rmSync(join(dir, 'tf'));
      await until(() => vi().effectivePriority === 100, 'deleted: back to 100');
      writeFileSync(join(dir, 'zero'), '1');
      await until(() => vi().state === 'FAULT', 'weight 0, value 1: FAULT');
      assert.equal(h.transports[0]!.sent.at(-1)!.bytes[2], 0, 'priority 0 on entering FAULT');
      writeFileSync(join(dir, 'zero'), 'junk');
      await until(() => vi().state === 'BACKUP', 'unreadable number counts as 0: BACKUP');
      writeFileSync(join(dir, 'tf'), '99999999999');
      await until(
        () => h.lines.includes(`Invalid number 99999999999 read from ${dir}/tf - ignoring`),
        'invalid number logged',
      );
      assert.equal(vi().effectivePriority, 100, 'an invalid number changes nothing');
      await h.daemon.stop();
      const before = h.lines.length;
      writeFileSync(join(dir, 'tf'), '5');
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(h.lines.length, before, 'no watcher left after stop');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reload keeps the instance; a value written meanwhile is applied; overwrite only at start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'halo-tf-'));
    try {
      writeFileSync(join(dir, 'tf'), '2\n');
      const conf = trackFileConfig(dir).replace('init_file 0', 'init_file 1 overwrite');
      const h = setup();
      await h.daemon.start(parse(100, conf));
      assert.equal(readFileSync(join(dir, 'tf'), 'utf8'), '1\n', 'overwrite at start');
      assert.equal(h.daemon.dump().instances[0]!.effectivePriority, 90);
      const runner = h.daemon.runner('VI_1');
      writeFileSync(join(dir, 'tf'), '4\n');
      await h.daemon.reload(parse(100, conf));
      assert.equal(h.daemon.runner('VI_1'), runner, 'same runner');
      assert.equal(readFileSync(join(dir, 'tf'), 'utf8'), '4\n', 'not overwritten on reload');
      assert.equal(h.daemon.dump().instances[0]!.effectivePriority, 60);
      writeFileSync(join(dir, 'tf'), '0\n');
      await until(
        () => h.daemon.dump().instances[0]!.effectivePriority === 100,
        'watched after reload',
      );
      await h.daemon.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('VrrpDaemon vrrp_sync_group', () => {
  it('members start together; a weight-0 file on one takes both to FAULT; cleared: both back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'halo-sg-'));
    try {
      const text = `track_file f {
    file ${dir}/f
    weight 0
}
vrrp_sync_group G1 {
    group {
        VI_1
        VI_2
    }
}
vrrp_instance VI_1 {
    state MASTER
    interface ens33
    virtual_router_id 50
    priority 100
    virtual_ipaddress {
        198.51.100.100
    }
}
vrrp_instance VI_2 {
    state MASTER
    interface ens33
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        198.51.100.101
    }
    track_file {
        f
    }
}
`;
      const h = setup();
      await h.daemon.start(parse(100, text));
      await run(h.clock, 4000);
      const states = () => h.daemon.dump().instances.map((i) => i.state);
      assert.deepEqual(states(), ['MASTER', 'MASTER']);
      assert.ok(
        h.lines.includes('VRRP_Group(G1) Syncing instances to MASTER state'),
        h.lines.join('\n'),
      );
      writeFileSync(join(dir, 'f'), '1\n');
      await until(() => states().every((s) => s === 'FAULT'), 'both FAULT');
      assert.ok(h.lines.includes('VRRP_Group(G1) Syncing instances to FAULT state'));
      assert.equal(h.transports[0]!.sent.at(-1)!.bytes[2], 0, 'VI_1 sends priority 0');
      await tick();
      assert.ok(h.journal.includes('remove 198.51.100.100'), 'VI_1 drops its VIP');
      writeFileSync(join(dir, 'f'), '0\n');
      await until(() => states().every((s) => s === 'BACKUP'), 'both BACKUP');
      await run(h.clock, 4000);
      assert.deepEqual(states(), ['MASTER', 'MASTER']);
      await h.daemon.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('script users and security', () => {
  it("reads users and groups from passwd/group; Keepalived's default user and messages", () => {
    const etc = mkdtempSync(join(tmpdir(), 'halo-etc-'));
    try {
      writeFileSync(
        join(etc, 'passwd'),
        'root:x:0:0::/root:/bin/sh\nchk:x:1001:1001::/:/bin/false\n',
      );
      writeFileSync(join(etc, 'group'), 'root:x:0:\nwheel:x:10:\n');
      assert.deepEqual(lookupUser('chk', undefined, etc), { name: 'chk', uid: 1001, gid: 1001 });
      assert.deepEqual(lookupUser('chk', 'wheel', etc), { name: 'chk', uid: 1001, gid: 10 });
      assert.equal(lookupUser('nobody-here', undefined, etc), undefined);
      const lines: string[] = [];
      const log = createVrrpLog([(t) => lines.push(t)], false);
      const plans = planScripts(parse(), { path: '/usr/bin:/bin', etc, root: true }, log);
      assert.deepEqual(lines, [
        "Script user 'keepalived_script' does not exist",
        'SECURITY VIOLATION - scripts are being executed but script_security not enabled.',
      ]);
      assert.equal(plans.get('check_haproxy')?.user.uid, 0);
    } finally {
      rmSync(etc, { recursive: true, force: true });
    }
  });

  it('a script writable by others is insecure', () => {
    const dir = mkdtempSync(join(tmpdir(), 'halo-sec-'));
    try {
      mkdirSync(join(dir, 'd'));
      const f = join(dir, 'd', 'check.sh');
      writeFileSync(f, '#!/bin/sh\n');
      chmodSync(f, 0o777);
      assert.equal(insecurePath(f), f);
      assert.equal(insecurePath('/bin/sh'), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('spawnScript: exit status, signal, timeout (process group killed), missing command', async () => {
    assert.deepEqual(await spawnScript(['/bin/sh', '-c', 'exit 3'], {}), {
      kind: 'exit',
      status: 3,
    });
    assert.deepEqual(await spawnScript(['/bin/sh', '-c', 'kill -TERM $$'], {}), {
      kind: 'signal',
      signal: 15,
    });
    const t0 = Date.now();
    assert.deepEqual(await spawnScript(['/bin/sh', '-c', 'sleep 5; sleep 5'], { timeoutMs: 200 }), {
      kind: 'timeout',
    });
    assert.ok(Date.now() - t0 < 2000);
    assert.deepEqual(await spawnScript(['/nonexistent/check'], {}), { kind: 'exit', status: 127 });
  });

  it("console lines carry ctime's timestamp", () => {
    assert.equal(ctime(new Date(2026, 10, 5, 8, 9, 7)), 'Thu Nov  5 08:09:07 2026');
  });
});
