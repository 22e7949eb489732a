// systemd's readiness protocol (sd_notify(3)) for `Type=notify` units: datagrams such as
// `READY=1` to the AF_UNIX socket named by $NOTIFY_SOCKET (a path, or `@name` in the
// abstract namespace). Node has no unix datagram sockets, so this uses the halo_os
// addon's socket/sendto. Without $NOTIFY_SOCKET every call does nothing; a failure is
// reported once and never ends the process (a unit that waits for READY=1 times out and
// says so itself).

import { AF, SOCK, sockaddrUnNotify } from './linux-abi.js';
import { addon } from './native.js';

export interface ServiceNotifier {
  /** One state datagram, e.g. `READY=1\nMAINPID=123`. */
  notify(state: string): void;
  close(): void;
}

/** Does nothing: no service manager is listening. */
export const noNotifier: ServiceNotifier = { notify() {}, close() {} };

/**
 * The notifier for `env.NOTIFY_SOCKET`, or noNotifier. `onError` hears about the first
 * failure only. The variable is removed from `env` as sd_notify's `unset_environment`
 * does, so scripts and workers halo starts do not talk to systemd as if they were it.
 */
export function systemdNotifier(
  env: Record<string, string | undefined>,
  onError: (message: string) => void,
): ServiceNotifier {
  const socket = env.NOTIFY_SOCKET;
  if (!socket) return noNotifier;
  delete env.NOTIFY_SOCKET;
  let fd = -1;
  let failed = false;
  let address: Uint8Array;
  try {
    address = sockaddrUnNotify(socket);
  } catch (err) {
    onError(`NOTIFY_SOCKET '${socket}': ${(err as Error).message}`);
    return noNotifier;
  }
  return {
    notify(state) {
      try {
        if (fd < 0) fd = addon().socket(AF.UNIX, SOCK.DGRAM, 0);
        addon().sendto(fd, new TextEncoder().encode(state), address);
      } catch (err) {
        if (!failed) onError(`cannot notify systemd on '${socket}': ${(err as Error).message}`);
        failed = true;
      }
    },
    close() {
      if (fd >= 0) addon().close(fd);
      fd = -1;
    },
  };
}
