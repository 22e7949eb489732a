// The Node.js internals halo's proxy runs on, and a check that they are there.
//
// The relay drives libuv's stream handles without net.Socket (stream-handle.ts), and the
// listeners wrap descriptors they accept themselves (listener.ts); both go through
// `process.binding` (tcp_wrap, stream_wrap, pipe_wrap) and net's `_createServerHandle`.
// These are not public API: a Node.js release may drop or reshape them, and `--permission`
// forbids process.binding. Rather than fail later with a TypeError from deep inside the
// relay, every piece is checked once (data-path.ts), and the proxy runs on the public
// net API (stream-handle-public.ts) when one is missing. `new net.Socket({ handle })`
// cannot be probed without a handle; it stands or falls with the bindings.

import net from 'node:net';

/** Where the internals come from (the running process by default; fakes in tests). */
export interface InternalsHost {
  readonly binding: unknown;
  readonly net: unknown;
}

const REQUIRED = {
  tcp_wrap: {
    classes: {
      TCP: [
        'open',
        'connect',
        'connect6',
        'getsockname',
        'getpeername',
        'setNoDelay',
        'readStart',
        'readStop',
        'shutdown',
        'useUserBuffer',
        'writeBuffer',
        'writeLatin1String',
        'close',
      ],
      TCPConnectWrap: [],
    },
    constants: ['SOCKET', 'SERVER'],
    values: [],
  },
  pipe_wrap: {
    classes: { Pipe: ['open', 'readStart', 'close'] },
    constants: ['SOCKET', 'SERVER'],
    values: [],
  },
  stream_wrap: {
    classes: { WriteWrap: [], ShutdownWrap: [] },
    constants: [],
    values: ['streamBaseState', 'kReadBytesOrError', 'kArrayBufferOffset', 'kLastWriteWasAsync'],
  },
} as const;

function hasMethod(proto: unknown, name: string): boolean {
  for (let p = proto; p; p = Object.getPrototypeOf(p)) {
    const d = Object.getOwnPropertyDescriptor(p, name);
    if (d && typeof d.value === 'function') return true;
  }
  return false;
}

/** The internals missing from `host`, each named as code would reach it; [] when all are there. */
export function missingNodeInternals(
  host: InternalsHost = { binding: (process as { binding?: unknown }).binding, net },
): string[] {
  const missing: string[] = [];
  if (typeof (host.net as { _createServerHandle?: unknown })?._createServerHandle !== 'function')
    missing.push('net._createServerHandle');
  if (typeof host.binding !== 'function') return ['process.binding', ...missing];
  const binding = host.binding as (name: string) => unknown;
  for (const [module, want] of Object.entries(REQUIRED)) {
    const at = `process.binding('${module}')`;
    let b: Record<string, unknown>;
    try {
      b = (binding(module) ?? {}) as Record<string, unknown>;
    } catch {
      missing.push(at);
      continue;
    }
    for (const [cls, methods] of Object.entries(want.classes)) {
      const C = b[cls] as { prototype?: unknown } | undefined;
      if (typeof C !== 'function') {
        missing.push(`${at}.${cls}`);
        continue;
      }
      for (const m of methods) {
        if (!hasMethod(C.prototype, m)) missing.push(`${at}.${cls}.prototype.${m}`);
      }
    }
    const constants = b.constants as Record<string, unknown> | undefined;
    for (const c of want.constants) {
      if (typeof constants?.[c] !== 'number') missing.push(`${at}.constants.${c}`);
    }
    for (const v of want.values) if (b[v] === undefined) missing.push(`${at}.${v}`);
  }
  return missing;
}
