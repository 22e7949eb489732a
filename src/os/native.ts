// Loads the halo_os addon (native/halo_os.c, built by `npm install`) and types its calls.
// Found relative to this module both when run from src/ (tsx) and from dist/src/.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { endianness } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HaloError } from '../config/diagnostics.js';

export interface ReceivedMessage {
  readonly data: Buffer;
  /** The sender's struct sockaddr as the kernel filled it in. */
  readonly address: Buffer;
  readonly truncated: boolean;
  readonly ttl?: number;
  readonly hopLimit?: number;
  readonly ifindex?: number;
  readonly destination?: Buffer;
}

export type WatchHandle = { readonly __brand: 'WatchHandle' };

export interface HaloOsAddon {
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, sockaddr: Uint8Array): void;
  setsockopt(fd: number, level: number, name: number, value: number | Uint8Array): void;
  attachFilter(fd: number, program: Uint8Array): void;
  sendto(fd: number, data: Uint8Array, sockaddr: Uint8Array | null): number;
  recvmsg(fd: number, maxLength: number): ReceivedMessage | null;
  close(fd: number): void;
  ifNameToIndex(name: string): number;
  setns(fd: number, nstype: number): void;
  watch(fd: number, onReadable: (status: number) => void): WatchHandle;
  unwatch(handle: WatchHandle): void;
  refWatch(handle: WatchHandle, keepsLoopAlive: boolean): void;
  /** Stops (false) or restarts (true) polling; the handle stays valid. */
  pollWatch(handle: WatchHandle, on: boolean): void;
  listen(fd: number, backlog: number): void;
  /** A new connection's fd, or -errno (-EAGAIN: none queued). */
  accept(fd: number): number;
}

/** An Error thrown by the addon: `code` is the errno name (`EPERM`, `EEXIST`...). */
export interface SystemCallError extends Error {
  code: string;
  errno: number;
  syscall: string;
}

export function isSystemCallError(e: unknown, code?: string): e is SystemCallError {
  return (
    e instanceof Error &&
    typeof (e as SystemCallError).syscall === 'string' &&
    (code === undefined || (e as SystemCallError).code === code)
  );
}

let loaded: HaloOsAddon | undefined;

function packageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'binding.gyp'))) return dir;
    dir = dirname(dir);
  }
  return undefined;
}

export function addon(): HaloOsAddon {
  if (loaded) return loaded;
  if (process.platform !== 'linux' || endianness() !== 'LE') {
    throw new HaloError('HALO_OS_UNSUPPORTED', 'VRRP needs Linux on a little-endian machine');
  }
  const root = packageRoot();
  const file = root && join(root, 'build', 'Release', 'halo_os.node');
  if (!file || !existsSync(file)) {
    throw new HaloError(
      'HALO_OS_ADDON',
      'the halo_os native addon is not built (run `npm install`, which needs python3, make and g++)',
    );
  }
  loaded = createRequire(import.meta.url)(file) as HaloOsAddon;
  return loaded;
}
