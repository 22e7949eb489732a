import assert from 'node:assert/strict';
import { test } from 'node:test';
import { returnConstantProgram, reuseportIndex } from '../../src/proxy/takeover-steering.js';

const HEAD =
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
const row = (sl: number, local: string, st: string, inode: number) =>
  `  ${sl}: ${local} 00000000:0000 ${st} 00000000:00000000 00:00000000 00000000     0        0 ${inode} 1 0000000000000000 100 0 0 10 0`;

test('reuseportIndex: the listening sockets on the same local address, minus one', () => {
  const text = [
    HEAD,
    row(0, '0100007F:1F90', '0A', 111),
    row(1, '0100007F:1F91', '0A', 222), // another port
    row(2, '0100007F:1F90', '0A', 333),
    row(3, '0100007F:1F90', '01', 444), // an established connection, not a listener
    row(4, '0100007F:1F90', '0A', 555),
  ].join('\n');
  assert.equal(reuseportIndex(text, 555), 2);
  assert.equal(reuseportIndex(text, 111), 2);
  assert.equal(reuseportIndex(text, 222), undefined, 'alone on its port');
  assert.equal(reuseportIndex(text, 444), undefined, 'not listening');
  assert.equal(reuseportIndex(text, 999), undefined, 'not listed');
});

test('returnConstantProgram: one BPF_RET|BPF_K instruction, little-endian', () => {
  assert.deepEqual([...returnConstantProgram(1)], [6, 0, 0, 0, 1, 0, 0, 0]);
  assert.deepEqual([...returnConstantProgram(0x01020304)], [6, 0, 0, 0, 4, 3, 2, 1]);
});
