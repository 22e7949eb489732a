// keepalived.conf front end: read (with includes) -> lex -> statement tree -> keyword
// tables -> Keepalived's defaults and corrections -> halo's own findings. Pure: files and
// interfaces come through the host. Never throws; every problem becomes a diagnostic.

import { Diagnostics } from '../diagnostics.js';
import { type ParseEnv, runBlock } from './block.js';
import { newConfigDraft } from './drafts.js';
import { haloChecks } from './halo-checks.js';
import { UNSUPPORTED_ROOT } from './known-keywords.js';
import type { KeepalivedConfig } from './model.js';
import { resolveConfig } from './resolve.js';
import { ROOT_KEYWORDS } from './root.js';
import { checkScriptFiles, DEFAULT_SCRIPT_PATH, type FileAccess } from './script-check.js';
import { readSources } from './source.js';
import { buildTree } from './tree.js';
import { checkVridConflicts } from './vrid-conflicts.js';

export { estimateFailoverMs, SLOW_FAILOVER_MS } from './halo-checks.js';
export type { KeepalivedConfig } from './model.js';
export type { FileAccess } from './script-check.js';

export interface KeepalivedHost {
  readFile(path: string): string;
  glob(pattern: string, cwd: string): string[];
  interfaceExists?(name: string): boolean;
  /**
   * What is at `path` (relative paths from the working directory), for the check of
   * vrrp_script programs; without it, script files are not checked.
   */
  fileAccessible?(path: string): FileAccess;
}

export interface ParseOptions {
  /** Skip checks against this machine (interfaces and script files that must exist). */
  readonly offline?: boolean;
  /**
   * The directory relative paths are relative to (the process's working directory), so
   * an include naming the entry file by another path is still seen as a loop.
   */
  readonly cwd?: string;
  /** PATH Keepalived would search for a script's bare program name (default `/bin:/usr/bin`). */
  readonly scriptPath?: string;
}

export function parseKeepalived(
  entry: { path: string; text: string },
  host: KeepalivedHost,
  opts: ParseOptions = {},
): { config?: KeepalivedConfig; diagnostics: Diagnostics } {
  const diagnostics = new Diagnostics();
  try {
    const { items, files } = readSources(entry, host, diagnostics, opts.cwd);
    const tree = buildTree(items, diagnostics);
    const env: ParseEnv = {
      diags: diagnostics,
      offline: opts.offline === true || !host.interfaceExists,
      ...(host.interfaceExists ? { interfaceExists: safeLookup(host) } : {}),
    };
    const draft = newConfigDraft();
    runBlock(tree, ROOT_KEYWORDS, draft, env, { unsupported: UNSUPPORTED_ROOT });
    const access = host.fileAccessible?.bind(host);
    if (opts.offline !== true && access) {
      checkScriptFiles(draft, access, opts.scriptPath ?? DEFAULT_SCRIPT_PATH, diagnostics);
    }
    const config = resolveConfig(draft, files, diagnostics);
    const known = env.offline ? () => true : (env.interfaceExists ?? (() => true));
    checkVridConflicts(config.instances, known, diagnostics);
    haloChecks(config, draft.instances, diagnostics);
    return { config, diagnostics };
  } catch (err) {
    // A bug in halo, not in the file: report it rather than crash `halo check`.
    const message = err instanceof Error ? err.message : String(err);
    diagnostics.error(
      { file: entry.path, line: 1 },
      'HALO_INTERNAL',
      `internal error while reading this file: ${message}`,
      'halo',
    );
    return { diagnostics };
  }
}

function safeLookup(host: KeepalivedHost): (name: string) => boolean {
  return (name) => {
    try {
      return host.interfaceExists?.(name) ?? true;
    } catch {
      return true;
    }
  };
}
