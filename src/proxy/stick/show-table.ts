// `show table [NAME [key KEY | data.TYPE OP VALUE]]` and `clear table NAME [key KEY]` of the
// runtime API, in HAProxy 2.6's format (checked with socat against the real haproxy):
// a `# table:` line per table, then one line per entry with its data in HAProxy's order.

import { INT_OPS } from '../acl.js';
import type { StickEntry, StickTable } from './stick-table.js';

/** HAProxy's order of stored data types (its stktable_data_types). */
const ORDER = [
  'conn_cnt',
  'conn_rate',
  'conn_cur',
  'sess_cnt',
  'sess_rate',
  'http_req_cnt',
  'http_req_rate',
];

function entryLine(t: StickTable, e: StickEntry, now: number): string {
  const exp = t.cfg.expire === undefined ? 0 : Math.max(0, e.expiresAt - now);
  let line = `0x${e.id.toString(16)}: key=${e.key} use=${e.refs} exp=${exp}`;
  for (const name of ORDER) {
    const s = t.cfg.store.find((x) => x.name === name);
    if (!s) continue;
    const v = e.value(name, now) ?? 0;
    line += s.period !== undefined ? ` ${name}(${s.period})=${v}` : ` ${name}=${v}`;
  }
  return `${line}\n`;
}

const head = (name: string, t: StickTable, used: number) =>
  `# table: ${name}, type: ${t.cfg.type}, size:${t.cfg.size}, used:${used}\n`;

export function showTable(
  tables: ReadonlyMap<string, StickTable>,
  args: readonly string[],
  now: number,
): string {
  const name = args[0];
  if (name === undefined) {
    // All tables, the last declared first, as HAProxy lists them.
    return [...tables.entries()]
      .reverse()
      .map(([n, t]) => head(n, t, t.live(now).length))
      .join('');
  }
  const t = tables.get(name);
  if (!t) return 'No such table\n';
  let entries = t.live(now);
  const f = args[1];
  if (f === 'key') entries = entries.filter((e) => e.key === args[2]);
  else if (f?.startsWith('data.')) {
    const op = INT_OPS[args[2] ?? ''];
    const want = Number(args[3]);
    const data = f.slice(5);
    if (!op || !Number.isFinite(want)) return 'Require a valid data type, operator and value.\n';
    entries = entries.filter((e) => {
      const v = e.value(data, now);
      return v !== undefined && op(v, want);
    });
  } else if (f !== undefined)
    return 'Optional argument only supports "data.<store_data_type>" <operator> <value> and key <key>\n';
  return head(name, t, t.live(now).length) + entries.map((e) => entryLine(t, e, now)).join('');
}

export function clearTable(
  tables: ReadonlyMap<string, StickTable>,
  args: readonly string[],
): string {
  const t = tables.get(args[0] ?? '');
  if (!t) return 'No such table\n';
  t.clear(args[1] === 'key' ? args[2] : undefined);
  return '';
}
