// The runtime API's line protocol and commands, and the admin actions behind them, on an
// engine built from config text but not started (no socket, no timer): `;` lists and
// escapes, one-shot vs `prompt` mode, levels, HAProxy's error texts, and what MAINT /
// DRAIN / weight changes do to the balancer.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHaproxy } from '../../src/config/haproxy/index.js';
import type { Level } from '../../src/proxy/cli-socket/commands.js';
import { helpText } from '../../src/proxy/cli-socket/commands.js';
import {
  CliSession,
  cliCommandLimit,
  MAX_CLI_COMMAND,
  splitCommands,
} from '../../src/proxy/cli-socket/session.js';
import { ProxyEngine } from '../../src/proxy/engine.js';
import { MemoryLog } from '../../src/proxy/log/sinks.js';
import { applyAdminAction } from '../../src/proxy/stats/admin-action.js';
import type { StatsEnvironment } from '../../src/proxy/stats/build-snapshot.js';
import { buildSnapshot } from '../../src/proxy/stats/build-snapshot.js';
import { parseWeight } from '../../src/proxy/stats/server-admin.js';

const CFG = `
defaults
    mode tcp
    timeout connect 1s
    timeout client 1m
    timeout server 1m
frontend apiserver
    bind 127.0.0.1:9443
    default_backend apiserver
backend apiserver
    balance roundrobin
    server m1 127.0.0.1:6441 weight 2
    server m2 127.0.0.1:6442
    server m3 127.0.0.1:6443 disabled
`;

function engine(): { engine: ProxyEngine; notes: string[] } {
  const r = parseHaproxy([{ path: 't.cfg', text: CFG }], { env: {} });
  assert.ok(r.config);
  const notes: string[] = [];
  const e = new ProxyEngine(r.config, { log: new MemoryLog(), notify: (_l, m) => notes.push(m) });
  return { engine: e, notes };
}

const env: StatsEnvironment = {
  pid: 1,
  processNum: 1,
  nbproc: 1,
  startedAt: 0,
  node: 'test',
  ulimitN: 0,
  version: 'test',
  releaseDate: '2026/01/02',
  now: () => 1000,
  memRss: () => 0,
  faults: () => ({
    uncaughtExceptions: 2,
    unhandledRejections: 1,
    droppedLogs: 7,
    droppedOutputBytes: 300,
  }),
  appletCounters: () => undefined,
};

function session(
  e: ProxyEngine,
  level: Level = 'admin',
  tooLong?: () => void,
  maxCommand?: number,
) {
  const out: string[] = [];
  let ended = false;
  const s = new CliSession({
    level,
    engine: () => e,
    snapshot: (x) => buildSnapshot(x, env),
    version: 'test',
    write: (t) => out.push(t) > 0,
    end: () => {
      ended = true;
    },
    ...(tooLong ? { tooLong } : {}),
    ...(maxCommand !== undefined ? { maxCommand } : {}),
  });
  return {
    s,
    text: () => out.join(''),
    get ended() {
      return ended;
    },
  };
}

function ask(e: ProxyEngine, line: string, level: Level = 'admin'): string {
  const x = session(e, level);
  x.s.feed(`${line}\n`);
  assert.ok(x.ended, 'a one-shot connection ends after its line');
  return x.text();
}

