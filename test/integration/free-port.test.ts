// freePort/freePorts: no number twice in one process, and never one that is bound.

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { describe, it } from 'node:test';
import { freePort, freePorts } from '../../src/os/free-port.js';

const listen = (port: number) =>
  new Promise<Server>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(s));
  });

describe('freePort', () => {
  it('500 calls in a row give 500 different ports below the ephemeral range', async () => {
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(await freePort());
    assert.equal(seen.size, 500);
    for (const p of seen) assert.ok(p >= 20000 && p <= 32767, `${p}`);
  });

  it('skips a port someone else has bound, and what it returns can be bound', async () => {
    const a = await freePort();
    // The next number in the walk is taken by another listener before the next call.
    const held = await listen(a + 1 > 32767 ? 20000 : a + 1);
    try {
      const b = await freePort();
      assert.notEqual(b, a + 1);
      const s = await listen(b);
      s.close();
    } finally {
      held.close();
    }
  });

  it('freePorts(3) reserves a block: the next freePort is past all three, each can be bound', async () => {
    const first = await freePorts(3);
    const after = await freePort();
    assert.ok(after < first || after > first + 2, `${after} inside ${first}-${first + 2}`);
    const servers = [await listen(first), await listen(first + 1), await listen(first + 2)];
    for (const s of servers) s.close();
  });
});
