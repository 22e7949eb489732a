// The start-up warning for Node's permission model, which keeps SIGUSR1 (HAProxy's soft
// stop) for the inspector: fake permission objects for each case.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withheldSignalWarning } from '../../src/cli/commands/proxy.js';

describe('SIGUSR1 under the permission model', () => {
  it('no permission model: no warning', () => {
    assert.equal(withheldSignalWarning(undefined), undefined);
  });
  it('inspector allowed (Node.js 24 --allow-inspector): no warning', () => {
    assert.equal(withheldSignalWarning({ has: (s) => s === 'inspector' }), undefined);
  });
  it('inspector not allowed: names SIGUSR1 and SIGTERM', () => {
    assert.match(withheldSignalWarning({ has: () => false }) ?? '', /withholds SIGUSR1.*SIGTERM/);
  });
  it('a permission model that does not know the scope: still warns', () => {
    const has = () => {
      throw new TypeError('unknown scope');
    };
    assert.match(withheldSignalWarning({ has }) ?? '', /withholds SIGUSR1/);
  });
});
