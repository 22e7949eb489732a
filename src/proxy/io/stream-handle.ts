// The StreamHandle port (stream-handle-port.ts) on this process's data path: the internal
// one over libuv's handles, or the public one over net.Socket (data-path.ts decides).
//
// The implementation is chosen once, when this module loads, and its functions are
// re-exported as constants, so a call from the relay goes straight to the chosen function
// with no dispatch of its own. The internal module is imported only when chosen: it binds
// the internals as it loads, which would throw where they are missing or forbidden.

import { DATA_PATH } from './data-path.js';
import type { DataPathImpl } from './stream-handle-port.js';

export type {
  ConnectDone,
  ServerHandle,
  StreamHandle,
  WriteDone,
} from './stream-handle-port.js';
export { errorName, UV_EOF } from './stream-handle-port.js';

const impl: DataPathImpl =
  DATA_PATH.kind === 'internal'
    ? await import('./stream-handle-internal.js')
    : await import('./stream-handle-public.js');

export const readResult = impl.readResult;
export const readIntoShared = impl.readIntoShared;
export const relayShared = impl.relayShared;
export const readData = impl.readData;
export const readIntoOwn = impl.readIntoOwn;
export const releaseOwn = impl.releaseOwn;
export const ownBufferStats = impl.ownBufferStats;
export const isBulk = impl.isBulk;
export const writeTo = impl.writeTo;
export const shutdownWrite = impl.shutdownWrite;
export const connectTcp = impl.connectTcp;
export const peerAddress = impl.peerAddress;
export const localAddress = impl.localAddress;
export const localPort = impl.localPort;
export const handleFromFd = impl.handleFromFd;
export const serverHandleFromFd = impl.serverHandleFromFd;
export const serverHandleFromInheritedFd = impl.serverHandleFromInheritedFd;
export const isUnixServer = impl.isUnixServer;
export const sendsServerHandles = impl.sendsServerHandles;
export const socketFor = impl.socketFor;