describe('runtime API', () => {
  it('splits commands on ; and words on blanks, with backslash escapes', () => {
    assert.deepEqual(splitCommands('show info; show stat'), [
      ['show', 'info'],
      ['show', 'stat'],
    ]);
    assert.deepEqual(splitCommands('a\\;b  c\\ d'), [['a;b', 'c d']]);
    assert.deepEqual(splitCommands(''), [[]]);
  });

  it("answers with HAProxy 2.6's texts", () => {
    const { engine: e } = engine();
    const cases: [string, string][] = [
      ['get weight apiserver/m1', '2 (initial 2)\n\n'],
      ['get weight apiserver', "Require 'backend/server'.\n\n"],
      ['get weight nope/m1', 'No such backend.\n\n'],
      ['disable server apiserver/zz', 'No such server.\n\n'],
      [
        'set weight apiserver/m1 300',
        'Absolute weight can only be between 0 and 256 inclusive.\n\n',
      ],
      ['set weight apiserver/m1 abc', 'Empty weight string empty or preceded by garbage\n'],
      [
        'set server apiserver/m1 state x',
        "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n\n",
      ],
      ['show servers state nope', "Can't find backend.\n\n"],
      ['show backend', '# name\napiserver\n\n'],
      ['show cli level', 'admin\n\n'],
    ];
    for (const [cmd, want] of cases) assert.equal(ask(e, cmd), want, cmd);
    assert.match(
      ask(e, 'set server apiserver/m1'),
      /^usage: set server <backend>\/<server> addr \| agent/,
    );
    assert.equal(
      ask(e, 'set server apiserver/m1 addr 10.0.0.1'),
      "'set server <srv> addr' is not supported by halo.\n\n",
    );
    assert.match(
      ask(e, 'bogus'),
      /^Unknown command, but maybe one of the following ones is a better match:\n/,
    );
    assert.match(
      ask(e, ''),
      /^Unknown command\. Please enter one of the following commands only:\n/,
    );
  });

  it("show info's DroppedLogs and show halo come from the process's fault counters", () => {
    const { engine: e } = engine();
    assert.match(ask(e, 'show info'), /^DroppedLogs: 7$/m);
    assert.equal(
      ask(e, 'show halo'),
      'Uncaught_exceptions: 2\nUnhandled_rejections: 1\nDroppedLogs: 7\nDropped_output_bytes: 300\n\n',
    );
  });

  it('help is generated from the table in HAProxy layout', () => {
    const h = helpText('The following commands are valid at this level:');
    assert.match(h, /^ {2}get weight <bk>\/<srv> {19}: report a server's current weight$/m);
    assert.match(h, /\n {2}quit {36}: disconnect\n$/);
  });

  it('enforces levels, and a session may only lower its own', () => {
    const { engine: e } = engine();
    assert.equal(ask(e, 'disable server apiserver/m1', 'operator'), 'Permission denied\n\n');
    assert.equal(ask(e, 'set weight apiserver/m1 1', 'user'), 'Permission denied\n\n');
    assert.equal(
      ask(e, 'operator; show cli level; user; show cli level', 'admin'),
      '\noperator\n\n\nuser\n\n',
    );
    assert.equal(ask(e, 'show cli level', 'user'), 'user\n\n');
    assert.match(ask(e, 'show stat', 'user'), /^# pxname,svname,/);
  });

  it('clear counters: maximums at operator level, everything at admin level', () => {
    const { engine: e } = engine();
    const m1 = e.backends.get('apiserver')!.servers[0]!;
    m1.counters.smax = 5;
    m1.counters.stot = 9;
    assert.equal(ask(e, 'clear counters', 'user'), 'Permission denied\n\n');
    assert.equal(ask(e, 'clear counters', 'operator'), '\n');
    assert.deepEqual([m1.counters.smax, m1.counters.stot], [0, 9]);
    assert.equal(ask(e, 'clear counters all', 'operator'), 'Permission denied\n\n');
    assert.equal(ask(e, 'clear counters all', 'admin'), '\n');
    assert.equal(m1.counters.stot, 0);
  });

  it('prompt mode keeps the connection and prints "> "; quit ends it', () => {
    const { engine: e } = engine();
    const x = session(e);
    x.s.feed('prompt\n');
    x.s.feed('get weight apiserver/m2\n');
    assert.equal(x.ended, false);
    x.s.feed('quit\n');
    assert.equal(x.ended, true);
    assert.equal(x.text(), '\n> 1 (initial 1)\n\n> ');
  });

  it('a partial line waits for its newline; end of input drops it, as HAProxy does', () => {
    const { engine: e } = engine();
    const x = session(e);
    x.s.feed('show cli ');
    assert.equal(x.ended, false);
    x.s.feed('level;show cli');
    assert.equal(x.text(), 'admin\n\n', 'the command before ; is answered at once');
    assert.equal(x.ended, false, 'the rest of the line is still to come');
    x.s.inputEnded();
    assert.equal(x.ended, true);
    assert.equal(x.text(), 'admin\n\n', 'an unterminated command is not run');
  });

  it('empty commands are answered like unknown ones (HAProxy 2.6: 4 answers to ";;;")', () => {
    const { engine: e } = engine();
    const blocks = ask(e, ';;;').split('Unknown command.').length - 1;
    assert.equal(blocks, 4);
  });

  it('prompt mode prints "> " after every command of a ; list', () => {
    const { engine: e } = engine();
    const x = session(e);
    x.s.feed('prompt;show cli level;show cli level\n');
    assert.equal(x.text(), '\n> admin\n\n> admin\n\n> ');
    assert.equal(x.ended, false);
  });

  it(`a command of ${MAX_CLI_COMMAND} bytes or more closes the session with no answer`, () => {
    const { engine: e } = engine();
    const ok = session(e, 'user');
    ok.s.feed(`${'x'.repeat(MAX_CLI_COMMAND - 1)}\n`);
    assert.match(ok.text(), /^Unknown command/, 'the longest command HAProxy takes is answered');
    for (const input of [
      `${'x'.repeat(MAX_CLI_COMMAND)}\n`,
      'x'.repeat(MAX_CLI_COMMAND),
      `show cli level;${'x'.repeat(MAX_CLI_COMMAND + 10)}`,
    ]) {
      let tooLong = 0;
      const x = session(e, 'user', () => tooLong++);
      // in small pieces, as a slow client sends it: the bound holds for the sum
      for (let i = 0; i < input.length; i += 1000) x.s.feed(input.slice(i, i + 1000));
      assert.equal(x.ended, true);
      assert.equal(tooLong, 1);
      assert.ok(!x.text().includes('Unknown'), 'no answer to the long command');
    }
  });

  it('the command limit follows tune.bufsize (bufsize - 1 with the delimiter, as HAProxy 2.6)', () => {
    assert.equal(cliCommandLimit(undefined), MAX_CLI_COMMAND);
    assert.equal(cliCommandLimit({}), 16383);
    // Measured with haproxy 2.6 and `tune.bufsize 4096`: a 4095-byte line with its newline is
    // answered, a 4096-byte one closes the connection with nothing.
    const limit = cliCommandLimit({ bufsize: 4096 });
    assert.equal(limit, 4095);
    const { engine: e } = engine();
    const ok = session(e, 'user', undefined, limit);
    ok.s.feed(`${'x'.repeat(limit - 1)}\n`);
    assert.match(ok.text(), /^Unknown command/);
    let tooLong = 0;
    const x = session(e, 'user', () => tooLong++, limit);
    x.s.feed(`${'x'.repeat(limit)}\n`);
    assert.equal(tooLong, 1);
    assert.equal(x.ended, true);
    // A larger buffer takes what the default would refuse.
    let big = 0;
    const y = session(e, 'user', () => big++, cliCommandLimit({ bufsize: 65536 }));
    y.s.feed(`${'x'.repeat(MAX_CLI_COMMAND + 100)}\n`);
    assert.equal(big, 0);
    assert.match(y.text(), /^Unknown command/);
  });

  it('a long ; list is served command by command and waits while the output is full', () => {
    const { engine: e } = engine();
    const out: string[] = [];
    let room = 3;
    let ended = false;
    const s = new CliSession({
      level: 'user',
      engine: () => e,
      snapshot: (x) => buildSnapshot(x, env),
      version: 'test',
      write: (t) => {
        out.push(t);
        return --room > 0;
      },
      end: () => {
        ended = true;
      },
    });
    s.feed(`${'show cli level;'.repeat(10_000)}\n`);
    assert.equal(out.length, 3, 'stops at the third answer until the output drains');
    assert.equal(ended, false);
    s.inputEnded();
    assert.equal(ended, false, 'the commands already received are still answered');
    room = Number.POSITIVE_INFINITY;
    s.feed('');
    assert.equal(out.length, 10_001);
    assert.equal(ended, true);
  });
});

describe('server admin', () => {
  it('MAINT takes a server out of the balancer, READY brings it back', () => {
    const { engine: e, notes } = engine();
    const be = e.backends.get('apiserver')!;
    const [m1, m2, m3] = be.servers;
    assert.equal(m3!.up, false, 'disabled in the config: MAINT');
    assert.equal(ask(e, 'set server apiserver/m1 state maint'), '\n');
    assert.equal(m1!.up, false);
    assert.deepEqual(
      notes.at(-1),
      'Server apiserver/m1 is going DOWN for maintenance. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
    );
    for (let i = 0; i < 10; i++) assert.equal(be.balancer.pick(), m2);
    assert.match(ask(e, 'show stat'), /^apiserver,m1,.*,MAINT,/m);
    ask(e, 'enable server apiserver/m3');
    assert.equal(notes.at(-1), 'Server apiserver/m3 is UP/READY (leaving forced maintenance).');
    assert.equal(m3!.up, true);
    ask(e, 'set server apiserver/m1 state ready');
    const picks = new Set(Array.from({ length: 8 }, () => be.balancer.pick()?.name));
    assert.deepEqual([...picks].sort(), ['m1', 'm2', 'm3']);
  });

  it('DRAIN gives weight 0 and keeps the user weight; set weight applies after READY', () => {
    const { engine: e, notes } = engine();
    const be = e.backends.get('apiserver')!;
    const m1 = be.servers[0]!;
    ask(e, 'set server apiserver/m1 state drain');
    assert.equal(m1.weight, 0);
    assert.equal(
      notes.at(-1),
      'Server apiserver/m1 enters drain state. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.',
    );
    assert.match(ask(e, 'show stat'), /^apiserver,m1,.*,DRAIN,2,/m);
    ask(e, 'set weight apiserver/m1 7');
    assert.equal(m1.weight, 0, 'still draining');
    assert.equal(ask(e, 'get weight apiserver/m1'), '0 (initial 2)\n\n');
    ask(e, 'set server apiserver/m1 state ready');
    assert.equal(m1.weight, 7);
    assert.equal(notes.at(-1), 'Server apiserver/m1 is UP (leaving forced drain).');
    ask(e, 'set weight apiserver/m1 50%');
    assert.equal(m1.weight, 1, '50% of the initial 2');
  });

  it('parses weights as HAProxy', () => {
    assert.equal(parseWeight('0', 3), 0);
    assert.equal(parseWeight('256', 3), 256);
    assert.equal(parseWeight('100%', 3), 3);
    assert.equal(parseWeight('50%', 1), 0);
    assert.equal(typeof parseWeight('257', 1), 'string');
    assert.equal(typeof parseWeight('-1', 1), 'string');
    assert.equal(typeof parseWeight('', 1), 'string');
  });

  it("the admin form's result codes", () => {
    const { engine: e } = engine();
    const form = (q: string) => applyAdminAction(e, q);
    assert.equal(form('action=maint&b=%232'), 'NONE');
    assert.equal(form('s=m1&action=bogus&b=%232'), 'ERRP');
    assert.equal(form('s=m1&action=maint&b=%233'), 'ERRP');
    assert.equal(form('s=zz&action=maint&b=%232'), 'ERRP');
    assert.equal(form('s=m1&s=zz&action=maint&b=%232'), 'PART');
    assert.equal(form('s=m1&s=m2&action=drain&b=apiserver'), 'DONE');
    assert.equal(e.backends.get('apiserver')!.servers[1]!.weight, 0);
  });
});
