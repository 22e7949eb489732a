// The choice of data path: what is missing and HALO_DATA_PATH decide between the internal
// and the public path, the warning names what is missing, and an impossible choice is an
// error rather than a silent fallback. Fake hosts for the internals check.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { describe, it, test } from 'node:test';
import { chooseDataPath } from '../../src/proxy/io/data-path.js';
import { missingNodeInternals } from '../../src/proxy/io/node-internals.js';
import { haloArgv } from '../halo-cli.js';

const realBinding = (process as unknown as { binding: (n: string) => unknown }).binding;
const forbidden = () => {
  throw Object.assign(new Error('Access to this API has been restricted'), {
    code: 'ERR_ACCESS_DENIED',
  });
};

describe('data path selection', () => {
  const cases: [
    string,
    string[],
    string | undefined,
    'internal' | 'public',
    'warn' | 'error' | '-',
  ][] = [
    ['every internal there', [], undefined, 'internal', '-'],
    ['every internal there, empty variable', [], '', 'internal', '-'],
    ['every internal there, public forced', [], 'public', 'public', '-'],
    ['every internal there, PUBLIC forced (any case)', [], ' PUBLIC ', 'public', '-'],
    ['every internal there, internal asked', [], 'internal', 'internal', '-'],
    ['binding missing', ['process.binding'], undefined, 'public', 'warn'],
    ['binding missing, public asked: no warning', ['process.binding'], 'public', 'public', '-'],
    ['binding missing, internal asked', ['process.binding'], 'internal', 'public', 'error'],
    ['not a path', [], 'fast', 'internal', 'error'],
  ];
  for (const [name, missing, wanted, kind, note] of cases) {
    it(name, () => {
      const p = chooseDataPath(missing, wanted, 'v99.1.0');
      assert.equal(p.kind, kind);
      assert.deepEqual(p.missing, missing);
      assert.equal(p.warning !== undefined, note === 'warn', `warning: ${p.warning}`);
      assert.equal(p.error !== undefined, note === 'error', `error: ${p.error}`);
    });
  }

  it('the warning names the Node.js version, what is missing and the public net API', () => {
    const missing = ["process.binding('tcp_wrap')", 'net._createServerHandle'];
    const p = chooseDataPath(missing, undefined, 'v99.1.0');
    assert.equal(
      p.warning,
      "Node.js v99.1.0 does not provide process.binding('tcp_wrap'), net._createServerHandle: " +
        'the proxy runs on the slower public net API (set HALO_DATA_PATH=public to choose it ' +
        'without this warning)',
    );
  });

  it('HALO_DATA_PATH=internal without the internals names them in the error', () => {
    const p = chooseDataPath(['process.binding'], 'internal', 'v99.1.0');
    assert.match(
      p.error ?? '',
      /HALO_DATA_PATH=internal, but Node\.js v99\.1\.0 does not provide process\.binding/,
    );
  });

  it('a forbidden process.binding (--permission) makes every binding missing', () => {
    const missing = missingNodeInternals({ binding: forbidden, net });
    assert.deepEqual(missing, [
      "process.binding('tcp_wrap')",
      "process.binding('pipe_wrap')",
      "process.binding('stream_wrap')",
    ]);
    assert.equal(chooseDataPath(missing, undefined, 'v24.0.0').kind, 'public');
  });

  it('a Node.js without _createServerHandle alone still takes the public path', () => {
    const missing = missingNodeInternals({ binding: realBinding, net: {} });
    assert.deepEqual(missing, ['net._createServerHandle']);
    const p = chooseDataPath(missing, undefined, 'v30.0.0');
    assert.equal(p.kind, 'public');
    assert.match(p.warning ?? '', /net\._createServerHandle/);
  });
});

test('halo proxy -vv says which data path it is on', () => {
  const vv = (env: NodeJS.ProcessEnv) =>
    spawnSync(process.execPath, [...haloArgv, 'proxy', '-vv'], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
    }).stdout;
  assert.match(vv({ HALO_DATA_PATH: 'public' }), /^Data path: public APIs/m);
  assert.match(vv({ HALO_DATA_PATH: 'internal' }), /^Data path: internal/m);
  assert.doesNotMatch(vv({}), /relayed as TCP/);
});
