// Seamless take-over of TCP ports (`-sf`/`-st`) without losing queued connections.
//
// The successor binds next to its predecessor with SO_REUSEPORT, so both sockets are in
// one reuseport group and the kernel spreads new connections between them by hash. When
// the predecessor closes its socket, connections still in its accept queue are reset: a
// client loop through a `-st` take-over saw more resets than it had exchanges in flight,
// and a busy `-sf` predecessor closes with connections queued that it never saw. HAProxy
// avoids this with `-x` (it receives the listening sockets themselves). halo instead
// attaches a one-instruction classic BPF program to the group (SO_ATTACH_REUSEPORT_CBPF)
// that returns the successor socket's index, once it listens and before it signals the
// predecessor: every new connection from then on goes to the successor, and the
// predecessor's queue only drains (listener.ts accepts what is queued before it closes).
//
// The index is the socket's place in the group: the kernel appends each socket that
// starts listening, so it is the number of listening sockets with the same local address
// (all of them must be in the group, or the bind would have failed) minus one, read from
// /proc/net/tcp{,6}, where the socket's inode finds its own line. When the predecessor
// closes, the kernel moves the last socket into the freed place; the program's index is
// then past the end and the kernel falls back to its hash, which is harmless with one
// socket left. A wrong guess only spreads connections as without the program.

import { readFileSync, readlinkSync } from 'node:fs';
import { addon } from '../os/native.js';

/** The bound TCP sockets of this process that take part in reuseport groups. */
const reuseport = new Map<number, { family: 4 | 6; isOpen: () => boolean }>();

/** Called by the binder for every TCP socket bound with SO_REUSEPORT. */
export function registerReuseportSocket(fd: number, family: 4 | 6, isOpen: () => boolean): void {
  reuseport.set(fd, { family, isOpen });
}

/**
 * The index of the socket with `inode` in its reuseport group, from the text of
 * /proc/net/tcp or tcp6: the number of listening sockets (state 0A) with its local
 * address, minus one, since the socket that listened last is last in the group (/proc
 * lists them in hash order, not group order). Undefined when the socket is not listed as
 * listening, or listens alone.
 */
export function reuseportIndex(procNetTcp: string, inode: number): number | undefined {
  const rows = procNetTcp
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length > 9 && f[3] === '0A');
  const own = rows.find((f) => Number(f[9]) === inode);
  if (!own) return undefined;
  const peers = rows.filter((f) => f[1] === own[1]).length;
  return peers > 1 ? peers - 1 : undefined;
}

/** A classic BPF program of one instruction: return `k` (BPF_RET | BPF_K). */
export function returnConstantProgram(k: number): Uint8Array {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setUint16(0, 0x06, true); // code: BPF_RET | BPF_K
  v.setUint8(2, 0); // jt
  v.setUint8(3, 0); // jf
  v.setUint32(4, k >>> 0, true);
  return b;
}

function socketInode(fd: number): number | undefined {
  try {
    const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Steers new connections on every port this process listens on with SO_REUSEPORT to its
 * own sockets (see above). Call once listening, before signalling the predecessor.
 * Returns how many groups were steered; failures leave a group as it was (hash).
 */
export function steerToOwnSockets(): number {
  let steered = 0;
  const tables: Partial<Record<4 | 6, string>> = {};
  for (const [fd, s] of reuseport) {
    if (!s.isOpen()) {
      reuseport.delete(fd);
      continue;
    }
    const inode = socketInode(fd);
    if (inode === undefined) continue;
    try {
      tables[s.family] ??= readFileSync(
        s.family === 6 ? '/proc/net/tcp6' : '/proc/net/tcp',
        'latin1',
      );
    } catch {
      continue;
    }
    const index = reuseportIndex(tables[s.family]!, inode);
    if (index === undefined) continue;
    try {
      addon().attachFilter(fd, returnConstantProgram(index), true);
      steered++;
    } catch {
      // An old kernel without SO_ATTACH_REUSEPORT_CBPF: the group keeps hashing.
    }
  }
  return steered;
}
