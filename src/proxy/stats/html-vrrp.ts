// The stats page's VRRP block under `halo run`, above the proxies: the same facts as the
// runtime API's `show vrrp` (each instance's state, priorities, master, VIPs; each
// tracker's part in the effective priority; the newest transitions with their reasons).
// Pure: the status carries the clocks it was taken at.

import { instanceCells, type VrrpStatus } from '../../run/show-vrrp.js';
import { escapeHtml } from './html-escape.js';

const STATE_CLASS: Record<string, string> = {
  MASTER: 'active_up',
  BACKUP: 'backup_up',
  FAULT: 'active_down',
  INIT: 'active_going_up',
  STOP: 'maintain',
};

const row = (cells: readonly (string | number)[], cls = ''): string =>
  `<tr${cls ? ` class="${cls}"` : ''}>${cells.map((c) => `<td class="ac">${escapeHtml(String(c))}</td>`).join('')}</tr>`;

const head = (cells: readonly string[]): string =>
  `<tr class="titre">${cells.map((c) => `<th>${c}</th>`).join('')}</tr>`;

export function renderVrrpHtml(status: VrrpStatus): string {
  const inst = status.instances.map((i) => row(instanceCells(i, ', '), STATE_CLASS[i.state] ?? ''));
  const trackers = status.instances.flatMap((i) =>
    (i.trackSources ?? []).map((t) =>
      row(
        [i.name, t.name, t.ok ? 'good' : t.weight === 0 ? 'FAULT' : 'bad', t.weight, t.part],
        t.ok ? 'active_up' : 'active_down',
      ),
    ),
  );
  const transitions = status.instances.flatMap((i) =>
    [...i.history].reverse().map((h) => {
      const at = new Date(status.wallNow - (status.now - h.at)).toISOString();
      return row([i.name, at, h.from, h.to, h.reason]);
    }),
  );
  return `<h3 id="vrrp">&gt; VRRP</h3>
<table class="tbl vrrp-instances">
${head(['Instance', 'State', 'VRID', 'Interface', 'Base prio', 'Effective prio', 'Master', 'Master prio', 'VIPs'])}
${inst.join('\n')}
</table>
${
  trackers.length > 0
    ? `<p></p><table class="tbl vrrp-trackers">
${head(['Instance', 'Tracker', 'State', 'Weight', 'Part in priority'])}
${trackers.join('\n')}
</table>\n`
    : ''
}<p></p><table class="tbl vrrp-transitions">
${head(['Instance', 'Time (UTC)', 'From', 'To', 'Reason'])}
${transitions.join('\n')}
</table><p></p>\n`;
}
