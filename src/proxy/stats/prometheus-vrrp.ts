// `halo_vrrp_*`: the VRRP instances of `halo run` on the same /metrics as the proxy, so no
// root-run exporter is needed. One row per instance (label `vrrp_instance`: Prometheus
// itself sets `instance` on every scraped sample), trackers one row each.

import type { ShownInstance, VrrpStatus } from '../../run/show-vrrp.js';
import type { MetricDef } from './prometheus-format.js';
import { oneOf, renderFamily } from './prometheus-format.js';

const STATES = ['INIT', 'BACKUP', 'MASTER', 'FAULT', 'STOP'] as const;
const V = 'halo_vrrp_';

const INSTANCE_METRICS: readonly MetricDef<ShownInstance>[] = [
  {
    name: `${V}state`,
    type: 'gauge',
    help: 'VRRP state of the instance, 1 on the current one',
    sample: (i) => oneOf('state', STATES, i.state),
  },
  {
    name: `${V}effective_priority`,
    type: 'gauge',
    help: "Priority the instance advertises now (base priority plus the trackers' parts)",
    sample: (i) => i.effectivePriority,
  },
  {
    name: `${V}base_priority`,
    type: 'gauge',
    help: 'Configured priority of the instance',
    sample: (i) => i.basePriority,
  },
  {
    name: `${V}master_priority`,
    type: 'gauge',
    help: 'Priority of the master this instance knows (NaN: none seen)',
    sample: (i) => i.masterPriority ?? Number.NaN,
  },
  {
    name: `${V}transitions_total`,
    type: 'counter',
    help: 'State transitions since start',
    sample: (i) => i.transitions,
  },
  {
    name: `${V}master_changes_total`,
    type: 'counter',
    help: 'Times the master this instance knows changed (another address, or itself)',
    sample: (i) => i.masterChanges,
  },
  {
    name: `${V}become_master_total`,
    type: 'counter',
    help: 'Times the instance became MASTER',
    sample: (i) => i.counters.becomeMaster,
  },
  {
    name: `${V}release_master_total`,
    type: 'counter',
    help: 'Times the instance left MASTER',
    sample: (i) => i.counters.releaseMaster,
  },
  {
    name: `${V}adverts_sent_total`,
    type: 'counter',
    help: 'Adverts sent',
    sample: (i) => i.counters.advertSent,
  },
  {
    name: `${V}adverts_received_total`,
    type: 'counter',
    help: 'Adverts received and accepted',
    sample: (i) => i.counters.advertReceived,
  },
  {
    name: `${V}vips_set`,
    type: 'gauge',
    help: '1 while this node holds the virtual addresses',
    sample: (i) => (i.vipsSet ? 1 : 0),
  },
];

interface TrackerRow {
  readonly instance: string;
  readonly name: string;
  readonly weight: number;
  readonly ok: boolean;
  readonly part: number;
}

const TRACKER_METRICS: readonly MetricDef<TrackerRow>[] = [
  {
    name: `${V}tracker_priority_part`,
    type: 'gauge',
    help: 'What the tracker adds to (or takes from) the effective priority now',
    sample: (t) => t.part,
  },
  {
    name: `${V}tracker_up`,
    type: 'gauge',
    help: '1 while the tracker is good, 0 while it is bad',
    sample: (t) => (t.ok ? 1 : 0),
  },
  {
    name: `${V}tracker_weight`,
    type: 'gauge',
    help: 'Configured weight of the tracker (0: the instance goes FAULT when it is bad)',
    sample: (t) => t.weight,
  },
];

export function renderVrrpMetrics(status: VrrpStatus): string {
  const trackers: TrackerRow[] = status.instances.flatMap((i) =>
    (i.trackSources ?? []).map((t) => ({ instance: i.name, ...t })),
  );
  return (
    renderFamily(INSTANCE_METRICS, status.instances, (i) => ({
      vrrp_instance: i.name,
      vrid: String(i.vrid),
      interface: i.interface,
    })) +
    renderFamily(TRACKER_METRICS, trackers, (t) => ({ vrrp_instance: t.instance, tracker: t.name }))
  );
}
