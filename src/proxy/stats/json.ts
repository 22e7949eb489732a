// `;json` / `show stat json`: HAProxy's typed JSON layout (one array per row, one object per
// non-empty field with its position, name, process number and typed value), made from the
// CSV rows. HAProxy's per-field `tags` (origin/nature/scope) are not reproduced.

import { CSV_FIELDS, renderCsv } from './csv.js';
import type { StatsSnapshot } from './snapshot.js';

const OBJ_TYPES: Record<string, string> = { '0': 'Frontend', '1': 'Backend', '2': 'Server' };

export function renderJson(snap: StatsSnapshot, legends = false): string {
  const lines = renderCsv(snap, { legends })
    .split('\n')
    .slice(1)
    .filter((l) => l !== '');
  const typeAt = CSV_FIELDS.indexOf('type');
  const rows = lines.map((l) => {
    const v = l.split(',');
    const objType = OBJ_TYPES[v[typeAt] ?? ''] ?? 'Unknown';
    const proxyId = Number(v[CSV_FIELDS.indexOf('iid')]);
    const id = Number(v[CSV_FIELDS.indexOf('sid')]);
    const out: object[] = [];
    CSV_FIELDS.forEach((name, pos) => {
      const raw = v[pos] ?? '';
      if (raw === '' || name === '-') return;
      const numeric = /^-?\d+$/.test(raw);
      out.push({
        objType,
        proxyId,
        id,
        field: { pos, name },
        processNum: snap.info.processNum,
        value: numeric
          ? { type: raw.startsWith('-') ? 's32' : 'u64', value: Number(raw) }
          : { type: 'str', value: raw },
      });
    });
    return out;
  });
  return `${JSON.stringify(rows)}\n`;
}
