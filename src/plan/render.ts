// `halo plan`'s output: the group, its mismatches, the failover matrix and the flagged rows
// as text for people, or one JSON document for a deployment pipeline.

import { formatDiagnostic } from '../config/diagnostics.js';
import type { PlanReport } from './index.js';
import type { Condition, Matrix, MatrixRow, Outcome, RowFlag } from './matrix.js';

const COND_TEXT: Record<Condition, string> = { ok: 'ok', failed: 'fail', stopped: 'stop' };

const secs = (ms: number): string => `${Number((ms / 1000).toFixed(2))} s`;

function holderText(m: Matrix, o: Outcome): string {
  if (o.holders.length === 0) return 'nobody';
  return o.holders.map((i) => m.members[i]?.label ?? '?').join('+');
}

function orderText(m: Matrix, f: RowFlag): string {
  const names = f.order.map((i) => m.members[i]?.label ?? '?');
  if (names.length <= 1) return '';
  return f.simultaneous ? ` (all at once)` : ` (in the order ${names.join(', ')})`;
}

function rowName(m: Matrix, row: MatrixRow): string {
  const parts = row.conditions.flatMap((c, i) =>
    c === 'ok' ? [] : [`${m.members[i]?.label ?? '?'} ${COND_TEXT[c]}`],
  );
  return parts.length === 0 ? 'no failure' : parts.join(', ');
}

