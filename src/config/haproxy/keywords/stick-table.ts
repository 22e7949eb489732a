// `stick-table type ip|ipv6|integer|string [len N] size N [expire T] [store DATA,...]` and
// the `track-sc0|1|2 KEY [table NAME]` actions of tcp-request and http-request rules, for
// the counters halo keeps (conn_cnt, conn_cur, conn_rate, sess_cnt, sess_rate,
// http_req_cnt, http_req_rate). Other stored data, `peers` (replication between nodes) and
// keys other than a sample halo evaluates are refused at their line: a limit that silently
// counts nothing, or counts per node what the config shares, would let clients through.

import type { LineCtx, ProxyDraft } from '../draft.js';
import type { SampleExpr } from '../http-rule-model.js';
import { parseSampleExpr } from '../log-format.js';
import type { StickTableConfig } from '../model.js';
import { parseTime } from '../units.js';
import { refuseUnapplied } from './not-applied.js';

const COUNTERS = ['conn_cnt', 'conn_cur', 'sess_cnt', 'http_req_cnt'];
const RATES = ['conn_rate', 'sess_rate', 'http_req_rate'];

/** `100k`, `1m`: HAProxy's size suffixes for `size`. */
function tableSize(text: string): number | undefined {
  const m = /^(\d+)([kmg]?)$/i.exec(text);
  if (!m) return undefined;
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase()] ?? 1;
  return Number(m[1]) * mult;
}

export function parseStickTable(ctx: LineCtx, px: ProxyDraft): boolean {
  // A message and false: the caller returns at once.
  const fail = (m: string): false => {
    ctx.error('HAP_BAD_STICK_TABLE', `stick-table: ${m}`);
    return false;
  };
  let type: StickTableConfig['type'] | undefined;
  let size: number | undefined;
  let expire: number | undefined;
  const store: { name: string; period?: number }[] = [];
  for (let i = 1; i < ctx.words.length; i++) {
    const w = ctx.words[i]!;
    const v = ctx.arg(i + 1);
    if (w === 'type') {
      if (!['ip', 'ipv6', 'integer', 'string', 'binary'].includes(v))
        return fail(`unknown type '${v}'.`);
      type = v as StickTableConfig['type'];
      i++;
    } else if (w === 'len') i++;
    else if (w === 'size') {
      size = tableSize(v);
      if (size === undefined) return fail(`invalid size '${v}'.`);
      i++;
    } else if (w === 'expire') {
      const t = parseTime(v);
      if (!t.ok) return fail(`invalid expire '${v}'.`);
      expire = t.value;
      i++;
    } else if (w === 'store') {
      for (const item of v.split(',')) {
        const m = /^([a-z_0-9]+)(?:\(([^)]*)\))?$/.exec(item);
        const name = m?.[1] ?? item;
        if (RATES.includes(name)) {
          const t = parseTime(m?.[2] ?? '');
          if (!t.ok) return fail(`data type '${name}' expects a period, as in '${name}(10s)'.`);
          store.push({ name, period: t.value });
        } else if (COUNTERS.includes(name)) store.push({ name });
        else {
          refuseUnapplied(
            ctx.diags,
            ctx.pos,
            `'stick-table ... store ${name}'`,
            `halo keeps ${[...COUNTERS, ...RATES].join(', ')} in stick tables, not '${name}' yet, so a rule on it would never match and let every client through`,
          );
          return false;
        }
      }
      i++;
    } else if (w === 'peers') {
      refuseUnapplied(
        ctx.diags,
        ctx.pos,
        "'stick-table ... peers'",
        'halo does not replicate stick tables between nodes yet, so each node would count alone and let through what the shared limit would refuse',
      );
      return false;
    } else if (w === 'nopurge') continue;
    else return fail(`unknown argument '${w}'.`);
  }
  if (!type) return fail("missing 'type'.");
  if (size === undefined) return fail("missing 'size'.");
  px.stickTable = { pos: ctx.pos, type, size, ...(expire !== undefined ? { expire } : {}), store };
  return true;
}

/** `track-sc0|1|2 KEY [table NAME]` from word `at` (the action): its slot, key and table. */
export function parseTrack(
  ctx: LineCtx,
  at: number,
): { slot: number; key: SampleExpr; table?: string; next: number } | 'error' | undefined {
  const m = /^track-sc([0-2])$/.exec(ctx.arg(at));
  if (!m) return undefined;
  const key = parseSampleExpr(ctx.arg(at + 1), ctx.files);
  if (ctx.arg(at + 1) === '' || typeof key === 'string') {
    ctx.error('HAP_BAD_ARGS', `'${ctx.arg(at)}' expects <key> [table <table>] as arguments.`);
    return 'error';
  }
  if (ctx.arg(at + 2) === 'table') {
    if (ctx.arg(at + 3) === '') {
      ctx.error('HAP_BAD_ARGS', `'${ctx.arg(at)}' : missing table name.`);
      return 'error';
    }
    return { slot: Number(m[1]), key, table: ctx.arg(at + 3), next: at + 4 };
  }
  return { slot: Number(m[1]), key, next: at + 2 };
}
