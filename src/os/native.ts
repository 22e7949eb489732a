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
  /** SO_ATTACH_FILTER, or with `reuseport` SO_ATTACH_REUSEPORT_CBPF (the socket's group). */
  attachFilter(fd: number, program: Uint8Array, reuseport?: boolean): void;
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

/** The installed package's root: the folder with binding.gyp, above dist/src/os/ or src/os/. */
export function packageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'binding.gyp'))) return dir;
    dir = dirname(dir);
  }
  return undefined;
}

/**
 * Where the addon comes from: node-gyp-build picks `build/Release/halo_os.node` when a source
 * build made one, else the prebuilt binary shipped in `prebuilds/<platform>-<arch>/` (linux
 * x64 and arm64, glibc; Node-API 8, so one file serves every Node.js version). Throws
 * HALO_OS_ADDON naming what to run when neither loads.
 */
export function addon(): HaloOsAddon {
  if (loaded) return loaded;
  if (process.platform !== 'linux' || endianness() !== 'LE') {
    throw new HaloError('HALO_OS_UNSUPPORTED', 'VRRP needs Linux on a little-endian machine');
  }
  const root = packageRoot();
  const require = createRequire(import.meta.url);
  try {
    if (!root) throw new Error('package folder not found');
    const load = require('node-gyp-build') as (dir: string) => unknown;
    loaded = load(root) as HaloOsAddon;
  } catch (err) {
    throw new HaloError('HALO_OS_ADDON', addonMissingMessage(root, err, process.arch));
  }
  return loaded;
}

/** What `halo` says when the addon does not load: why, and the command that builds it. */
export function addonMissingMessage(root: string | undefined, err: unknown, arch: string): string {
  const why = String((err as Error)?.message ?? err)
    .split('\n')[0]!
    .trim();
  const where = root ? `cd ${root} && ` : '';
  return (
    `the halo_os native addon did not load (${why}); halo ships prebuilt binaries for ` +
    `linux x64 and arm64 with glibc, this machine is linux ${arch}. Build it from source with ` +
    `\`${where}npm run build:native\` (needs python3, make and g++)`
  );
}