function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const r of rows) {
    r.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, c.length);
    });
  }
  return rows.map((r) =>
    `  ${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd(),
  );
}

function header(m: Matrix): string[] {
  const first = m.members[0];
  if (!first) return [];
  const s = first.settings;
  const vips = first.inst.virtualIpaddress.map((v) => `${v.address}/${v.prefix}`).join(' ');
  const lines = [
    `vrrp_instance ${m.router}: VRID ${s.vrid}, VRRPv${s.version}, advert_int ${secs(s.advertIntMs)}, VIP ${vips || '(none)'}`,
  ];
  const rows = [['node', 'address', 'priority', 'state', 'tracking']];
  for (const x of m.members) {
    const track = x.inst.trackScript.map((t) => {
      const sc = x.cfg.scripts.find((c) => c.name === t.name);
      const w = t.weight ?? sc?.weight ?? 0;
      return sc
        ? `${t.name} weight ${w}, interval ${secs(sc.interval)}, fall ${sc.fall}`
        : `${t.name} (undefined)`;
    });
    for (const t of x.inst.trackProxy ?? [])
      track.push(
        `track_proxy ${t.kind}${t.name ? ` ${t.name}` : ''}${t.kind === 'backend' ? ` min_up ${t.minUp}` : ''} ${t.weight === 0 ? 'FAULT' : `weight ${t.weight}`}`,
      );
    const extra = [
      x.settings.nopreempt ? 'nopreempt' : '',
      x.settings.preemptDelayMs > 0 ? `preempt_delay ${secs(x.settings.preemptDelayMs)}` : '',
    ].filter((e) => e !== '');
    rows.push([
      x.label,
      x.addressFrom === 'unknown' ? `${x.address} (stand-in)` : `${x.address} (${x.addressFrom})`,
      String(x.inst.priority),
      x.inst.initialState,
      [...(track.length > 0 ? track : ['none']), ...extra].join('; '),
    ]);
  }
  return [...lines, ...table(rows)];
}

function matrixLines(m: Matrix): string[] {
  const head = ['#', ...m.members.map((x) => x.label), 'VIP on', 'priority', 'failover', 'flags'];
  const rows = [head];
  m.rows.forEach((row, k) => {
    const codes = [...new Set(row.flags.map((f) => f.code))].join(',');
    rows.push([
      String(k + 1),
      ...row.conditions.map((c) => COND_TEXT[c]),
      row.outcomes.map((o) => holderText(m, o)).join(' | '),
      row.outcomes.map((o) => (o.priority === undefined ? '-' : String(o.priority))).join(' | '),
      row.failoverMs === undefined ? '-' : secs(row.failoverMs),
      codes,
    ]);
  });
  return table(rows);
}

function flaggedLines(m: Matrix): string[] {
  const out: string[] = [];
  m.rows.forEach((row, k) => {
    if (row.flags.length === 0) return;
    out.push(`  row ${k + 1} (${rowName(m, row)}):`);
    for (const f of row.flags) {
      out.push(`    ${f.code}${orderText(m, f)}: ${f.message}`);
      const at = [...new Set(f.at.map((p) => `${p.file}:${p.line}`))];
      if (at.length > 0) out.push(`      at ${at.join(', ')}`);
    }
  });
  return out;
}

const DEPTH = ['no failure', 'single failures', 'double failures', 'triple failures'];

function summary(m: Matrix): string {
  const byDepth = new Map<number, { rows: number; flagged: number }>();
  for (const row of m.rows) {
    const k = row.conditions.filter((c) => c !== 'ok').length;
    const e = byDepth.get(k) ?? { rows: 0, flagged: 0 };
    e.rows++;
    if (row.flags.length > 0) e.flagged++;
    byDepth.set(k, e);
  }
  const parts = [...byDepth.entries()].map(
    ([k, e]) =>
      `${DEPTH[k] ?? `${k} failures`}: ${e.rows} row${e.rows === 1 ? '' : 's'}, ${e.flagged === 0 ? 'none' : e.flagged} flagged`,
  );
  return `  ${parts.join('; ')}`;
}

export function renderText(r: PlanReport): string {
  const out: string[] = [
    `halo plan: ${r.nodes.length} nodes (${r.nodes.map((n) => n.label).join(', ')})`,
  ];
  if (r.diagnostics.length === 0)
    out.push('group checks: the nodes agree where they must and differ where they must');
  else {
    out.push(`group checks: ${r.diagnostics.length} finding(s)`);
    for (const d of r.diagnostics) out.push(formatDiagnostic(d));
  }
  for (const m of r.matrices) {
    out.push('', ...header(m), '');
    out.push(
      'failover matrix (ok: healthy; fail: its trackers fail (scripts, track_proxy); stop: node gone without a word;',
      '  "a | b": the VIP ends on a or b depending on the order of the failures;',
      '  failover: the longest the VIP is gone in one hand-over, in any order of the failures)',
    );
    out.push(...matrixLines(m), '');
    const flagged = flaggedLines(m);
    out.push(flagged.length > 0 ? 'flagged:' : 'flagged: nothing', ...flagged);
    out.push('summary:', summary(m));
  }
  out.push('', r.flagged ? 'verdict: FLAGGED (exit 1)' : 'verdict: clean');
  return `${out.join('\n')}\n`;
}

export function renderJson(r: PlanReport): string {
  const doc = {
    flagged: r.flagged,
    nodes: r.nodes.map((n) => ({ label: n.label, file: n.file })),
    diagnostics: r.diagnostics,
    routers: r.matrices.map((m) => ({
      name: m.router,
      members: m.members.map((x) => ({
        label: x.label,
        address: x.address,
        addressFrom: x.addressFrom,
        priority: x.inst.priority,
        vrid: x.inst.virtualRouterId,
        trackScripts: x.settings.trackScripts.map((t) => ({ name: t.name, weight: t.weight })),
        trackProxy: (x.settings.trackSources ?? []).map((t) => ({
          name: t.name,
          weight: t.weight,
        })),
        nopreempt: x.settings.nopreempt,
        preemptDelayMs: x.settings.preemptDelayMs,
      })),
      rows: m.rows.map((row) => jsonRow(m, row)),
    })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function jsonRow(m: Matrix, row: MatrixRow) {
  const label = (i: number) => m.members[i]?.label ?? String(i);
  return {
    conditions: Object.fromEntries(row.conditions.map((c, i) => [label(i), c])),
    outcomes: row.outcomes.map((o) => ({
      holders: o.holders.map(label),
      priority: o.priority ?? null,
    })),
    ordersRun: row.ordersRun,
    allOrders: row.allOrders,
    failoverMs: row.failoverMs ?? null,
    flags: row.flags.map((f) => ({
      code: f.code,
      message: f.message,
      at: f.at.map((p) => `${p.file}:${p.line}`),
      order: f.order.map(label),
      simultaneous: f.simultaneous,
    })),
  };
}
