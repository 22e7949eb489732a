// Which data path the proxy runs on, decided once per process.
//
// 'internal': libuv's stream handles driven directly (stream-handle-internal.ts), the fast
// path, which needs Node.js internals (node-internals.ts). 'public': the same port over
// net.Socket (stream-handle-public.ts), slower, for a Node.js that lacks or forbids the
// internals (`--permission`, a future release). The choice is pure here (chooseDataPath);
// DATA_PATH applies it to this process when the module loads, so the relay picks its
// implementation once at module level, never per call. Nothing here throws: an impossible
// `HALO_DATA_PATH=internal` is reported by the commands that run the proxy (`halo proxy`,
// `halo demo`), while `halo check` and `halo vrrp` never look.

import { missingNodeInternals } from './node-internals.js';

export type DataPathKind = 'internal' | 'public';

export interface DataPath {
  readonly kind: DataPathKind;
  /** The internals this Node.js lacks ([] when all are there). */
  readonly missing: readonly string[];
  /** Why the proxy must not start (HALO_DATA_PATH=internal without the internals...). */
  readonly error?: string;
  /** Printed once by the proxy when the public path is chosen for want of internals. */
  readonly warning?: string;
}

export const DATA_PATH_ENV = 'HALO_DATA_PATH';

/** The data path for a Node.js lacking `missing`, given the HALO_DATA_PATH value `wanted`. */
export function chooseDataPath(
  missing: readonly string[],
  wanted: string | undefined,
  version: string,
): DataPath {
  const w = wanted?.trim().toLowerCase() ?? '';
  if (w !== '' && w !== 'internal' && w !== 'public') {
    return {
      kind: missing.length === 0 ? 'internal' : 'public',
      missing,
      error: `${DATA_PATH_ENV}=${wanted} is not a data path (use 'internal' or 'public')`,
    };
  }
  if (w === 'public') return { kind: 'public', missing };
  if (missing.length === 0) return { kind: 'internal', missing };
  if (w === 'internal') {
    return {
      kind: 'public',
      missing,
      error:
        `${DATA_PATH_ENV}=internal, but Node.js ${version} does not provide ` +
        `${missing.join(', ')}; unset ${DATA_PATH_ENV} to run on the public net API`,
    };
  }
  return {
    kind: 'public',
    missing,
    warning:
      `Node.js ${version} does not provide ${missing.join(', ')}: the proxy runs on the ` +
      `slower public net API (set ${DATA_PATH_ENV}=public to choose it without this warning)`,
  };
}

function detect(): DataPath {
  let missing: string[];
  try {
    missing = missingNodeInternals();
  } catch (err) {
    // A host that throws from the check itself has no usable internals either.
    missing = [`process.binding (${(err as Error).message})`];
  }
  return chooseDataPath(missing, process.env[DATA_PATH_ENV], process.version);
}

/** This process's data path. */
export const DATA_PATH: DataPath = detect();
