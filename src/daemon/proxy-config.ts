// Reads `-f FILE|DIR` arguments into parser sources, as HAProxy does: a directory
// contributes its `*.cfg` files in lexical order; files are read in argument order.

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostics } from '../config/diagnostics.js';
import { parseHaproxy } from '../config/haproxy/index.js';
import type { HaproxyConfig } from '../config/haproxy/model.js';
import { ConfigLimitError, readConfigFile } from '../config/read-config.js';
import { conditionChecks } from '../proxy/condition-checks.js';

/** Reads one file within the config bounds; a bound crossed reads as `file:line: why`. */
function readBounded(path: string): string {
  try {
    return readConfigFile(path);
  } catch (err) {
    if (err instanceof ConfigLimitError) throw new Error(`${path}:${err.line}: ${err.message}`);
    throw err;
  }
}

export function readSources(paths: readonly string[]): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  for (const p of paths) {
    if (statSync(p).isDirectory()) {
      for (const f of readdirSync(p)
        .filter((n) => n.endsWith('.cfg'))
        .sort()) {
        out.push({ path: join(p, f), text: readBounded(join(p, f)) });
      }
    } else {
      out.push({ path: p, text: readBounded(p) });
    }
  }
  return out;
}

export interface ConfigSource {
  readonly path: string;
  readonly text: string;
}

export interface LoadedConfig {
  readonly config: HaproxyConfig | undefined;
  readonly diagnostics: Diagnostics;
  /** The text that was parsed (a master hands it to its workers). */
  readonly sources: readonly ConfigSource[];
  /** Set when the files could not be read at all. */
  readonly readError?: string;
}

/** Parses already-read sources (a worker gets them from its master). */
export function parseConfig(
  sources: readonly ConfigSource[],
  env: Record<string, string | undefined>,
): LoadedConfig {
  const r = parseHaproxy([...sources], { env });
  if (r.config) conditionChecks(r.config, r.diagnostics);
  return { config: r.config, diagnostics: r.diagnostics, sources };
}

export function loadConfig(
  paths: readonly string[],
  env: Record<string, string | undefined>,
): LoadedConfig {
  let sources: { path: string; text: string }[];
  try {
    sources = readSources(paths);
  } catch (err) {
    const r = parseHaproxy([], { env });
    return {
      config: undefined,
      diagnostics: r.diagnostics,
      sources: [],
      readError: (err as Error).message,
    };
  }
  return parseConfig(sources, env);
}
