// Stick tables without sockets: HAProxy's frequency counter (the previous period weighted
// by what is left of the window), expiry after the last use unless tracked, a full table
// dropping its least recently used entry, and what a track counts. Next to HAProxy:
// integration/proxy-stick-tables.test.ts.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FreqCtr, StickTable } from '../../src/proxy/stick/stick-table.js';
import { Trackers } from '../../src/proxy/stick/trackers.js';

const table = (size = 10, expire = 1000) =>
  new StickTable({
    pos: { file: 't', line: 1 },
    type: 'ip',
    size,
    expire,
    store: [{ name: 'conn_cur' }, { name: 'conn_rate', period: 1000 }, { name: 'http_req_cnt' }],
  });

describe('stick tables', () => {
  it('a rate: this period, plus the last one weighted by what is left of the window', () => {
    const f = new FreqCtr(1000);
    for (let i = 0; i < 4; i++) f.hit(10_000);
    assert.equal(f.read(10_500), 4);
    f.hit(11_000);
    assert.equal(f.read(11_000), 1 + 4);
    assert.equal(f.read(11_500), 1 + 2);
    assert.equal(f.read(13_100), 0, 'two periods later nothing is left');
  });

  it('entries expire after their last use, not while tracked; a full table drops the oldest', () => {
    const t = table(2);
    t.touch('a', 0);
    assert.ok(t.lookup('a', 999));
    assert.equal(t.lookup('a', 1000), undefined);
    const tr = new Trackers();
    tr.track(0, t, 'b', 0, false);
    assert.ok(t.lookup('b', 5000), 'tracked: kept');
    tr.release(5000);
    assert.equal(t.lookup('b', 5000)?.value('conn_cur', 5000), 0);
    assert.equal(t.lookup('b', 6000), undefined);
    t.touch('c', 7000);
    t.touch('d', 7001);
    t.touch('e', 7002);
    assert.equal(t.size, 2);
    assert.equal(t.lookup('c', 7003), undefined, 'the least recently used went');
  });

  it('a track counts conn_cnt/conn_rate/conn_cur; a request http_req_cnt; a slot keeps its entry', () => {
    const t = table();
    const tr = new Trackers();
    tr.track(0, t, 'k', 0, true);
    tr.track(0, t, 'other', 0, true);
    tr.httpRequest(1);
    const e = t.lookup('k', 2)!;
    assert.equal(e.value('conn_cur', 2), 1);
    assert.equal(e.value('conn_rate', 2), 1);
    assert.equal(e.value('http_req_cnt', 2), 2);
    assert.equal(e.value('sess_cnt', 2), undefined, 'not stored');
    assert.equal(t.lookup('other', 2), undefined);
  });
});
