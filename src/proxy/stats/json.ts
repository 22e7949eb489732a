// `;json` / `show stat json`: HAProxy's typed JSON layout (one array per row, one object per
// non-empty field with its position, name, process number and typed value), made from the
// same records as the CSV. HAProxy's per-field `tags` (origin/nature/scope) are not reproduced.

import { CSV_FIELDS, csvRecords } from './csv.js';
import type { StatsSnapshot } from './snapshot.js';

const OBJ_TYPES: Record<string, string> = { '0': 'Frontend', '1': 'Backend', '2': 'Server' };

export function renderJson(snap: StatsSnapshot, legends = false): string {
  const rows = csvRecords(snap, { legends }).map((r) => {
    const objType = OBJ_TYPES[String(r.type)] ?? 'Unknown';
    const out: object[] = [];
    CSV_FIELDS.forEach((name, pos) => {
      const v = r[name];
      if (v === undefined || v === '' || name === '-') return;
      out.push({
        objType,
        proxyId: r.iid,
        id: r.sid,
        field: { pos, name },
        processNum: snap.info.processNum,
        value:
          typeof v === 'number'
            ? { type: v < 0 ? 's32' : 'u64', value: v }
            : { type: 'str', value: v },
      });
    });
    return out;
  });
  return `${JSON.stringify(rows)}\n`;
}
