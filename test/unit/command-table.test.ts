// The lazily loaded command table says what each command module says of itself.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commands } from '../../src/cli/command-table.js';

describe('command table', () => {
  it('each entry loads the command of its name, with its summary', async () => {
    for (const entry of commands) {
      const command = await entry.load();
      assert.equal(command.name, entry.name);
      assert.equal(command.summary, entry.summary);
    }
  });
});
