// The haproxy.cfg front end: parse (tokenizer + keyword tables) -> resolve (defaults,
// HAProxy's post-parse checks) -> halo's own checks. No clock, no DNS; the files lines name
// (certificates, errorfiles) are read once here.

import { readFileSync } from 'node:fs';
import { Diagnostics } from '../diagnostics.js';
import { haloChecks } from './checks.js';
import { type HaproxyHost, hostChecks } from './host-checks.js';
import type { HaproxyConfig } from './model.js';
import { parseSources } from './parser.js';
import { resolve } from './resolve.js';
import { sslChecks } from './ssl-checks.js';
import { startChecks } from './start-checks.js';
import { loadTlsFiles } from './tls-files.js';

export type { HaproxyHost } from './host-checks.js';
export type { HaproxyConfig } from './model.js';
export { splitLines, tokenizeLine } from './tokenizer.js';
export { parseSize, parseTime } from './units.js';

export interface ParseHaproxyResult {
  /** Undefined only when the input could not be turned into a model at all. */
  config?: HaproxyConfig;
  diagnostics: Diagnostics;
}

/**
 * Parses haproxy.cfg sources as HAProxy 2.6 would (several `-f` files are read in order;
 * `defaults` carry over from one file to the next). Never throws.
 */
export function parseHaproxy(
  sources: { path: string; text: string }[],
  opts: {
    env?: Record<string, string | undefined>;
    /** Account lookups for `user`/`group`; without it (offline) they are not checked. */
    host?: HaproxyHost;
  } = {},
): ParseHaproxyResult {
  const diagnostics = new Diagnostics();
  try {
    const parsed = parseSources(sources, opts.env ?? {}, diagnostics, readOnce());
    if (opts.host) hostChecks(parsed, opts.host, diagnostics);
    loadTlsFiles(parsed, diagnostics);
    const config = resolve(
      parsed,
      sources.map((s) => s.path),
      diagnostics,
    );
    sslChecks(parsed.global, parsed.proxies, diagnostics);
    haloChecks(config, parsed.proxies, diagnostics);
    startChecks(
      parsed,
      sources.map((s) => s.path),
      diagnostics,
    );
    return { config, diagnostics };
  } catch (e) {
    const file = sources[0]?.path ?? '<config>';
    diagnostics.error(
      { file, line: 1 },
      'HALO_INTERNAL',
      `internal error while reading the configuration: ${e instanceof Error ? e.message : String(e)}`,
      'halo',
      'This is a bug in halo; please report it with the configuration that triggers it.',
    );
    return { diagnostics };
  }
}

/** Files lines name (error files, reply payloads), each read once per parse. */
function readOnce(): (path: string) => Buffer | undefined {
  const seen = new Map<string, Buffer | undefined>();
  return (path) => {
    if (seen.has(path)) return seen.get(path);
    let data: Buffer | undefined;
    try {
      data = readFileSync(path);
    } catch {
      data = undefined;
    }
    seen.set(path, data);
    return data;
  };
}
