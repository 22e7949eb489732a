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
import { readSources } from './source.js';
import { buildTree } from './tree.js';

export { estimateFailoverMs, SLOW_FAILOVER_MS } from './halo-checks.js';
export type { KeepalivedConfig } from './model.js';

export interface KeepalivedHost {
  readFile(path: string): string;
  glob(pattern: string, cwd: string): string[];
  interfaceExists?(name: string): boolean;
}

export interface ParseOptions {
  /** Skip checks against this machine (interface existence). */
  readonly offline?: boolean;
}

export function parseKeepalived(
  entry: { path: string; text: string },
  host: KeepalivedHost,
  opts: ParseOptions = {},
): { config?: KeepalivedConfig; diagnostics: Diagnostics } {
  const diagnostics = new Diagnostics();
  try {
    const { items, files } = readSources(entry, host, diagnostics);
    const tree = buildTree(items, diagnostics);
    const env: ParseEnv = {
      diags: diagnostics,
      offline: opts.offline === true || !host.interfaceExists,
      ...(host.interfaceExists ? { interfaceExists: safeLookup(host) } : {}),
    };
    const draft = newConfigDraft();
    runBlock(tree, ROOT_KEYWORDS, draft, env, { unsupported: UNSUPPORTED_ROOT });
    const config = resolveConfig(draft, files, diagnostics);
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
