// Sample expressions (`req.hdr(host),lower,map(/etc/haproxy/hosts.map,www)`) read as
// HAProxy 2.6's sample_parse_expr() reads them: the fetch, its arguments, then converters
// after commas, until a character that continues none of them (the caller decides what may
// follow: `]` in a log-format string, the end of the word elsewhere). Names are checked
// against what HAProxy knows, the types of a converter chain against its cast table, and
// the arguments of the keywords halo evaluates against their signatures; map files are
// read and checked here, as HAProxy loads them at parse time. Pure but for `files`.

import type { MapEntry, MapFile, SampleConv, SampleExpr } from './http-rule-model.js';
import { CONVERTERS, SAMPLE_FETCHES } from './keywords/sample-names.js';
import type { SampleType } from './keywords/sample-signatures.js';
import { CONVERTER_SIGNATURES, castable, FETCH_SIGNATURES } from './keywords/sample-signatures.js';
import { checkMapFile, readMapFile } from './map-file.js';
import { parseArgs } from './sample-args.js';

/** Where map files come from: the parse's file reader (undefined: none opens). */
export interface SampleFiles {
  read(path: string): Buffer | undefined;
}

/** HAProxy's is_idchar(). */
const ID = /[A-Za-z0-9._+:-]/;

function word(text: string, at: number): string {
  let end = at;
  while (end < text.length && ID.test(text[end]!)) end++;
  return text.slice(at, end);
}

/** A parsed expression and the index just past it, or HAProxy's message. */
export type ParsedSample = { expr: SampleExpr; end: number } | { error: string };

/**
 * Parses the expression starting at `text[from]`. The message of a failure is what
 * HAProxy writes after `failed to parse sample expression <...> : `.
 */
export function parseSampleAt(text: string, from: number, files?: SampleFiles): ParsedSample {
  const fetch = word(text, from);
  if (fetch === '') return { error: 'missing fetch method' };
  if (!SAMPLE_FETCHES.has(fetch)) return { error: `unknown fetch method '${fetch}'` };
  const fsig = FETCH_SIGNATURES[fetch];
  const fa = parseArgs(text, from + fetch.length, fsig?.args);
  if ('error' in fa) return { error: `fetch method '${fetch}' : ${fa.error}` };
  const fbad = fa.args.length > 0 || fsig?.args.min ? fsig?.check?.(fa.args) : undefined;
  if (fbad) return { error: `invalid args in fetch method '${fetch}' : ${fbad}` };
  let type: SampleType = fsig?.out ?? 'any';
  let i = fa.end;
  const convs: SampleConv[] = [];
  while (text[i] === ',') {
    while (text[i] === ',') i++;
    if (i >= text.length) break;
    const name = word(text, i);
    if (!CONVERTERS.has(name)) return { error: `unknown converter '${name}'` };
    const sig = CONVERTER_SIGNATURES[name];
    if (sig && !castable(type, sig.in)) return { error: `converter '${name}' cannot be applied` };
    const ca = parseArgs(text, i + name.length, sig?.args);
    if ('error' in ca)
      return { error: `invalid arg ${ca.pos + 1} in converter '${name}' : ${ca.error}` };
    const bad = sig?.check?.(ca.args);
    if (bad) return { error: `invalid args in converter '${name}' : ${bad}` };
    let map: MapFile | undefined;
    if (sig && isMap(name)) {
      const m = loadMap(name, ca.args, files);
      if (typeof m === 'string') return { error: `invalid args in converter '${name}' : ${m}` };
      map = m;
    }
    convs.push({ name, args: ca.args, ...(map ? { map } : {}) });
    type = sig?.out ?? 'any';
    i = ca.end;
  }
  return { expr: { fetch, args: fa.args, convs, text: text.slice(from, i) }, end: i };
}

const isMap = (name: string) => name === 'map' || name.startsWith('map_');

/** sample_load_map(): the file, each key and value checked for the converter's types. */
function loadMap(name: string, args: readonly string[], files?: SampleFiles): MapFile | string {
  const path = args[0] ?? '';
  const data = files?.read(path);
  if (!data) return `failed to open pattern file <${path}>`;
  const entries: MapEntry[] = readMapFile(data);
  const bad = checkMapFile(name, path, entries, args[1]);
  return bad ?? { path, entries };
}

/** The type an expression's value has when halo knows each step ('any' otherwise). */
export function sampleType(expr: SampleExpr): SampleType {
  const last = expr.convs.at(-1);
  if (!last) return FETCH_SIGNATURES[expr.fetch]?.out ?? 'any';
  return CONVERTER_SIGNATURES[last.name]?.out ?? 'any';
}
