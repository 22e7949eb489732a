// The Prometheus text exposition format (version 0.0.4), as HAProxy's prometheus-exporter
// service writes it: one `# HELP` and `# TYPE` per metric, then its samples, label values
// escaped, numbers in Go's spelling (NaN for "not set", as HAProxy does for unset limits).

export type MetricType = 'gauge' | 'counter';

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  readonly labels: Labels;
  readonly value: number;
}

/** A metric of one scope: `sample` returns the rows' samples (none leaves a row out). */
export interface MetricDef<R> {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly sample: (row: R) => readonly Sample[] | number | undefined;
}

/** `\`, `"` and newlines escaped, as the format requires inside a label value. */
export function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

function formatLabels(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length > 0 ? `{${parts.join(',')}}` : '';
}

/**
 * Renders the metrics of one scope over its rows; `base` gives each row's own labels
 * (`proxy`, `server`). A metric no row has a sample for is left out entirely.
 */
export function renderFamily<R>(
  defs: readonly MetricDef<R>[],
  rows: readonly R[],
  base: (row: R) => Labels,
): string {
  const out: string[] = [];
  for (const d of defs) {
    const lines: string[] = [];
    for (const row of rows) {
      const s = d.sample(row);
      if (s === undefined) continue;
      const samples = typeof s === 'number' ? [{ labels: {}, value: s }] : s;
      for (const one of samples)
        lines.push(
          `${d.name}${formatLabels({ ...base(row), ...one.labels })} ${formatValue(one.value)}`,
        );
    }
    if (lines.length === 0) continue;
    out.push(`# HELP ${d.name} ${d.help}`, `# TYPE ${d.name} ${d.type}`, ...lines);
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

/** One sample per label value: 1 for the current one, 0 for the others (HAProxy's states). */
export function oneOf(label: string, values: readonly string[], current: string): Sample[] {
  return values.map((v) => ({ labels: { [label]: v }, value: v === current ? 1 : 0 }));
}

/** One sample per label value, each with its own number (`state="UP"` 3 servers...). */
export function counts(
  label: string,
  values: readonly string[],
  n: (v: string) => number,
): Sample[] {
  return values.map((v) => ({ labels: { [label]: v }, value: n(v) }));
}
